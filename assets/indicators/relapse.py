"""`terugval_5j`: distinct aanmelders per (gemeente, year) and those who relapsed.

Input is the frame of `table.client_trajectories`: one row per (non-I&A trajectory,
client) with that trajectory's fields. Output: raw counts per region, unsuppressed.
"""
from __future__ import annotations

import polars as pl

from assets.common.dates import minus_years_5
from schemas.indicators import NL


def terugval_5j(pairs: pl.LazyFrame) -> pl.LazyFrame:
    """indicator, regio_code, jaar, teller, noemer for every region-year with aanmelders."""
    aanmelders = pairs.select(
        "traject_id", "persoon_id", "gemeentecode", "aanmelddatum",
        jaar=pl.col("aanmelddatum").dt.year(),
    )
    afgerond = pairs.filter(
        (pl.col("uitstroomreden") == "Afgerond") & pl.col("einddatum").is_not_null()
    ).select("persoon_id", s_id="traject_id", s_eind="einddatum")
    # Joined per person: a person has few trajectories, so this stays close to linear.
    relapsed = (
        aanmelders.join(afgerond, on="persoon_id", how="inner")
        .filter(
            (pl.col("s_id") != pl.col("traject_id"))
            & (pl.col("s_eind") >= minus_years_5(pl.col("aanmelddatum")))
            & (pl.col("s_eind") < pl.col("aanmelddatum"))
        )
        .select("traject_id", "persoon_id")
        .unique()
        .with_columns(terugval=pl.lit(True))
    )
    flagged = aanmelders.join(relapsed, on=["traject_id", "persoon_id"], how="left").with_columns(
        pl.col("terugval").fill_null(False)
    )
    # A person counts once per row: relapsed when any of their trajectories there qualifies.
    gemeente = (
        flagged.filter(pl.col("gemeentecode").is_not_null())
        .group_by("gemeentecode", "jaar", "persoon_id")
        .agg(pl.col("terugval").any())
        .group_by(regio_code="gemeentecode", jaar="jaar")
        .agg(teller=pl.col("terugval").sum(), noemer=pl.len())
    )
    national = (
        flagged.group_by("jaar", "persoon_id")
        .agg(pl.col("terugval").any())
        .group_by("jaar")
        .agg(teller=pl.col("terugval").sum(), noemer=pl.len())
        .with_columns(regio_code=pl.lit(NL))
    )
    return pl.concat([gemeente, national], how="diagonal").with_columns(indicator=pl.lit("terugval_5j"))
