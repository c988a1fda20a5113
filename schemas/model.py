"""The harmonised model under `model/` (contract: spec/model.md §4, spec/README.md)."""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.keys import HEX64, TRAJECT_ID
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

    class Config:
        strict = True
        coerce = False


class TrajectClienten(pa.DataFrameModel):
    """`model/trajectclienten.parquet`: which persons are clients of which trajectory
    (the union of its records' clients). Rows ordered like trajecten, then persoon_id."""

    traject_id: str = pa.Field(str_matches=TRAJECT_ID, description="the trajectory (trajecten.traject_id)")
    persoon_id: str = pa.Field(str_matches=HEX64, description="pseudonymised person: HMAC-SHA256 of the BSN, lowercase hex")

    class Config:
        strict = True
        coerce = False
        unique = ["traject_id", "persoon_id"]


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
