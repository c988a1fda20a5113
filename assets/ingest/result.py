"""What each per-kind ingest function returns."""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from schemas.quality import SchemaAfwijkingen, empty


@dataclass
class IngestResult:
    ledger: pl.DataFrame  # schemas.quality.Leveringen rows for the files handed in
    records: pl.DataFrame  # accepted records: schemas.records.TrajectRecord or NazorgEvent
    quarantine: pl.DataFrame  # schemas.quality.Quarantaine rows
    schema_findings: pl.DataFrame = field(default_factory=lambda: empty(SchemaAfwijkingen))


LEDGER_SCHEMA = {
    "bron": pl.Utf8,
    "bestand": pl.Utf8,
    "sha256": pl.Utf8,
    "status": pl.Utf8,
    "reden": pl.Utf8,
    "records_gelezen": pl.Int64,
    "records_geaccepteerd": pl.Int64,
    "records_gequarantaineerd": pl.Int64,
    "leverdatum": pl.Date,
    "bytes": pl.Int64,
}


def ledger_row(file: dict, status: str, reden: str | None = None, leverdatum=None, gelezen: int = 0, geaccepteerd: int = 0) -> dict:
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
    }


def ledger_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=LEDGER_SCHEMA)
