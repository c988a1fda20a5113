"""The long indicator table: inputs restricted, counts per region, disclosure control,
rounding, provisional flags, deterministic order (spec/indicators.md)."""
from __future__ import annotations

import datetime as dt

import polars as pl

from assets.common.dates import add_months
from assets.indicators.cohort import cohort_counts
from assets.indicators.relapse import terugval_5j
from schemas.indicators import DEFINITIE_VERSIE, MIN_NOEMER

# Which window decides "voorlopig" (provisional) for each indicator.
VOORLOPIG_JAAR = ["terugval_5j", "nazorg_tijdig", "nazorgtoets_voor_einde"]
VOORLOPIG_6M = ["nazorgcontact_6m"]
VOORLOPIG_12M = ["nazorg_gestart", "warm_contact_12m", "terugval_12m"]

DATE_COLUMNS = ["aanmelddatum", "startdatum", "einddatum", "nazorg_startdatum"]


def eligible_trajectories(trajecten: pl.LazyFrame) -> pl.LazyFrame:
    """Trajectories that are not I&A only, with `Onbekend`/blank gemeente as null.

    A trajectory without aanmelddatum cannot be placed in a year and cannot be in a
    window; the model never produces one, and here it is dropped rather than guessed.
    """
    g = pl.col("gemeentecode").cast(pl.Utf8).str.strip_chars()
    return trajecten.filter(
        ~pl.col("is_informatie_advies").fill_null(False) & pl.col("aanmelddatum").is_not_null()
    ).select(
        pl.col("traject_id").cast(pl.Utf8),
        pl.when((g.str.len_chars() > 0) & (g.str.to_lowercase() != "onbekend")).then(g.str.to_uppercase()).alias("gemeentecode"),
        *[pl.col(c).cast(pl.Date) for c in DATE_COLUMNS],
        pl.col("uitstroomreden").cast(pl.Utf8),
    )


def client_trajectories(eligible: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (eligible trajectory, distinct client) with the trajectory's fields."""
    pairs = clienten.select(pl.col("traject_id").cast(pl.Utf8), pl.col("persoon_id").cast(pl.Utf8))
    return eligible.join(pairs.filter(pl.col("persoon_id").is_not_null()).unique(), on="traject_id", how="inner")


def percentage(teller: pl.Expr, noemer: pl.Expr) -> pl.Expr:
    """100*teller/noemer to one decimal, half away from zero, in integer arithmetic.

    tenths = round(1000*t/n) half up = (2000*t + n) // (2n) for t >= 0, n > 0. The float
    is then parsed from the decimal text "tenths/10": polars divides a column by a scalar
    via its reciprocal (818 / 10 -> 81.80000000000001), parsing gives the nearest float.
    """
    tenths = (2000 * teller + noemer) // (2 * noemer)
    text = (tenths // 10).cast(pl.Utf8) + "." + (tenths % 10).cast(pl.Utf8)
    return text.cast(pl.Float64)


def voorlopig(indicator: pl.Expr, jaar: pl.Expr, peildatum: dt.date) -> pl.Expr:
    """True while the indicator's window for `jaar` is not fully observed at the peildatum."""
    p = pl.lit(peildatum, dtype=pl.Date)
    year_end = pl.date(jaar, 12, 31)
    return (
        pl.when(indicator.is_in(VOORLOPIG_JAAR)).then(jaar >= peildatum.year)
        .when(indicator.is_in(VOORLOPIG_6M)).then(add_months(year_end, 6) > p)
        .when(indicator.is_in(VOORLOPIG_12M)).then(add_months(year_end, 12) > p)
    )


def finalise(counts: pl.LazyFrame, peildatum: dt.date) -> pl.LazyFrame:
    """Raw counts -> the contract table: suppression, waarde, voorlopig, extras, order."""
    shown = pl.col("noemer") >= MIN_NOEMER
    teller = pl.col("teller").cast(pl.Int64)
    noemer = pl.col("noemer").cast(pl.Int64)
    return (
        counts.filter(pl.col("noemer") >= 1)
        .select(
            pl.col("indicator").cast(pl.Utf8),
            pl.col("regio_code").cast(pl.Utf8),
            pl.col("jaar").cast(pl.Int32),
            teller=pl.when(shown).then(teller),
            noemer=pl.when(shown).then(noemer),
            waarde=pl.when(shown).then(percentage(teller, noemer)),
            onderdrukt=~shown,
            voorlopig=voorlopig(pl.col("indicator"), pl.col("jaar"), peildatum),
            definitie_versie=pl.lit(DEFINITIE_VERSIE),
            peildatum=pl.lit(peildatum, dtype=pl.Date),
        )
        # Plain string order: GMxxxx codes first, NL last within each indicator.
        .sort("indicator", "regio_code", "jaar")
    )


def model_inputs(
    trajecten: pl.LazyFrame, clienten: pl.LazyFrame, events: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """(eligible trajectories, their client pairs, events) as every indicator reads them;
    shared by `indicator_counts` and the audit member lists (`members.py`)."""
    # Both feed several joins; explicit caches keep the optimiser from recomputing them
    # per branch (it pushes different projections into each branch and loses the CSE).
    eligible = eligible_trajectories(trajecten).cache()
    pairs = client_trajectories(eligible, clienten).cache()
    ev = events.select(
        pl.col("persoon_id").cast(pl.Utf8), pl.col("datum").cast(pl.Date), pl.col("soort").cast(pl.Utf8)
    )
    return eligible, pairs, ev


def indicator_counts(trajecten: pl.LazyFrame, clienten: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """Unsuppressed counts: indicator, regio_code, jaar, teller, noemer (for tests and audits).

    Never written as is: small counts are only safe after `finalise`.
    """
    eligible, pairs, ev = model_inputs(trajecten, clienten, events)
    cols = ["indicator", "regio_code", "jaar", "teller", "noemer"]
    return pl.concat(
        [terugval_5j(pairs).select(cols), cohort_counts(eligible, pairs, ev).select(cols)],
        how="vertical_relaxed",
    ).with_columns(pl.col("jaar").cast(pl.Int32), pl.col("teller", "noemer").cast(pl.Int64))


def compute_indicators(
    trajecten: pl.LazyFrame, clienten: pl.LazyFrame, events: pl.LazyFrame, peildatum: dt.date
) -> pl.LazyFrame:
    """The long table `indicatoren/indicatoren.parquet` from the three model tables."""
    return finalise(indicator_counts(trajecten, clienten, events), peildatum)
