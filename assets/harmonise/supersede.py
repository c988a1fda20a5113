"""Superseding of legacy CSV rows (sources.md §2): the latest export of a Dossiernr wins.

An export holds every trajectory the system had on its date, so an older export's row of
the same (gemeentecode, dossiernr) is an outdated copy of the same dossier, not a second
trajectory. DDAS records are never superseded. `dossiernr` is the keyed hash of the
trimmed Dossiernr (the reader keeps nothing else, docs/privacy.md): equal numbers give
equal hashes, so the comparison is the same as on the numbers.
"""
from __future__ import annotations

import polars as pl

from assets.harmonise.ordering import POSITION_SPAN, file_rank, file_table, lookup, packed
from schemas.kinds import dossier_names

VERVANGEN_DOOR = "vervangen_door"


def mark_superseded(records: pl.LazyFrame) -> pl.LazyFrame:
    """Add `vervangen_door`: for a superseded CSV row the bestand of the row that
    replaces it, else null. Rows keep their order.

    Winner per (gemeentecode, dossiernr): the latest export date (the horizon of a CSV
    row), ties the later relative path, then the later line (a reader never accepts one
    Dossiernr twice in an export; the line only keeps the choice total). Collects the
    small per-file table to rank files by (export date, path). Only the CSV rows are
    ranked (DDAS rows, most of them, are never superseded); the few superseded rows are
    joined back on their row number.
    """
    files = file_table(records.filter(pl.col("bron").is_in(dossier_names())))
    is_csv = pl.col("bron").is_in(dossier_names()) & pl.col("dossiernr").is_not_null()
    order = packed(file_rank(files, "export_rang", complete=False)).alias("_order")
    winner_file = lookup(pl.col("_winner") // POSITION_SPAN, files["export_rang"], files["bestand"], pl.Utf8, complete=False)
    superseded = (
        records.with_row_index("_rij")
        .filter(is_csv)
        .select("_rij", "gemeentecode", "dossiernr", order)
        .with_columns(pl.col("_order").max().over("gemeentecode", "dossiernr").alias("_winner"))
        .filter(pl.col("_order") != pl.col("_winner"))
        .select("_rij", winner_file.alias(VERVANGEN_DOOR))
    )
    return (
        records.with_row_index("_rij")
        .join(superseded, on="_rij", how="left", maintain_order="left")
        .drop("_rij")
    )


def supersede(records: pl.LazyFrame) -> pl.LazyFrame:
    """The records that take part in linking: DDAS rows and the latest copy of each CSV dossier."""
    return mark_superseded(records).filter(pl.col(VERVANGEN_DOOR).is_null()).drop(VERVANGEN_DOOR)
