"""What the blocking asset check on `indicatoren` verifies (assets/quality/dagster_checks.py).

Pure functions on the published table, so tests call them directly: row rules (teller <=
noemer, no shown cell under 10, suppressed and no-data rows empty) and the rule of
process.md §4 that no suppressed cell can be recovered as NL minus the published
gemeenten (D in 1..9 for some indicator and jaar).
"""
from __future__ import annotations

import polars as pl

from assets.indicators.disclosure import recoverable
from schemas.indicators import MIN_NOEMER

ROW_COLUMNS = ["indicator", "regio_code", "jaar", "teller", "noemer", "onderdrukt", "geen_gegevens"]


def row_violations(ind: pl.DataFrame) -> pl.DataFrame:
    """Rows with teller > noemer, a shown noemer under 10, numbers on a suppressed or
    geen_gegevens row, a missing noemer on a published row, or a suppressed no-data row."""
    geen = pl.col("geen_gegevens") if "geen_gegevens" in ind.columns else pl.lit(False)
    empty = pl.col("teller").is_null() & pl.col("noemer").is_null() & pl.col("waarde").is_null()
    hidden = pl.col("onderdrukt") | geen
    return ind.filter(
        (pl.col("teller") > pl.col("noemer")).fill_null(False)
        | (~hidden & (pl.col("noemer").is_null() | (pl.col("noemer") < MIN_NOEMER)))
        | (hidden & ~empty)
        | (pl.col("onderdrukt") & geen)
    ).select([c for c in ROW_COLUMNS if c in ind.columns])


def subtraction_violations(ind: pl.DataFrame) -> pl.DataFrame:
    """(indicator, jaar, D) where NL minus the published gemeente rows is 1..9."""
    return recoverable(ind, groups=["indicator", "jaar"], part="regio_code", value="noemer")
