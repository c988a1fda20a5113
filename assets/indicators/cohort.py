"""The six cohort indicators on successful ends (spec/indicators.md, "Cohort indicators").

Unit: the trajectory (a household). An event of any of its clients counts for it, from
whichever municipality delivered the event: events attach to persons (model.md §4).

The conditions live in `event_hits`, `relapse_12m_links` and `cohort_flags`; the counts
here and the audit member lists (`members.py`) both use them, so they cannot disagree.
"""
from __future__ import annotations

import polars as pl

from assets.common.dates import add_months
from assets.indicators.coverage import covered
from assets.indicators.regions import by_region
from assets.indicators.wgs import aanmelding_units, budgetbeheer_units, eerste_gesprek_units
from schemas.indicator_registry import codes
from schemas.model import Begeleiding

# The indicators counted on successful ends, in contract order (registry cohort "afgerond").
AFGEROND = codes(cohort="afgerond")

E = pl.col("e")


def cohort(trajecten: pl.LazyFrame) -> pl.LazyFrame:
    """C(g, y): trajectories ended `Afgerond`, with their end e and year y = year(e)."""
    return trajecten.filter(
        (pl.col("uitstroomreden") == "Afgerond") & pl.col("einddatum").is_not_null()
    ).select(
        "traject_id", "gemeentecode", "startdatum", "nazorg_startdatum",
        e="einddatum", jaar=pl.col("einddatum").dt.year(),
    )


def cohort_clients(c: pl.LazyFrame, pairs: pl.LazyFrame) -> pl.LazyFrame:
    """(cohort trajectory, client) rows: whose events and later trajectories count."""
    return c.join(pairs.select("traject_id", "persoon_id"), on="traject_id", how="inner")


def _quarter(datum: pl.Expr) -> pl.Expr:
    """k in 1..4 when e + 3(k-1) months < datum <= e + 3k months, else null."""
    expr = pl.lit(None, dtype=pl.Int8)
    for k in (4, 3, 2, 1):  # built inside-out so the first matching upper bound wins
        expr = pl.when(datum <= add_months(E, 3 * k)).then(pl.lit(k, dtype=pl.Int8)).otherwise(expr)
    return pl.when(datum > E).then(expr)


def event_hits(clients: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """Every (cohort trajectory, event of one of its clients) with what the event proves:
    `toets_voor_einde` and `contact_6m` (booleans) and `kwartaal` (1..4: the quarter after
    the end a contact falls in, else null)."""
    ev = events.filter(pl.col("datum").is_not_null()).select("persoon_id", "datum", "soort")
    datum = pl.col("datum")
    toets = pl.col("soort") == "nazorgtoets"
    contact = pl.col("soort") == "contact"
    return clients.join(ev, on="persoon_id", how="inner").with_columns(
        toets_voor_einde=toets & (datum >= pl.col("startdatum")) & (datum <= E),
        contact_6m=contact & (datum > E) & (datum <= add_months(E, 6)),
        kwartaal=pl.when(contact).then(_quarter(datum)),
    )


def _event_flags(clients: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    return (
        event_hits(clients, events)
        .group_by("traject_id")
        .agg(
            nazorgtoets_voor_einde=pl.col("toets_voor_einde").any(),
            nazorgcontact_6m=pl.col("contact_6m").any(),
            warm_contact_12m=pl.col("kwartaal").drop_nulls().n_unique() == 4,
        )
    )


def relapse_12m_links(clients: pl.LazyFrame, pairs: pl.LazyFrame) -> pl.LazyFrame:
    """Every (t, s): another trajectory s sharing a client with cohort trajectory t, with
    e < aanmelddatum(s) <= e + 12 months. Columns traject_id, s_id, s_aanmeld."""
    later = pairs.select("persoon_id", s_id="traject_id", s_aanmeld="aanmelddatum")
    return (
        clients.join(later, on="persoon_id", how="inner")
        .filter(
            (pl.col("s_id") != pl.col("traject_id"))
            & (pl.col("s_aanmeld") > E)
            & (pl.col("s_aanmeld") <= add_months(E, 12))
        )
        .select("traject_id", "s_id", "s_aanmeld")
        .unique()
    )


def cohort_flags(
    trajecten: pl.LazyFrame, pairs: pl.LazyFrame, events: pl.LazyFrame, begeleiding: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """One row per cohort trajectory: its fields, e, jaar and one boolean per indicator.

    `trajecten`: the non-I&A trajectories; `pairs`: their (trajectory, client) rows.
    """
    c = cohort(trajecten)
    clients = cohort_clients(c, pairs)
    relapsed = relapse_12m_links(clients, pairs).select("traject_id").unique().with_columns(terugval_12m=pl.lit(True))
    nazorg = pl.col("nazorg_startdatum")
    return (
        c.join(_event_flags(clients, events), on="traject_id", how="left")
        .join(relapsed, on="traject_id", how="left")
        .with_columns(
            nazorg_gestart=nazorg <= add_months(E, 12),
            nazorg_tijdig=nazorg <= E,
        )
        .with_columns(pl.col(AFGEROND).fill_null(False))
    )


# Registry cohort key -> the function giving its units from (eligible trajectories, client
# pairs, events, begeleiding): one row per trajectory (and year) with gemeentecode, jaar and
# one boolean column per indicator of that cohort, named after its code.
UNITS = {
    "afgerond": cohort_flags,
    "aanmelding": aanmelding_units,  # eerste_gesprek_tijdig (wgs.py)
    "eerste_gesprek": eerste_gesprek_units,  # beschikking_tijdig
    "budgetbeheer": budgetbeheer_units,  # beheer_naar_begeleiding
}
COHORT_INDICATORS = [c for key in UNITS for c in codes(cohort=key)]  # every trajectory-based one


def no_begeleiding() -> pl.LazyFrame:
    """model/begeleiding without rows (for callers that have none)."""
    return Begeleiding.empty().lazy()


def cohort_counts(
    trajecten: pl.LazyFrame, pairs: pl.LazyFrame, events: pl.LazyFrame, dekking: pl.LazyFrame | None = None,
    begeleiding: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """indicator, regio_code, jaar, teller, noemer, geen_gegevens of the trajectory-based
    indicators (every cohort of UNITS with a registered indicator), unsuppressed."""
    beg = no_begeleiding() if begeleiding is None else begeleiding
    return pl.concat([_counts(key, units(trajecten, pairs, events, beg), dekking)
                      for key, units in UNITS.items() if codes(cohort=key)])


def _counts(key: str, units: pl.LazyFrame, dekking: pl.LazyFrame | None) -> pl.LazyFrame:
    """The counts of one cohort's indicators from its units.

    The event-based ones (registry `gebeurtenissen`) count only trajectories of covered
    (gemeente, year) pairs (`coverage.covered`): a gemeente row outside its coverage, and
    an NL row of a year without any covered trajectory, is `geen_gegevens` with empty
    teller and noemer.
    """
    indicators, events = codes(cohort=key), codes(cohort=key, gebeurtenissen=True)
    gedekt = pl.col("gedekt")
    sums = [pl.col(i).sum() for i in indicators if i not in events]
    sums += [(pl.col(i) & gedekt).sum().alias(i) for i in events]
    counts = (
        by_region(covered(units, dekking))
        .group_by("regio_code", "jaar")
        .agg(*sums, noemer=pl.len(), noemer_gedekt=gedekt.sum())
        .unpivot(on=indicators, index=["regio_code", "jaar", "noemer", "noemer_gedekt"],
                 variable_name="indicator", value_name="teller")
    )
    is_event = pl.col("indicator").is_in(events)
    geen = is_event & (pl.col("noemer_gedekt") == 0)
    return counts.select(
        "indicator", "regio_code", "jaar",
        teller=pl.when(~geen).then(pl.col("teller")),
        noemer=pl.when(geen).then(None).when(is_event).then(pl.col("noemer_gedekt")).otherwise(pl.col("noemer")),
        geen_gegevens=geen,
    )
