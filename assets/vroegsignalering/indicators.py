"""The early-warning indicators (`indicatoren/vroegsignalering.parquet`) and the counts per
signal partner (`indicatoren/vroegsignalen_aantallen.parquet`), vroegsignalering.md §3-§4.

Counts are made here, per unit; regions (`regions.by_region`), disclosure control
(`disclosure`), rounding and the table's columns (`table.finalise`) are the indicator
stage's, imported, so these tables follow the same rules as indicatoren.parquet.
"""
from __future__ import annotations

import datetime as dt

import polars as pl

from assets.common.dates import add_months
from assets.indicators.disclosure import STATE, primary, recoverable, suppress_secondary
from assets.indicators.regions import by_region
from assets.indicators.table import finalise
from schemas.indicator_registry import Indicator
from schemas.quality import dtypes
from schemas.vroegsignalering import HULP_AANVAARD, ONBEKEND_PARTNER, VsAantallen, VsIndicatoren

# The five indicators in contract order (vroegsignalering.md §3). Kept here, not in
# schemas/indicator_registry.INDICATORS: they form their own table.
VS_INDICATORS: tuple[Indicator, ...] = (
    Indicator("signaal_opgepakt", "Signaal opgepakt", "signaal", "signalen", "signaaldatum", rapport="vroegsignalering"),
    Indicator("zaak_bereikt", "Zaak: inwoner bereikt", "zaak", "zaken", "matchingsdatum", rapport="vroegsignalering"),
    Indicator("zaak_hulp_aanvaard", "Zaak: hulp aanvaard (van de bereikte zaken)", "zaak", "bereikte zaken",
              "matchingsdatum", rapport="vroegsignalering"),
    Indicator("meervoudig_signaal", "Huishouden met signalen van twee soorten partners in één maand", "huishouden",
              "huishoudens", "signaaldatum", rapport="vroegsignalering"),
    Indicator("signaal_naar_schuldhulp", "Binnen 12 maanden na het eerste signaal aangemeld bij schuldhulp", "persoon",
              "personen", "signaaldatum", venster_maanden=12, rapport="vroegsignalering"),
)
VS_CODES = [i.code for i in VS_INDICATORS]
_TOTAL = "\x00totaal"  # the region-year's total row while suppressing over partner types


def _cells(units: pl.LazyFrame, code: str, unit: str | None = None) -> pl.LazyFrame:
    """indicator, regio_code, jaar, teller, noemer from units with gemeentecode, jaar and
    a boolean `hit`; with `unit`, each unit counts once per cell (a hit when any is)."""
    regional = by_region(units)
    if unit is not None:
        regional = regional.group_by("regio_code", "jaar", unit).agg(pl.col("hit").any())
    return regional.group_by("regio_code", "jaar").agg(
        teller=pl.col("hit").sum().cast(pl.Int64), noemer=pl.len().cast(pl.Int64)
    ).with_columns(indicator=pl.lit(code))


def signal_units(signalen: pl.LazyFrame, zaken: pl.LazyFrame) -> pl.LazyFrame:
    """signaal_opgepakt: each signal in year(signaaldatum); a hit when its case has a datum_opgepakt."""
    opgepakt = zaken.select("zaak_id", _opgepakt=pl.col("datum_opgepakt").is_not_null())
    return signalen.join(opgepakt, on="zaak_id", how="left").select(
        "gemeentecode", "signaal_id", jaar=pl.col("signaaldatum").dt.year(), hit=pl.col("_opgepakt").fill_null(False)
    )


def case_units(zaken: pl.LazyFrame) -> pl.LazyFrame:
    """Cases with a matchingsdatum, in its year."""
    return zaken.filter(pl.col("matchingsdatum").is_not_null()).with_columns(jaar=pl.col("matchingsdatum").dt.year())


def household_units(signalen: pl.LazyFrame) -> pl.LazyFrame:
    """meervoudig_signaal: (gemeentecode, jaar, huishouden, hit) per signal; the household is
    the adres_id, else the persoon_id (neither: not counted); a hit when that household has
    signals of two different partner types in one calendar month within the cell."""
    huishouden = pl.coalesce(pl.lit("a:") + pl.col("adres_id"), pl.lit("p:") + pl.col("persoon_id"))
    return signalen.select(
        "gemeentecode", "signaalpartner", huishouden=huishouden,
        jaar=pl.col("signaaldatum").dt.year(), maand=pl.col("signaaldatum").dt.month(),
    ).filter(pl.col("huishouden").is_not_null())


def households(signalen: pl.LazyFrame) -> pl.LazyFrame:
    """(regio_code, jaar, huishouden, hit): each household once per region and year, a hit
    when it has signals of two partner types in one calendar month (there)."""
    # One group_by, not one per month and then per household: a month holds two partner
    # types exactly when the distinct (maand, partner) pairs outnumber the distinct months
    # (partner known in both counts); saves a pass over ~2M string keys (issue 17).
    known = pl.col("signaalpartner").is_not_null()
    return by_region(household_units(signalen)).group_by("regio_code", "jaar", "huishouden").agg(
        hit=pl.struct("maand", "signaalpartner").filter(known).n_unique() > pl.col("maand").filter(known).n_unique()
    )


def _household_cells(signalen: pl.LazyFrame) -> pl.LazyFrame:
    return households(signalen).group_by("regio_code", "jaar").agg(
        teller=pl.col("hit").sum().cast(pl.Int64), noemer=pl.len().cast(pl.Int64)
    ).with_columns(indicator=pl.lit("meervoudig_signaal"))


def person_units(signalen: pl.LazyFrame, trajecten: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.LazyFrame:
    """signaal_naar_schuldhulp: per person and year their first signal (earliest
    signaaldatum; ties: the smallest gemeentecode, then signaal_id), which gives the
    gemeente; a hit when the person is a client of any harmonised trajectory (I&A
    included) with that signaaldatum <= aanmelddatum <= signaaldatum + 12 months."""
    first = (
        signalen.filter(pl.col("persoon_id").is_not_null())
        .with_columns(jaar=pl.col("signaaldatum").dt.year())
        .sort("signaaldatum", "gemeentecode", "signaal_id")
        .group_by("persoon_id", "jaar")
        .agg(pl.col("gemeentecode", "signaaldatum").first())
    )
    aanmeldingen = clienten.select(pl.col("traject_id").cast(pl.Utf8), pl.col("persoon_id").cast(pl.Utf8)).join(
        trajecten.select(pl.col("traject_id").cast(pl.Utf8), pl.col("aanmelddatum").cast(pl.Date)), on="traject_id"
    )
    in_window = (
        first.join(aanmeldingen, on="persoon_id")
        .filter(pl.col("aanmelddatum").is_between(pl.col("signaaldatum"), add_months(pl.col("signaaldatum"), 12)))
        .select("persoon_id", "jaar").unique().with_columns(hit=pl.lit(True))
    )
    return first.join(in_window, on=["persoon_id", "jaar"], how="left").with_columns(pl.col("hit").fill_null(False))


def vs_counts(signalen: pl.LazyFrame, zaken: pl.LazyFrame, trajecten: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.LazyFrame:
    """Unsuppressed counts: indicator, regio_code, jaar, teller, noemer (never written as is)."""
    cases = case_units(zaken)
    parts = [
        _cells(signal_units(signalen, zaken), "signaal_opgepakt"),
        _cells(cases.with_columns(hit=pl.col("bereikt")), "zaak_bereikt"),
        _cells(cases.filter(pl.col("bereikt")).with_columns(hit=pl.col("resultaat").is_in(HULP_AANVAARD).fill_null(False)),
               "zaak_hulp_aanvaard"),
        _household_cells(signalen),
        # person_units holds each (persoon_id, jaar) once, so each person is already once
        # per cell: no group_by on ~1M persoon_id strings to make it so (issue 17)
        _cells(person_units(signalen, trajecten, clienten), "signaal_naar_schuldhulp"),
    ]
    cols = ["indicator", "regio_code", "jaar", "teller", "noemer"]
    return pl.concat([p.select(cols) for p in parts]).with_columns(pl.col("jaar").cast(pl.Int32))


def vs_voorlopig(indicator: pl.Expr, jaar: pl.Expr, peildatum: dt.date) -> pl.Expr:
    """x >= year(P); for signaal_naar_schuldhulp 31-12-x + 12 months > P (§3)."""
    window = add_months(pl.date(jaar, 12, 31), 12) > pl.lit(peildatum, dtype=pl.Date)
    return pl.when(indicator == "signaal_naar_schuldhulp").then(window).otherwise(jaar >= peildatum.year)


def vs_indicators(signalen: pl.LazyFrame, zaken: pl.LazyFrame, trajecten: pl.LazyFrame, clienten: pl.LazyFrame,
                  peildatum: dt.date) -> pl.DataFrame:
    """`indicatoren/vroegsignalering.parquet`: the rules of indicatoren.parquet (finalise),
    geen_gegevens and historie_onvolledig false on every row (§4.5)."""
    table = finalise(vs_counts(signalen, zaken, trajecten, clienten), peildatum, None)
    cols = dtypes(VsIndicatoren)
    return table.with_columns(
        voorlopig=vs_voorlopig(pl.col("indicator"), pl.col("jaar"), peildatum),
        geen_gegevens=pl.lit(False), historie_onvolledig=pl.lit(False),
    ).select(list(cols)).cast(cols).sort("indicator", "regio_code", "jaar").collect()


def partner_counts(signalen: pl.LazyFrame) -> pl.LazyFrame:
    """Unsuppressed signals per regio_code, jaar, signaalpartner (null as `onbekend`)."""
    units = signalen.select("gemeentecode", jaar=pl.col("signaaldatum").dt.year().cast(pl.Int32),
                            signaalpartner=pl.col("signaalpartner").fill_null(ONBEKEND_PARTNER))
    return by_region(units).group_by("regio_code", "jaar", "signaalpartner").agg(aantal=pl.len().cast(pl.Int64))


def vs_aantallen(signalen: pl.LazyFrame) -> pl.DataFrame:
    """`indicatoren/vroegsignalen_aantallen.parquet` (§4.4): primary suppression below 10;
    secondary over the partner types within each (regio, jaar) only, against all signals
    of that regio and year (ties: the smallest signaalpartner name); no voorlopig."""
    counts = partner_counts(signalen).collect()
    totals = counts.group_by("regio_code", "jaar").agg(pl.col("aantal").sum()).with_columns(signaalpartner=pl.lit(_TOTAL))
    df = pl.concat([counts, totals.select(counts.columns)]).with_columns(
        pl.when(pl.col("signaalpartner") == _TOTAL).then(None).otherwise(primary("aantal")).alias(STATE)
    )
    df = suppress_secondary(df, groups=["regio_code", "jaar"], part="signaalpartner", value="aantal", total_part=_TOTAL)
    cols = dtypes(VsAantallen)
    return df.filter(pl.col("signaalpartner") != _TOTAL).select(
        "regio_code", "jaar", "signaalpartner",
        aantal=pl.when(pl.col(STATE).is_null()).then(pl.col("aantal")),
        onderdrukt=pl.col(STATE).is_not_null(),
        onderdrukking=pl.col(STATE),
    ).cast(cols).sort("regio_code", "jaar", "signaalpartner")


def partner_recoverable(published: pl.DataFrame, signalen: pl.LazyFrame) -> pl.DataFrame:
    """On a published vroegsignalen_aantallen: the (regio_code, jaar) where all signals
    minus the published partner types is 1..9 while a type is still published, with D.
    Empty = safe (the asset check). With every type suppressed, D is the region-year's
    total itself, below 10, which no table publishes (signaal_opgepakt's noemer is then
    suppressed too)."""
    totals = (
        partner_counts(signalen).group_by("regio_code", "jaar").agg(pl.col("aantal").sum())
        .with_columns(signaalpartner=pl.lit(_TOTAL)).collect()
    )
    rows = pl.concat([published.select("regio_code", "jaar", "signaalpartner", "aantal"),
                      totals.select("regio_code", "jaar", "signaalpartner", "aantal")], how="vertical_relaxed")
    open_d = recoverable(rows, groups=["regio_code", "jaar"], part="signaalpartner", value="aantal", total_part=_TOTAL)
    shown = published.filter(pl.col("aantal").is_not_null()).select("regio_code", "jaar").unique()
    return open_d.join(shown, on=["regio_code", "jaar"], how="semi").sort("regio_code", "jaar")
