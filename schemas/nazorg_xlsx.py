"""The sheet `Nazorg` of an aftercare workbook (contract: sources.md §3), as decoded rows.

A workbook cell is typed (text, number, date, ...); the reader turns each non-empty row
of the listed columns into one row of `NazorgRij`, keeping the cell type where the
rules depend on it (a BSN number cell, a Datum date cell). This frame holds raw BSNs:
it lives only inside `assets.ingest.nazorg_xlsx.read_nazorg` and is never written.
Only the schema (names, types) is declared: value checks would put cell contents,
BSNs included, into pandera's failure messages.
"""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

SHEET = "Nazorg"

# Header of row 1: match key (trimmed, lower case) -> the column as the contract spells it.
KOLOMMEN = {
    "bsn": "BSN",
    "datum": "Datum",
    "soort": "Soort",
    "uitkomst": "Uitkomst",
    "contactvorm": "Contactvorm",
    "uitgevoerd door": "Uitgevoerd door",
}
VERPLICHT = ("BSN", "Datum", "Soort")

SOORTEN = {"nazorgtoets": "nazorgtoets", "contact": "contact"}
UITKOMSTEN = {v.lower(): v for v in ("Geen nazorg nodig", "Lichte nazorg", "Intensieve nazorg")}
CONTACTVORMEN = {v.lower(): v for v in ("Telefonisch", "Huisbezoek", "Kantoor", "Digitaal")}


class NazorgRij(pa.DataFrameModel):
    """One non-empty data row of sheet `Nazorg`, cells decoded but not yet validated."""

    bestand: str = pa.Field(description="path relative to the landing folder")
    rij: pl.Int64 = pa.Field(description="1-based row number in the sheet (header = 1)")
    gemeentecode: str = pa.Field(description="from the file name")
    leverdatum: pl.Date = pa.Field(description="date in the file name")
    bsn: Optional[str] = pa.Field(nullable=True, description="text cell as is, or a number cell's integer digits")
    bsn_cel_ongeldig: bool = pa.Field(description="BSN cell is a non-integral/negative number, a date or a boolean")
    datum_cel: Optional[pl.Date] = pa.Field(nullable=True, description="date of a date/datetime cell")
    datum_tekst: Optional[str] = pa.Field(nullable=True, description="a text cell, to be read as dd-mm-jjjj")
    datum_anders: bool = pa.Field(description="Datum holds a number, time, duration or boolean cell")
    soort: Optional[str] = pa.Field(nullable=True)
    uitkomst: Optional[str] = pa.Field(nullable=True)
    contactvorm: Optional[str] = pa.Field(nullable=True)
    uitgevoerd_door: Optional[str] = pa.Field(nullable=True, description="free text as in the cell; mapped to a standard name before it leaves the reader")

    class Config:
        strict = True
        coerce = False
