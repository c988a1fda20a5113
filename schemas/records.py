"""Accepted records: what ingest hands to harmonisation (staging parquet, read lazily).

No BSN column exists here: ingest pseudonymises before a record is written, and keeps a
CSV `Dossiernr` only as its keyed hash (model.md §1; docs/privacy.md).
"""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.keys import HEX64
from schemas.kinds import trajectory_names
from schemas.model import BESCHIKKINGSSOORTEN, OPLOSSINGSSOORTEN

# process.md §1: the nested parts of a record that become model/begeleiding and model/schulden.
BEGELEIDING_STRUCT = pl.Struct({"soort": pl.Utf8, "startdatum": pl.Date, "einddatum": pl.Date})
SCHULD_STRUCT = pl.Struct({"schuldsoort": pl.Utf8, "bedrag_eur": pl.Int64, "zakelijk": pl.Boolean, "schuldeiser_id": pl.Utf8})


class TrajectRecord(pa.DataFrameModel):
    """One accepted trajectory record (a DDAS `schuldhulptraject` or a legacy CSV row).

    File: `<output>/staging/<bron>/records.parquet` for bron in (ddas, shv_csv).
    """

    bron: str = pa.Field(isin=trajectory_names())
    bestand: str = pa.Field(description="path relative to the landing folder")
    locatie: str = pa.Field(description="leveringen[i].schuldhulptrajecten[j] or the 1-based line")
    levering_index: int = pa.Field(ge=0, description="DDAS: i of leveringen[i]; CSV: 0")
    record_index: int = pa.Field(ge=0, description="DDAS: j of schuldhulptrajecten[j]; CSV: line number")
    aanlevertijdstip: pl.Datetime(time_unit="us", time_zone="UTC") = pa.Field(
        description="delivery timestamp as an instant (DDAS aanleverdatumEnTijd; CSV export date 00:00 UTC)"
    )
    horizon: pl.Date = pa.Field(description="until when an open record is known to run (model.md §4.1)")
    dossiernr: Optional[str] = pa.Field(
        nullable=True, str_matches=HEX64,
        description="CSV: HMAC-SHA256 (key of persoon_id) of the trimmed Dossiernr, lowercase hex; null for DDAS",
    )
    gemeentecode: Optional[str] = pa.Field(nullable=True, str_matches=r"^GM[0-9]{4}$", description="GMxxxx, null = Onbekend")
    aanmelddatum: pl.Date
    startdatum: pl.Date
    einddatum: Optional[pl.Date] = pa.Field(nullable=True, description="null = open")
    uitstroomreden: Optional[str] = pa.Field(nullable=True, description="standard EnumUitstroomreden value")
    is_informatie_advies: bool = pa.Field(description="the record is I&A only")
    nazorg_startdatum: Optional[pl.Date] = pa.Field(nullable=True)
    schuldbedrag_eur: Optional[pl.Int64] = pa.Field(nullable=True, description="whole euros")
    persoon_ids: pl.List(pl.Utf8) = pa.Field(description="1 or 2 distinct pseudonymised clients (64 hex each)")
    geslachten: pl.List(pl.Utf8) = pa.Field(
        description="per client of persoon_ids (same order): man, vrouw, or null when not a known Geslachtsaanduiding"
    )
    geboortedata_gemaskeerd: pl.List(pl.Int64) = pa.Field(
        description="per client of persoon_ids: the birth date masked with a keyed pad (assets/common/birth_mask.py), "
        "null when not a real date; unreadable without the key, never a date in a file"
    )
    eerste_gesprek_datum: Optional[pl.Date] = pa.Field(nullable=True, description="DDAS intake.startdatum; CSV Datum eerste gesprek")
    crisis: Optional[bool] = pa.Field(
        nullable=True, description="DDAS: aanmelding.crisisinterventie is true or crisisinterventies[] holds an element; CSV: null"
    )
    beschikkingsdatum: Optional[pl.Date] = pa.Field(nullable=True, description="DDAS intake.beschikkingsdatum")
    beschikkingssoort: Optional[str] = pa.Field(nullable=True, isin=BESCHIKKINGSSOORTEN, description="DDAS intake.beschikkingssoort; null when unknown")
    oplossing_soort: Optional[str] = pa.Field(
        nullable=True, isin=OPLOSSINGSSOORTEN, description="DDAS oplossing.soort (null when unknown); CSV Product SK/MSR"
    )
    begeleiding: pl.List(BEGELEIDING_STRUCT) = pa.Field(
        description="DDAS begeleiding[] objects; a CSV BBH/BBG row: one, with the row's Startdatum/Einddatum"
    )
    schulden: pl.List(SCHULD_STRUCT) = pa.Field(description="DDAS schulden[] objects, the creditor as schuldeiser_id only")

    class Config:
        strict = True
        coerce = False


class NazorgEvent(pa.DataFrameModel):
    """One accepted aftercare row. File: `<output>/staging/nazorg/records.parquet`."""

    bestand: str
    locatie: str = pa.Field(description="1-based row number in sheet Nazorg")
    leverdatum: pl.Date = pa.Field(description="date in the file name")
    persoon_id: str = pa.Field(str_matches=HEX64)
    datum: pl.Date
    soort: str = pa.Field(isin=["nazorgtoets", "contact"])
    uitkomst: Optional[str] = pa.Field(nullable=True, isin=["Geen nazorg nodig", "Lichte nazorg", "Intensieve nazorg"])
    contactvorm: Optional[str] = pa.Field(nullable=True, isin=["Telefonisch", "Huisbezoek", "Kantoor", "Digitaal"])
    uitgevoerd_door: Optional[str] = pa.Field(nullable=True, description="standard name of the mapping uitvoerders, `overig` when not in it (model.md §1)")
    gemeentecode: str = pa.Field(str_matches=r"^GM[0-9]{4}$", description="from the file name")

    class Config:
        strict = True
        coerce = False
