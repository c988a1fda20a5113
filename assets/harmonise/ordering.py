"""Integer sort keys for the record orders of model.md §4 and sources.md §2.

Sorting millions of rows on paths and several columns is the slow part of
harmonisation; the orders only ever compare a file (through its path and delivery
instant) and a position in that file. So each distinct file gets integer ranks once (a
few thousand rows), and a record's key packs its file rank with its position:

    rank * 2**42 + levering_index * 2**31 + record_index

which orders exactly like (rank, levering_index, record_index) while each part fits its
bits (checked: `check_positions`).
"""
from __future__ import annotations

import polars as pl

REC_BITS, LEV_BITS, FILE_BITS = 31, 11, 21
POSITION_SPAN = 2 ** (LEV_BITS + REC_BITS)  # packed // POSITION_SPAN is the file rank


def file_table(records: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """One row per delivered file with its ranks (0-based):

    - `bestand_rang`: by path (authority ties, provenance order);
    - `stichting_rang`: by (delivery instant, path), the founding order of traject_id;
    - `export_rang`: by (horizon, path), the superseding order of legacy exports
      (a CSV file's horizon is its export date).

    All records of a file share its delivery instant (sources.md); min() only makes the
    table total.
    """
    files = (
        records.lazy()
        .group_by("bestand")
        .agg(pl.col("aanlevertijdstip").min(), pl.col("horizon").max())
        .collect()
    )
    return (
        files.sort("bestand")
        .with_row_index("bestand_rang")
        .sort("aanlevertijdstip", "bestand")
        .with_row_index("stichting_rang")
        .sort("horizon", "bestand")
        .with_row_index("export_rang")
        .with_columns(pl.col("bestand_rang", "stichting_rang", "export_rang").cast(pl.Int64))
        .sort("bestand")
    )


def lookup(expr: pl.Expr, old: pl.Series, new: pl.Series, dtype: pl.DataType, complete: bool = True) -> pl.Expr:
    """Map values through a small table (a hash lookup: no join, rows stay in place).

    complete=False gives null for a value not in the table. An empty table (only ever
    built from empty input) gives a typed null: polars' replace_strict would keep the
    input's type there.
    """
    if old.len() == 0:
        return pl.lit(None, dtype=dtype)
    extra = {} if complete else {"default": None}
    return expr.replace_strict(old, new, return_dtype=dtype, **extra)


def file_rank(files: pl.DataFrame, rank: str, complete: bool = True) -> pl.Expr:
    """The file's `rank` column of `files` for each record."""
    return lookup(pl.col("bestand"), files["bestand"], files[rank], pl.Int64, complete).alias(rank)


def packed(rank: str | pl.Expr) -> pl.Expr:
    """(file rank, levering_index, record_index) as one Int64 with the same order."""
    rank = pl.col(rank) if isinstance(rank, str) else rank
    return rank * POSITION_SPAN + pl.col("levering_index") * 2**REC_BITS + pl.col("record_index")


def check_positions(records: pl.DataFrame, n_files: int) -> None:
    """Raise when a position does not fit the packing (it would silently misorder)."""
    if records.is_empty():
        return
    lev, rec = records.select(pl.col("levering_index").max(), pl.col("record_index").max()).row(0)
    if n_files >= 2**FILE_BITS or lev >= 2**LEV_BITS or rec >= 2**REC_BITS:
        raise ValueError(
            f"record positions exceed the packed sort key (files {n_files} < 2^{FILE_BITS}, "
            f"levering_index {lev} < 2^{LEV_BITS}, record_index {rec} < 2^{REC_BITS} required)"
        )
