"""The regions a unit counts in: its own gemeente (when known) and always NL.

Counts and audit member lists both expand units through this one function, so "who is
behind a cell" can never drift from "what the cell counts".
"""
from __future__ import annotations

import polars as pl

from schemas.indicators import NL


def by_region(units: pl.LazyFrame) -> pl.LazyFrame:
    """Each row once with regio_code = its gemeentecode (when not null) and once with NL."""
    gemeente = units.filter(pl.col("gemeentecode").is_not_null()).with_columns(regio_code=pl.col("gemeentecode"))
    national = units.with_columns(regio_code=pl.lit(NL))
    return pl.concat([gemeente, national])


def in_cell(regio: str, jaar: int) -> pl.Expr:
    """The rows of `by_region` that belong to one cell (regio_code, jaar)."""
    return (pl.col("regio_code") == regio) & (pl.col("jaar") == jaar)
