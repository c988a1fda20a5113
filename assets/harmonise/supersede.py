"""Superseding of legacy CSV rows (sources.md §2): the latest export of a Dossiernr wins.

An export holds every trajectory the system had on its date, so an older export's row of
the same (gemeentecode, dossiernr) is an outdated copy, not a second trajectory.
"""
from __future__ import annotations

import polars as pl

VERVANGEN_DOOR = "vervangen_door"


def mark_superseded(records: pl.LazyFrame) -> pl.LazyFrame:
    """Add `vervangen_door`: for a superseded CSV row, the bestand of the row that replaces it.

    Winner per (gemeentecode, dossiernr): the latest export date (= horizon of a CSV row),
    ties the later relative path, then the later line (a reader never accepts the same
    Dossiernr twice in one export; the last key only keeps the choice total). DDAS rows
    and winning rows get null.
    """
    is_csv = (pl.col("bron") == "shv_csv") & pl.col("dossiernr").is_not_null()
    key = ["gemeentecode", "dossiernr"]
    order = ["horizon", "bestand", "record_index"]
    csv = records.filter(is_csv)
    winners = csv.group_by(key).agg(
        pl.col("bestand").sort_by(order).last().alias("_w_bestand"),
        pl.col("record_index").sort_by(order).last().alias("_w_index"),
    )
    csv = csv.join(winners, on=key, how="left", nulls_equal=True).with_columns(
        pl.when((pl.col("bestand") == pl.col("_w_bestand")) & (pl.col("record_index") == pl.col("_w_index")))
        .then(pl.lit(None, dtype=pl.Utf8))
        .otherwise(pl.col("_w_bestand"))
        .alias(VERVANGEN_DOOR)
    ).drop("_w_bestand", "_w_index")
    rest = records.filter(~is_csv).with_columns(pl.lit(None, dtype=pl.Utf8).alias(VERVANGEN_DOOR))
    return pl.concat([rest, csv], how="vertical")


def supersede(records: pl.LazyFrame) -> pl.LazyFrame:
    """The records that take part in linking: DDAS rows and the latest copy of each CSV dossier."""
    return mark_superseded(records).filter(pl.col(VERVANGEN_DOOR).is_null()).drop(VERVANGEN_DOOR)
