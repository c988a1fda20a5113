"""The harmonised model under `model/` (contract: spec/model.md §4, spec/README.md)."""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.keys import HEX64, SLEUTELS, TRAJECT_ID
from schemas.kinds import trajectory_names, trajectory_source_sets

GEMEENTECODE = r"^GM[0-9]{4}$"
# DDAS EnumUitstroomreden: the standard end reasons every mapping maps onto.
UITSTROOMREDENEN = [
    "Afgerond",
    "Overleden",
    "Verhuisd",
    "Nietverschenen",
    "Ingetrokken",
    "Niet passend",
    "Overig",
    "Voldoet niet",
    "Zelf",
]
# process.md §1: the DDAS enumerations of the new fields (tests/test_process_model.py holds
# them against assets/reference/json_schema_Uitwisselmodel.json).
BESCHIKKINGSSOORTEN = ["Afwijzingsbeschikking", "Toelatingsbeschikking"]
OPLOSSINGSSOORTEN = ["Betalingsregeling", "Herfinanciering", "Saneringskrediet", "Schuldbemiddeling", "0%-aanbod"]
BEGELEIDINGSSOORTEN = ["Budgetcoaching", "Budgetbeheer", "Beschermingsbewind", "Lange Termijn Begeleiding (DFD)", "Budgetbegeleiding"]
SCHULDSOORTEN = ["Zorg", "Publiek", "Nuts", "Overig"]
LEEFTIJDSKLASSEN = ["tot 27", "27 tot 45", "45 tot 65", "65 of ouder", "onbekend"]
GESLACHTEN = ["man", "vrouw", "onbekend"]
SCHULDEISER_ID = SLEUTELS["schuldeiser_id"]  # a KvK number or a keyed hash (schemas/keys.py)


class Trajecten(pa.DataFrameModel):
    """`model/trajecten.parquet`: one row per harmonised trajectory (a connected component
    of linked records, model.md §4). Rows in founding order (first delivered copy)."""

    traject_id: str = pa.Field(
        unique=True,
        str_matches=TRAJECT_ID,
        description="stable id: FNV-1a 64 of the founding record's bestand, levering index and record index (docs/merge_rule.md)",
    )
    gemeentecode: Optional[str] = pa.Field(
        nullable=True,
        str_matches=GEMEENTECODE,
        description="of the record with the earliest aanmelddatum (ties: the most authoritative); null when that record says Onbekend",
    )
    aanmelddatum: pl.Date = pa.Field(description="earliest aanmelddatum of its records")
    startdatum: pl.Date = pa.Field(description="earliest start of its records")
    einddatum: Optional[pl.Date] = pa.Field(nullable=True, description="end of the authoritative record; null = open")
    uitstroomreden: Optional[str] = pa.Field(
        nullable=True, isin=UITSTROOMREDENEN, description="end reason of the authoritative record (EnumUitstroomreden); Afgerond = successful"
    )
    is_informatie_advies: bool = pa.Field(description="true only when every record is Informatie en Advies only")
    nazorg_startdatum: Optional[pl.Date] = pa.Field(nullable=True, description="earliest aftercare start of its records")
    schuldbedrag_eur: Optional[pl.Int64] = pa.Field(
        nullable=True, description="total debt at start in whole euros: the authoritative record's, else the first known one in authoritative order"
    )
    aantal_bronrecords: pl.Int64 = pa.Field(ge=1, description="number of accepted records (after superseding) that make the trajectory")
    bronnen: str = pa.Field(
        isin=trajectory_source_sets(), description="sources of its records, sorted and comma-joined"
    )
    laatste_levering: pl.Datetime(time_unit="us", time_zone="UTC") = pa.Field(
        description="latest delivery timestamp among its records (that of the authoritative record)"
    )
    eerste_gesprek_datum: Optional[pl.Date] = pa.Field(
        nullable=True, description="first conversation: the earliest of its records' (DDAS intake.startdatum, CSV Datum eerste gesprek)"
    )
    crisis: Optional[bool] = pa.Field(
        nullable=True,
        description="a crisis intervention: true when any DDAS record says so (aanmelding.crisisinterventie, or an element in crisisinterventies); null when no record is DDAS",
    )
    beschikkingsdatum: Optional[pl.Date] = pa.Field(
        nullable=True, description="intake.beschikkingsdatum of the record with the earliest one (ties: the most authoritative)"
    )
    beschikkingssoort: Optional[str] = pa.Field(
        nullable=True, isin=BESCHIKKINGSSOORTEN, description="intake.beschikkingssoort of that same record; null when unknown"
    )
    oplossing_soort: Optional[str] = pa.Field(
        nullable=True, isin=OPLOSSINGSSOORTEN,
        description="of the authoritative record: DDAS oplossing.soort, CSV Product SK = Saneringskrediet, MSR = Schuldbemiddeling; null when it has none",
    )
    aantal_clienten: pl.Int64 = pa.Field(ge=1, description="number of distinct clients (rows of trajectclienten)")

    class Config:
        strict = True
        coerce = False


class TrajectClienten(pa.DataFrameModel):
    """`model/trajectclienten.parquet`: which persons are clients of which trajectory
    (the union of its records' clients). Rows ordered like trajecten, then persoon_id."""

    traject_id: str = pa.Field(str_matches=TRAJECT_ID, description="the trajectory (trajecten.traject_id)")
    persoon_id: str = pa.Field(str_matches=HEX64, description="pseudonymised person: HMAC-SHA256 of the BSN, lowercase hex")
    leeftijdsklasse: str = pa.Field(
        isin=LEEFTIJDSKLASSEN,
        description="age in whole years at the trajectory's aanmelddatum (29 February: birthday 1 March), from the most "
        "authoritative record that gives a real birth date; onbekend when none does. No birth date is stored",
    )
    geslacht: str = pa.Field(
        isin=GESLACHTEN, description="from the most authoritative record that gives a known Geslachtsaanduiding (M/man, V/vrouw); else onbekend"
    )

    class Config:
        strict = True
        coerce = False
        unique = ["traject_id", "persoon_id"]


class Begeleiding(pa.DataFrameModel):
    """`model/begeleiding.parquet`: the guidance of each trajectory, from its authoritative
    record (DDAS begeleiding[]; a CSV row BBH/BBG gives one row). Rows ordered like
    trajecten, then as delivered."""

    traject_id: str = pa.Field(str_matches=TRAJECT_ID, description="the trajectory (trajecten.traject_id)")
    soort: Optional[str] = pa.Field(nullable=True, isin=BEGELEIDINGSSOORTEN, description="EnumBegeleidingssoort; null when unknown")
    startdatum: Optional[pl.Date] = pa.Field(nullable=True, description="start of the guidance")
    einddatum: Optional[pl.Date] = pa.Field(nullable=True, description="end of the guidance; null = running or not delivered")

    class Config:
        strict = True
        coerce = False


class Schulden(pa.DataFrameModel):
    """`model/schulden.parquet`: the debts of each trajectory, from its authoritative record
    (DDAS schulden[]; CSV rows have none). Rows ordered like trajecten, then as delivered.
    A creditor that is a private person appears only as a keyed hash."""

    traject_id: str = pa.Field(str_matches=TRAJECT_ID, description="the trajectory (trajecten.traject_id)")
    schuldsoort: Optional[str] = pa.Field(nullable=True, isin=SCHULDSOORTEN, description="EnumSchuldensoort; null when unknown")
    bedrag_eur: Optional[pl.Int64] = pa.Field(nullable=True, description="the debt in whole euros (bedrag); null when not an integer")
    zakelijk: Optional[bool] = pa.Field(nullable=True, description="zakelijkeSchuld as delivered; null when absent")
    schuldeiser_id: Optional[str] = pa.Field(
        nullable=True, str_matches=SCHULDEISER_ID,
        description="the creditor: its kvknummer (8 digits) when given and not a private person, else HMAC-SHA256 "
        "(key of persoon_id) of its trimmed lower-cased name (naam, else Naam); null without either",
    )

    class Config:
        strict = True
        coerce = False


class TrajectHerkomst(pa.DataFrameModel):
    """`model/traject_herkomst.parquet`: provenance, one row per accepted trajectory record
    (superseded legacy rows included), in file and position order. Answers "which
    delivered records made this trajectory, and why is it closed" (is_gezaghebbend)."""

    bron: str = pa.Field(isin=trajectory_names(), description=" or ".join(trajectory_names()))
    bestand: str = pa.Field(description="path relative to the landing folder, '/' separators")
    locatie: str = pa.Field(description="DDAS: leveringen[i].schuldhulptrajecten[j]; CSV: the 1-based line")
    levering_index: pl.Int64 = pa.Field(ge=0, description="DDAS: i of leveringen[i]; CSV: 0")
    record_index: pl.Int64 = pa.Field(ge=0, description="DDAS: j of schuldhulptrajecten[j]; CSV: line number")
    aanlevertijdstip: pl.Datetime(time_unit="us", time_zone="UTC") = pa.Field(
        description="delivery timestamp of the record's file, as an instant"
    )
    horizon: pl.Date = pa.Field(description="until when an open record is known to run (model.md §4.1)")
    dossiernr: Optional[str] = pa.Field(
        nullable=True, str_matches=HEX64,
        description="CSV: HMAC-SHA256 (key of persoon_id) of the trimmed Dossiernr, lowercase hex (`ddas trace --dossier` finds it); null for DDAS",
    )
    gemeentecode: Optional[str] = pa.Field(nullable=True, str_matches=GEMEENTECODE, description="the record's municipality; null = Onbekend")
    aanmelddatum: pl.Date = pa.Field(description="the record's aanmelddatum")
    startdatum: pl.Date = pa.Field(description="the record's start")
    einddatum: Optional[pl.Date] = pa.Field(nullable=True, description="the record's end; null = open")
    uitstroomreden: Optional[str] = pa.Field(nullable=True, isin=UITSTROOMREDENEN, description="the record's mapped end reason")
    is_informatie_advies: bool = pa.Field(description="the record is I&A only")
    nazorg_startdatum: Optional[pl.Date] = pa.Field(nullable=True, description="the record's aftercare start")
    schuldbedrag_eur: Optional[pl.Int64] = pa.Field(nullable=True, description="the record's debt at start, whole euros")
    koppel_einde: Optional[pl.Date] = pa.Field(
        nullable=True, description="end of the period used for linking: einddatum, else max(horizon, startdatum); null when superseded"
    )
    traject_id: Optional[str] = pa.Field(
        nullable=True, str_matches=TRAJECT_ID, description="the trajectory the record belongs to; null when superseded"
    )
    is_gezaghebbend: bool = pa.Field(description="the authoritative record of its trajectory: its einddatum and uitstroomreden are the trajectory's")
    gezag_rang: Optional[pl.Int64] = pa.Field(
        nullable=True, ge=0, description="position in the trajectory's authoritative order (0 = authoritative); null when superseded"
    )
    vervangen_door: Optional[str] = pa.Field(
        nullable=True, description="legacy row superseded by a later export of the same Dossiernr: that export's bestand; else null"
    )

    class Config:
        strict = True
        coerce = False
        unique = ["bestand", "levering_index", "record_index"]


class NazorgGebeurtenissen(pa.DataFrameModel):
    """`model/nazorg_gebeurtenissen.parquet`: accepted aftercare events, one per
    (persoon_id, datum, soort); a copy delivered more than once appears once, with the
    columns of its latest delivery. Rows sorted by persoon_id, datum, soort."""

    persoon_id: str = pa.Field(str_matches=HEX64, description="pseudonymised person")
    datum: pl.Date = pa.Field(description="date of the test or contact")
    soort: str = pa.Field(isin=["nazorgtoets", "contact"], description="nazorgtoets or contact")
    uitkomst: Optional[str] = pa.Field(
        nullable=True,
        isin=["Geen nazorg nodig", "Lichte nazorg", "Intensieve nazorg"],
        description="outcome of a nazorgtoets; null for a contact",
    )
    contactvorm: Optional[str] = pa.Field(
        nullable=True, isin=["Telefonisch", "Huisbezoek", "Kantoor", "Digitaal"], description="form of a contact, when given; null for a nazorgtoets"
    )
    uitgevoerd_door: Optional[str] = pa.Field(nullable=True, description="organisation that did it: standard name of the mapping uitvoerders, `overig` when not in it (model.md §1)")
    gemeentecode: str = pa.Field(str_matches=GEMEENTECODE, description="municipality code in the delivering file's name")
    bestand: str = pa.Field(description="file of the copy whose columns are kept (the latest delivery)")
    locatie: str = pa.Field(description="1-based row of that copy in sheet Nazorg")
    aantal_kopieen: pl.Int64 = pa.Field(ge=1, description="how many accepted rows, over all files, delivered this event")

    class Config:
        strict = True
        coerce = False
        unique = ["persoon_id", "datum", "soort"]
