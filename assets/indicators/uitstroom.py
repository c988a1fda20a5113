"""`indicatoren/uitstroom.parquet` (process.md §3): closed trajectories by year of their
end and end reason, every reason listed (also with 0) for each region-year with closed
trajectories.

Disclosure: a region-year whose `noemer` is below 10 has every reason suppressed
(primary); then the two passes of process.md §6.6: across gemeenten per (jaar, reason) on
`aantal`, and within each region-year against its published `noemer`. There is no extra
pass on the totals across gemeenten: the contract has none (docs/indicators.md, Decisions).
"""
from __future__ import annotations

import polars as pl

from assets.indicators.disclosure import STATE, primary, suppress_secondary_categories
from assets.indicators.regions import by_region
from assets.indicators.tabel_basis import Invoer, leeg_tenzij_getoond, voorlopig_jaar
from assets.indicators.table import percentage
from schemas.indicators import GEEN_REDEN
from schemas.indicators import UITSTROOM_REDENEN as REDENEN


def uitstroom_counts(trajecten: pl.LazyFrame) -> pl.LazyFrame:
    """Unsuppressed: regio_code, jaar, uitstroomreden (every reason), aantal, noemer."""
    closed = trajecten.filter(pl.col("einddatum").is_not_null()).select(
        "gemeentecode", jaar=pl.col("einddatum").dt.year().cast(pl.Int32),
        uitstroomreden=pl.col("uitstroomreden").fill_null(GEEN_REDEN),
    )
    # Collected once (small, reused below).
    per_reden = (
        by_region(closed).group_by("regio_code", "jaar", "uitstroomreden").agg(aantal=pl.len().cast(pl.Int64))
        .collect().lazy()
    )
    totals = per_reden.group_by("regio_code", "jaar").agg(noemer=pl.col("aantal").sum())
    redenen = pl.LazyFrame({"uitstroomreden": REDENEN})
    return (
        totals.join(redenen, how="cross")
        .join(per_reden, on=["regio_code", "jaar", "uitstroomreden"], how="left")
        .select("regio_code", "jaar", "uitstroomreden", pl.col("aantal").fill_null(0), "noemer")
    )


def _totals_state(raw: pl.DataFrame) -> pl.DataFrame:
    """regio_code, jaar, noemer and its onderdrukking: primary only (below 10)."""
    return raw.select("regio_code", "jaar", "noemer").unique().sort("regio_code", "jaar").with_columns(primary("noemer"))


def uitstroom(inv: Invoer) -> pl.DataFrame:
    raw = uitstroom_counts(inv.trajecten).collect()
    totals = _totals_state(raw)
    parts = raw.join(totals.select("regio_code", "jaar", STATE), on=["regio_code", "jaar"], how="left")
    published = totals.select("regio_code", "jaar", totaal=pl.when(pl.col(STATE).is_null()).then("noemer"))
    df = suppress_secondary_categories(parts, keys=["jaar"], category="uitstroomreden", value="aantal",
                                       category_totals=published)
    return (
        df.select(
            "regio_code", "jaar", "uitstroomreden",
            *leeg_tenzij_getoond("aantal", "noemer"),
            aandeel=pl.when(pl.col(STATE).is_null()).then(percentage(pl.col("aantal"), pl.col("noemer"))),
            onderdrukt=pl.col(STATE).is_not_null(),
            voorlopig=voorlopig_jaar(inv.peildatum),
            onderdrukking=pl.col(STATE),
            peildatum=pl.lit(inv.peildatum, dtype=pl.Date),
        )
        .sort("regio_code", "jaar", "uitstroomreden")
    )
