"""The auditor's path for the four tables of process.md §3 (docs/audit.md): the units
behind one cell, from the same unit functions the tables aggregate, so a cell's member
count equals its n / aantal / noemer by construction. Pseudonyms and small groups:
audit material, never a publication."""
from __future__ import annotations

import polars as pl

from assets.indicators.doorlooptijden import doorlooptijd_units
from assets.indicators.regions import by_region, in_cell
from assets.indicators.schulden import schuld_units
from assets.indicators.tabel_basis import Invoer
from assets.indicators.terugval_uitsplitsing import DIMENSIES, uitsplitsing_pairs
from schemas.indicators import GEEN_REDEN


def _with_persons(units: pl.LazyFrame, inv: Invoer) -> pl.LazyFrame:
    ids = inv.pairs.join(units.select("traject_id"), on="traject_id", how="semi").group_by("traject_id").agg(
        persoon_ids=pl.col("persoon_id").unique().sort())
    return units.join(ids, on="traject_id", how="left")


def table_members(naam: str, inv: Invoer, regio: str, jaar: int, categorie: str | None = None,
                  dimensie: str | None = None) -> pl.DataFrame:
    """The units of one cell. `categorie`: the maat (doorlooptijden) or uitstroomreden
    (uitstroom) or category (terugval_uitsplitsing, with `dimensie`). doorlooptijden,
    uitstroom, schulden: one row per trajectory; terugval_uitsplitsing: one per person,
    with `in_teller`. ValueError for an unknown table or a missing category."""
    regio, cell = regio.strip().upper(), in_cell(regio.strip().upper(), int(jaar))
    if naam == "doorlooptijden":
        units = by_region(doorlooptijd_units(inv.trajecten)).filter(cell & (pl.col("maat") == categorie))
        return _with_persons(units.select("traject_id", "gemeentecode", "dagen"), inv).sort("dagen", "traject_id").collect()
    if naam == "uitstroom":
        closed = inv.trajecten.filter(pl.col("einddatum").is_not_null()).select(
            "traject_id", "gemeentecode", "einddatum", jaar=pl.col("einddatum").dt.year(),
            uitstroomreden=pl.col("uitstroomreden").fill_null(GEEN_REDEN))
        units = by_region(closed).filter(cell & (pl.col("uitstroomreden") == categorie))
        return _with_persons(units.select("traject_id", "gemeentecode", "einddatum", "uitstroomreden"), inv).sort(
            "traject_id").collect()
    if naam == "schulden":
        units = by_region(schuld_units(inv.trajecten, inv.schulden)).filter(cell).drop("regio_code", "jaar")
        return _with_persons(units, inv).sort("traject_id").collect()
    if naam == "terugval_uitsplitsing":
        if dimensie not in DIMENSIES:
            raise ValueError(f"terugval_uitsplitsing needs a dimensie: one of {', '.join(DIMENSIES)}")
        rows = by_region(uitsplitsing_pairs(inv.trajecten, inv.clienten, ids=True).lazy()).filter(
            cell & (pl.col(dimensie) == categorie))
        return (
            rows.group_by("persoon_id")
            .agg(in_teller=pl.col("terugval").any(), traject_ids=pl.col("traject_id").unique().sort())
            .sort(["in_teller", "persoon_id"], descending=[True, False])
            .collect()
        )
    raise ValueError(f"unknown table {naam!r}; expected doorlooptijden, uitstroom, schulden or terugval_uitsplitsing")
