"""Who is behind an early-warning indicator cell (the auditor's path, docs/audit.md):
the units of `indicators.py`, expanded to regions by the same `by_region`, so a member
list can never drift from the count it explains.

A unit is a signal (`signaal_id`), a case (`zaak_id`), a household (`huishouden`: `a:` +
adres_id or `p:` + persoon_id) or a person (`persoon_id`); `in_teller` says whether it
counts in the numerator. Pseudonyms only; the lists hold small numbers for suppressed
cells and are for audit use, never for publication.
"""
from __future__ import annotations

import polars as pl

from assets.indicators.regions import by_region, in_cell
from assets.vroegsignalering.indicators import case_units, households, person_units, signal_units
from schemas.vroegsignalering import HULP_AANVAARD


def unit_rows(code: str, signalen: pl.LazyFrame, zaken: pl.LazyFrame, trajecten: pl.LazyFrame,
              clienten: pl.LazyFrame) -> tuple[pl.LazyFrame, str]:
    """(regio_code, jaar, unit, hit per unit and region, the unit's column) of one indicator."""
    if code == "signaal_opgepakt":
        return by_region(signal_units(signalen, zaken)), "signaal_id"
    if code == "zaak_bereikt":
        return by_region(case_units(zaken).with_columns(hit=pl.col("bereikt"))), "zaak_id"
    if code == "zaak_hulp_aanvaard":
        cases = case_units(zaken).filter(pl.col("bereikt"))
        return by_region(cases.with_columns(hit=pl.col("resultaat").is_in(HULP_AANVAARD).fill_null(False))), "zaak_id"
    if code == "meervoudig_signaal":
        return households(signalen), "huishouden"
    if code == "signaal_naar_schuldhulp":
        return by_region(person_units(signalen, trajecten, clienten)), "persoon_id"
    raise ValueError(f"unknown early-warning indicator {code!r}")


def cell_members(code: str, regio: str, jaar: int, signalen: pl.LazyFrame, zaken: pl.LazyFrame,
                 trajecten: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.DataFrame:
    """The units of one cell: the unit's id and `in_teller`, sorted by id."""
    rows, unit = unit_rows(code, signalen, zaken, trajecten, clienten)
    return (rows.filter(in_cell(regio, jaar)).group_by(unit).agg(in_teller=pl.col("hit").any())
            .sort(unit).collect())
