"""Raw DDAS trajectory records as extracted from the JSON, before the rules of model.md §2.

These frames live only inside `assets.ingest.ddas_json.read_ddas` and are never written:
the client frame (`DdasRuwClient`, one row per client) holds raw BSNs. Text fields hold
the delivered string (untrimmed), null when the key is absent or JSON `null`, and
`NIET_TEKST` when a value of another JSON type was delivered (so a number where a date
belongs is present but invalid).
"""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

# Marks "a value was delivered, but it is not a JSON string". It matches no date, code,
# mapping or BSN, so it is invalid wherever it lands (as any odd string would be).
NIET_TEKST = "\x00niet-tekst"

# model.md §2: the DDAS date fields checked for datum_ongeldig / datum_in_toekomst,
# in contract order: JSON path inside a schuldhulptraject -> raw column.
DATUMVELDEN = {
    "aanmelding.startdatum": "aanmelding_startdatum",
    "startdatum": "startdatum",
    "einddatum": "einddatum",
    "uitstroom.datum": "uitstroom_datum",
    "informatieEnAdvies.startdatum": "informatie_en_advies_startdatum",
    "nazorg.startdatum": "nazorg_startdatum",
    # process.md §1 (2026-12-01)
    "intake.startdatum": "intake_startdatum",
    "intake.beschikkingsdatum": "intake_beschikkingsdatum",
}
# process.md §1: the dates of begeleiding[] elements are checked too (after the above).
BEGELEIDING_DATUMVELDEN = {"begeleiding[].startdatum": "startdatum", "begeleiding[].einddatum": "einddatum"}


class DdasRuwRecord(pa.DataFrameModel):
    """One `leveringen[i].schuldhulptrajecten[j]` element, values as delivered."""

    bestand: str = pa.Field(description="path relative to the landing folder")
    levering_index: int = pa.Field(ge=0, description="i of leveringen[i]")
    record_index: int = pa.Field(ge=0, description="j of schuldhulptrajecten[j]")
    gemeentecode: Optional[str] = pa.Field(nullable=True)
    aanmelding_startdatum: Optional[str] = pa.Field(nullable=True)
    startdatum: Optional[str] = pa.Field(nullable=True)
    einddatum: Optional[str] = pa.Field(nullable=True)
    uitstroom_datum: Optional[str] = pa.Field(nullable=True)
    informatie_en_advies_startdatum: Optional[str] = pa.Field(nullable=True)
    nazorg_startdatum: Optional[str] = pa.Field(nullable=True)
    uitstroom_reden: Optional[str] = pa.Field(nullable=True)
    ia_aanwezig: bool = pa.Field(description="informatieEnAdvies is an object with a non-null value")
    fase_aanwezig: bool = pa.Field(description="a phase beyond I&A is present (sources.md §1 list)")
    schuldbedrag_eur: Optional[pl.Int64] = pa.Field(nullable=True, description="integer totaalSchuldbedragBijAanvangSchuld")
    intake_startdatum: Optional[str] = pa.Field(nullable=True, description="intake.startdatum: the first conversation")
    intake_beschikkingsdatum: Optional[str] = pa.Field(nullable=True)
    intake_beschikkingssoort: Optional[str] = pa.Field(nullable=True)
    oplossing_soort: Optional[str] = pa.Field(nullable=True)
    crisis: bool = pa.Field(description="aanmelding.crisisinterventie is JSON true, or crisisinterventies holds a non-null element")

    class Config:
        strict = True
        coerce = False


class DdasRuwClient(pa.DataFrameModel):
    """One non-null element of a trajectory's `client` array. Holds raw BSNs and birth
    dates: never leaves ingest.

    A record without rows here has no client (bsn_ontbreekt).
    """

    rij: int = pa.Field(ge=0, description="position of the record among all raw records of the call")
    bsn: Optional[str] = pa.Field(nullable=True, description="Burgerservicenummer as delivered; null: client without BSN")
    geboortedatum: Optional[str] = pa.Field(nullable=True, description="Geboortedatum as delivered: masked before it is written")
    geslachtsaanduiding: Optional[str] = pa.Field(nullable=True, description="Geslachtsaanduiding as delivered")

    class Config:
        strict = True
        coerce = False


class DdasRuwBegeleiding(pa.DataFrameModel):
    """One object element of a trajectory's `begeleiding` array, values as delivered."""

    rij: int = pa.Field(ge=0, description="position of the record among the raw records of the file")
    soort: Optional[str] = pa.Field(nullable=True)
    startdatum: Optional[str] = pa.Field(nullable=True)
    einddatum: Optional[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = False


class DdasRuwSchuld(pa.DataFrameModel):
    """One object element of a trajectory's `schulden` array. Holds a creditor's name,
    which for a private person is personal data: only its keyed hash leaves ingest."""

    rij: int = pa.Field(ge=0, description="position of the record among the raw records of the file")
    schuldsoort: Optional[str] = pa.Field(nullable=True)
    bedrag: Optional[pl.Int64] = pa.Field(nullable=True, description="integer bedrag (whole euros), else null")
    zakelijk: Optional[bool] = pa.Field(nullable=True, description="zakelijkeSchuld when a JSON boolean")
    naam: Optional[str] = pa.Field(nullable=True, description="schuldeiser.naam, else schuldeiser.Naam (strings only)")
    kvknummer: Optional[str] = pa.Field(nullable=True, description="schuldeiser.kvknummer as delivered (strings only)")
    privepersoon: bool = pa.Field(description="schuldeiser.privepersoon is JSON true")

    class Config:
        strict = True
        coerce = False
