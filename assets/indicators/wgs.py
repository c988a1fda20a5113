"""The three indicators of process.md §2: the terms of the Wet gemeentelijke
schuldhulpverlening (Wgs) and the step from budget management to budget coaching.

Each function gives the units of one registry cohort: one row per trajectory (and year)
with traject_id, gemeentecode, jaar, the dates that decide it and one boolean column
named after the indicator code. Counting per region, suppression and the flags follow
in `cohort.py` / `table.py`, like the other trajectory-based indicators.
"""
from __future__ import annotations

import polars as pl

from assets.common.dates import add_months
from assets.common.werkdagen import werkdag_na

CRISIS_WERKDAGEN = 3  # Wgs art. 4 lid 1: a first conversation within 3 working days when eviction etc. threatens
TERMIJN_DAGEN = 28  # 4 weeks
BESCHIKKING_DAGEN = 56  # 8 weeks after the first conversation
BEGELEIDING_MAANDEN = 3
BUDGETBEHEER, BUDGETBEGELEIDING = "Budgetbeheer", "Budgetbegeleiding"


def eerste_gesprek_uiterlijk(aanmeld: pl.Expr, crisis: pl.Expr) -> pl.Expr:
    """The last day of the Wgs term: the 3rd working day after aanmelding in a crisis,
    else aanmelddatum + 28 days (a null crisis, as from a CSV record, is no crisis: §6.7)."""
    return pl.when(crisis.fill_null(False)).then(werkdag_na(aanmeld, CRISIS_WERKDAGEN)).otherwise(
        aanmeld + pl.duration(days=TERMIJN_DAGEN)
    )


def aanmelding_units(trajecten: pl.LazyFrame, *_) -> pl.LazyFrame:
    """eerste_gesprek_tijdig: trajectories by year(aanmelddatum) with an eerste_gesprek_datum."""
    gesprek = pl.col("eerste_gesprek_datum")
    return trajecten.filter(gesprek.is_not_null()).select(
        "traject_id", "gemeentecode", "aanmelddatum", "eerste_gesprek_datum", "crisis",
        jaar=pl.col("aanmelddatum").dt.year(),
        uiterlijk=eerste_gesprek_uiterlijk(pl.col("aanmelddatum"), pl.col("crisis")),
    ).with_columns(eerste_gesprek_tijdig=gesprek <= pl.col("uiterlijk"))


def eerste_gesprek_units(trajecten: pl.LazyFrame, *_) -> pl.LazyFrame:
    """beschikking_tijdig: trajectories by year(eerste_gesprek_datum) with a beschikkingsdatum."""
    gesprek, besluit = pl.col("eerste_gesprek_datum"), pl.col("beschikkingsdatum")
    return trajecten.filter(gesprek.is_not_null() & besluit.is_not_null()).select(
        "traject_id", "gemeentecode", "eerste_gesprek_datum", "beschikkingsdatum",
        jaar=gesprek.dt.year(),
        uiterlijk=gesprek + pl.duration(days=BESCHIKKING_DAGEN),
    ).with_columns(beschikking_tijdig=besluit <= pl.col("uiterlijk"))


def beheer_links(trajecten: pl.LazyFrame, begeleiding: pl.LazyFrame) -> pl.LazyFrame:
    """Every Budgetbeheer row with an einddatum of an eligible trajectory, with `jaar` =
    year(einddatum) and `naar_begeleiding`: a Budgetbegeleiding row of the same trajectory
    starts between the beheer's startdatum and its einddatum + 3 months (both inclusive;
    an unknown start on either side proves nothing). Columns traject_id, gemeentecode,
    jaar, beheer_start, beheer_eind, begeleiding_start (the earliest qualifying, or null)."""
    rows = begeleiding.select(
        pl.col("traject_id").cast(pl.Utf8), pl.col("soort").cast(pl.Utf8),
        pl.col("startdatum").cast(pl.Date), pl.col("einddatum").cast(pl.Date),
    )
    beheer = (
        rows.filter((pl.col("soort") == BUDGETBEHEER) & pl.col("einddatum").is_not_null())
        .select("traject_id", beheer_start="startdatum", beheer_eind="einddatum")
        .join(trajecten.select("traject_id", "gemeentecode"), on="traject_id", how="inner")
        .with_row_index("_beheer")
    )
    coaching = rows.filter((pl.col("soort") == BUDGETBEGELEIDING) & pl.col("startdatum").is_not_null()).select(
        "traject_id", begeleiding_start="startdatum"
    )
    start = pl.col("begeleiding_start")
    hits = (
        beheer.join(coaching, on="traject_id", how="inner")
        .filter((start >= pl.col("beheer_start"))
                & (start <= add_months(pl.col("beheer_eind"), BEGELEIDING_MAANDEN)))
        .group_by("_beheer")
        .agg(start.min())
    )
    return (
        beheer.join(hits, on="_beheer", how="left")
        .select("traject_id", "gemeentecode", "beheer_start", "beheer_eind", "begeleiding_start",
                jaar=pl.col("beheer_eind").dt.year())
    )


def budgetbeheer_units(trajecten: pl.LazyFrame, pairs: pl.LazyFrame, events: pl.LazyFrame,
                       begeleiding: pl.LazyFrame) -> pl.LazyFrame:
    """beheer_naar_begeleiding: one row per (trajectory, year x) with a Budgetbeheer ending
    in x; in the teller when any of those Budgetbeheer rows is followed (§6.7)."""
    return (
        beheer_links(trajecten, begeleiding)
        .group_by("traject_id", "gemeentecode", "jaar")
        .agg(
            beheer_naar_begeleiding=pl.col("begeleiding_start").is_not_null().any(),
            beheer_einden=pl.col("beheer_eind").unique().sort(),  # audit evidence (members.py)
            bewijs_datums=pl.col("begeleiding_start").drop_nulls().unique().sort(),
        )
    )
