"""The indicator tables under `indicatoren/` (contract: spec/indicators.md).

`Indicatoren` is the contract table: the eight contract columns, then our extras. The
two analyst views are derived from it and never show a count that it suppresses.
"""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

# Contract order (spec/indicators.md); output rows sort alphabetically on the code.
INDICATOR_CODES = [
    "terugval_5j",
    "nazorg_gestart",
    "nazorg_tijdig",
    "nazorgtoets_voor_einde",
    "nazorgcontact_6m",
    "warm_contact_12m",
    "terugval_12m",
]
NL = "NL"  # regio_code of the national rows
REGIO = r"^(GM[0-9]{4}|NL)$"
DEFINITIE_VERSIE = "2026.1"  # bump when a definition in spec/indicators.md changes
MIN_NOEMER = 10  # disclosure control: smaller denominators are suppressed


class Indicatoren(pa.DataFrameModel):
    """`indicatoren/indicatoren.parquet`: one row per indicator x region x year."""

    indicator: str = pa.Field(isin=INDICATOR_CODES, description="indicator code of spec/indicators.md")
    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL (national, includes gemeente Onbekend)")
    jaar: pl.Int32 = pa.Field(description="terugval_5j: year of aanmelding; the others: year of the successful end")
    teller: Optional[pl.Int64] = pa.Field(nullable=True, ge=0, description="numerator; empty when suppressed")
    noemer: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="denominator; empty when below 10")
    waarde: Optional[pl.Float64] = pa.Field(nullable=True, ge=0, le=100, description="100*teller/noemer, 1 decimal, half away from zero")
    onderdrukt: bool = pa.Field(description="suppressed by disclosure control (noemer < 10)")
    voorlopig: bool = pa.Field(description="the indicator's window is not fully observed at the peildatum")
    definitie_versie: str = pa.Field(description="version of the indicator definitions used")
    peildatum: pl.Date = pa.Field(description="reference date of the run")

    class Config:
        strict = True
        ordered = True
        unique = ["indicator", "regio_code", "jaar"]

    @pa.dataframe_check
    def suppression_consistent(cls, data) -> pl.LazyFrame:
        null = pl.col("noemer").is_null()
        return data.lazyframe.select(
            (pl.col("onderdrukt") == null)
            & (pl.col("teller").is_null() == null)
            & (pl.col("waarde").is_null() == null)
        )

    @pa.dataframe_check
    def teller_within_noemer(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("teller") <= pl.col("noemer")).fill_null(True))


class TerugvalDoel(pa.DataFrameModel):
    """`indicatoren/terugval_doel.parquet`: terugval_5j per region and year against its target."""

    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL")
    regio_naam: str = pa.Field(description="gemeentenaam (CBS 2022), 'Nederland' for NL")
    jaar: pl.Int32 = pa.Field(description="year of aanmelding")
    teller: Optional[pl.Int64] = pa.Field(nullable=True, ge=0, description="relapsed persons, as in indicatoren")
    noemer: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="aanmelders, as in indicatoren")
    waarde: Optional[pl.Float64] = pa.Field(nullable=True, ge=0, le=100, description="terugval_5j in %")
    onderdrukt: bool = pa.Field(description="as in indicatoren")
    voorlopig: bool = pa.Field(description="as in indicatoren")
    doel_pct: pl.Float64 = pa.Field(ge=0, le=100, description="relapse target in %")
    doel_bron: str = pa.Field(isin=["doelen.csv", "standaard"], description="where the target comes from")
    verschil_pp: Optional[pl.Float64] = pa.Field(nullable=True, description="waarde - doel_pct in percentage points; > 0 is above target (worse)")
    doel_gehaald: Optional[bool] = pa.Field(nullable=True, description="waarde <= doel_pct; empty when suppressed")

    class Config:
        strict = True
        ordered = True
        unique = ["regio_code", "jaar"]


class Doelen(pa.DataFrameModel):
    """`assets/reference/doelen.csv`: relapse target per municipality (NL allowed)."""

    gemeentecode: str = pa.Field(str_matches=REGIO, unique=True, description="GMxxxx, or NL for the national row")
    doel_pct: pl.Float64 = pa.Field(ge=0, le=100, description="target for terugval_5j in %")

    class Config:
        strict = True


# The wide view: per indicator a value column plus its counts and flags.
# suffix -> (column of the long table, type, description)
BREED_SUFFIXES = {
    "": ("waarde", Optional[pl.Float64], "waarde (%)"),
    "_teller": ("teller", Optional[pl.Int64], "teller"),
    "_noemer": ("noemer", Optional[pl.Int64], "noemer"),
    "_onderdrukt": ("onderdrukt", Optional[bool], "suppressed (empty: no row for this indicator)"),
    "_voorlopig": ("voorlopig", Optional[bool], "provisional (empty: no row for this indicator)"),
}


def breed_columns() -> list[str]:
    return ["regio_code", "regio_naam", "jaar"] + [f"{c}{s}" for c in INDICATOR_CODES for s in BREED_SUFFIXES]


def _breed_model() -> type[pa.DataFrameModel]:
    annotations: dict = {"regio_code": str, "regio_naam": str, "jaar": pl.Int32}
    fields: dict = {
        "regio_code": pa.Field(str_matches=REGIO, description="GMxxxx or NL"),
        "regio_naam": pa.Field(description="gemeentenaam (CBS 2022), 'Nederland' for NL"),
        "jaar": pa.Field(description="as in indicatoren (aanmelding or end year, per indicator)"),
    }
    for code in INDICATOR_CODES:
        for suffix, (_, typ, what) in BREED_SUFFIXES.items():
            annotations[code + suffix] = typ
            fields[code + suffix] = pa.Field(nullable=True, description=f"{code}: {what}")

    class Config:
        strict = True
        ordered = True
        unique = ["regio_code", "jaar"]

    namespace = {"__annotations__": annotations, "Config": Config, **fields,
                 "__doc__": "`indicatoren/indicatoren_breed.parquet`: one row per region x year, one column group per indicator."}
    return type("IndicatorenBreed", (pa.DataFrameModel,), namespace)


IndicatorenBreed = _breed_model()
