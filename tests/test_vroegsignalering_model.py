"""Identity and latest knowledge per signal and case (vroegsignalering.md §1, §4.1, §4.7)."""
from __future__ import annotations

import datetime as dt

import polars as pl

from assets.vroegsignalering.model import model_tables
from tests.conftest import valid_bsns
from tests.test_vroegsignalering_reader import _doc, _read, _signal

BSN = valid_bsns(1, seed=7)[0]


def _status(r) -> dict[str, str]:
    s, _, _ = model_tables(r.records.lazy())
    return dict(zip(s["signaal_id"], s["status"]))


def test_latest_instant_wins_not_the_written_date(tmp_path):
    # 2025-03-02T00:30+02:00 is 2025-03-01T22:30Z: earlier than 23:00Z although its date is later
    early = _doc([_signal(bsn=BSN, status="Niet opgepakt: andere reden")], stamp="2025-03-02T00:30:00+02:00")
    late = _doc([_signal(bsn=BSN, status="Inwoner is overleden")], stamp="2025-03-01T23:00:00Z")
    r = _read(tmp_path, {"a.json": late, "b.json": early})
    assert _status(r) == {"GM0518:S1": "Inwoner is overleden"}


def test_tie_goes_to_the_path_that_sorts_last(tmp_path):
    a = _doc([_signal(bsn=BSN, status="Nog niet opgepakt")])
    b = _doc([_signal(bsn=BSN, status="Niet opgepakt: herhaalde melding")])
    r = _read(tmp_path, {"x/a.json": b, "x/b.json": a})
    assert _status(r) == {"GM0518:S1": "Nog niet opgepakt"}


def test_tie_in_one_file_goes_to_the_later_position_across_leveringen(tmp_path):
    doc = _doc([_signal(bsn=BSN, status="Nog niet opgepakt"), _signal(bsn=BSN, status="Inwoner is overleden")])
    second = dict(doc["leveringen"][0], vroegsignalen=[_signal(bsn=BSN, status="Niet opgepakt: andere reden")],
                  gemeentecode="0518", teller=2)
    doc["leveringen"].append(second)
    r = _read(tmp_path, {"a.json": doc})
    assert _status(r) == {"GM0518:S1": "Niet opgepakt: andere reden"}
    s, _, _ = model_tables(r.records.lazy())
    assert s["aantal_leveringen"].to_list() == [3] and s["locatie"].to_list() == ["leveringen[1].vroegsignalen[0]"]


def test_a_quarantined_delivery_never_replaces_an_accepted_one(tmp_path):
    old = _doc([_signal(bsn=BSN, status="Nog niet opgepakt")], stamp="2025-02-01T00:00:00Z")
    new = _doc([_signal(bsn="123456789", status="Inwoner is overleden")], stamp="2025-03-01T00:00:00Z")
    r = _read(tmp_path, {"a.json": old, "b.json": new})
    assert r.quarantine["reden_code"].to_list() == ["bsn_ongeldig"]
    assert _status(r) == {"GM0518:S1": "Nog niet opgepakt"}


def test_same_id_in_two_gemeenten_is_two_signals(tmp_path):
    r = _read(tmp_path, {"a.json": _doc([_signal(bsn=BSN)], gemeente="GM0518"),
                         "b.json": _doc([_signal(bsn=BSN)], gemeente="0307")})
    assert sorted(_status(r)) == ["GM0307:S1", "GM0518:S1"]


def test_cases_latest_knowledge_link_and_unmatched_ids(tmp_path):
    first = _doc([_signal("S1", BSN), _signal("S2", BSN)],
                 [{"matchingsdatum": "2025-01-06", "vroegsignalen": [{"ID": "S2"}, {"ID": "S1"}]}],
                 stamp="2025-02-01T00:00:00Z")
    later = _doc([], [{"matchingsdatum": "2025-01-06", "datum_opgepakt": "2025-01-08",
                       "vroegsignalen": [{"ID": "S1"}, {"ID": "S2"}, {"ID": "S9"}],
                       "contactpogingen": [{"datum": "2025-01-09", "bereikt": False}, None,
                                           {"datum": "2025-01-12", "bereikt": True}, {"datum": "2025-01-10", "bereikt": True}],
                       "resultaat": "(budget)advies en/of QUICK fix"}],
                  stamp="2025-03-01T00:00:00Z")
    r = _read(tmp_path, {"a.json": first, "b.json": later})
    s, z, unmatched = model_tables(r.records.lazy())
    assert z.height == 1 and unmatched == 1
    row = z.row(0, named=True)
    assert row["zaak_id"] == "GM0518:S1" and row["aantal_leveringen"] == 2
    assert row["datum_opgepakt"] == dt.date(2025, 1, 8) and row["resultaat"] == "(Budget)advies en/of quick fix"
    assert row["aantal_contactpogingen"] == 3 and row["bereikt"] is True
    assert row["datum_eerste_bereikt"] == dt.date(2025, 1, 10)
    assert row["aantal_signalen_onbekend"] == 1 and row["signaal_ids"] == ["GM0518:S1", "GM0518:S2", "GM0518:S9"]
    assert s["zaak_id"].to_list() == ["GM0518:S1", "GM0518:S1"]


def test_a_signal_in_two_cases_gets_the_latest_delivered_case(tmp_path):
    a = _doc([_signal("S1", BSN), _signal("S2", BSN), _signal("S3", BSN)],
             [{"vroegsignalen": [{"ID": "S2"}]}, {"vroegsignalen": [{"ID": "S1"}, {"ID": "S2"}]}],
             stamp="2025-02-01T00:00:00Z")
    b = _doc([], [{"vroegsignalen": [{"ID": "S3"}, {"ID": "S2"}]}], stamp="2025-01-01T00:00:00Z")
    r = _read(tmp_path, {"a.json": a, "b.json": b})
    s, z, _ = model_tables(r.records.lazy())
    assert z["zaak_id"].to_list() == ["GM0518:S1", "GM0518:S2"]
    # S2 is in all three deliveries: the latest is a.json's second case. Case GM0518:S2's
    # latest delivery (a.json, later than b.json) holds S2 only, so S3 is in no case now.
    assert dict(zip(s["signaal_id"], s["zaak_id"])) == {"GM0518:S1": "GM0518:S1", "GM0518:S2": "GM0518:S1",
                                                         "GM0518:S3": None}
    assert pl.Series(z["aantal_contactpogingen"]).to_list() == [0, 0] and z["bereikt"].to_list() == [False, False]
