"""Every path under the output folder, in one place (contract: spec/README.md)."""
from __future__ import annotations

import re
from pathlib import Path

# Contract outputs
INDICATOREN = "indicatoren/indicatoren.parquet"
TRAJECTEN = "model/trajecten.parquet"
TRAJECTCLIENTEN = "model/trajectclienten.parquet"
NAZORG_GEBEURTENISSEN = "model/nazorg_gebeurtenissen.parquet"
BEGELEIDING = "model/begeleiding.parquet"  # process.md §1
SCHULDEN_MODEL = "model/schulden.parquet"  # process.md §1 (indicatoren/schulden.parquet is another table)
LEVERINGEN = "kwaliteit/leveringen.parquet"
QUARANTAINE = "kwaliteit/quarantaine.parquet"
SCHEMA_AFWIJKINGEN = "kwaliteit/schema_afwijkingen.parquet"

# Our own additions
HERKOMST = "model/traject_herkomst.parquet"  # record-level provenance
INVENTARIS = "staging/inventaris.parquet"
INDICATOREN_BREED = "indicatoren/indicatoren_breed.parquet"  # analyst view: wide per region x year
TERUGVAL_DOEL = "indicatoren/terugval_doel.parquet"  # analyst view: terugval_5j against its target
NAZORG_DEKKING = "kwaliteit/nazorg_dekking.parquet"  # per gemeente: the years its aftercare workbooks cover
# process.md §3: the four tables of the whole process
DOORLOOPTIJDEN = "indicatoren/doorlooptijden.parquet"
UITSTROOM = "indicatoren/uitstroom.parquet"
SCHULDEN = "indicatoren/schulden.parquet"
TERUGVAL_UITSPLITSING = "indicatoren/terugval_uitsplitsing.parquet"
# vroegsignalering.md §2-3: early warning
VROEGSIGNALEN = "model/vroegsignalen.parquet"
VROEGSIGNAALZAKEN = "model/vroegsignaalzaken.parquet"
VS_INDICATOREN = "indicatoren/vroegsignalering.parquet"
VS_AANTALLEN = "indicatoren/vroegsignalen_aantallen.parquet"


def staging(bron: str, table: str) -> str:
    """Per-kind staging tables: records, quarantaine, leveringen, schema_afwijkingen."""
    return f"staging/{bron}/{table}.parquet"


def cache_root(work_root: Path) -> Path:
    """The per-file cache of reader results (docs/incremental.md): beside the work root of
    assets/common/publish.py, on the same rules (`.<output>.ddas-cache/`, or
    `<output>/.ddas-cache/`), never inside the published set or a run's work folder."""
    return work_root.with_name(work_root.name.removesuffix(".ddas-werk") + ".ddas-cache")


def out(output_dir: str | Path, rel: str) -> Path:
    return Path(output_dir) / rel


# \d: any Unicode decimal digit, so a run in full-width or Arabic-Indic digits is masked too.
_DIGIT_RUN = re.compile(r"\d{9,}")


def mask_digits(text: str) -> str:
    """Every run of nine or more digits written as that many `#` (sources.md): a file or
    folder name shown in a message never carries a number that could be a BSN. The one
    implementation; assets/ingest/names.py builds the shown `bestand` with it."""
    return _DIGIT_RUN.sub(lambda m: "#" * len(m.group()), text)
