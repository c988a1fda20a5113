"""`indicatoren/schulden.parquet` (process.md §3): the debts people bring, per region and
year of aanmelding, over trajectories with at least one `model/schulden` row or a
`schuldbedrag_eur`.

Suppression is on `n` (process.md §4), as the contract says; a measure over a subset
(trajectories with debt rows, or with a known amount) is empty only when that subset is
empty (docs/indicators.md, Decisions).
"""
from __future__ import annotations

import polars as pl

from assets.indicators.disclosure import STATE, primary, suppress_secondary
from assets.indicators.regions import by_region
from assets.indicators.tabel_basis import Invoer, lager_kwantiel, leeg_tenzij_getoond, voorlopig_jaar
from assets.indicators.table import percentage
from schemas.indicators import AANDELEN_SCHULD as AANDELEN
from schemas.indicators import SCHULDSOORTEN


def schuld_units(trajecten: pl.LazyFrame, schulden: pl.LazyFrame) -> pl.LazyFrame:
    """One row per counted trajectory: traject_id, gemeentecode, jaar, schuldregels (has
    debt rows), bedrag (sum of its debts' known amounts, else schuldbedrag_eur; null when
    unknown), schuldeisers (distinct schuldeiser_id) and one boolean per share."""
    soort = pl.col("schuldsoort").cast(pl.Utf8)
    per_traject = (
        schulden.select(pl.col("traject_id").cast(pl.Utf8), soort, pl.col("bedrag_eur").cast(pl.Int64),
                        pl.col("zakelijk").cast(pl.Boolean), pl.col("schuldeiser_id").cast(pl.Utf8))
        .group_by("traject_id")
        .agg(
            som=pl.col("bedrag_eur").sum(),
            bekend=pl.col("bedrag_eur").is_not_null().any(),
            schuldeisers=pl.col("schuldeiser_id").drop_nulls().n_unique().cast(pl.Int64),
            aandeel_zakelijk=pl.col("zakelijk").fill_null(False).any(),
            **{f"aandeel_{s.lower()}": (soort == s).fill_null(False).any() for s in SCHULDSOORTEN},
        )
        .with_columns(schuldregels=pl.lit(True))
    )
    rows = pl.col("schuldregels").fill_null(False)
    return (
        trajecten.select("traject_id", "gemeentecode", "schuldbedrag_eur", jaar=pl.col("aanmelddatum").dt.year())
        .join(per_traject, on="traject_id", how="left")
        .filter(rows | pl.col("schuldbedrag_eur").is_not_null())
        .select(
            "traject_id", "gemeentecode", "jaar", "schuldeisers", *AANDELEN,
            schuldregels=rows,
            bedrag=pl.when(rows).then(pl.when(pl.col("bekend")).then("som")).otherwise(pl.col("schuldbedrag_eur")),
        )
    )


def schuld_counts(trajecten: pl.LazyFrame, schulden: pl.LazyFrame) -> pl.LazyFrame:
    """Unsuppressed per regio_code, jaar: n, n_schuldregels, n_bedrag, the medians and the
    share counts (`<aandeel>_n`)."""
    met_regels = pl.col("schuldregels")
    return (
        by_region(schuld_units(trajecten, schulden))
        .group_by("regio_code", "jaar")
        .agg(
            n=pl.len().cast(pl.Int64),
            n_schuldregels=met_regels.sum().cast(pl.Int64),
            n_bedrag=pl.col("bedrag").is_not_null().sum().cast(pl.Int64),
            mediaan_schuldbedrag_eur=lager_kwantiel("bedrag", 1, 2),
            mediaan_aantal_schuldeisers=lager_kwantiel("schuldeisers", 1, 2),  # null exactly without debt rows
            **{f"{a}_n": (pl.col(a).fill_null(False) & met_regels).sum().cast(pl.Int64) for a in AANDELEN},
        )
    )


def schulden(inv: Invoer) -> pl.DataFrame:
    raw = schuld_counts(inv.trajecten, inv.schulden).with_columns(pl.col("jaar").cast(pl.Int32), primary("n")).collect()
    df = suppress_secondary(raw, groups=["jaar"], value="n")
    regels_ok = pl.col("n_schuldregels") > 0
    return (
        df.select(
            "regio_code", "jaar",
            *leeg_tenzij_getoond("n", "n_schuldregels", "n_bedrag"),
            mediaan_schuldbedrag_eur=pl.when(pl.col(STATE).is_null() & (pl.col("n_bedrag") > 0))
            .then(pl.col("mediaan_schuldbedrag_eur").cast(pl.Int64)),
            mediaan_aantal_schuldeisers=pl.when(pl.col(STATE).is_null() & regels_ok)
            .then(pl.col("mediaan_aantal_schuldeisers").cast(pl.Int64)),
            **{a: pl.when(pl.col(STATE).is_null() & regels_ok).then(percentage(pl.col(f"{a}_n"), pl.col("n_schuldregels")))
               for a in AANDELEN},
            onderdrukt=pl.col(STATE).is_not_null(),
            voorlopig=voorlopig_jaar(inv.peildatum),
            onderdrukking=pl.col(STATE),
            peildatum=pl.lit(inv.peildatum, dtype=pl.Date),
        )
        .sort("regio_code", "jaar")
    )
