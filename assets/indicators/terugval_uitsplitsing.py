"""`indicatoren/terugval_uitsplitsing.parquet` (process.md §3, §6.5): `terugval_5j` by
age class, sex and household.

Each category is terugval_5j restricted to the (trajectory t, person p) pairs that make
p an aanmelder and whose client row (age class, sex) or trajectory (household size)
gives that category: a person counts once per category that one of their pairs gives,
and is in the teller when such a pair has a relapse (relapse.py's rule).
"""
from __future__ import annotations

import polars as pl

from assets.indicators.disclosure import STATE, primary, suppress_secondary_categories
from assets.indicators.regions import by_region
from assets.indicators.relapse import flagged_aanmelders
from assets.indicators.tabel_basis import Invoer, leeg_tenzij_getoond, voorlopig_jaar
from assets.indicators.table import historie_onvolledig, percentage
from schemas.indicators import CATEGORIEEN

DIMENSIES = list(CATEGORIEEN)
INDICATOR = "terugval_5j"


def _huishouden() -> pl.Expr:
    return pl.when(pl.col("aantal_clienten") >= 2).then(pl.lit("2 clienten")).otherwise(pl.lit("1 client"))


def uitsplitsing_pairs(pairs: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.LazyFrame:
    """(t, p) of every aanmelder with gemeentecode, jaar, terugval, dimensie, categorie
    (three rows per pair)."""
    rij = clienten.select(pl.col("traject_id").cast(pl.Utf8), pl.col("persoon_id").cast(pl.Utf8),
                          pl.col("leeftijdsklasse").cast(pl.Utf8), pl.col("geslacht").cast(pl.Utf8)).unique(
        subset=["traject_id", "persoon_id"], keep="first")
    grootte = pairs.select("traject_id", "aantal_clienten").unique(subset="traject_id")
    flagged = (
        flagged_aanmelders(pairs)
        .join(rij, on=["traject_id", "persoon_id"], how="left")
        .join(grootte, on="traject_id", how="left")
        .with_columns(huishouden=_huishouden())
    )
    base = ["traject_id", "persoon_id", "gemeentecode", "jaar", "terugval"]
    return pl.concat([
        flagged.select(*base, dimensie=pl.lit(d), categorie=pl.col(d).fill_null("onbekend")) for d in DIMENSIES
    ])


def uitsplitsing_counts(pairs: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.LazyFrame:
    """Unsuppressed: regio_code, jaar, dimensie, categorie, teller, noemer."""
    keys = ["regio_code", "jaar", "dimensie", "categorie"]
    return (
        by_region(uitsplitsing_pairs(pairs, clienten))
        .group_by(*keys, "persoon_id")
        .agg(pl.col("terugval").any())
        .group_by(keys)
        .agg(teller=pl.col("terugval").sum().cast(pl.Int64), noemer=pl.len().cast(pl.Int64))
    )


def terugval_uitsplitsing(inv: Invoer) -> pl.DataFrame:
    raw = uitsplitsing_counts(inv.pairs, inv.clienten).with_columns(pl.col("jaar").cast(pl.Int32), primary("noemer")).collect()
    # Pass (b)'s totals: the published terugval_5j rows (null noemer: suppressed, nothing to subtract from).
    totals = (
        inv.indicatoren.filter(pl.col("indicator") == INDICATOR)
        .select("regio_code", pl.col("jaar").cast(pl.Int32), totaal=pl.col("noemer").cast(pl.Int64))
        .join(pl.LazyFrame({"dimensie": DIMENSIES}), how="cross")
        .collect()
    )
    df = suppress_secondary_categories(raw, keys=["jaar", "dimensie"], category="categorie", value="noemer",
                                       category_totals=totals)
    teller, noemer = pl.col("teller"), pl.col("noemer")
    h = pl.lit(inv.historie, dtype=pl.Date)
    return (
        df.select(
            pl.lit(INDICATOR).alias("indicator"), "regio_code", "jaar", "dimensie", "categorie",
            *leeg_tenzij_getoond("teller", "noemer"),
            waarde=pl.when(pl.col(STATE).is_null()).then(percentage(teller, noemer)),
            onderdrukt=pl.col(STATE).is_not_null(),
            voorlopig=voorlopig_jaar(inv.peildatum),
            onderdrukking=pl.col(STATE),
            historie_onvolledig=historie_onvolledig(pl.lit(INDICATOR), pl.col("jaar"), h),
            peildatum=pl.lit(inv.peildatum, dtype=pl.Date),
        )
        .sort("regio_code", "jaar", "dimensie", "categorie")
    )
