"""`terugval_5j`: distinct aanmelders per (gemeente, year) and those who relapsed.

Input is the frame of `table.client_trajectories`: one row per (non-I&A trajectory,
client) with that trajectory's fields. The rule lives in `relapse_links` and
`relapse_persons`; the counts here and the audit member lists (`members.py`) both use
them, so they cannot disagree.
"""
from __future__ import annotations

import polars as pl

from assets.common.dates import minus_years_5
from assets.indicators.regions import by_region


def aanmelders(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """(t, p) for every client p of every trajectory t, with t's gemeente and aanmeld year."""
    return pairs.select(
        "traject_id", "persoon_id", "gemeentecode", "aanmelddatum",
        jaar=pl.col("aanmelddatum").dt.year(),
    )


def relapse_links(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """Every (t, p, s): another trajectory s of p ended `Afgerond` with
    aanmelddatum(t) - 5 years <= einddatum(s) < aanmelddatum(t). Columns traject_id,
    persoon_id, s_id, s_eind."""
    afgerond = pairs.filter(
        (pl.col("uitstroomreden") == "Afgerond") & pl.col("einddatum").is_not_null()
    ).select("persoon_id", s_id="traject_id", s_eind="einddatum")
    # Joined per person: a person has few trajectories, so this stays close to linear.
    return (
        aanmelders(pairs)
        .join(afgerond, on="persoon_id", how="inner")
        .filter(
            (pl.col("s_id") != pl.col("traject_id"))
            & (pl.col("s_eind") >= minus_years_5(pl.col("aanmelddatum")))
            & (pl.col("s_eind") < pl.col("aanmelddatum"))
        )
        .select("traject_id", "persoon_id", "s_id", "s_eind")
    )


def flagged_aanmelders(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """`aanmelders` plus `terugval`: (t, p) has at least one relapse link."""
    relapsed = relapse_links(pairs).select("traject_id", "persoon_id").unique().with_columns(terugval=pl.lit(True))
    return aanmelders(pairs).join(relapsed, on=["traject_id", "persoon_id"], how="left").with_columns(
        pl.col("terugval").fill_null(False)
    )


def relapse_persons(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (regio_code, jaar, persoon_id) with `terugval`: a person counts once per
    cell, and is a relapser there when any of their trajectories in the cell qualifies."""
    return (
        by_region(flagged_aanmelders(pairs))
        .group_by("regio_code", "jaar", "persoon_id")
        .agg(pl.col("terugval").any())
    )


def terugval_5j(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """indicator, regio_code, jaar, teller, noemer for every region-year with aanmelders.

    The same counts as `relapse_persons` per cell (noemer: its persons; teller: those with
    a relapsing pair), as distinct counts per cell: no group per (cell, person) is built."""
    persoon = pl.col("persoon_id")
    return (
        by_region(flagged_aanmelders(pairs))
        .group_by("regio_code", "jaar")
        .agg(teller=persoon.filter(pl.col("terugval")).n_unique(), noemer=persoon.n_unique())
        .with_columns(indicator=pl.lit("terugval_5j"))
    )
