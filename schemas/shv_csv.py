"""Raw rows of a legacy registration export (`shv_csv/GMxxxx_YYYYMMDD.csv`, sources.md §2).

This is the frame the CSV reader validates: one row per record (non-blank data row),
the twelve columns as delivered text under their header names. It lives only inside
`assets.ingest.shv_csv.read_shv_csv`: it holds raw BSNs and free text and is never written.
"""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa

# The contract header, in order; matched field by field trimmed and case-insensitively.
CSV_HEADER = (
    "Dossiernr",
    "BSN",
    "Geboortedatum",
    "Aanmelddatum",
    "Datum eerste gesprek",
    "Product",
    "Startdatum",
    "Einddatum",
    "Reden einde",
    "Nazorg vanaf",
    "Schuld bij aanvang",
    "Opmerking",
)


class ShvCsvRij(pa.DataFrameModel):
    """One record of a legacy export as read: fields are null when the row is unreadable."""

    regel: int = pa.Field(ge=2, unique=True, description="1-based physical line on which the record starts (header = 1)")
    aantal_velden: Optional[int] = pa.Field(
        nullable=True,
        ge=0,
        description="number of fields in the row; null when the row is incomplete "
        "(a quote still open at the end of the file, or a field over the csv size limit)",
    )
    dossiernr: Optional[str] = pa.Field(alias="Dossiernr", nullable=True, description="text, required; leaves the reader only as its keyed hash (a BSN can hide in it)")
    bsn: Optional[str] = pa.Field(alias="BSN", nullable=True, description="raw BSN: pseudonymised, then dropped")
    geboortedatum: Optional[str] = pa.Field(alias="Geboortedatum", nullable=True, description="dd-mm-jjjj, informational")
    aanmelddatum: Optional[str] = pa.Field(alias="Aanmelddatum", nullable=True, description="dd-mm-jjjj, required")
    datum_eerste_gesprek: Optional[str] = pa.Field(alias="Datum eerste gesprek", nullable=True, description="dd-mm-jjjj")
    product: Optional[str] = pa.Field(alias="Product", nullable=True, description="IA, MSR, SK, BBH, BBG, STAB (any case)")
    startdatum: Optional[str] = pa.Field(alias="Startdatum", nullable=True, description="dd-mm-jjjj")
    einddatum: Optional[str] = pa.Field(alias="Einddatum", nullable=True, description="dd-mm-jjjj; empty = still running")
    reden_einde: Optional[str] = pa.Field(alias="Reden einde", nullable=True, description="mapped; only with an Einddatum")
    nazorg_vanaf: Optional[str] = pa.Field(alias="Nazorg vanaf", nullable=True, description="dd-mm-jjjj")
    schuld_bij_aanvang: Optional[str] = pa.Field(alias="Schuld bij aanvang", nullable=True, description="12.345,67 style")
    opmerking: Optional[str] = pa.Field(alias="Opmerking", nullable=True, description="free text: never copied")

    class Config:
        strict = True
        coerce = False
