"""The six cohort indicators on successful ends (spec/indicators.md, "Cohort indicators").

Unit: the trajectory (a household). An event of any of its clients counts for it, from
whichever municipality delivered the event: events attach to persons (model.md §4).
"""
from __future__ import annotations

import polars as pl

from assets.common.dates import add_months
from schemas.indicators import NL

COHORT_INDICATORS = [
    "nazorg_gestart",
    "nazorg_tijdig",
    "nazorgtoets_voor_einde",
    "nazorgcontact_6m",
    "warm_contact_12m",
    "terugval_12m",
]

E = pl.col("e")


def cohort(trajecten: pl.LazyFrame) -> pl.LazyFrame:
    """C(g, y): trajectories ended `Afgerond`, with their end e and year y = year(e)."""
    return trajecten.filter(
        (pl.col("uitstroomreden") == "Afgerond") & pl.col("einddatum").is_not_null()
    ).select(
        "traject_id", "gemeentecode", "startdatum", "nazorg_startdatum",
        e="einddatum", jaar=pl.col("einddatum").dt.year(),
    )


def _quarter(datum: pl.Expr) -> pl.Expr:
    """k in 1..4 when e + 3(k-1) months < datum <= e + 3k months, else null."""
    expr = pl.lit(None, dtype=pl.Int8)
    for k in (4, 3, 2, 1):  # built inside-out so the first matching upper bound wins
        expr = pl.when(datum <= add_months(E, 3 * k)).then(pl.lit(k, dtype=pl.Int8)).otherwise(expr)
    return pl.when(datum > E).then(expr)


def _event_flags(members: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    ev = events.filter(pl.col("datum").is_not_null()).select("persoon_id", "datum", "soort")
    datum = pl.col("datum")
    toets = pl.col("soort") == "nazorgtoets"
    contact = pl.col("soort") == "contact"
    return (
        members.join(ev, on="persoon_id", how="inner")
        .with_columns(kwartaal=pl.when(contact).then(_quarter(datum)))
        .group_by("traject_id")
        .agg(
            nazorgtoets_voor_einde=(toets & (datum >= pl.col("startdatum")) & (datum <= E)).any(),
            nazorgcontact_6m=(contact & (datum > E) & (datum <= add_months(E, 6))).any(),
            warm_contact_12m=pl.col("kwartaal").drop_nulls().n_unique() == 4,
        )
    )


def _terugval_12m(members: pl.LazyFrame, pairs: pl.LazyFrame) -> pl.LazyFrame:
    later = pairs.select("persoon_id", s_id="traject_id", s_aanmeld="aanmelddatum")
    return (
        members.join(later, on="persoon_id", how="inner")
        .filter(
            (pl.col("s_id") != pl.col("traject_id"))
            & (pl.col("s_aanmeld") > E)
            & (pl.col("s_aanmeld") <= add_months(E, 12))
        )
        .select("traject_id")
        .unique()
        .with_columns(terugval_12m=pl.lit(True))
    )


def cohort_counts(trajecten: pl.LazyFrame, pairs: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """indicator, regio_code, jaar, teller, noemer of the six indicators, unsuppressed.

    `trajecten`: the non-I&A trajectories; `pairs`: their (trajectory, client) rows.
    """
    c = cohort(trajecten)
    members = c.join(pairs.select("traject_id", "persoon_id"), on="traject_id", how="inner")
    nazorg = pl.col("nazorg_startdatum")
    flagged = (
        c.join(_event_flags(members, events), on="traject_id", how="left")
        .join(_terugval_12m(members, pairs), on="traject_id", how="left")
        .with_columns(
            nazorg_gestart=nazorg <= add_months(E, 12),
            nazorg_tijdig=nazorg <= E,
        )
        .with_columns(pl.col(COHORT_INDICATORS).fill_null(False))
    )
    sums = [pl.col(i).sum() for i in COHORT_INDICATORS]
    gemeente = (
        flagged.filter(pl.col("gemeentecode").is_not_null())
        .group_by(regio_code="gemeentecode", jaar="jaar")
        .agg(*sums, noemer=pl.len())
    )
    national = flagged.group_by("jaar").agg(*sums, noemer=pl.len()).with_columns(regio_code=pl.lit(NL))
    return pl.concat([gemeente, national], how="diagonal").unpivot(
        on=COHORT_INDICATORS, index=["regio_code", "jaar", "noemer"], variable_name="indicator", value_name="teller"
    )
