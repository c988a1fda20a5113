"""DDAS JSON files (sources.md §1, model.md §1-§3): read_ddas on files built here."""
from __future__ import annotations

import collections
import copy
import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import orjson
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import assets.common.bsn as bsn_module
from assets.common.bsn import is_valid_bsn, pseudonym
from assets.common.reference import gemeentecodes
from assets.ingest.ddas_json import RAW_SCHEMA, decode_records, parse_aanleverdatum, read_ddas
from assets.ingest.ddas_schema_check import json_pad, schema_findings
from assets.ingest.inventory import inventory, to_read
from schemas.ddas_json import DdasRuwBegeleiding, DdasRuwSchuld, DdasRuwClient, DdasRuwRecord
from schemas.quality import Leveringen, Quarantaine, SchemaAfwijkingen
from schemas.records import TrajectRecord
from tests.conftest import TEST_KEY, valid_bsns

KEY = TEST_KEY.encode()
PEIL = dt.date(2025, 6, 30)
OFFICIAL = Path("/work/shared/ddas/v1.0")
BSNS = valid_bsns(40, seed=21)
ZERO_BSN = next(b for b in valid_bsns(400, seed=13) if b.startswith("0") and b[1] != "0")
DATE_FIELDS = [
    ("aanmelding", "startdatum"), (None, "startdatum"), (None, "einddatum"),
    ("uitstroom", "datum"), ("informatieEnAdvies", "startdatum"), ("nazorg", "startdatum"),
]


# --- builders ----------------------------------------------------------------------


def traject(*bsns, gemeente="GM0518", aanmelding="2024-01-10", **extra) -> dict:
    t = {"gemeentecode": gemeente, "client": [{"Burgerservicenummer": b} for b in bsns],
         "aanmelding": {"startdatum": aanmelding}, "schuldregeling": {"datum": aanmelding}}
    t.update(extra)
    return t


def document(*trajecten, aanlever="2025-01-15T09:00:00+01:00", einde="2024-12-31", leveringen=None) -> dict:
    return {
        "startdatumLevering": "2024-01-01",
        "einddatumLevering": einde,
        "aanleverdatumEnTijd": aanlever,
        "codeGegevensleverancier": "GL000001",
        "leveringen": leveringen if leveringen is not None else [
            {"teller": 1, "aanleverende_organisatie": {"(Statutaire) Naam": "Test"}, "schuldhulptrajecten": list(trajecten)}
        ],
    }


def put(landing: Path, name: str, content) -> Path:
    path = landing / "ddas" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content, indent=1).encode())
    return path


def run(landing: Path, peildatum=PEIL):
    return read_ddas(to_read(inventory(landing), "ddas"), peildatum, KEY)


def only_code(landing: Path, t, peildatum=PEIL) -> str | None:
    """The reason code of a single trajectory (None: accepted)."""
    put(landing, "a.json", document(t))
    r = run(landing, peildatum)
    assert r.ledger["records_gelezen"].to_list() == [1]
    return r.quarantine["reden_code"].to_list()[0] if r.quarantine.height else None


def check_frames(r) -> None:
    """Every output frame has its contract schema; the ledger reconciles."""
    Leveringen.validate(r.ledger)
    Quarantaine.validate(r.quarantine)
    SchemaAfwijkingen.validate(r.schema_findings)
    TrajectRecord.validate(r.records)
    per_file = r.quarantine.group_by("bestand").len()
    for row in r.ledger.iter_rows(named=True):
        q = per_file.filter(pl.col("bestand") == row["bestand"])["len"].sum()
        a = r.records.filter(pl.col("bestand") == row["bestand"]).height
        assert row["records_gequarantaineerd"] == q and row["records_geaccepteerd"] == a
        assert row["records_gelezen"] == a + q


def strings_in(r) -> list[str]:
    out = []
    for frame in (r.records, r.quarantine, r.schema_findings, r.ledger):
        for col, dtype in frame.schema.items():
            if dtype == pl.Utf8:
                out += [v for v in frame[col].to_list() if v is not None]
            elif dtype == pl.List(pl.Utf8):
                out += [v for vs in frame[col].to_list() for v in vs if v is not None]
            elif isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):  # begeleiding, schulden
                out += [str(v) for vs in frame[col].to_list() for e in vs for v in e.values() if v is not None]
    return out


# --- the official examples ---------------------------------------------------------


def copy_examples(landing: Path, transform=None) -> dict[str, dict]:
    docs = {}
    for f in sorted(OFFICIAL.glob("*Voorbeeld*.json")):
        doc = orjson.loads(f.read_bytes())
        if transform:
            doc = transform(doc)
        put(landing, f.name, doc if transform else f.read_bytes())
        docs[f.name] = doc
    return docs


def test_official_examples_load_and_every_record_has_an_invalid_bsn(landing):
    copy_examples(landing)
    r = run(landing)
    check_frames(r)
    assert r.ledger["status"].to_list() == ["geladen"] * 6
    assert r.ledger["records_gelezen"].sum() == 31 and r.records.height == 0
    assert set(r.quarantine["reden_code"]) == {"bsn_ongeldig"} and r.quarantine.height == 31
    assert r.ledger["leverdatum"].to_list() == [dt.date(2024, 12, 31)] * 6
    # The extended example deviates from the schema (extra top-level keys, null dates, enums).
    findings = r.schema_findings
    assert set(findings["bestand"]) == {"ddas/UitgebreidMeervoudigVoorbeeld.json"}
    assert findings.height == 12
    assert ("$", "additionalProperties: eigenschap niet toegestaan [$schema, $id, title]") in findings.select("json_pad", "melding").rows()


def _valid_copy(doc: dict) -> dict:
    """The same example with valid BSNs (same BSN -> same replacement) and GM0518."""
    doc = copy.deepcopy(doc)
    seen: dict[str, str] = {}
    for lev in doc["leveringen"]:
        for t in lev["schuldhulptrajecten"]:
            t["gemeentecode"] = "GM0518"
            for c in t["client"]:
                c["Burgerservicenummer"] = seen.setdefault(c["Burgerservicenummer"], BSNS[len(seen)])
    return doc


def test_official_examples_with_valid_bsns_are_accepted_except_the_unknown_reason(landing):
    copy_examples(landing, _valid_copy)
    r = run(landing)
    check_frames(r)
    assert r.ledger["records_gelezen"].sum() == 31
    assert r.quarantine.rows() == [(
        "ddas", "ddas/UitgebreidMeervoudigVoorbeeld.json", "leveringen[0].schuldhulptrajecten[2]",
        "reden_onbekend", "reden van uitstroom/einde staat niet in de mappingtabel",
    )]
    assert r.records.height == 30
    assert set(r.records["gemeentecode"]) == {"GM0518"}
    assert r.records["aanlevertijdstip"].to_list()[0] == dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)
    done = r.records.filter(pl.col("uitstroomreden") == "Afgerond")
    assert done.height >= 1 and done["einddatum"].null_count() == 0


def test_records_are_sorted_and_located(landing):
    put(landing, "b.json", document(leveringen=[
        {"teller": 1, "schuldhulptrajecten": [traject(BSNS[0]), traject(BSNS[1])]},
        {"teller": 2, "schuldhulptrajecten": [traject(BSNS[2])]},
    ]))
    put(landing, "sub/a.json", document(traject(BSNS[3])))
    r = run(landing)
    check_frames(r)
    assert r.records.select("bestand", "locatie", "levering_index", "record_index").rows() == [
        ("ddas/b.json", "leveringen[0].schuldhulptrajecten[0]", 0, 0),
        ("ddas/b.json", "leveringen[0].schuldhulptrajecten[1]", 0, 1),
        ("ddas/b.json", "leveringen[1].schuldhulptrajecten[0]", 1, 0),
        ("ddas/sub/a.json", "leveringen[0].schuldhulptrajecten[0]", 0, 0),
    ]


# --- refusals and the order of steps 3 and 4 ----------------------------------------


REFUSED = {
    "invalid_json": b'{"leveringen": [}',
    "truncated": json.dumps(document(traject("111222333"))).encode()[:-40],
    "empty": b"",
    "whitespace": b"  \n ",
    "not_utf8": json.dumps(document(traject("111222333"), aanlever="2025-01-15T09:00:00Z")).replace("Test", "T\u00e9st").encode("latin-1"),
    "top_level_array": b"[1, 2]",
    "no_leveringen": json.dumps({k: v for k, v in document().items() if k != "leveringen"}).encode(),
    "leveringen_object": json.dumps({**document(), "leveringen": {"teller": 1}}).encode(),
    "no_timestamp": json.dumps({k: v for k, v in document(traject("111222333")).items() if k != "aanleverdatumEnTijd"}).encode(),
    "timestamp_without_offset": json.dumps(document(traject("111222333"), aanlever="2025-01-15T09:00:00")).encode(),
    "timestamp_date_only": json.dumps(document(aanlever="2025-01-15")).encode(),
    "timestamp_not_real": json.dumps(document(aanlever="2025-02-30T09:00:00Z")).encode(),
    "timestamp_bad_offset": json.dumps(document(aanlever="2025-01-15T09:00:00+25:00")).encode(),
    "timestamp_number": json.dumps(document(aanlever=20250115)).encode(),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unreadable_files_are_refused_with_a_reason_and_no_counts(landing, case):
    put(landing, "x.json", REFUSED[case])
    r = run(landing)
    check_frames(r)
    row = r.ledger.row(0, named=True)
    assert row["status"] == "geweigerd" and row["reden"]
    assert (row["records_gelezen"], row["records_geaccepteerd"], row["records_gequarantaineerd"]) == (0, 0, 0)
    assert "111222333" not in row["reden"] and "Test" not in row["reden"]
    assert r.records.height == 0 and r.quarantine.height == 0 and r.schema_findings.height == 0


def test_refusal_reasons_say_what_is_wrong(landing):
    for name in ("empty", "truncated", "not_utf8", "invalid_json", "no_leveringen", "timestamp_without_offset"):
        put(landing, f"{name}.json", REFUSED[name])
    reden = dict(run(landing).ledger.select("bestand", "reden").rows())
    assert "leeg" in reden["ddas/empty.json"]
    assert "onvolledig" in reden["ddas/truncated.json"]
    assert "UTF-8" in reden["ddas/not_utf8.json"]
    assert "geen geldige JSON" in reden["ddas/invalid_json.json"]
    assert "leveringen" in reden["ddas/no_leveringen.json"]
    assert "aanleverdatumEnTijd" in reden["ddas/timestamp_without_offset.json"]


def test_a_bom_is_tolerated(landing):
    put(landing, "bom.json", b"\xef\xbb\xbf" + json.dumps(document(traject(BSNS[0]))).encode())
    r = run(landing)
    assert r.ledger["status"].to_list() == ["geladen"] and r.records.height == 1


def test_future_timestamp_wins_over_refusal_but_an_unreadable_timestamp_goes_on_to_step_4(landing):
    future = "2025-07-01T08:00:00+02:00"
    put(landing, "a_future_no_leveringen.json", {k: v for k, v in document(aanlever=future).items() if k != "leveringen"})
    put(landing, "b_future_truncated.json", json.dumps(document(traject(BSNS[0]), aanlever=future)).encode()[:-30])
    put(landing, "c_future_no_offset.json", document(traject(BSNS[0]), aanlever="2025-07-01T08:00:00"))
    put(landing, "d_future.json", document(traject(BSNS[0]), aanlever=future))
    put(landing, "e_past_no_leveringen.json", {k: v for k, v in document().items() if k != "leveringen"})
    r = run(landing)
    check_frames(r)
    rows = {b: (s, ld) for b, s, ld in r.ledger.select("bestand", "status", "leverdatum").rows()}
    assert rows["ddas/a_future_no_leveringen.json"] == ("toekomstig", dt.date(2025, 7, 1))
    assert rows["ddas/b_future_truncated.json"] == ("geweigerd", None)
    assert rows["ddas/c_future_no_offset.json"] == ("geweigerd", None)
    assert rows["ddas/d_future.json"] == ("toekomstig", dt.date(2025, 7, 1))
    assert rows["ddas/e_past_no_leveringen.json"] == ("geweigerd", dt.date(2025, 1, 15))
    assert r.ledger.filter(pl.col("status") == "toekomstig")["reden"].null_count() == 0
    assert r.records.height == 0 and r.schema_findings.height == 0


def test_the_delivery_date_is_the_date_as_written_not_the_utc_date(landing):
    # 00:30 at +02:00 on 1 July is still 30 June in UTC, but the date as written counts.
    put(landing, "a.json", document(traject(BSNS[0]), aanlever="2025-07-01T00:30:00+02:00"))
    # 23:30 at -02:00 on 30 June is 1 July in UTC: loaded, dated 30 June.
    put(landing, "b.json", document(traject(BSNS[1]), aanlever="2025-06-30T23:30:00.123456789-02:00"))
    r = run(landing)
    assert r.ledger.select("status", "leverdatum").rows() == [
        ("toekomstig", dt.date(2025, 7, 1)), ("geladen", dt.date(2025, 6, 30)),
    ]
    assert r.records["aanlevertijdstip"].to_list() == [dt.datetime(2025, 7, 1, 1, 30, 0, 123456, tzinfo=dt.timezone.utc)]


@pytest.mark.parametrize("text,expected", [
    ("2024-12-31T23:59:59Z", (dt.date(2024, 12, 31), dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc))),
    ("2024-12-31t23:59:59z", (dt.date(2024, 12, 31), dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc))),
    ("2024-12-31T23:59:60Z", (dt.date(2024, 12, 31), dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))),
    ("2024-01-01T00:00:00+05:30", (dt.date(2024, 1, 1), dt.datetime(2023, 12, 31, 18, 30, tzinfo=dt.timezone.utc))),
    ("2024-12-31 23:59:59Z", None), ("2024-12-31T23:59Z", None), ("2024-12-31T24:00:00Z", None),
    ("2024-12-31T23:59:59+0100", None), ("", None), (None, None),
])
def test_parse_aanleverdatum(text, expected):
    assert parse_aanleverdatum(text) == expected


# --- one test per reason code -------------------------------------------------------


def _set(t: dict, obj: str | None, field: str, value) -> dict:
    if obj is None:
        t[field] = value
    else:
        t.setdefault(obj, {})[field] = value
    return t


@pytest.mark.parametrize("t", [
    {"gemeentecode": "GM0518", "aanmelding": {"startdatum": "2024-01-10"}},
    traject(),
    {**traject(), "client": None},
    {**traject(), "client": {"Burgerservicenummer": BSNS[0]}},
    {**traject(), "client": [{}]},
    {**traject(), "client": [{"Burgerservicenummer": None}]},
    traject("   "),
    traject(BSNS[0], ""),
    {**traject(), "client": ["tekst"]},
    {**traject(), "client": [None]},
    "geen object",
    None,
], ids=lambda t: json.dumps(t)[:40])
def test_bsn_ontbreekt(landing, t):
    assert only_code(landing, t) == "bsn_ontbreekt"


def test_clienten_ongeldig_with_three_distinct_clients(landing):
    assert only_code(landing, traject(BSNS[0], BSNS[1], BSNS[2])) == "clienten_ongeldig"


def test_bsn_ontbreekt_comes_before_clienten_ongeldig(landing):
    assert only_code(landing, traject(BSNS[0], BSNS[1], BSNS[2], "")) == "bsn_ontbreekt"


@pytest.mark.parametrize("bsns", [
    ("123456789",), (BSNS[0], "123456789"), ("000000000",), ("12345678X",), ("1234567",), (BSNS[0][:-1] + "x",),
])
def test_bsn_ongeldig(landing, bsns):
    assert only_code(landing, traject(*bsns)) == "bsn_ongeldig"


def test_bsn_as_boolean_or_negative_number_is_invalid(landing):
    for value in (True, -int(BSNS[0]), 1.5):
        t = traject()
        t["client"] = [{"Burgerservicenummer": value}]
        assert only_code(landing, t) == "bsn_ongeldig"


def test_clients_one_two_and_the_same_bsn_twice(landing):
    spaced = f"{BSNS[1][:3]} {BSNS[1][3:6]}.{BSNS[1][6:]}"
    put(landing, "a.json", document(
        traject(BSNS[0]),
        traject(BSNS[0], BSNS[1]),
        traject(BSNS[1], spaced),                       # the same BSN twice is one client
        traject(ZERO_BSN, ZERO_BSN[1:], BSNS[2]),        # lost leading zero: still two clients
        {**traject(), "client": [None, {"Burgerservicenummer": BSNS[3]}]},  # a null client is absent
        {**traject(), "client": [{"Burgerservicenummer": int(ZERO_BSN)}]},  # a JSON number: its digits
    ))
    r = run(landing)
    check_frames(r)
    assert r.quarantine.height == 0
    pid = {b: pseudonym(b, KEY) for b in (*BSNS[:4], ZERO_BSN)}
    assert r.records["persoon_ids"].to_list() == [
        [pid[BSNS[0]]],
        sorted([pid[BSNS[0]], pid[BSNS[1]]]),
        [pid[BSNS[1]]],
        sorted([pid[ZERO_BSN], pid[BSNS[2]]]),
        [pid[BSNS[3]]],
        [pid[ZERO_BSN]],
    ]


@pytest.mark.parametrize("gemeente", [None, "GM9999", "GM518", "GM05180", "Gemeente", "", 518, "MISSING"])
def test_gemeente_onbekend(landing, gemeente):
    t = traject(BSNS[0])
    if gemeente == "MISSING":
        del t["gemeentecode"]
    else:
        t["gemeentecode"] = gemeente
    assert only_code(landing, t) == "gemeente_onbekend"


def test_onbekend_and_code_matching_is_trimmed_and_case_insensitive(landing):
    put(landing, "a.json", document(
        traject(BSNS[0], gemeente=" Onbekend "), traject(BSNS[1], gemeente="ONBEKEND"),
        traject(BSNS[2], gemeente=" gm0518 "), traject(BSNS[3], gemeente="GM0363"),
    ))
    r = run(landing)
    check_frames(r)
    assert r.records["gemeentecode"].to_list() == [None, None, "GM0518", "GM0363"]


@pytest.mark.parametrize("field", DATE_FIELDS, ids=lambda f: ".".join(x for x in f if x))
@pytest.mark.parametrize("value", ["2024-02-30", "2024-1-05", "05-01-2024", "20240105", "2024-01-05T00:00:00", "", "  ", 20240105, True, {}])
def test_datum_ongeldig(landing, field, value):
    t = traject(BSNS[0])
    _set(t, *field, value)
    put(landing, "a.json", document(t))
    r = run(landing)
    assert r.quarantine["reden_code"].to_list() == ["datum_ongeldig"]
    veld = ".".join(x for x in field if x)
    assert r.quarantine["reden_tekst"].to_list()[0].endswith(f"({veld})")


def test_dates_are_trimmed(landing):
    assert only_code(landing, traject(BSNS[0], aanmelding=" 2024-01-10 ")) is None


def test_datum_ongeldig_comes_after_gemeente_onbekend(landing):
    t = traject(BSNS[0], gemeente="GM9999", einddatum="2024-02-30")
    assert only_code(landing, t) == "gemeente_onbekend"


def test_geen_startdatum(landing):
    t = traject(BSNS[0])
    del t["aanmelding"]
    assert only_code(landing, t) == "geen_startdatum"
    assert only_code(landing, {**t, "aanmelding": {"startdatum": None}, "einddatum": "2024-05-01"}) == "geen_startdatum"


@pytest.mark.parametrize("start", [("startdatum", None), ("startdatum", "informatieEnAdvies")])
def test_each_start_field_is_enough(landing, start):
    field, obj = start
    t = traject(BSNS[0])
    del t["aanmelding"]
    _set(t, obj, field, "2024-03-01")
    assert only_code(landing, t) is None


@pytest.mark.parametrize("reden", ["Zelfstandig verder", "Onbekend", "", 5])
def test_reden_onbekend(landing, reden):
    t = traject(BSNS[0], einddatum="2024-06-30", uitstroom={"datum": "2024-06-30", "reden": reden})
    assert only_code(landing, t) == "reden_onbekend"


def test_reden_onbekend_comes_before_reden_zonder_einde(landing):
    assert only_code(landing, traject(BSNS[0], uitstroom={"reden": "Zelfstandig verder"})) == "reden_onbekend"


def test_reden_zonder_einde(landing):
    assert only_code(landing, traject(BSNS[0], uitstroom={"reden": "Afgerond"})) == "reden_zonder_einde"
    assert only_code(landing, traject(BSNS[0], uitstroom={"reden": "Afgerond", "datum": None}, einddatum=None)) == "reden_zonder_einde"


def test_a_reason_with_either_end_date_is_fine(landing):
    assert only_code(landing, traject(BSNS[0], uitstroom={"reden": " afgerond ", "datum": "2024-06-30"})) is None
    assert only_code(landing, traject(BSNS[0], uitstroom={"reden": "Zelf"}, einddatum="2024-06-30")) is None


def test_einde_voor_start(landing):
    assert only_code(landing, traject(BSNS[0], einddatum="2024-01-09")) == "einde_voor_start"
    # the end is einddatum, else uitstroom.datum; the start the earliest start field
    assert only_code(landing, traject(BSNS[0], uitstroom={"datum": "2024-01-01"})) == "einde_voor_start"
    assert only_code(landing, traject(BSNS[0], einddatum="2024-01-10", uitstroom={"datum": "2024-01-01"})) is None
    assert only_code(landing, traject(BSNS[0], aanmelding="2024-01-10", startdatum="2023-12-01", einddatum="2024-01-05")) is None


@pytest.mark.parametrize("field", DATE_FIELDS, ids=lambda f: ".".join(x for x in f if x))
def test_datum_in_toekomst(landing, field):
    t = traject(BSNS[0])
    _set(t, *field, "2025-07-01")
    if field == ("aanmelding", "startdatum"):
        t["startdatum"] = "2024-01-10"
    if field in ((None, "einddatum"), ("uitstroom", "datum")):
        pass  # an end after the start, but after the peildatum
    put(landing, "a.json", document(t))
    r = run(landing)
    assert r.quarantine.select("reden_code", "reden_tekst").rows() == [
        ("datum_in_toekomst", f"een datumveld ligt na de peildatum ({'.'.join(x for x in field if x)})")
    ]


def test_the_peildatum_itself_is_not_the_future(landing):
    assert only_code(landing, traject(BSNS[0], aanmelding="2025-06-30")) is None


def test_first_applicable_reason_wins(landing):
    put(landing, "a.json", document(
        traject("123456789", gemeente="GM9999"),                         # bsn_ongeldig before gemeente
        traject(BSNS[0], einddatum="2024-13-01", uitstroom={"reden": "x"}),  # datum before reden
        traject(BSNS[0], einddatum="2024-01-01", nazorg={"startdatum": "2026-01-01"}),  # einde_voor_start before toekomst
    ))
    assert run(landing).quarantine["reden_code"].to_list() == ["bsn_ongeldig", "datum_ongeldig", "einde_voor_start"]


# --- tolerant reading ----------------------------------------------------------------


def test_null_is_absent(landing):
    t = traject(BSNS[0], startdatum=None, einddatum=None, uitstroom=None, nazorg={"startdatum": None},
                informatieEnAdvies=None, totaalSchuldbedragBijAanvangSchuld=None, intake=None, begeleiding=None)
    t["client"][0]["Geboortedatum"] = None
    put(landing, "a.json", document(t))
    r = run(landing)
    check_frames(r)
    rec = r.records.row(0, named=True)
    assert rec["einddatum"] is None and rec["uitstroomreden"] is None and rec["nazorg_startdatum"] is None
    assert rec["startdatum"] == dt.date(2024, 1, 10) and rec["schuldbedrag_eur"] is None
    # ... and every null is a schema finding (the schema wants a string or an object there)
    assert r.schema_findings.height >= 6


def test_extra_keys_are_ignored_and_reported(landing):
    t = traject(BSNS[0], onbekendVeld={"x": 1}, nazorg={"startdatum": "2024-05-01", "extra": "y"})
    t["client"][0]["Bijnaam"] = "Piet"
    doc = document(t)
    doc["exportversie"] = "3.1"
    put(landing, "a.json", doc)
    r = run(landing)
    check_frames(r)
    assert r.records.height == 1 and r.records["nazorg_startdatum"].to_list() == [dt.date(2024, 5, 1)]
    meldingen = dict(r.schema_findings.select("json_pad", "melding").rows())
    assert meldingen["$"] == "additionalProperties: eigenschap niet toegestaan [exportversie]"
    assert meldingen["$.leveringen[0].schuldhulptrajecten[0]"] == "additionalProperties: eigenschap niet toegestaan [onbekendVeld]"


def test_non_objects_and_leveringen_without_trajectories(landing):
    put(landing, "a.json", document(leveringen=[
        {"teller": 1},                                                 # no schuldhulptrajecten: 0 records
        "geen object",                                                 # 0 records
        {"teller": 3, "schuldhulptrajecten": None},                    # 0 records
        {"teller": 4, "schuldhulptrajecten": {"a": 1}},                # not an array: 0 records
        {"teller": 5, "schuldhulptrajecten": [traject(BSNS[0]), 7, {**traject(BSNS[1]), "aanmelding": "x", "startdatum": "2024-02-01"}]},
    ]))
    r = run(landing)
    check_frames(r)
    assert r.ledger["records_gelezen"].to_list() == [3]
    assert r.records["locatie"].to_list() == ["leveringen[4].schuldhulptrajecten[0]", "leveringen[4].schuldhulptrajecten[2]"]
    assert r.quarantine.select("locatie", "reden_code").rows() == [("leveringen[4].schuldhulptrajecten[1]", "bsn_ontbreekt")]
    assert r.records["aanmelddatum"].to_list() == [dt.date(2024, 1, 10), dt.date(2024, 2, 1)]


def test_an_empty_leveringen_array_loads_with_zero_records(landing):
    put(landing, "a.json", document(leveringen=[]))
    r = run(landing)
    check_frames(r)
    assert r.ledger.select("status", "records_gelezen").rows() == [("geladen", 0)]


# --- the fields of an accepted record ----------------------------------------------


def test_record_definitions(landing):
    put(landing, "a.json", document(
        traject(BSNS[0], aanmelding="2024-02-01", startdatum="2024-01-15", einddatum=None,
                uitstroom={"datum": "2024-06-30", "reden": " AFGEROND "}, nazorg={"startdatum": "2024-07-01"},
                totaalSchuldbedragBijAanvangSchuld=12000),
        {**traject(BSNS[1]), "aanmelding": None, "startdatum": "2024-03-01", "einddatum": "2024-09-01",
         "uitstroom": {"datum": "2024-08-01"}, "totaalSchuldbedragBijAanvangSchuld": 1500.0},
        traject(BSNS[2], totaalSchuldbedragBijAanvangSchuld="1500"),
        traject(BSNS[3], totaalSchuldbedragBijAanvangSchuld=12.5),
    ))
    r = run(landing)
    check_frames(r)
    cols = ["aanmelddatum", "startdatum", "einddatum", "uitstroomreden", "nazorg_startdatum", "schuldbedrag_eur", "dossiernr"]
    assert r.records.select(cols).rows() == [
        (dt.date(2024, 2, 1), dt.date(2024, 1, 15), dt.date(2024, 6, 30), "Afgerond", dt.date(2024, 7, 1), 12000, None),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2024, 9, 1), None, None, 1500, None),
        (dt.date(2024, 1, 10), dt.date(2024, 1, 10), None, None, None, None, None),
        (dt.date(2024, 1, 10), dt.date(2024, 1, 10), None, None, None, None, None),
    ]
    assert set(r.records["bron"]) == {"ddas"}


@pytest.mark.parametrize("phases,expected", [
    ({"informatieEnAdvies": {"startdatum": "2024-01-10"}}, True),
    ({"informatieEnAdvies": {"startdatum": "2024-01-10"}, "intake": {"startdatum": None}}, True),
    ({"informatieEnAdvies": {"startdatum": "2024-01-10"}, "begeleiding": []}, True),
    ({"informatieEnAdvies": {"startdatum": "2024-01-10"}, "moratoria": [None]}, True),
    ({"informatieEnAdvies": {"startdatum": "2024-01-10"}, "planVanAanpak": "ja"}, True),
    ({"informatieEnAdvies": {"startdatum": "2024-01-10"}, "begeleiding": [{}]}, False),
    ({"informatieEnAdvies": {"startdatum": "2024-01-10"}, "oplossing": {"soort": "Betalingsregeling"}}, False),
    ({"informatieEnAdvies": {"startdatum": "2024-01-10"}, "voorlopigeVoorzieningen": [{"startdatum": "2024-02-01"}]}, False),
    ({"informatieEnAdvies": {}}, False),
    ({"informatieEnAdvies": {"einddatum": "2024-02-01"}}, True),
    ({}, False),  # only an aanmelding: not I&A only
])
def test_informatie_en_advies_only(landing, phases, expected):
    t = traject(BSNS[0])
    del t["schuldregeling"]
    t.update(phases)
    put(landing, "a.json", document(t))
    assert run(landing).records["is_informatie_advies"].to_list() == [expected]


@pytest.mark.parametrize("einde,horizon", [
    ("2024-12-31", dt.date(2024, 12, 31)),
    (" 2024-11-30 ", dt.date(2024, 11, 30)),
    ("2024-13-01", dt.date(2025, 1, 15)),
    (None, dt.date(2025, 1, 15)),
    (20241231, dt.date(2025, 1, 15)),
])
def test_horizon_is_einddatum_levering_else_the_delivery_date_as_written(landing, einde, horizon):
    put(landing, "a.json", document(traject(BSNS[0]), aanlever="2025-01-15T23:30:00-03:00", einde=einde))
    r = run(landing)
    check_frames(r)
    assert r.records["horizon"].to_list() == [horizon]
    assert r.records["aanlevertijdstip"].to_list() == [dt.datetime(2025, 1, 16, 2, 30, tzinfo=dt.timezone.utc)]


def test_pseudonyms_are_computed_once_per_distinct_bsn(landing, monkeypatch):
    calls = collections.Counter()
    real = bsn_module.pseudonym

    def counting(b, key):
        calls[b] += 1
        return real(b, key)

    monkeypatch.setattr(bsn_module, "pseudonym", counting)
    put(landing, "a.json", document(traject(BSNS[0]), traject(BSNS[0], BSNS[1])))
    put(landing, "b.json", document(traject(BSNS[1]), traject(BSNS[0]), traject("123456789")))
    r = run(landing)
    assert r.records.height == 4
    assert dict(calls) == {BSNS[0]: 1, BSNS[1]: 1}
    assert r.records["persoon_ids"].to_list()[0] == [real(BSNS[0], KEY)]


# --- no raw BSN anywhere -------------------------------------------------------------


def test_no_raw_bsn_in_any_output(landing):
    invalid = ["123456789", "987654321"]
    t_bad = traject(BSNS[5], BSNS[6], BSNS[7])                     # three clients: maxItems finding
    t_num = {**traject(), "client": [{"Burgerservicenummer": int(BSNS[8])}]}  # type finding on a BSN
    t_extra = {**traject(BSNS[9]), BSNS[10]: "sleutel"}             # a BSN as a key
    put(landing, "a.json", document(traject(BSNS[0]), traject(BSNS[1], BSNS[2]), traject(invalid[0]),
                                    traject(BSNS[3], gemeente="GM9999"), t_bad, t_num, t_extra,
                                    traject(invalid[1], einddatum="x")))
    doc = document(traject(BSNS[4]))
    doc[BSNS[11]] = BSNS[12]
    put(landing, "b.json", doc)
    put(landing, "c.json", json.dumps(document(traject(BSNS[13]))).encode()[:-20])
    r = run(landing)
    check_frames(r)
    assert r.records.height >= 3 and r.quarantine.height >= 3 and r.schema_findings.height >= 3
    cells = strings_in(r)
    for b in [*BSNS[:14], *invalid]:
        assert not any(b in c for c in cells), b
    meldingen = dict(r.schema_findings.select("json_pad", "melding").rows())
    assert meldingen["$.leveringen[0].schuldhulptrajecten[4].client"] == "maxItems: hoogstens 2 element(en) toegestaan"
    assert meldingen["$.leveringen[0].schuldhulptrajecten[5].client[0].Burgerservicenummer"] == "type: verwacht string"
    assert "niet getoond" in meldingen["$.leveringen[0].schuldhulptrajecten[6]"]


# --- schema findings -----------------------------------------------------------------


def test_schema_finding_messages_name_keyword_and_constraint_never_the_value():
    t = traject(BSNS[0], einddatum="2024-02-30", uitstroom={"reden": "Zelfstandig verder", "datum": 5})
    doc = document(t, aanlever="2025-01-15T09:00:00")
    doc["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"] = [{"email": "geen-adres"}]
    del doc["leveringen"][0]["teller"]
    f = schema_findings(doc, "x.json")
    SchemaAfwijkingen.validate(f)
    got = dict(f.select("json_pad", "melding").rows())
    assert got == {
        "$.aanleverdatumEnTijd": "format: verwacht een date-time (RFC 3339, bijv. 2024-12-31T23:59:59Z)",
        "$.leveringen[0]": "required: eigenschap 'teller' ontbreekt",
        "$.leveringen[0].aanleverende_organisatie.contactpersonen[0].email": "format: verwacht een email (e-mailadres)",
        "$.leveringen[0].schuldhulptrajecten[0].einddatum": "format: verwacht een date (YYYY-MM-DD)",
        "$.leveringen[0].schuldhulptrajecten[0].uitstroom.datum": "type: verwacht string",
        "$.leveringen[0].schuldhulptrajecten[0].uitstroom.reden": (
            "enum: waarde hoort bij EnumUitstroomreden [Overleden, Verhuisd, Nietverschenen, Ingetrokken, "
            "Niet passend, Overig, Voldoet niet, Afgerond, Zelf]"
        ),
    }
    assert set(f["bestand"]) == {"x.json"}


def test_findings_are_one_row_per_validator_error_in_document_order(landing):
    import jsonschema_rs

    from assets.common.reference import ddas_json_schema

    docs = [orjson.loads(f.read_bytes()) for f in sorted(OFFICIAL.glob("*Voorbeeld*.json"))]
    validator = jsonschema_rs.Draft202012Validator(ddas_json_schema(), validate_formats=True)
    for doc in docs:
        f = schema_findings(doc, "x")
        assert f.height == sum(1 for _ in validator.iter_errors(doc))
    nulls = document(*[traject(BSNS[i % 5], einddatum=None, uitstroom={"reden": None}) for i in range(12)])
    f = schema_findings(nulls, "x")
    assert f.height == 12 * 3
    assert f["json_pad"].to_list()[:3] == [
        "$.leveringen[0].schuldhulptrajecten[0].einddatum",
        "$.leveringen[0].schuldhulptrajecten[0].uitstroom.reden",
        "$.leveringen[0].schuldhulptrajecten[0].uitstroom.reden",
    ]
    assert f["json_pad"].to_list()[-1] == "$.leveringen[0].schuldhulptrajecten[11].uitstroom.reden"


# A small generator of schema-deviating documents: nulls, wrong types, bad formats, extra keys.
_VALUES = st.sampled_from([None, None, "2024-01-10", "2024-02-30", "x", 5, True, [], {}, "Afgerond", [None], {"a": None}])
_KEYS = st.sampled_from(["startdatum", "einddatum", "gemeentecode", "uitstroom", "nazorg", "client", "begeleiding",
                         "totaalSchuldbedragBijAanvangSchuld", "extra", "aanmelding", "intake"])
_SUBKEYS = st.sampled_from(["startdatum", "datum", "reden", "einddatum", "Burgerservicenummer", "soort", "extra"])
_SUB = st.dictionaries(_SUBKEYS, _VALUES, max_size=3)
_TRAJECT = st.dictionaries(_KEYS, st.one_of(_VALUES, _SUB, st.lists(st.one_of(_SUB, st.none()), max_size=3)), max_size=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_TRAJECT, st.none(), st.just(3)), max_size=6),
       st.sampled_from([None, "2024-12-31", 5]), st.booleans())
def test_fast_findings_equal_plain_validation(trajecten, einde, extra_top):
    doc = document(*trajecten, einde=einde)
    if extra_top:
        doc["x"] = None
    before = orjson.dumps(doc)
    fast = schema_findings(doc, "f")
    assert orjson.dumps(doc) == before  # nulls are put back
    plain = schema_findings(doc, "f", fast=False)
    assert fast.equals(plain)
    assert schema_findings(doc, "f", nulls=0).equals(plain)


@given(st.lists(st.one_of(st.integers(0, 20), st.sampled_from(["a", "leveringen", "(Statutaire) Naam", "KvK-nummer", "it's", "a/b", "$id", "_x1"])), max_size=5))
def test_json_pad_reference(parts):
    expected = "$"
    for p in parts:
        if isinstance(p, int):
            expected += f"[{p}]"
        elif p.replace("_", "a").replace("$", "a").isalnum() and not p[0].isdigit() and p.isascii():
            expected += "." + p
        else:
            expected += "['" + p.replace("'", "\\'") + "']"
    assert json_pad(parts) == expected


# --- the raw extraction frame --------------------------------------------------------


def test_raw_extraction_matches_its_pandera_models():
    doc = _valid_copy(orjson.loads((OFFICIAL / "UitgebreidMeervoudigVoorbeeld.json").read_bytes()))
    doc["leveringen"][0]["schuldhulptrajecten"].append({"startdatum": 20240101, "client": [None, 7]})
    columns, clients, begeleiding, schulden = decode_records(doc, "ddas/x.json")
    raw = pl.DataFrame(columns, schema=RAW_SCHEMA)
    DdasRuwRecord.validate(raw)
    DdasRuwClient.validate(clients)
    DdasRuwBegeleiding.validate(begeleiding)
    DdasRuwSchuld.validate(schulden)
    assert raw.height == 6 and clients["rij"].to_list() == [0, 1, 2, 3, 4, 5]
    assert raw["startdatum"].to_list()[-1] == "\x00niet-tekst" and clients["bsn"][-1] is None


def test_no_files_gives_empty_frames_with_the_contract_schemas(landing):
    r = run(landing)
    check_frames(r)
    assert r.ledger.height == r.records.height == r.quarantine.height == r.schema_findings.height == 0


# --- property: counts reconcile and codes match a scalar reference ---------------------


CODES = gemeentecodes()


def _reference_code(t, peil: dt.date) -> str | None:
    """model.md §2 for one trajectory, written out plainly."""
    import re

    if not isinstance(t, dict):
        return "bsn_ontbreekt"
    clients = [c for c in t["client"] if c is not None] if isinstance(t.get("client"), list) else []
    raw = []
    for c in clients:
        b = c.get("Burgerservicenummer") if isinstance(c, dict) else None
        if isinstance(b, int) and not isinstance(b, bool) and b >= 0:
            b = str(b)
        if b is None or (isinstance(b, str) and not b.strip()):
            return "bsn_ontbreekt"
        raw.append(b)
    if not raw:
        return "bsn_ontbreekt"
    norm = []
    for b in raw:
        n = re.sub(r"[\s.\-]", "", b) if isinstance(b, str) else "?"
        norm.append("0" + n if len(n) == 8 else n)
    if len(set(norm)) > 2:
        return "clienten_ongeldig"
    if not all(is_valid_bsn(n) for n in norm):
        return "bsn_ongeldig"
    g = t.get("gemeentecode")
    if not (isinstance(g, str) and (g.strip().upper() in CODES or g.strip().lower() == "onbekend")):
        return "gemeente_onbekend"
    sub = lambda k: t.get(k) if isinstance(t.get(k), dict) else {}  # noqa: E731
    values = {
        "aanmelding.startdatum": sub("aanmelding").get("startdatum"), "startdatum": t.get("startdatum"),
        "einddatum": t.get("einddatum"), "uitstroom.datum": sub("uitstroom").get("datum"),
        "informatieEnAdvies.startdatum": sub("informatieEnAdvies").get("startdatum"),
        "nazorg.startdatum": sub("nazorg").get("startdatum"),
    }
    dates = {}
    for k, v in values.items():
        if v is None:
            dates[k] = None
            continue
        try:
            ok = isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip())
            dates[k] = dt.date.fromisoformat(v.strip()) if ok else None
        except ValueError:
            dates[k] = None
        if dates[k] is None:
            return "datum_ongeldig"
    starts = [d for k, d in dates.items() if k in ("aanmelding.startdatum", "startdatum", "informatieEnAdvies.startdatum") and d]
    if not starts:
        return "geen_startdatum"
    reden = sub("uitstroom").get("reden")
    known = {"overleden", "verhuisd", "nietverschenen", "ingetrokken", "niet passend", "overig", "voldoet niet", "afgerond", "zelf"}
    if reden is not None and not (isinstance(reden, str) and reden.strip().lower() in known):
        return "reden_onbekend"
    end = dates["einddatum"] or dates["uitstroom.datum"]
    if reden is not None and end is None:
        return "reden_zonder_einde"
    if end is not None and end < min(starts):
        return "einde_voor_start"
    if any(d and d > peil for d in dates.values()):
        return "datum_in_toekomst"
    return None


_GOOD = BSNS[:4]
_CLIENT = st.sampled_from([
    None, [], [None], ["x"], [{}], [{"Burgerservicenummer": ""}],
    [{"Burgerservicenummer": _GOOD[0]}], [{"Burgerservicenummer": _GOOD[0]}, {"Burgerservicenummer": _GOOD[1]}],
    [{"Burgerservicenummer": _GOOD[0]}, {"Burgerservicenummer": _GOOD[0]}],
    [{"Burgerservicenummer": b} for b in _GOOD[:3]], [{"Burgerservicenummer": "123456789"}],
    [{"Burgerservicenummer": int(_GOOD[2])}],
])
_DATE = st.sampled_from([None, "2024-01-10", "2024-03-01", "2023-12-01", "2025-07-01", "2024-02-30", "", 7])
_GEMEENTE = st.sampled_from([None, "GM0518", "gm0363 ", "Onbekend", "GM9999", 518])
_REDEN = st.sampled_from([None, "Afgerond", " zelf ", "Zelfstandig verder", 3])
_RECORD = st.one_of(
    st.builds(
        lambda c, g, a, s, e, ud, r, ia, nz: {
            k: v for k, v in {
                "client": c, "gemeentecode": g, "aanmelding": {"startdatum": a}, "startdatum": s, "einddatum": e,
                "uitstroom": {"datum": ud, "reden": r}, "informatieEnAdvies": {"startdatum": ia}, "nazorg": {"startdatum": nz},
            }.items() if v is not None
        },
        _CLIENT, _GEMEENTE, _DATE, _DATE, _DATE, _DATE, _REDEN, _DATE, _DATE,
    ),
    st.sampled_from([None, 1, "x"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.lists(_RECORD, max_size=4), min_size=1, max_size=2), min_size=1, max_size=3))
def test_property_counts_reconcile_and_codes_match_the_reference(files):
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp)
        expected = {}
        for f, leveringen in enumerate(files):
            name = f"ddas/f{f}.json"
            doc = document(leveringen=[{"teller": i, "schuldhulptrajecten": ts} for i, ts in enumerate(leveringen)])
            doc["codeGegevensleverancier"] = f"GL{f}"  # equal files would be duplicates (step 2)
            put(landing, Path(name).name, doc)
            for i, ts in enumerate(leveringen):
                for j, t in enumerate(ts):
                    expected[(name, f"leveringen[{i}].schuldhulptrajecten[{j}]")] = _reference_code(t, PEIL)
        r = run(landing)
        check_frames(r)
        got = {(b, loc): None for b, loc in r.records.select("bestand", "locatie").rows()}
        got.update({(b, loc): code for b, loc, code in r.quarantine.select("bestand", "locatie", "reden_code").rows()})
        assert got == expected
        shutil.rmtree(landing / "ddas")


def test_the_ledger_names_each_loaded_files_supplier_code(tmp_path):
    """codeGegevensleverancier reaches the ledger (for the supplier page): trimmed, digit
    runs masked like file names, empty when absent, not a string, or the file did not load."""
    landing = tmp_path / "landing"
    put(landing, "a.json", {**document(traject(BSNS[0])), "codeGegevensleverancier": " GL000042 "})
    put(landing, "b.json", {**document(traject(BSNS[1])), "codeGegevensleverancier": f"KB{BSNS[2]}"})
    doc_c = document(traject(BSNS[3]))
    del doc_c["codeGegevensleverancier"]
    put(landing, "c.json", doc_c)
    put(landing, "d.json", {**document(traject(BSNS[4])), "codeGegevensleverancier": 42})
    put(landing, "e.json", b"{not json")
    ledger = run(landing).ledger.sort("bestand")
    assert dict(zip(ledger["bestand"], ledger["leverancier"])) == {
        "ddas/a.json": "GL000042", "ddas/b.json": "KB#########", "ddas/c.json": None, "ddas/d.json": None,
        "ddas/e.json": None}
    Leveringen.validate(ledger)
