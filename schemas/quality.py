"""The quality tables under `kwaliteit/` (contract: spec/README.md)."""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.kinds import names

BRONNEN = names()  # the registered delivery kinds (schemas/kinds.py)
STATUSSEN = ["geladen", "geweigerd", "duplicaat", "toekomstig"]

# model.md §2, in the order in which they are tried: the first that applies wins.
REDEN_CODES = [
    "rij_onleesbaar",
    "verplicht_veld_ontbreekt",
    "bsn_ontbreekt",
    "clienten_ongeldig",
    "bsn_ongeldig",
    "gemeente_onbekend",
    "datum_ongeldig",
    "geen_startdatum",
    "product_onbekend",
    "soort_onbekend",
    "uitkomst_onbekend",
    "contactvorm_onbekend",
    "reden_onbekend",
    "reden_zonder_einde",
    "bedrag_ongeldig",
    "einde_voor_start",
    "datum_in_toekomst",
    "dubbel_dossier",
    # vroegsignalering.md §1 (their own order there: schemas/vroegsignalering.py VS_REDEN_CODES)
    "signaal_id_ontbreekt",
    "geen_signaaldatum",
    "zaak_zonder_signaal",
]


class Leveringen(pa.DataFrameModel):
    """`kwaliteit/leveringen.parquet`: one row per delivered file (the ledger)."""

    bron: str = pa.Field(isin=BRONNEN, description=f"{', '.join(BRONNEN[:-1])} or {BRONNEN[-1]}")
    bestand: str = pa.Field(unique=True, description="path relative to the landing folder, '/' separators; runs of 9+ digits as '#', unique (docs/robustness.md)")
    sha256: Optional[str] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$", description="hash of the file's bytes; empty for an entry that could not be read (link, fifo, unreadable)")
    status: str = pa.Field(isin=STATUSSEN, description="geladen, geweigerd, duplicaat or toekomstig")
    reden: Optional[str] = pa.Field(nullable=True, description="why the file was not loaded; empty when geladen")
    records_gelezen: int = pa.Field(ge=0, description="records read (0 unless geladen)")
    records_geaccepteerd: int = pa.Field(ge=0, description="records accepted")
    records_gequarantaineerd: int = pa.Field(ge=0, description="records quarantined")
    leverdatum: Optional[pl.Date] = pa.Field(nullable=True, description="delivery date (DDAS: date of aanleverdatumEnTijd as written; CSV/XLSX: date in the name)")
    bytes: Optional[int] = pa.Field(nullable=True, ge=0, description="file size; empty for what is not a regular file (link, fifo, unreadable folder)")
    leverancier: Optional[str] = pa.Field(nullable=True, description="DDAS: the file's codeGegevensleverancier (software supplier), trimmed, at most 64 characters, runs of 9+ digits as '#'; empty for CSV, XLSX and files that did not load")

    class Config:
        strict = False

    @pa.dataframe_check
    def counts_reconcile(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("records_gelezen") == pl.col("records_geaccepteerd") + pl.col("records_gequarantaineerd")
        )


class Quarantaine(pa.DataFrameModel):
    """`kwaliteit/quarantaine.parquet`: one row per quarantined record; no record contents."""

    bron: str = pa.Field(isin=BRONNEN)
    bestand: str = pa.Field(description="path relative to the landing folder, as in the ledger")
    locatie: str = pa.Field(description="DDAS: leveringen[i].schuldhulptrajecten[j]; CSV/XLSX: 1-based line or row")
    reden_code: str = pa.Field(isin=REDEN_CODES, description="first rule of model.md §2 that applies")
    reden_tekst: str = pa.Field(description="readable reason; names fields, never quotes values")

    class Config:
        strict = False


class SchemaAfwijkingen(pa.DataFrameModel):
    """`kwaliteit/schema_afwijkingen.parquet`: one row per JSON Schema error of a loaded DDAS file."""

    bestand: str = pa.Field(description="path relative to the landing folder")
    json_pad: str = pa.Field(description="JSON path of the offending instance, e.g. $.leveringen[0].teller")
    melding: str = pa.Field(description="keyword and the schema's constraint; never the delivered value")

    class Config:
        strict = False


class Inventaris(pa.DataFrameModel):
    """`staging/inventaris.parquet`: one row per entry under the kind folders, the outcome
    of steps 1-2 of sources.md (assets/ingest/inventory.py)."""

    bron: str = pa.Field(isin=BRONNEN, description="the kind folder the entry is under")
    bestand: str = pa.Field(unique=True, description="shown name (digit runs masked, unique), as in the ledger")
    pad: Optional[str] = pa.Field(nullable=True, description="absolute path, only in memory: never written (inventory_table drops it)")
    sha256: Optional[str] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$", description="empty when the entry could not be read")
    bytes: Optional[int] = pa.Field(nullable=True, ge=0, description="empty for what is not a regular file (a link, fifo, folder)")
    status: Optional[str] = pa.Field(nullable=True, isin=["geweigerd", "duplicaat"], description="empty: handed to the kind's reader")
    reden: Optional[str] = pa.Field(nullable=True, description="why the entry was stopped; never quotes a name or link target")
    gemeentecode_naam: Optional[str] = pa.Field(nullable=True, description="GMxxxx from the file name (kinds named GMxxxx_JJJJMMDD)")
    leverdatum_naam: Optional[pl.Date] = pa.Field(nullable=True, description="date from the file name (kinds named GMxxxx_JJJJMMDD)")

    class Config:
        strict = True


def empty(model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """An empty frame with exactly the model's columns and types."""
    return model.empty()


def dtypes(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    """{column: polars dtype} of a model, in its column order: the schema of frames built
    from Python rows, so that no dtype dict copies a model."""
    return dict(model.empty().schema)
