"""`indicatoren/doorlooptijden.parquet` (process.md §3): lead times in days per measure
(`maat`), region and year: n, p25, lower median, p75.

The cohorts are those of the Wgs indicators (`wgs.py`) and of the successful ends, so a
cell here and the indicator cell of the same year count the same trajectories.
"""
from __future__ import annotations

import polars as pl

from assets.indicators.disclosure import STATE, primary, suppress_secondary
from assets.indicators.regions import by_region
from assets.indicators.tabel_basis import Invoer, gesorteerd, leeg_tenzij_getoond, uit_lijst, voorlopig_jaar
from assets.indicators.wgs import aanmelding_units, eerste_gesprek_units
from schemas.indicators import MATEN


def _dagen(van: str, tot: str) -> pl.Expr:
    return (pl.col(tot) - pl.col(van)).dt.total_days()


def doorlooptijd_units(trajecten: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (maat, trajectory): traject_id, gemeentecode, jaar, dagen."""
    cols = ["traject_id", "gemeentecode", "jaar"]
    wacht = aanmelding_units(trajecten).select(*cols, dagen=_dagen("aanmelddatum", "eerste_gesprek_datum"))
    besluit = eerste_gesprek_units(trajecten).select(*cols, dagen=_dagen("eerste_gesprek_datum", "beschikkingsdatum"))
    afgerond = trajecten.filter((pl.col("uitstroomreden") == "Afgerond") & pl.col("einddatum").is_not_null()).select(
        "traject_id", "gemeentecode", jaar=pl.col("einddatum").dt.year(), dagen=_dagen("aanmelddatum", "einddatum"))
    return pl.concat([f.with_columns(maat=pl.lit(m)) for m, f in zip(MATEN, (wacht, besluit, afgerond))])


def doorlooptijd_counts(trajecten: pl.LazyFrame) -> pl.LazyFrame:
    """Unsuppressed: maat, regio_code, jaar, n, p25, mediaan, p75."""
    return (
        by_region(doorlooptijd_units(trajecten))
        .group_by("maat", "regio_code", "jaar")
        .agg(n=pl.len().cast(pl.Int64), _dagen=gesorteerd("dagen"))
        .select("maat", "regio_code", "jaar", "n", p25=uit_lijst("_dagen", 1, 4), mediaan=uit_lijst("_dagen", 1, 2),
                p75=uit_lijst("_dagen", 3, 4))
    )


def doorlooptijden(inv: Invoer) -> pl.DataFrame:
    raw = doorlooptijd_counts(inv.trajecten).with_columns(
        pl.col("jaar").cast(pl.Int32), pl.col("p25", "mediaan", "p75").cast(pl.Int64), primary("n")
    ).collect()
    df = suppress_secondary(raw, groups=["maat", "jaar"], value="n")
    return (
        df.select(
            "maat", "regio_code", "jaar",
            *leeg_tenzij_getoond("n", "p25", "mediaan", "p75"),
            onderdrukt=pl.col(STATE).is_not_null(),
            voorlopig=voorlopig_jaar(inv.peildatum),
            onderdrukking=pl.col(STATE),
            peildatum=pl.lit(inv.peildatum, dtype=pl.Date),
        )
        .sort("maat", "regio_code", "jaar")
    )
