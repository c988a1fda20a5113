"""Aftercare events for the model (model.md §4; sources.md §3 on repeated events).

The same event (persoon_id, datum, soort) delivered more than once, in one workbook or
several, counts as accepted in each file's ledger row but appears once in the model.
The copy whose other columns win is the latest delivery: the later leverdatum (date in
the file name), then the later path, then the later row; a re-sent workbook is taken to
correct an earlier one.
"""
from __future__ import annotations

import polars as pl

EVENT_KEY = ["persoon_id", "datum", "soort"]
COLUMNS = [
    "persoon_id",
    "datum",
    "soort",
    "uitkomst",
    "contactvorm",
    "uitgevoerd_door",
    "gemeentecode",
    "bestand",
    "locatie",
    "aantal_kopieen",
]


def dedupe_events(events: pl.LazyFrame) -> pl.LazyFrame:
    """NazorgEvent rows -> one row per event (schemas.model.NazorgGebeurtenissen),
    sorted by persoon_id, datum, soort."""
    row = pl.col("locatie").cast(pl.Int64, strict=False).alias("_rij")
    return (
        events.with_columns(row)
        .sort([*EVENT_KEY, "leverdatum", "bestand", "_rij"], nulls_last=False)
        # rows keep their order inside a group: last() is the latest delivery
        .group_by(EVENT_KEY, maintain_order=True)
        .agg(
            pl.col("uitkomst", "contactvorm", "uitgevoerd_door", "gemeentecode", "bestand", "locatie").last(),
            pl.len().cast(pl.Int64).alias("aantal_kopieen"),
        )
        .select(COLUMNS)
        .sort(EVENT_KEY)
    )
