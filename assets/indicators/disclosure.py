"""Disclosure control for every published table (spec process.md §4 and §6.6).

One implementation for the indicator table and for the tables process.md §3 and
vroegsignalering.md add: pure polars functions on raw (unsuppressed) counts,
parametrised by the group keys, the column that names a part (a region or a category)
and the count column. The state of each row is the column `onderdrukking`: `primair`
(count below MIN_NOEMER), `secundair` (suppressed so that no suppressed part can be
recovered by subtraction) or null (published). Rows marked as taking no part (the
`skip` column, e.g. `geen_gegevens`) are neither parts nor totals: they have no number.

Subtraction: for a group, D = its published total minus the sum of its published parts.
While 1 <= D <= 9 the published part with the smallest count (ties: the smallest part
name) is suppressed too, as the contract words it: also a part of 0, although hiding it
leaves D as it is (uitstroom's zero reasons; docs/indicators.md, Decisions). Each round is vectorised over all groups; rounds repeat only
while some group still has D in 1..9.
"""
from __future__ import annotations

import polars as pl

from schemas.indicators import MIN_NOEMER, NL

PRIMAIR = "primair"
SECUNDAIR = "secundair"
STATE = "onderdrukking"
MAX_D = MIN_NOEMER - 1  # D of 1..9 would disclose a group smaller than the threshold

_TOTAL = "_totaal"
_FLAG = "_secundair_nu"


def primary(value: str | pl.Expr, skip: str | None = None) -> pl.Expr:
    """`onderdrukking` after primary suppression: `primair` where the count < MIN_NOEMER
    (a skipped row, e.g. geen_gegevens, is never suppressed), else null."""
    v = pl.col(value) if isinstance(value, str) else value
    small = v < MIN_NOEMER
    if skip is not None:
        small = small & ~pl.col(skip)
    return pl.when(small).then(pl.lit(PRIMAIR)).otherwise(pl.lit(None, dtype=pl.Utf8)).alias(STATE)


def _published(skip: str | None) -> pl.Expr:
    ok = pl.col(STATE).is_null()
    return ok & ~pl.col(skip) if skip is not None else ok


def differences(
    df: pl.DataFrame, *, groups: list[str], value: str, totals: pl.DataFrame, skip: str | None = None
) -> pl.DataFrame:
    """Per group with a published total: `groups`, D (total minus the published parts).

    `totals`: `groups` plus `_totaal`, one row per group whose total is published.
    """
    sums = df.filter(_published(skip)).group_by(groups).agg(pl.col(value).sum().alias("_delen"))
    return totals.join(sums, on=groups, how="left", nulls_equal=True).select(
        *groups, D=pl.col(_TOTAL) - pl.col("_delen").fill_null(0)
    )


def _suppress_until_safe(
    parts: pl.DataFrame, *, groups: list[str], part: str, value: str, totals: pl.DataFrame, skip: str | None
) -> tuple[pl.DataFrame, bool]:
    """Secondary suppression of `parts` against `totals`; (parts, whether anything changed)."""
    changed = False
    while True:
        d = differences(parts, groups=groups, value=value, totals=totals, skip=skip)
        unsafe = d.filter(pl.col("D").is_between(1, MAX_D)).select(groups)
        if unsafe.height == 0:
            return parts, changed
        pick = (
            # Literally the smallest published part, a 0 included (it leaves D unchanged, so the
            # next round takes the next smallest).
            parts.filter(_published(skip))
            .join(unsafe, on=groups, how="semi", nulls_equal=True)
            .sort([value, part])
            .group_by(groups, maintain_order=True)
            .first()
            .select(*groups, part, pl.lit(True).alias(_FLAG))
        )
        if pick.height == 0:  # nothing left to suppress (only with a total below the parts)
            return parts, changed
        parts = (
            parts.join(pick, on=[*groups, part], how="left", nulls_equal=True, maintain_order="left")
            .with_columns(
                pl.when(pl.col(_FLAG).fill_null(False)).then(pl.lit(SECUNDAIR)).otherwise(pl.col(STATE)).alias(STATE)
            )
            .drop(_FLAG)
        )
        changed = True


def suppress_secondary(
    df: pl.DataFrame,
    *,
    groups: list[str],
    part: str = "regio_code",
    value: str = "noemer",
    total_part: str = NL,
    skip: str | None = None,
) -> pl.DataFrame:
    """Secondary suppression across the parts of each group; the total is the row of the
    group whose `part` equals `total_part` (NL), and it is never suppressed here.

    `df` holds raw counts in `value` and `onderdrukking` after primary suppression; the
    rows keep their order. The indicator table calls it with groups (indicator, jaar).
    """
    is_total = pl.col(part) == total_part
    totals = df.filter(is_total & _published(skip)).select(*groups, pl.col(value).alias(_TOTAL))
    parts, _ = _suppress_until_safe(df.filter(~is_total), groups=groups, part=part, value=value, totals=totals, skip=skip)
    return _restore(df, parts, is_total, groups, part)


def _restore(df: pl.DataFrame, parts: pl.DataFrame, is_total: pl.Expr, groups: list[str], part: str) -> pl.DataFrame:
    """`df` with the `onderdrukking` of `parts` (same rows), in its original order."""
    state = parts.select(*groups, part, pl.col(STATE).alias("_nieuw"))
    return (
        df.join(state, on=[*groups, part], how="left", nulls_equal=True, maintain_order="left")
        .with_columns(pl.when(is_total).then(pl.col(STATE)).otherwise(pl.col("_nieuw")).alias(STATE))
        .drop("_nieuw")
    )


def suppress_secondary_categories(
    df: pl.DataFrame,
    *,
    keys: list[str],
    category: str,
    value: str,
    category_totals: pl.DataFrame,
    region: str = "regio_code",
    total_region: str = NL,
    skip: str | None = None,
) -> pl.DataFrame:
    """process.md §6.6: for a table with categories, two passes alternate until nothing
    changes: (a) across gemeenten per (keys, category) against the NL row of that
    category; (b) within each (region, keys) across the categories against the region's
    published total. `keys` e.g. [jaar, dimensie] (plus `maat` or `indicator`).

    `category_totals`: region, keys and `totaal`: the published total of each
    (region, keys) (uitstroom: the regio-year's noemer; terugval_uitsplitsing: the
    published terugval_5j row); null or absent = not published, no subtraction there.
    """
    across = [*keys, category]
    within = [region, *keys]
    totals_b = category_totals.filter(pl.col("totaal").is_not_null()).select(*within, pl.col("totaal").alias(_TOTAL))
    while True:
        before = df.get_column(STATE)
        df = suppress_secondary(df, groups=across, part=region, value=value, total_part=total_region, skip=skip)
        df, _ = _suppress_until_safe(df, groups=within, part=category, value=value, totals=totals_b, skip=skip)
        if df.get_column(STATE).equals(before):  # same positions: both passes keep the order
            return df


def recoverable(
    published: pl.DataFrame, *, groups: list[str], part: str = "regio_code", value: str = "noemer", total_part: str = NL
) -> pl.DataFrame:
    """On a published table (a suppressed or no-data row has its count empty): the groups
    whose published total minus their published parts is 1..9, with D. Empty = safe."""
    is_total = pl.col(part) == total_part
    has = pl.col(value).is_not_null()
    totals = published.filter(is_total & has).select(*groups, pl.col(value).alias(_TOTAL))
    sums = published.filter(~is_total & has).group_by(groups).agg(pl.col(value).sum().alias("_delen"))
    return (
        totals.join(sums, on=groups, how="left", nulls_equal=True)
        .select(*groups, D=pl.col(_TOTAL) - pl.col("_delen").fill_null(0))
        .filter(pl.col("D").is_between(1, MAX_D))
        .sort(groups)
    )
