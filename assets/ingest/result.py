"""What each per-kind reader returns, and the ledger rows it is built from."""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from schemas.quality import Leveringen, SchemaAfwijkingen, dtypes, empty


@dataclass
class IngestResult:
    ledger: pl.DataFrame  # schemas.quality.Leveringen rows for the files handed in
    records: pl.DataFrame  # accepted records: the kind's record model (schemas/kinds.py)
    quarantine: pl.DataFrame  # schemas.quality.Quarantaine rows
    schema_findings: pl.DataFrame = field(default_factory=lambda: empty(SchemaAfwijkingen))


LEDGER_SCHEMA = dtypes(Leveringen)


def ledger_row(file: dict, status: str, reden: str | None = None, leverdatum=None, gelezen: int = 0, geaccepteerd: int = 0,
               leverancier: str | None = None) -> dict:
    """One ledger row for an inventory row `file` (a dict of assets.ingest.inventory)."""
    return {
        "bron": file["bron"],
        "bestand": file["bestand"],
        "sha256": file["sha256"],
        "status": status,
        "reden": reden,
        "records_gelezen": gelezen,
        "records_geaccepteerd": geaccepteerd,
        "records_gequarantaineerd": gelezen - geaccepteerd,
        "leverdatum": leverdatum,
        "bytes": file["bytes"],
        "leverancier": leverancier,
    }


def ledger_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LEDGER_SCHEMA)


def count_judged(rows: list[dict], judged: pl.DataFrame) -> None:
    """Fill the record counts of the `geladen` ledger rows from the judged records of all
    files (a `bestand` and a `reden_code` per record, null = accepted); in place."""
    counts = judged.group_by("bestand").agg(gelezen=pl.len(), geaccepteerd=pl.col("reden_code").is_null().sum())
    per_file = {b: (int(g), int(a)) for b, g, a in counts.select("bestand", "gelezen", "geaccepteerd").iter_rows()}
    for row in rows:
        if row["status"] == "geladen":
            gelezen, geaccepteerd = per_file.get(row["bestand"], (0, 0))
            row.update(records_gelezen=gelezen, records_geaccepteerd=geaccepteerd,
                       records_gequarantaineerd=gelezen - geaccepteerd)
