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
from assets.indicators.relapse import relapse_links
from assets.indicators.tabel_basis import Invoer, leeg_tenzij_getoond, voorlopig_jaar
from assets.indicators.table import historie_onvolledig, percentage
from schemas.indicators import CATEGORIEEN, NL

DIMENSIES = list(CATEGORIEEN)
INDICATOR = "terugval_5j"


def _huishouden() -> pl.Expr:
    return pl.when(pl.col("aantal_clienten") >= 2).then(pl.lit("2 clienten")).otherwise(pl.lit("1 client"))


def uitsplitsing_pairs(trajecten: pl.LazyFrame, clienten: pl.LazyFrame, ids: bool = False) -> pl.DataFrame:
    """One row per aanmelder pair (t, p): persoon_id, gemeentecode, jaar, terugval and the
    three dimensions' categories.

    `trajecten`: the eligible trajectories; `clienten`: model/trajectclienten with the
    client rows' leeftijdsklasse and geslacht. The relapse rule is relapse.py's. `ids`:
    keep traject_id too (the audit member lists)."""
    pairs = trajecten.join(
        clienten.select(pl.col("traject_id").cast(pl.Utf8), pl.col("persoon_id").cast(pl.Utf8),
                        pl.col("leeftijdsklasse").cast(pl.Utf8), pl.col("geslacht").cast(pl.Utf8))
        .filter(pl.col("persoon_id").is_not_null()),
        on="traject_id", how="inner",
    )
    relapsed = relapse_links(pairs).select("traject_id", "persoon_id").unique().with_columns(terugval=pl.lit(True))
    return (
        pairs.join(relapsed, on=["traject_id", "persoon_id"], how="left")
        .select(*(["traject_id"] if ids else []), "persoon_id", "gemeentecode",
                jaar=pl.col("aanmelddatum").dt.year(), terugval=pl.col("terugval").fill_null(False),
                leeftijdsklasse=pl.col("leeftijdsklasse").fill_null("onbekend"),
                geslacht=pl.col("geslacht").fill_null("onbekend"), huishouden=_huishouden())
        .collect()
    )


def _cells(rows: pl.DataFrame, dedupe: bool) -> pl.DataFrame:
    """Per region (own gemeente when known, always NL), dimension and category: teller
    and noemer of the persons of `rows`. With `dedupe`, `rows` are pairs and a person with
    several pairs in a cell is one unit (a relapser when any pair relapsed); without, `rows`
    are counts already (teller, noemer per gemeente, jaar and categories). Aggregated per
    part, so no frame of (regions x dimensions x pairs) rows is ever built."""
    out = []
    for regio, frame in ((pl.col("gemeentecode"), rows.filter(pl.col("gemeentecode").is_not_null())),
                         (pl.lit(NL), rows)):
        for d in DIMENSIES:
            if dedupe:
                part = (
                    frame.select("persoon_id", "jaar", "terugval", regio_code=regio, categorie=pl.col(d))
                    .group_by("regio_code", "jaar", "categorie", "persoon_id").agg(pl.col("terugval").any())
                    .select("regio_code", "jaar", "categorie", teller="terugval", noemer=pl.lit(1))
                )
            else:
                part = frame.select("jaar", "teller", "noemer", regio_code=regio, categorie=pl.col(d))
            out.append(
                part.group_by("regio_code", "jaar", "categorie")
                .agg(teller=pl.col("teller").sum().cast(pl.Int64), noemer=pl.col("noemer").sum().cast(pl.Int64))
                .select("regio_code", "jaar", pl.lit(d).alias("dimensie"), "categorie", "teller", "noemer")
            )
    return pl.concat(out)


def uitsplitsing_counts(trajecten: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.LazyFrame:
    """Unsuppressed: regio_code, jaar, dimensie, categorie, teller, noemer.

    A person with one aanmelder pair in a year is one unit in each of its cells as it
    is; only persons with several pairs in a year (few) need the per-person reduction.
    """
    rows = uitsplitsing_pairs(trajecten, clienten)
    several = rows.select(pl.len().over("persoon_id", "jaar") > 1).to_series()
    keys = ["regio_code", "jaar", "dimensie", "categorie"]
    # The persons with one pair: counted once per (gemeente, year, categories) first, so the
    # six passes of _cells run over a few thousand rows instead of every pair.
    single = (
        rows.filter(~several)
        .group_by("gemeentecode", "jaar", *DIMENSIES)
        .agg(teller=pl.col("terugval").sum().cast(pl.Int64), noemer=pl.len().cast(pl.Int64))
    )
    return (
        pl.concat([_cells(single, dedupe=False), _cells(rows.filter(several), dedupe=True)])
        .group_by(keys)
        .agg(pl.col("teller", "noemer").sum())
        .lazy()
    )


def terugval_uitsplitsing(inv: Invoer) -> pl.DataFrame:
    raw = uitsplitsing_counts(inv.trajecten, inv.clienten).with_columns(pl.col("jaar").cast(pl.Int32), primary("noemer")).collect()
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
