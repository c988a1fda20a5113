"""Early warning (vroegsignalering, spec/vroegsignalering.md): the accepted records of
`vroegsignalering/*.json`, the two model tables and the two indicator tables.

Signals and cases are two record types of one kind. They share one staging table
(`VsRecord`, `recordsoort` tells them apart): the ingest assets, the ledger counts and
the quarantine handle every kind alike through one `records` frame, so the second type
needs no extra table or wiring (docs/vroegsignalering.md, "Decisions").

No name, street, postcode, house number, place or birth date exists in any of these
tables: the reader never extracts them. Only `persoon_id` and `adres_id` (keyed hashes)
stand for the person and the address.
"""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.indicators import MIN_NOEMER, ONDERDRUKKING, REGIO
from schemas.keys import HEX64

BRON = "vroegsignalering"
GEMEENTECODE = r"^GM[0-9]{4}$"
# `GMxxxx:` + the trimmed ID; an ID holding a run of nine or more digits (it could be a
# BSN) is kept as `~` + 26 letters of its keyed hash (assets/ingest/vs_json.py).
SIGNAAL_ID = r"^GM[0-9]{4}:.+$"

# The enumerations of the VS v0.9 schema (tests/test_vroegsignalering_reader.py checks
# them against assets/reference/json_schema_vroegsignalering.json).
SIGNAALPARTNERS = [
    "Energie", "Huur", "Hypotheek", "CAK Zorgverzekeringen", "Zorg", "Water", "DUO", "Belastingdienst",
    "CAK Eigen bijdrage", "Overige", "Dienst Toeslagen",
]
SIGNAALSTATUSSEN = [
    "Nog niet opgepakt", "Niet opgepakt: onterecht signaal", "Inwoner is overleden",
    "Persoon is geen inwoner (meer) in de gemeente", "Niet opgepakt: herhaalde melding", "Niet opgepakt: andere reden",
]
EINDRESULTATEN = [
    "Niet opgepakt: herhaalde melding", "Niet opgepakt: onterecht signaal", "Inwoner is overleden",
    "Persoon is geen inwoner (meer) in de gemeente", "Niet opgepakt: andere reden",
    "Inwoner al bekend bij schuldhulpverlening", "Inwoner heeft al een ander lopend traject",
    "Definitief geen contact kunnen krijgen", "Geen reactie na eerder contact",
    "Inwoner hoeft geen hulp vanuit vroegsignalering", "Inwoner heeft zelf al betaald/betalingsregeling getroffen",
    "(Budget)advies en/of quick fix", "Vervolghulp en/of verwijzing financieel", "Verwijzing zonder contact",
    "Vervolghulp en/of verwijzing niet financieel",
]
# zaak_hulp_aanvaard: the results that mean help was accepted (vroegsignalering.md §3)
HULP_AANVAARD = [
    "(Budget)advies en/of quick fix",
    "Vervolghulp en/of verwijzing financieel",
    "Vervolghulp en/of verwijzing niet financieel",
]
ONBEKEND_PARTNER = "onbekend"  # vroegsignalen_aantallen: a signal without a (known) partner type

# vroegsignalering.md §1, in the order in which they are tried: the first that applies wins.
VS_REDEN_CODES = [
    "gemeente_onbekend", "signaal_id_ontbreekt", "bsn_ongeldig", "datum_ongeldig",
    "geen_signaaldatum", "datum_in_toekomst", "zaak_zonder_signaal",
]


class VsRecord(pa.DataFrameModel):
    """One accepted signal or case. File: `<output>/staging/vroegsignalering/records.parquet`,
    rows in (bestand, levering_index, recordsoort, record_index) order."""

    bron: str = pa.Field(isin=[BRON])
    bestand: str = pa.Field(description="path relative to the landing folder")
    locatie: str = pa.Field(description="leveringen[i].vroegsignalen[j] or leveringen[i].vroegsignaalzaken[j]")
    levering_index: int = pa.Field(ge=0, description="i of leveringen[i]")
    record_index: int = pa.Field(ge=0, description="j of vroegsignalen[j] or vroegsignaalzaken[j]")
    aanlevertijdstip: pl.Datetime(time_unit="us", time_zone="UTC") = pa.Field(description="the file's aanleverdatumEnTijd as an instant")
    recordsoort: str = pa.Field(isin=["signaal", "zaak"], description="signaal: an element of vroegsignalen[]; zaak: of vroegsignaalzaken[]")
    gemeentecode: str = pa.Field(str_matches=GEMEENTECODE, description="the levering's gemeentecode as GMxxxx")
    signaal_id: Optional[str] = pa.Field(nullable=True, str_matches=SIGNAAL_ID, description="signal: GMxxxx: + the trimmed ID; null for a case")
    persoon_id: Optional[str] = pa.Field(nullable=True, str_matches=HEX64, description="signal: HMAC-SHA256 of the BSN; null without a BSN, and for a case")
    adres_id: Optional[str] = pa.Field(nullable=True, str_matches=HEX64, description="signal: HMAC-SHA256 of POSTCODE|HUISNUMMER|TOEVOEGING; null when postcode or house number is missing, and for a case")
    signaaldatum: Optional[pl.Date] = pa.Field(nullable=True, description="signal: date the partner sent it")
    ontstaansdatum: Optional[pl.Date] = pa.Field(nullable=True, description="signal: date the arrear arose")
    signaalpartner: Optional[str] = pa.Field(nullable=True, isin=SIGNAALPARTNERS, description="signal: EnumSignaalpartner; null when absent or unknown")
    bedrag_eur: Optional[pl.Int64] = pa.Field(nullable=True, description="signal: arrear in whole euros")
    crisissignaal: Optional[bool] = pa.Field(nullable=True, description="signal: a crisis")
    warme_overdracht: Optional[bool] = pa.Field(nullable=True, description="signal: warm handover (already in contact)")
    status: Optional[str] = pa.Field(nullable=True, isin=SIGNAALSTATUSSEN, description="signal: EnumSignaalstatus; null when absent or unknown")
    zaak_id: Optional[str] = pa.Field(nullable=True, str_matches=SIGNAAL_ID, description="case: GMxxxx: + the smallest of its trimmed signal IDs; null for a signal")
    signaal_ids: Optional[pl.List(pl.Utf8)] = pa.Field(nullable=True, description="case: its signal IDs in the form of signaal_id, sorted, distinct; null for a signal")
    matchingsdatum: Optional[pl.Date] = pa.Field(nullable=True, description="case: date of the matching")
    datum_opgepakt: Optional[pl.Date] = pa.Field(nullable=True, description="case: date the municipality took it up")
    resultaat: Optional[str] = pa.Field(nullable=True, isin=EINDRESULTATEN, description="case: EnumEindresultaat; null when absent or unknown")
    aantal_contactpogingen: Optional[pl.Int64] = pa.Field(nullable=True, ge=0, description="case: elements of contactpogingen[]")
    bereikt: Optional[bool] = pa.Field(nullable=True, description="case: an attempt with bereikt true")
    datum_eerste_bereikt: Optional[pl.Date] = pa.Field(nullable=True, description="case: earliest date of an attempt with bereikt true")

    class Config:
        strict = True
        coerce = False

    @pa.dataframe_check
    def fields_of_their_type(cls, data) -> pl.LazyFrame:
        signal = pl.col("recordsoort") == "signaal"
        return data.lazyframe.select(
            pl.when(signal).then(pl.col("signaal_id").is_not_null() & pl.col("zaak_id").is_null())
            .otherwise(pl.col("signaal_id").is_null() & pl.col("zaak_id").is_not_null())
        )


class Vroegsignalen(pa.DataFrameModel):
    """`model/vroegsignalen.parquet`: one row per signal (gemeentecode, trimmed ID), as
    its latest delivery says (vroegsignalering.md §1, §4.7). Rows sorted by signaal_id."""

    signaal_id: str = pa.Field(unique=True, str_matches=SIGNAAL_ID, description="GMxxxx: + the trimmed ID (an ID with nine or more digits in a row: ~ + letters of its keyed hash)")
    gemeentecode: str = pa.Field(str_matches=GEMEENTECODE, description="the levering's gemeente")
    persoon_id: Optional[str] = pa.Field(nullable=True, str_matches=HEX64, description="pseudonymised person (model.md §1); null for a signal without BSN")
    adres_id: Optional[str] = pa.Field(nullable=True, str_matches=HEX64, description="HMAC-SHA256 (key of persoon_id) of POSTCODE|HUISNUMMER|TOEVOEGING; null without postcode or house number")
    signaaldatum: pl.Date = pa.Field(description="date the signal partner sent the signal")
    ontstaansdatum: Optional[pl.Date] = pa.Field(nullable=True, description="date the arrear arose")
    signaalpartner: Optional[str] = pa.Field(nullable=True, isin=SIGNAALPARTNERS, description="type of signal partner (EnumSignaalpartner); null when absent or unknown")
    bedrag_eur: Optional[pl.Int64] = pa.Field(nullable=True, description="arrear in whole euros")
    crisissignaal: Optional[bool] = pa.Field(nullable=True, description="the signal is a crisis")
    warme_overdracht: Optional[bool] = pa.Field(nullable=True, description="warm handover: the partner is already in contact with the person")
    status: Optional[str] = pa.Field(nullable=True, isin=SIGNAALSTATUSSEN, description="EnumSignaalstatus of the latest delivery; null when absent or unknown")
    zaak_id: Optional[str] = pa.Field(nullable=True, str_matches=SIGNAAL_ID, description="the case that holds the signal (of several: the latest delivered); null when none")
    bestand: str = pa.Field(description="file of the latest delivery (the one whose values are kept)")
    locatie: str = pa.Field(description="leveringen[i].vroegsignalen[j] in that file")
    aanlevertijdstip: pl.Datetime(time_unit="us", time_zone="UTC") = pa.Field(description="aanleverdatumEnTijd of that file")
    aantal_leveringen: pl.Int64 = pa.Field(ge=1, description="accepted deliveries of this signal over all files")

    class Config:
        strict = True
        coerce = False


class Vroegsignaalzaken(pa.DataFrameModel):
    """`model/vroegsignaalzaken.parquet`: one row per case (gemeentecode, smallest trimmed
    signal ID), as its latest delivery says. Rows sorted by zaak_id."""

    zaak_id: str = pa.Field(unique=True, str_matches=SIGNAAL_ID, description="GMxxxx: + the smallest of the case's trimmed signal IDs (string order)")
    gemeentecode: str = pa.Field(str_matches=GEMEENTECODE, description="the levering's gemeente")
    matchingsdatum: Optional[pl.Date] = pa.Field(nullable=True, description="date of the matching")
    datum_opgepakt: Optional[pl.Date] = pa.Field(nullable=True, description="date the municipality took the case up")
    resultaat: Optional[str] = pa.Field(nullable=True, isin=EINDRESULTATEN, description="end result (EnumEindresultaat); null when absent or unknown")
    aantal_contactpogingen: pl.Int64 = pa.Field(ge=0, description="contact attempts delivered")
    bereikt: bool = pa.Field(description="an attempt with bereikt true")
    datum_eerste_bereikt: Optional[pl.Date] = pa.Field(nullable=True, description="earliest date of an attempt with bereikt true")
    signaal_ids: pl.List(pl.Utf8) = pa.Field(description="its signal IDs (form of vroegsignalen.signaal_id), sorted, distinct")
    aantal_signalen_onbekend: pl.Int64 = pa.Field(ge=0, description="of those, how many match no accepted signal")
    bestand: str = pa.Field(description="file of the latest delivery (the one whose values are kept)")
    locatie: str = pa.Field(description="leveringen[i].vroegsignaalzaken[j] in that file")
    aanlevertijdstip: pl.Datetime(time_unit="us", time_zone="UTC") = pa.Field(description="aanleverdatumEnTijd of that file")
    aantal_leveringen: pl.Int64 = pa.Field(ge=1, description="accepted deliveries of this case over all files")

    class Config:
        strict = True
        coerce = False


class VsIndicatoren(pa.DataFrameModel):
    """`indicatoren/vroegsignalering.parquet`: the five early-warning indicators per
    indicator x region x year, with the columns and rules of indicatoren.parquet."""

    indicator: str = pa.Field(description="signaal_opgepakt, zaak_bereikt, zaak_hulp_aanvaard, meervoudig_signaal or signaal_naar_schuldhulp")
    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL")
    jaar: pl.Int32 = pa.Field(description="year of signaaldatum (signals, households, persons) or of matchingsdatum (cases)")
    teller: Optional[pl.Int64] = pa.Field(nullable=True, ge=0, description="numerator; empty when suppressed")
    noemer: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="denominator; empty when suppressed")
    waarde: Optional[pl.Float64] = pa.Field(nullable=True, ge=0, le=100, description="100*teller/noemer, 1 decimal, half away from zero; empty when suppressed")
    onderdrukt: bool = pa.Field(description="suppressed by disclosure control (primary or secondary)")
    voorlopig: bool = pa.Field(description="jaar >= year(peildatum); signaal_naar_schuldhulp: 31-12-jaar + 12 months > peildatum")
    onderdrukking: Optional[str] = pa.Field(nullable=True, isin=ONDERDRUKKING, description="primair (noemer < 10), secundair (recoverable as NL minus the gemeenten) or empty")
    geen_gegevens: bool = pa.Field(description="always false (vroegsignalering.md §4.5)")
    historie_onvolledig: bool = pa.Field(description="always false (vroegsignalering.md §4.5)")
    definitie_versie: str = pa.Field(description="version of the indicator definitions used")
    peildatum: pl.Date = pa.Field(description="reference date of the run")

    class Config:
        strict = True
        ordered = True
        unique = ["indicator", "regio_code", "jaar"]

    @pa.dataframe_check
    def shown_exactly_when_not_suppressed(cls, data) -> pl.LazyFrame:
        hidden = pl.col("onderdrukt")
        return data.lazyframe.select(
            (hidden == pl.col("noemer").is_null()) & (hidden == pl.col("teller").is_null())
            & (hidden == pl.col("waarde").is_null()) & (hidden == pl.col("onderdrukking").is_not_null())
            & ~pl.col("geen_gegevens") & ~pl.col("historie_onvolledig")
            & (pl.col("teller") <= pl.col("noemer")).fill_null(True)
        )


class VsAantallen(pa.DataFrameModel):
    """`indicatoren/vroegsignalen_aantallen.parquet`: signals per region x year x signal
    partner type (vroegsignalering.md §3, §4.4). Only rows with at least one signal."""

    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL")
    jaar: pl.Int32 = pa.Field(description="year of signaaldatum")
    signaalpartner: str = pa.Field(isin=[*SIGNAALPARTNERS, ONBEKEND_PARTNER], description="EnumSignaalpartner, or onbekend for a signal without a (known) type")
    aantal: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="signals; empty when suppressed")
    onderdrukt: bool = pa.Field(description="suppressed: fewer than 10 signals, or recoverable as the region-year's total minus its published types")
    onderdrukking: Optional[str] = pa.Field(nullable=True, isin=ONDERDRUKKING, description="primair, secundair or empty")

    class Config:
        strict = True
        ordered = True
        unique = ["regio_code", "jaar", "signaalpartner"]

    @pa.dataframe_check
    def shown_exactly_when_not_suppressed(cls, data) -> pl.LazyFrame:
        hidden = pl.col("onderdrukt")
        return data.lazyframe.select((hidden == pl.col("aantal").is_null()) & (hidden == pl.col("onderdrukking").is_not_null()))
