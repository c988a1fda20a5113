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
}


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

    class Config:
        strict = True
        coerce = False


class DdasRuwClient(pa.DataFrameModel):
    """One non-null element of a trajectory's `client` array. Holds raw BSNs: never leaves ingest.

    A record without rows here has no client (bsn_ontbreekt).
    """

    rij: int = pa.Field(ge=0, description="position of the record among all raw records of the call")
    bsn: Optional[str] = pa.Field(nullable=True, description="Burgerservicenummer as delivered; null: client without BSN")

    class Config:
        strict = True
        coerce = False
