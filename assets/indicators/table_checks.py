"""What the blocking asset check on `indicatoren` verifies (assets/quality/dagster_checks.py).

Pure functions on the published table, so tests call them directly. The row rules are
those of the pandera model (`schemas.indicators.ROW_RULES`, one implementation); this
module only reports which rows break them, plus the rule of process.md §4 that pandera
cannot say row by row: no suppressed cell can be recovered as NL minus the published
gemeenten (D in 1..9 for some indicator and jaar).
"""
from __future__ import annotations

import polars as pl

from assets.indicators.disclosure import recoverable
from schemas.indicators import row_rules

ROW_COLUMNS = ["indicator", "regio_code", "jaar", "teller", "noemer", "onderdrukt", "geen_gegevens"]


def _with_defaults(ind: pl.DataFrame) -> pl.DataFrame:
    """A table from before process.md §4 has no geen_gegevens: read as false everywhere."""
    return ind if "geen_gegevens" in ind.columns else ind.with_columns(geen_gegevens=pl.lit(False))


def rule_failures(ind: pl.DataFrame) -> dict[str, int]:
    """Per row rule that the table's columns allow judging: how many rows break it."""
    rules = row_rules(_with_defaults(ind).columns)
    counts = _with_defaults(ind).select(**{n: (~e).fill_null(True).sum() for n, e in rules.items()})
    return {n: int(counts[n].item()) for n in rules}


def row_violations(ind: pl.DataFrame) -> pl.DataFrame:
    """Rows that break a row rule: teller > noemer, a shown noemer under 10, numbers on a
    suppressed or geen_gegevens row, a missing noemer on a published row, a suppressed
    no-data row, onderdrukt disagreeing with onderdrukking, a flag where it cannot apply."""
    df = _with_defaults(ind)
    broken = pl.any_horizontal(*((~e).fill_null(True) for e in row_rules(df.columns).values()))
    return df.filter(broken).select([c for c in ROW_COLUMNS if c in ind.columns])


def subtraction_violations(ind: pl.DataFrame) -> pl.DataFrame:
    """(indicator, jaar, D) where NL minus the published gemeente rows is 1..9."""
    return recoverable(ind, groups=["indicator", "jaar"], part="regio_code", value="noemer")
