"""process.md §1 in the readers, the birth-date mask and the generator's bound cases.

Harmonisation of these fields is checked against a naive reference in
tests/test_harmonise_property.py; the whole pipeline against the generator's truth in
tests/test_ground_truth.py.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import polars as pl
import pytest

from assets.common.birth_mask import leeftijdsklasse, mask, unmask
from assets.common.reference import ddas_json_schema
from ddas_generator import proces
from ddas_generator.proces_records import leeftijdsklasse as reference_class
from ddas_generator.world import simulate
from schemas import model
from tests.test_ingest_ddas import BSNS, KEY, check_frames, document, put, run, traject
from tests.test_ingest_shv_csv import csv_text, line, read

D = dt.date


def name_hash(name: str) -> str:
    return hmac.new(KEY, name.encode("utf-8"), hashlib.sha256).hexdigest()


# --- the enumerations are the official schema's ----------------------------------------------


def test_enumerations_are_those_of_the_official_schema():
    defs = ddas_json_schema()["$defs"]
    assert model.BESCHIKKINGSSOORTEN == defs["EnumBeschikkingssoort"]["enum"]
    assert model.OPLOSSINGSSOORTEN == defs["EnumOplossingssoort"]["enum"]
    assert model.BEGELEIDINGSSOORTEN == defs["EnumBegeleidingssoort"]["enum"]
    assert model.SCHULDSOORTEN == defs["EnumSchuldensoort"]["enum"]


# --- DDAS -------------------------------------------------------------------------------------


def _one(landing, t) -> dict:
    put(landing, "a.json", document(t))
    r = run(landing)
    check_frames(r)
    assert r.quarantine.height == 0, r.quarantine["reden_tekst"].to_list()
    return r.records.row(0, named=True)


def test_ddas_first_conversation_decision_solution_and_crisis_flag(landing):
    t = traject(BSNS[0], intake={"startdatum": "2024-01-12", "beschikkingsdatum": "2024-03-01", "beschikkingssoort": " toelatingsBESCHIKKING "},
                oplossing={"soort": "Saneringskrediet"})
    t["aanmelding"] = {"startdatum": "2024-01-10", "crisisinterventie": True}
    rec = _one(landing, t)
    assert rec["eerste_gesprek_datum"] == D(2024, 1, 12) and rec["crisis"] is True
    assert rec["beschikkingsdatum"] == D(2024, 3, 1) and rec["beschikkingssoort"] == "Toelatingsbeschikking"
    assert rec["oplossing_soort"] == "Saneringskrediet"


@pytest.mark.parametrize("extra, crisis", [
    ({"crisisinterventies": [{"startdatum": "2024-01-10"}]}, True),
    ({"crisisinterventies": [None]}, False),  # a null element is absent
    ({"crisisinterventies": []}, False),
    ({"aanmelding": {"startdatum": "2024-01-10", "crisisinterventie": "true"}}, False),  # not JSON true
    ({"aanmelding": {"startdatum": "2024-01-10", "crisisinterventie": False}}, False),
])
def test_ddas_crisis_from_the_array_or_the_flag(landing, extra, crisis):
    t = traject(BSNS[0])
    t.update(extra)
    assert _one(landing, t)["crisis"] is crisis


def test_unknown_enumeration_values_become_null_and_are_reported_not_quarantined(landing):
    t = traject(BSNS[0], intake={"startdatum": "2024-01-12", "beschikkingssoort": "Toelating"},
                oplossing={"soort": "Schuldsanering"}, begeleiding=[{"soort": "Schuldhulpmaatje", "startdatum": "2024-02-01"}],
                schulden=[{"schuldsoort": "Belasting", "bedrag": 10}])
    put(landing, "a.json", document(t))
    r = run(landing)
    assert r.quarantine.height == 0
    rec = r.records.row(0, named=True)
    assert rec["beschikkingssoort"] is None and rec["oplossing_soort"] is None
    assert rec["begeleiding"] == [{"soort": None, "startdatum": D(2024, 2, 1), "einddatum": None}]
    assert rec["schulden"][0]["schuldsoort"] is None and rec["schulden"][0]["bedrag_eur"] == 10
    assert r.schema_findings["melding"].str.contains("enum").sum() >= 4


@pytest.mark.parametrize("extra, veld", [
    ({"intake": {"startdatum": "2024-02-30"}}, "intake.startdatum"),
    ({"intake": {"beschikkingsdatum": "01-03-2024"}}, "intake.beschikkingsdatum"),
    ({"begeleiding": [{"soort": "Budgetbeheer", "startdatum": "2024-1-5"}]}, "begeleiding[].startdatum"),
    ({"begeleiding": [{"soort": "Budgetbeheer"}, {"soort": "Budgetbeheer", "einddatum": 20240101}]}, "begeleiding[].einddatum"),
])
def test_new_dates_that_are_not_real_dates_quarantine(landing, extra, veld):
    put(landing, "a.json", document(traject(BSNS[0], **extra)))
    q = run(landing).quarantine
    assert q["reden_code"].to_list() == ["datum_ongeldig"] and veld in q["reden_tekst"][0]


@pytest.mark.parametrize("extra, veld", [
    ({"intake": {"startdatum": "2025-07-01"}}, "intake.startdatum"),
    ({"intake": {"beschikkingsdatum": "2026-01-01"}}, "intake.beschikkingsdatum"),
    ({"begeleiding": [{"soort": "Budgetbeheer", "startdatum": "2024-01-05", "einddatum": "2025-07-01"}]}, "begeleiding[].einddatum"),
])
def test_new_dates_after_the_peildatum_quarantine(landing, extra, veld):
    put(landing, "a.json", document(traject(BSNS[0], **extra)))
    q = run(landing).quarantine  # PEIL is 2025-06-30
    assert q["reden_code"].to_list() == ["datum_in_toekomst"] and veld in q["reden_tekst"][0]


def test_clients_sex_and_masked_birth_date(landing):
    clients = [{"Burgerservicenummer": BSNS[1], "Geboortedatum": "1980-02-29", "Geslachtsaanduiding": " v "},
               {"Burgerservicenummer": BSNS[0], "Geboortedatum": "1980-02-30", "Geslachtsaanduiding": "Onbekend"}]
    rec = _one(landing, traject(BSNS[0], client=clients))
    assert len(rec["geslachten"]) == len(rec["geboortedata_gemaskeerd"]) == len(rec["persoon_ids"]) == 2
    ids = pl.Series(rec["persoon_ids"])
    born = unmask(ids, pl.Series(rec["geboortedata_gemaskeerd"]), KEY).to_list()
    assert sorted(zip(rec["geslachten"], born), key=str) == sorted([("vrouw", D(1980, 2, 29)), (None, None)], key=str)
    # the staging value is no date: not the day number, and another key reads another date
    masked = [m for m in rec["geboortedata_gemaskeerd"] if m is not None][0]
    assert masked != (D(1980, 2, 29) - D(1970, 1, 1)).days
    other = unmask(ids, pl.Series(rec["geboortedata_gemaskeerd"]), b"another-key-0123456789abcdefghijk").drop_nulls()
    assert other.to_list() != [D(1980, 2, 29)]


@pytest.mark.parametrize("text, sex", [("M", "man"), (" man ", "man"), ("MAN", "man"), ("V", "vrouw"), ("Vrouw", "vrouw"),
                                       ("Onbekend", None), ("Leeg", None), ("x", None), (7, None)])
def test_sex_spellings(landing, text, sex):
    rec = _one(landing, traject(BSNS[0], client=[{"Burgerservicenummer": BSNS[0], "Geslachtsaanduiding": text}]))
    assert rec["geslachten"] == [sex]


def test_debts_creditor_identity_and_private_persons(landing):
    schulden = [
        {"schuldsoort": "Zorg", "bedrag": 120, "zakelijkeSchuld": False,
         "schuldeiser": {"naam": "Zilveren Kruis", "kvknummer": " 30208633 ", "privepersoon": False}},
        {"schuldsoort": "nuts", "bedrag": 80.0, "schuldeiser": {"Naam": "  Eneco  "}},  # no kvk: hash of 'eneco'
        {"schuldsoort": "Overig", "bedrag": "veel", "zakelijkeSchuld": True,
         "schuldeiser": {"naam": " ", "Naam": "J. de Vries", "postcode": "2511AB", "kvknummer": "87654321", "privepersoon": True}},
        {"schuldsoort": "Publiek", "schuldeiser": {"kvknummer": "123"}},  # neither a usable kvk nor a name
    ]
    put(landing, "a.json", document(traject(BSNS[0], schulden=schulden)))
    r = run(landing)
    got = r.records.row(0, named=True)["schulden"]
    assert got == [
        {"schuldsoort": "Zorg", "bedrag_eur": 120, "zakelijk": False, "schuldeiser_id": "30208633"},
        {"schuldsoort": "Nuts", "bedrag_eur": 80, "zakelijk": None, "schuldeiser_id": name_hash("eneco")},
        {"schuldsoort": "Overig", "bedrag_eur": None, "zakelijk": True, "schuldeiser_id": name_hash("j. de vries")},
        {"schuldsoort": "Publiek", "bedrag_eur": None, "zakelijk": None, "schuldeiser_id": None},
    ]
    text = json.dumps(r.records.to_dicts(), default=str) + json.dumps(r.quarantine.to_dicts(), default=str)
    assert "Vries" not in text and "87654321" not in text and "2511AB" not in text


# --- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize("product, oplossing, soort", [
    ("SK", "Saneringskrediet", None), (" msr ", "Schuldbemiddeling", None), ("BBH", None, "Budgetbeheer"),
    ("bbg", None, "Budgetbegeleiding"), ("STAB", None, None), ("IA", None, None),
])
def test_csv_product_gives_solution_or_one_guidance_row(landing, product, oplossing, soort):
    r = read(landing, csv_text(line(Product=product, Datum_eerste_gesprek="05-02-2023", Einddatum="01-06-2024")))
    rec = r.records.row(0, named=True)
    assert rec["oplossing_soort"] == oplossing and rec["eerste_gesprek_datum"] == D(2023, 2, 5)
    assert rec["crisis"] is None and rec["beschikkingsdatum"] is None and rec["schulden"] == []
    want = [{"soort": soort, "startdatum": D(2023, 2, 15), "einddatum": D(2024, 6, 1)}] if soort else []
    assert rec["begeleiding"] == want


@pytest.mark.parametrize("text, born", [("29-02-1980", D(1980, 2, 29)), ("00-00-0000", None), ("", None), ("1980-02-29", None)])
def test_csv_birth_date_is_masked_and_never_quarantines(landing, text, born):
    r = read(landing, csv_text(line(Geboortedatum=text)))
    rec = r.records.row(0, named=True)
    assert rec["geslachten"] == [None]
    assert unmask(pl.Series(rec["persoon_ids"]), pl.Series(rec["geboortedata_gemaskeerd"]), KEY).to_list() == [born]


# --- the age class ----------------------------------------------------------------------------


@pytest.mark.parametrize("born, on, klasse", [
    (D(1998, 5, 10), D(2025, 5, 10), "27 tot 45"), (D(1998, 5, 10), D(2025, 5, 9), "tot 27"),
    (D(1980, 5, 10), D(2025, 5, 10), "45 tot 65"), (D(1980, 5, 10), D(2025, 5, 9), "27 tot 45"),
    (D(1960, 1, 1), D(2025, 1, 1), "65 of ouder"), (D(1960, 1, 1), D(2024, 12, 31), "45 tot 65"),
    (D(1996, 2, 29), D(2023, 2, 28), "tot 27"), (D(1996, 2, 29), D(2023, 3, 1), "27 tot 45"),
    (D(1996, 2, 29), D(2024, 2, 29), "27 tot 45"), (None, D(2024, 1, 1), "onbekend"),
])
def test_age_class_on_birthdays_and_29_february(born, on, klasse):
    df = pl.DataFrame({"b": [born], "t": [on]}, schema={"b": pl.Date, "t": pl.Date})
    assert df.select(leeftijdsklasse(pl.col("b"), pl.col("t"))).item() == klasse == reference_class(born, on)


def test_mask_round_trip_and_nulls():
    ids = pl.Series(["a" * 64, "b" * 64, "a" * 64])
    dates = pl.Series([D(1931, 7, 4), None, D(2003, 12, 31)], dtype=pl.Date)
    masked = mask(ids, dates, KEY)
    assert masked.dtype == pl.Int64 and masked[1] is None
    assert unmask(ids, masked, KEY).to_list() == dates.to_list()


# --- the generator places the bound cases ------------------------------------------------------


def test_working_days_follow_the_algemene_termijnenwet():
    assert D(2025, 4, 21) in proces.holidays(2025)  # Easter Monday
    assert D(2025, 5, 29) in proces.holidays(2025) and D(2025, 6, 9) in proces.holidays(2025)  # Ascension, Whit Monday
    assert D(2025, 4, 26) in proces.holidays(2025) and D(2025, 4, 27) not in proces.holidays(2025)  # King's Day on a Sunday
    assert D(2025, 4, 18) not in proces.holidays(2025)  # Good Friday is a working day
    cal = proces.Calendar(proces._day(D(2024, 1, 1)), proces._day(D(2026, 12, 31)))
    third = lambda d: D(1970, 1, 1) + dt.timedelta(days=int(cal.nth_after(pl.Series([proces._day(d)]).to_numpy(), 3)[0]))  # noqa: E731
    assert third(D(2025, 4, 17)) == D(2025, 4, 23)  # Thu: Fri 18, (Easter Monday 21), Tue 22, Wed 23
    assert third(D(2025, 5, 2)) == D(2025, 5, 8)  # Fri: (5 May) Tue 6, Wed 7, Thu 8
    assert third(D(2024, 12, 23)) == D(2024, 12, 30)  # Mon: Tue 24, (25, 26), Fri 27, Mon 30


def test_world_holds_the_bound_cases():
    w = simulate(3000, 4, dt.date(2026, 6, 30))
    t = w.trajecten.filter(~pl.col("is_ia"))
    wait = (pl.col("gesprek") - pl.col("aanmelding")).dt.total_days()
    assert set(t.filter(~pl.col("crisis"))["gesprek"].is_not_null().to_list()) == {True}
    assert {27, 28, 29} <= set(t.filter(~pl.col("crisis")).select(wait).to_series().to_list())
    decided = t.filter(pl.col("beschikking").is_not_null()).select((pl.col("beschikking") - pl.col("gesprek")).dt.total_days())
    assert {55, 56, 57} <= set(decided.to_series().to_list())
    # crisis requests whose window holds each kind of holiday
    crisis = t.filter("crisis").select("aanmelding", "gesprek").rows()
    holidays = [(h, y) for y in range(2016, 2026) for h in proces.holidays(y)]
    hit = {(h.month, h.day) if h.month in (1, 4, 5, 12) else "beweeglijk" for h, _ in holidays
           if any(a < h <= g for a, g in crisis)}
    assert {(12, 25), (5, 5), (4, 26)} <= hit or {(12, 25), (5, 5), (4, 27)} <= hit
    assert D(2025, 4, 26) in {h for h, _ in holidays if any(a < h <= g for a, g in crisis)}  # King's Day 2025 (a Saturday)
    # budgetbeheer then budgetbegeleiding: within, on and just past 3 months
    beg = t.filter(pl.col("begeleiding_start").is_not_null()).select(
        "begeleiding_start", bound=pl.col("beheer_eind").dt.offset_by("3mo"))
    diffs = set(beg.select((pl.col("begeleiding_start") - pl.col("bound")).dt.total_days()).to_series().to_list())
    assert {-1, 0, 1} <= diffs and min(diffs) < -1 and max(diffs) > 1
    # debts: all three kinds of creditor
    assert set(w.schulden["eiser"]) == {0, 1, 2}
    # birth dates on the bounds and on 29 February
    born = w.personen["geboortedatum"]
    assert ((born.dt.month() == 2) & (born.dt.day() == 29)).sum() > 0
