"""The vroegsignalering reader (spec/vroegsignalering.md §1, §4): the official examples,
the reason codes and their order, identity forms, adres_id, schema findings, refusals."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

import orjson
import polars as pl
import pytest

from assets.common.bsn import pseudonym
from assets.ingest.vs_json import REDEN_TEKST, read_vs, vs_json_schema
from assets.vroegsignalering.model import model_tables
from schemas.quality import Quarantaine
from schemas.vroegsignalering import (EINDRESULTATEN, SIGNAALPARTNERS, SIGNAALSTATUSSEN, VS_REDEN_CODES,
                                      Vroegsignaalzaken, Vroegsignalen, VsRecord)
from tests.conftest import TEST_KEY, valid_bsns

DATA = Path(__file__).parent / "data" / "vroegsignalering"
EXAMPLES = ("enkelvoudigVoorbeeld.json", "meervoudigVoorbeeld.json")
PEIL = dt.date(2025, 12, 31)
KEY = TEST_KEY.encode()


def _files(paths: list[Path], root: Path) -> pl.DataFrame:
    """The inventory rows the reader gets (as assets.ingest.inventory.to_read gives them)."""
    return pl.DataFrame([{"bron": "vroegsignalering", "bestand": p.relative_to(root).as_posix(), "pad": str(p),
                          "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "bytes": p.stat().st_size}
                         for p in paths])


def _read(tmp_path: Path, docs: dict[str, dict | bytes], peil: dt.date = PEIL):
    root = tmp_path / "landing"
    paths = []
    for name, doc in docs.items():
        p = root / "vroegsignalering" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(doc if isinstance(doc, bytes) else json.dumps(doc).encode())
        paths.append(p)
    result = read_vs(_files(paths, root), peil, KEY)
    VsRecord.validate(result.records)
    Quarantaine.validate(result.quarantine)
    return result


def _examples(substitute: bool) -> dict[str, dict]:
    docs = {n: json.loads((DATA / n).read_text(encoding="utf-8")) for n in EXAMPLES}
    if substitute:  # each example BSN becomes a valid one (the same BSN -> the same substitute)
        given = sorted({s["client"]["Burgerservicenummer"] for d in docs.values() for lev in d["leveringen"]
                        for s in lev["vroegsignalen"]})
        sub = dict(zip(given, valid_bsns(len(given), seed=15)))
        for d in docs.values():
            for lev in d["leveringen"]:
                for s in lev["vroegsignalen"]:
                    s["client"]["Burgerservicenummer"] = sub[s["client"]["Burgerservicenummer"]]
    return docs


def test_official_examples_as_delivered(tmp_path):
    r = _read(tmp_path, _examples(substitute=False))
    led = r.ledger.sort("bestand")
    assert led["status"].to_list() == ["geladen", "geladen"]
    assert led.select("records_gelezen", "records_geaccepteerd", "records_gequarantaineerd").rows() == [(2, 1, 1), (8, 4, 4)]
    # every example BSN fails the elfproef: all five signals bsn_ongeldig
    assert r.quarantine["reden_code"].to_list() == ["bsn_ongeldig"] * 5
    assert r.quarantine["locatie"].to_list() == [
        "leveringen[0].vroegsignalen[0]", "leveringen[0].vroegsignalen[0]", "leveringen[0].vroegsignalen[1]",
        "leveringen[1].vroegsignalen[0]", "leveringen[1].vroegsignalen[1]"]
    # the five cases are accepted; the model keeps four, VS-2025-0001's from the later path
    assert (r.records["recordsoort"] == "zaak").sum() == 5 and (r.records["recordsoort"] == "signaal").sum() == 0
    signalen, zaken, unmatched = model_tables(r.records.lazy())
    assert signalen.height == 0 and unmatched == 4  # their signals were all quarantined
    assert zaken["zaak_id"].to_list() == ["GM0307:VS-2025-0101", "GM0307:VS-2025-0102",
                                          "GM0518:VS-2025-0001", "GM0518:VS-2025-0002"]
    first = zaken.row(by_predicate=pl.col("zaak_id") == "GM0518:VS-2025-0001", named=True)
    assert first["bestand"] == "vroegsignalering/meervoudigVoorbeeld.json"
    assert first["matchingsdatum"] == dt.date(2025, 1, 7) and first["bereikt"] is False
    assert first["aantal_contactpogingen"] == 1 and first["aantal_leveringen"] == 2
    assert r.schema_findings.height == 0  # the examples conform to their schema


def test_official_examples_with_valid_bsns(tmp_path):
    docs = _examples(substitute=True)
    r = _read(tmp_path, docs)
    assert r.quarantine.height == 0
    signalen, zaken, unmatched = model_tables(r.records.lazy())
    Vroegsignalen.validate(signalen)
    Vroegsignaalzaken.validate(zaken)
    assert signalen.height == 4 and zaken.height == 4 and unmatched == 0
    assert signalen["signaal_id"].to_list() == ["GM0307:VS-2025-0101", "GM0307:VS-2025-0102",
                                                "GM0518:VS-2025-0001", "GM0518:VS-2025-0002"]
    # every signal is in its own case; persoon_id is the pseudonym of the substituted BSN
    assert signalen["zaak_id"].to_list() == signalen["signaal_id"].to_list()
    bsn = docs["meervoudigVoorbeeld.json"]["leveringen"][0]["vroegsignalen"][0]["client"]["Burgerservicenummer"]
    row = signalen.row(by_predicate=pl.col("signaal_id") == "GM0518:VS-2025-0001", named=True)
    assert row["persoon_id"] == pseudonym(bsn, KEY)
    assert row["adres_id"] == hmac.new(KEY, b"1234AB|10|A", hashlib.sha256).hexdigest()
    assert row["signaalpartner"] == "Energie" and row["status"] == "Nog niet opgepakt" and row["bedrag_eur"] == 450
    water = signalen.row(by_predicate=pl.col("signaal_id") == "GM0518:VS-2025-0002", named=True)
    assert water["adres_id"] == hmac.new(KEY, b"5678CD|22|", hashlib.sha256).hexdigest()  # §4.2: empty third part
    assert water["crisissignaal"] is True
    zaak = zaken.row(by_predicate=pl.col("zaak_id") == "GM0518:VS-2025-0002", named=True)
    assert zaak["bereikt"] is True and zaak["datum_eerste_bereikt"] == dt.date(2025, 1, 13)
    assert zaak["resultaat"] == "Vervolghulp en/of verwijzing financieel"


def _doc(signals=(), cases=(), gemeente="GM0518", stamp="2025-03-01T10:00:00Z") -> dict:
    return {"codeGegevensleverancier": "T", "startdatumLevering": "2025-01-01", "einddatumLevering": "2025-02-28",
            "aanleverdatumEnTijd": stamp,
            "leveringen": [{"teller": 1, "gemeentecode": gemeente, "aanleverende_organisatie": {"naam": "x"},
                            "vroegsignalen": list(signals), "vroegsignaalzaken": list(cases)}]}


def _signal(id_="S1", bsn=None, datum="2025-01-05", **extra) -> dict:
    client = {"Postcode": "1234 ab", "Huisnummer": " 7 "}
    if bsn is not None:
        client["Burgerservicenummer"] = bsn
    return {"ID": id_, "signaaldatum": datum, "signaalpartner": {"type": "Water"}, "client": client, **extra}


GOOD = valid_bsns(3, seed=99)


@pytest.mark.parametrize("signal, code", [
    (_signal(id_=" ", bsn="123456789"), "signaal_id_ontbreekt"),  # before bsn_ongeldig
    (_signal(bsn="123456789", datum="2025-02-30"), "bsn_ongeldig"),  # before datum_ongeldig
    (_signal(bsn=GOOD[0], datum=None, ontstaansdatum="05-01-2025"), "datum_ongeldig"),  # before geen_signaaldatum
    (_signal(bsn=GOOD[0], datum=None), "geen_signaaldatum"),
    (_signal(bsn=GOOD[0], datum="2026-01-01"), "datum_in_toekomst"),
    (_signal(bsn=GOOD[0], ontstaansdatum="2026-01-01"), "datum_in_toekomst"),
    (_signal(bsn=GOOD[0], datum=""), "datum_ongeldig"),  # given but empty is not absent
    (_signal(bsn=GOOD[0], datum=20250105), "datum_ongeldig"),  # not a text
])
def test_signal_reason_codes_in_contract_order(tmp_path, signal, code):
    if signal.get("signaaldatum") is None:
        signal.pop("signaaldatum", None)
    r = _read(tmp_path, {"a.json": _doc([signal])})
    assert r.quarantine["reden_code"].to_list() == [code]
    assert "2025" not in r.quarantine["reden_tekst"][0] and "123456789" not in r.quarantine["reden_tekst"][0]


def test_unknown_gemeente_comes_first_for_signals_and_cases(tmp_path):
    doc = _doc([_signal(id_="", bsn="123456789")], [{"vroegsignalen": []}], gemeente="GM9999")
    r = _read(tmp_path, {"a.json": doc})
    assert r.quarantine["reden_code"].to_list() == ["gemeente_onbekend", "gemeente_onbekend"]


@pytest.mark.parametrize("case, code", [
    ({"matchingsdatum": "2025-13-01", "vroegsignalen": []}, "datum_ongeldig"),
    ({"datum_opgepakt": "2026-02-01", "vroegsignalen": []}, "datum_in_toekomst"),
    ({"contactpogingen": [{"datum": "2025-1-5"}], "vroegsignalen": [{"ID": "S1"}]}, "datum_ongeldig"),
    ({"contactpogingen": [{"datum": "2027-01-05", "bereikt": True}], "vroegsignalen": [{"ID": "S1"}]}, "datum_in_toekomst"),
    ({"vroegsignalen": [{"ID": "  "}, {"ID": None}]}, "zaak_zonder_signaal"),
    ({}, "zaak_zonder_signaal"),
])
def test_case_reason_codes_in_contract_order(tmp_path, case, code):
    r = _read(tmp_path, {"a.json": _doc([], [case])})
    assert r.quarantine["reden_code"].to_list() == [code]
    assert r.quarantine["locatie"].to_list() == ["leveringen[0].vroegsignaalzaken[0]"]


def test_reason_texts_cover_the_codes_in_order():
    assert list(REDEN_TEKST) == VS_REDEN_CODES
    assert set(VS_REDEN_CODES) <= set(Quarantaine.to_schema().columns["reden_code"].checks[0].statistics["allowed_values"])


def test_accepted_fields_gemeente_forms_and_empty_bsn(tmp_path):
    signals = [
        _signal(id_=" S1 ", bsn=" ", status=" nog NIET opgepakt ", signaalpartner={"type": "energie"}),  # §4.8
        _signal(id_="S2", bsn=GOOD[1].replace("", " ").strip(), signaalpartner={"type": "Gas"}, status="Onbekend"),
        {"ID": "S3", "signaaldatum": "2025-01-06", "client": {"Postcode": "   ", "Huisnummer": "7"}},
    ]
    r = _read(tmp_path, {"a.json": _doc(signals, gemeente=" 0518 ")})
    s = r.records.sort("record_index")
    assert s["signaal_id"].to_list() == ["GM0518:S1", "GM0518:S2", "GM0518:S3"]
    assert s["persoon_id"].to_list() == [None, pseudonym(GOOD[1], KEY), None]
    assert s["status"].to_list() == ["Nog niet opgepakt", None, None]  # unknown value: null, not a reason
    assert s["signaalpartner"].to_list() == ["Energie", None, None]
    expected = hmac.new(KEY, b"1234AB|7|", hashlib.sha256).hexdigest()
    assert s["adres_id"].to_list() == [expected, expected, None]  # §4.2: a blank postcode is missing


def test_an_id_with_a_long_digit_run_is_kept_as_letters_only(tmp_path):
    ids = ["VS-111222333", "VS-111222333 ", "2024000000001", "x" * 80, "VS-12345678"]
    cases = [{"vroegsignalen": [{"ID": "VS-111222333"}]}]
    r = _read(tmp_path, {"a.json": _doc([_signal(id_=i, bsn=None) for i in ids], cases)})
    got = r.records.filter(pl.col("recordsoort") == "signaal").sort("record_index")["signaal_id"].to_list()
    assert got[0] == got[1] and got[0].startswith("GM0518:~") and not any(c.isdigit() for c in got[0][7:])
    assert got[2].startswith("GM0518:~") and got[3].startswith("GM0518:~") and len(got[3]) < 40
    assert got[4] == "GM0518:VS-12345678"  # eight digits: kept
    assert len(set(got)) == 4
    zaak = r.records.filter(pl.col("recordsoort") == "zaak")
    assert zaak["zaak_id"].to_list() == [got[0]] and zaak["signaal_ids"].to_list() == [[got[0]]]


def test_zaak_id_is_the_smallest_trimmed_signal_id(tmp_path):
    case = {"vroegsignalen": [{"ID": "b2"}, {"ID": " a9 "}, {"ID": "b10"}, {"ID": "a9"}]}
    r = _read(tmp_path, {"a.json": _doc([], [case])})
    assert r.records["zaak_id"].to_list() == ["GM0518:a9"]
    assert r.records["signaal_ids"].to_list() == [["GM0518:a9", "GM0518:b10", "GM0518:b2"]]


def test_schema_findings_against_the_vs_schema_never_quote_values(tmp_path):
    signal = _signal(bsn=GOOD[0], bedrag="veel", extra_veld_123456782=1, status="Verzonnen status")
    doc = _doc([signal])
    doc["leveringen"][0]["vroegsignalen"][0]["client"]["Burgerservicenummer"] = 111222333
    r = _read(tmp_path, {"a.json": doc})
    f = r.schema_findings
    assert f.height >= 3 and set(f["bestand"]) == {"vroegsignalering/a.json"}
    assert "$.leveringen[0].vroegsignalen[0].bedrag" in f["json_pad"].to_list()
    text = " ".join(f["melding"].to_list() + f["json_pad"].to_list())
    for value in ("veel", "123456782", "111222333", "Verzonnen"):
        assert value not in text
    assert r.records.height == 1  # findings never reject


def test_refused_and_future_files(tmp_path):
    docs = {"a.json": b"\xff\xfe not utf-8", "b.json": {"aanleverdatumEnTijd": "2025-01-01T00:00:00Z"},
            "c.json": _doc([_signal(bsn=GOOD[0])], stamp="2026-01-01T00:00:00+01:00"),
            "d.json": _doc([_signal(bsn=GOOD[0])], stamp="2025-03-01")}
    r = _read(tmp_path, docs)
    led = {b: (s, g) for b, s, g in r.ledger.select("bestand", "status", "records_gelezen").iter_rows()}
    assert led == {"vroegsignalering/a.json": ("geweigerd", 0), "vroegsignalering/b.json": ("geweigerd", 0),
                   "vroegsignalering/c.json": ("toekomstig", 0), "vroegsignalering/d.json": ("geweigerd", 0)}
    assert r.records.height == 0 and r.quarantine.height == 0


def test_enumerations_are_those_of_the_shipped_schema():
    defs = vs_json_schema()["$defs"]
    assert defs["EnumSignaalpartner"]["enum"] == SIGNAALPARTNERS
    assert defs["EnumSignaalstatus"]["enum"] == SIGNAALSTATUSSEN
    assert defs["EnumEindresultaat"]["enum"] == EINDRESULTATEN
    shipped = Path(__file__).parents[1] / "assets" / "reference" / "json_schema_vroegsignalering.json"
    assert orjson.loads(shipped.read_bytes()) == copy.deepcopy(vs_json_schema())


def test_reading_is_deterministic(tmp_path):
    docs = _examples(substitute=True)
    first = _read(tmp_path / "a", docs)
    again = _read(tmp_path / "b", dict(reversed(list(docs.items()))))  # written in another order
    assert first.records.equals(again.records) and first.ledger.drop("sha256").equals(again.ledger.drop("sha256"))


def test_case_ids_are_cut_per_case_from_one_flat_list():
    """decode hands a case's signal IDs as one flat list with end offsets (case_frame): each
    case gets exactly its own text IDs in delivered order, a number as its digits, others
    dropped; a case without IDs (no array, an empty one, only non-text) gets an empty list."""
    from assets.ingest.vs_json import case_frame, decode

    cases = [{"vroegsignalen": [{"ID": "a"}, {"ID": 5}, {"ID": True}, None, {"ID": "b"}]},
             {},
             {"vroegsignalen": []},
             {"vroegsignalen": [{"ID": None}, {"ID": [1]}]},
             {"vroegsignalen": "geen lijst"},
             {"vroegsignalen": [{"ID": "c"}], "contactpogingen": [{"datum": "2024-01-02", "bereikt": True}, None]}]
    doc = {"leveringen": [{"gemeentecode": "GM0518", "vroegsignaalzaken": cases[:3]},
                          {"gemeentecode": "GM0363", "vroegsignaalzaken": cases[3:]}]}
    _, case, attempts = decode(doc)
    frame = case_frame(case)
    assert frame["ids_ruw"].to_list() == [["a", "5", "b"], [], [], [], [], ["c"]]
    assert frame.select("levering_index", "record_index").rows() == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert attempts["rij"] == [5] and attempts["bereikt"] == [True]  # the null attempt is absent
    assert case_frame(decode({"leveringen": []})[1]).height == 0
