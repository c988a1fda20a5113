"""The early-warning indicators against a plain-Python reference (vroegsignalering.md §3,
§4): on the generated world and on random worlds; the counts per partner and their
suppression; voorlopig; the 12-month window's boundaries."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.common.bsn import pseudonym
from assets.common.dates import add_months_py
from assets.ingest.inventory import inventory, inventory_table, to_read, with_paths
from assets.ingest.vs_json import read_vs
from assets.vroegsignalering.indicators import (VS_CODES, partner_counts, partner_recoverable, vs_aantallen, vs_counts,
                                                vs_indicators)
from assets.vroegsignalering.model import model_tables
from ddas_generator import generate
from schemas.vroegsignalering import HULP_AANVAARD, SIGNAALPARTNERS, VsAantallen, VsIndicatoren
from tests.conftest import TEST_KEY

KEY = TEST_KEY.encode()


# --- the reference, in plain Python ------------------------------------------------------


def reference(signals: list[dict], cases: list[dict], aanmeldingen: dict[str, list[dt.date]]) -> dict:
    """{(indicator, regio_code, jaar): (teller, noemer)} straight from vroegsignalering.md §3."""
    cells: dict = defaultdict(lambda: [0, 0])

    def add(code, g, x, hit):
        for regio in (g, "NL"):
            cells[(code, regio, x)][0] += bool(hit)
            cells[(code, regio, x)][1] += 1

    by_id = {z["zaak_id"]: z for z in cases}
    for s in signals:
        z = by_id.get(s["zaak_id"])
        add("signaal_opgepakt", s["gemeentecode"], s["signaaldatum"].year, z is not None and z["datum_opgepakt"] is not None)
    for z in cases:
        if z["matchingsdatum"] is None:
            continue
        add("zaak_bereikt", z["gemeentecode"], z["matchingsdatum"].year, z["bereikt"])
        if z["bereikt"]:
            add("zaak_hulp_aanvaard", z["gemeentecode"], z["matchingsdatum"].year, z["resultaat"] in HULP_AANVAARD)
    households: dict = defaultdict(lambda: defaultdict(set))
    for s in signals:
        h = ("a", s["adres_id"]) if s["adres_id"] else ("p", s["persoon_id"]) if s["persoon_id"] else None
        if h is None:
            continue
        for regio in (s["gemeentecode"], "NL"):
            months = households[(regio, s["signaaldatum"].year, h)]
            months[s["signaaldatum"].month]  # a household counts also without any partner type
            if s["signaalpartner"] is not None:
                months[s["signaaldatum"].month].add(s["signaalpartner"])
    for (regio, x, _), months in households.items():
        c = cells[("meervoudig_signaal", regio, x)]
        c[0] += any(len(types) >= 2 for types in months.values())
        c[1] += 1
    first: dict = {}
    for s in signals:
        if s["persoon_id"] is None:
            continue
        k = (s["persoon_id"], s["signaaldatum"].year)
        cand = (s["signaaldatum"], s["gemeentecode"], s["signaal_id"])
        first[k] = min(first.get(k, cand), cand)
    for (p, x), (d, g, _) in first.items():
        add("signaal_naar_schuldhulp", g, x, any(d <= a <= add_months_py(d, 12) for a in aanmeldingen.get(p, [])))
    return {k: tuple(v) for k, v in cells.items()}


def reference_aantallen(signals: list[dict]) -> dict:
    """{(regio_code, jaar, signaalpartner): (aantal or None, onderdrukking)} with §4.4's suppression."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    for s in signals:
        for regio in (s["gemeentecode"], "NL"):
            counts[(regio, s["signaaldatum"].year)][s["signaalpartner"] or "onbekend"] += 1
    out = {}
    for (regio, x), parts in counts.items():
        state = {p: "primair" if n < 10 else None for p, n in parts.items()}
        total = sum(parts.values())
        while 1 <= total - sum(n for p, n in parts.items() if state[p] is None) <= 9:
            published = sorted((n, p) for p, n in parts.items() if state[p] is None)
            if not published:
                break
            state[published[0][1]] = "secundair"
        for p, n in parts.items():
            out[(regio, x, p)] = (n if state[p] is None else None, state[p])
    return out


def _pipeline(signals: list[dict], cases: list[dict], aanmeldingen: dict[str, list[dt.date]]):
    s = pl.DataFrame(signals, schema={"signaal_id": pl.Utf8, "gemeentecode": pl.Utf8, "persoon_id": pl.Utf8,
                                      "adres_id": pl.Utf8, "signaaldatum": pl.Date, "signaalpartner": pl.Utf8,
                                      "zaak_id": pl.Utf8})
    z = pl.DataFrame(cases, schema={"zaak_id": pl.Utf8, "gemeentecode": pl.Utf8, "matchingsdatum": pl.Date,
                                    "datum_opgepakt": pl.Date, "bereikt": pl.Boolean, "resultaat": pl.Utf8})
    pairs = [(f"t{p}{i}", p, a) for p, dates in aanmeldingen.items() for i, a in enumerate(dates)]
    tr = pl.DataFrame({"traject_id": [t for t, _, _ in pairs], "aanmelddatum": [a for _, _, a in pairs]},
                      schema={"traject_id": pl.Utf8, "aanmelddatum": pl.Date})
    cl = pl.DataFrame({"traject_id": [t for t, _, _ in pairs], "persoon_id": [p for _, p, _ in pairs]},
                      schema={"traject_id": pl.Utf8, "persoon_id": pl.Utf8})
    return s, z, tr, cl


def _counts(s, z, tr, cl) -> dict:
    df = vs_counts(s.lazy(), z.lazy(), tr.lazy(), cl.lazy()).collect()
    return {(i, r, j): (t, n) for i, r, j, t, n in df.select("indicator", "regio_code", "jaar", "teller", "noemer").iter_rows()}


def _aantallen(s) -> dict:
    df = vs_aantallen(s.lazy())
    VsAantallen.validate(df)
    return {(r, j, p): (a, o) for r, j, p, a, o in df.select("regio_code", "jaar", "signaalpartner", "aantal", "onderdrukking").iter_rows()}


# --- the generated world -----------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    land = tmp_path_factory.mktemp("vs") / "landing"
    generate(land, persons=1500, seed=3)
    inv = with_paths(inventory_table(inventory(land)), str(land))
    result = read_vs(to_read(inv, "vroegsignalering"), dt.date(2026, 6, 30), KEY)
    gt = land / "ground_truth"
    truth = {n: pl.read_parquet(gt / f"{n}.parquet") for n in ("vroegsignalen", "vroegsignaalzaken", "trajecten", "trajectclienten")}
    return result, truth


def test_generated_world_model_equals_the_truth(world):
    result, truth = world
    s, z, unmatched = model_tables(result.records.lazy())
    ts = truth["vroegsignalen"].with_columns(
        persoon_id=pl.col("bsn").map_elements(lambda b: pseudonym(b, KEY), return_dtype=pl.Utf8),
        adres_id=pl.col("adres").map_elements(lambda a: hmac.new(KEY, a.encode(), hashlib.sha256).hexdigest(),
                                              return_dtype=pl.Utf8),
    ).drop("bsn", "adres")
    assert s.select(ts.columns).equals(ts)
    assert z.select(truth["vroegsignaalzaken"].columns).equals(truth["vroegsignaalzaken"])
    assert unmatched == 0
    # the situations the generator must contain
    assert (s["aantal_leveringen"] > 1).any() and (z["aantal_leveringen"] > 1).any()
    assert z["bereikt"].any() and (~z["bereikt"]).any()
    assert (s["persoon_id"].is_null() & s["adres_id"].is_not_null()).any()
    assert s["signaalpartner"].is_null().any() and s["zaak_id"].is_null().any()


def _truth_inputs(truth) -> tuple[list[dict], list[dict], dict]:
    ids = {b: pseudonym(b, KEY) for b in truth["vroegsignalen"]["bsn"].drop_nulls().unique().to_list()
           + truth["trajectclienten"]["bsn"].unique().to_list()}
    signals = [{**r, "persoon_id": ids.get(r["bsn"]),
                "adres_id": hmac.new(KEY, r["adres"].encode(), hashlib.sha256).hexdigest() if r["adres"] else None}
               for r in truth["vroegsignalen"].iter_rows(named=True)]
    signals = [{k: r[k] for k in ("signaal_id", "gemeentecode", "persoon_id", "adres_id", "signaaldatum", "signaalpartner",
                                  "zaak_id")} for r in signals]
    cases = [{k: r[k] for k in ("zaak_id", "gemeentecode", "matchingsdatum", "datum_opgepakt", "bereikt", "resultaat")}
             for r in truth["vroegsignaalzaken"].iter_rows(named=True)]
    aanmeld = dict(truth["trajecten"].select("traject_id", "aanmelddatum").iter_rows())
    aanmeldingen: dict = defaultdict(list)
    for t, b in truth["trajectclienten"].select("traject_id", "bsn").iter_rows():
        aanmeldingen[ids[b]].append(aanmeld[t])
    return signals, cases, dict(aanmeldingen)


def test_generated_world_indicators_equal_the_reference(world):
    result, truth = world
    s, z, _ = model_tables(result.records.lazy())
    signals, cases, aanmeldingen = _truth_inputs(truth)
    _, _, tr, cl = _pipeline(signals, cases, aanmeldingen)
    expected = reference(signals, cases, aanmeldingen)
    assert _counts(s, z, tr, cl) == expected
    assert {k[0] for k in expected} == set(VS_CODES)
    assert any(t > 0 for (i, _, _), (t, _) in expected.items() if i == "meervoudig_signaal")
    assert any(t > 0 for (i, _, _), (t, _) in expected.items() if i == "signaal_naar_schuldhulp")
    # the 12-month window's boundaries occur: aanmeldingen 0, 364, 365 and 366 days after a first signal
    days = {(a - sg["signaaldatum"]).days for sg in signals if sg["persoon_id"] for a in aanmeldingen.get(sg["persoon_id"], [])}
    assert {0, 364, 365, 366} <= days
    assert _aantallen(s) == reference_aantallen(signals)
    assert partner_recoverable(vs_aantallen(s.lazy()), s.lazy()).height == 0


def test_generated_world_published_table(world):
    result, truth = world
    s, z, _ = model_tables(result.records.lazy())
    signals, cases, aanmeldingen = _truth_inputs(truth)
    _, _, tr, cl = _pipeline(signals, cases, aanmeldingen)
    peil = dt.date(2026, 6, 30)
    table = vs_indicators(s.lazy(), z.lazy(), tr.lazy(), cl.lazy(), peil)
    VsIndicatoren.validate(table)
    expected = reference(signals, cases, aanmeldingen)
    assert {(i, r, j) for i, r, j in table.select("indicator", "regio_code", "jaar").iter_rows()} == set(expected)
    for row in table.iter_rows(named=True):
        t, n = expected[(row["indicator"], row["regio_code"], row["jaar"])]
        if row["onderdrukking"] is None:
            assert (row["teller"], row["noemer"]) == (t, n) and n >= 10
            assert row["waarde"] == float(f"{(2000 * t + n) // (2 * n) / 10:.1f}")
        elif row["onderdrukking"] == "primair":
            assert n < 10
    assert not table["geen_gegevens"].any() and not table["historie_onvolledig"].any()


# --- random worlds ---------------------------------------------------------------------------

GEMEENTEN = ["GM0307", "GM0518", "GM0599"]
PERSONEN = [f"{i:064x}" for i in range(1, 7)]
ADRESSEN = [f"{i:064x}"[::-1] for i in range(1, 5)]
DATES = st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31))


@st.composite
def worlds(draw):
    n_cases = draw(st.integers(0, 8))
    cases = [{"zaak_id": f"GM0518:Z{i}", "gemeentecode": draw(st.sampled_from(GEMEENTEN)),
              "matchingsdatum": draw(st.none() | DATES), "datum_opgepakt": draw(st.none() | DATES),
              "bereikt": draw(st.booleans()), "resultaat": draw(st.none() | st.sampled_from(HULP_AANVAARD[:2] + ["Verwijzing zonder contact"]))}
             for i in range(n_cases)]
    signals = []
    for i in range(draw(st.integers(0, 40))):
        signals.append({
            "signaal_id": f"{draw(st.sampled_from(GEMEENTEN))}:S{i:03d}", "gemeentecode": None,
            "persoon_id": draw(st.none() | st.sampled_from(PERSONEN)), "adres_id": draw(st.none() | st.sampled_from(ADRESSEN)),
            "signaaldatum": draw(DATES), "signaalpartner": draw(st.none() | st.sampled_from(SIGNAALPARTNERS[:3])),
            "zaak_id": draw(st.none() | st.sampled_from([c["zaak_id"] for c in cases])) if cases else None,
        })
        signals[-1]["gemeentecode"] = signals[-1]["signaal_id"][:6]
    aanmeldingen = {p: draw(st.lists(st.dates(dt.date(2022, 6, 1), dt.date(2027, 6, 1)), max_size=3)) for p in PERSONEN}
    return signals, cases, aanmeldingen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_random_worlds_equal_the_reference(w):
    signals, cases, aanmeldingen = w
    assert _counts(*_pipeline(signals, cases, aanmeldingen)) == reference(signals, cases, aanmeldingen)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(GEMEENTEN), st.sampled_from([2024, 2025]),
                          st.sampled_from([*SIGNAALPARTNERS[:4], None]), st.integers(1, 25)), max_size=12))
def test_random_partner_counts_and_their_suppression(groups):
    signals = [{"signaal_id": f"{g}:S{k}-{n}", "gemeentecode": g, "persoon_id": None, "adres_id": None,
                "signaaldatum": dt.date(x, 3, 1), "signaalpartner": p, "zaak_id": None}
               for k, (g, x, p, n) in enumerate(groups) for n in range(n)]
    s, _, _, _ = _pipeline(signals, [], {})
    assert _aantallen(s) == reference_aantallen(signals)
    assert partner_recoverable(vs_aantallen(s.lazy()), s.lazy()).height == 0  # the asset check agrees


# --- hand-made cases -------------------------------------------------------------------------


def _signal(sid, d, g="GM0518", p=None, a=None, partner="Water", zaak=None) -> dict:
    return {"signaal_id": f"{g}:{sid}", "gemeentecode": g, "persoon_id": p, "adres_id": a, "signaaldatum": d,
            "signaalpartner": partner, "zaak_id": zaak}


def test_twelve_month_window_boundaries():
    d = dt.date(2025, 3, 1)  # + 12 months = 2026-03-01 = + 365 days
    people = [f"{i:064x}" for i in range(4)]
    signals = [_signal(f"S{i}", d, p=p) for i, p in enumerate(people)]
    aanmeldingen = {p: [d + dt.timedelta(days=k)] for p, k in zip(people, (0, 364, 365, 366))}
    got = _counts(*_pipeline(signals, [], aanmeldingen))
    assert got[("signaal_naar_schuldhulp", "GM0518", 2025)] == (3, 4)
    # an aanmelding before the first signal does not count
    assert _counts(*_pipeline(signals[:1], [], {people[0]: [d - dt.timedelta(days=1)]}))[
        ("signaal_naar_schuldhulp", "NL", 2025)] == (0, 1)


def test_first_signal_decides_the_gemeente_and_each_person_counts_once():
    p = "f" * 64
    signals = [_signal("S2", dt.date(2025, 5, 1), g="GM0307", p=p), _signal("S1", dt.date(2025, 2, 1), g="GM0518", p=p),
               _signal("S3", dt.date(2025, 2, 1), g="GM0599", p=p)]
    got = _counts(*_pipeline(signals, [], {p: [dt.date(2026, 2, 2)]}))  # within 12 months of May, not of February
    assert got[("signaal_naar_schuldhulp", "GM0518", 2025)] == (0, 1)
    assert ("signaal_naar_schuldhulp", "GM0307", 2025) not in got and got[("signaal_naar_schuldhulp", "NL", 2025)] == (0, 1)


def test_households_by_address_else_person_and_months():
    a, p, q = "a" * 64, "b" * 64, "c" * 64
    signals = [
        _signal("S1", dt.date(2025, 1, 3), p=p, a=a, partner="Water"),
        _signal("S2", dt.date(2025, 1, 30), p=q, a=a, partner="Huur"),  # same address, other person: one household
        _signal("S3", dt.date(2025, 2, 1), p=p, partner="Energie"),  # no address: person p's own household
        _signal("S4", dt.date(2025, 3, 1), p=p, partner="Zorg"),  # another month
        _signal("S5", dt.date(2025, 4, 1), p=q, partner=None),  # null is not a type
        _signal("S6", dt.date(2025, 4, 2), p=q, partner="Water"),
        _signal("S7", dt.date(2025, 4, 2)),  # neither: not counted
    ]
    got = _counts(*_pipeline(signals, [], {}))
    assert got[("meervoudig_signaal", "GM0518", 2025)] == (1, 3)


def test_partner_suppression_within_regio_year_only():
    rows = [("GM0307", "Energie", 5), ("GM0307", "Water", 12), ("GM0307", "Huur", 50), ("GM0307", None, 3),
            ("GM0518", "Energie", 40)]
    signals = [_signal(f"{p}{k}{n}", dt.date(2025, 1, 1), g=g, partner=p) for k, (g, p, n) in enumerate(rows) for n in range(n)]
    got = _aantallen(_pipeline(signals, [], {})[0])
    assert got[("GM0307", 2025, "Energie")] == (None, "primair") and got[("GM0307", 2025, "onbekend")] == (None, "primair")
    assert got[("GM0307", 2025, "Water")] == (None, "secundair")  # D = 8 after the primaries
    assert got[("GM0307", 2025, "Huur")] == (50, None)
    assert got[("GM0518", 2025, "Energie")] == (40, None)  # NL minus gemeenten is not a reason here
    assert got[("NL", 2025, "Energie")] == (45, None)
    assert got[("NL", 2025, "Water")] == (None, "secundair")  # NL too: 110 - (45 + 12 + 50) = 3
    s = _pipeline(signals, [], {})[0]
    assert partner_counts(s.lazy()).collect().height == 9  # 4 + 1 + 4 NL types
    # the asset check: safe as published; without the secondary suppression, D = 8 would disclose
    published = vs_aantallen(s.lazy())
    assert partner_recoverable(published, s.lazy()).height == 0
    leaky = published.with_columns(aantal=pl.when(pl.col("onderdrukking") == "secundair").then(12).otherwise(pl.col("aantal")))
    assert partner_recoverable(leaky, s.lazy()).rows() == [("GM0307", 2025, 8), ("NL", 2025, 3)]


def test_voorlopig():
    p = "d" * 64
    signals = [_signal(f"S{y}{i}", dt.date(y, 6, 1), p=f"{i:064x}") for y in (2024, 2025) for i in range(12)] + [
        _signal("X", dt.date(2025, 1, 1), p=p)]
    s, z, tr, cl = _pipeline(signals, [], {})
    for peil, expect in ((dt.date(2025, 12, 31), {2024: (False, False), 2025: (True, True)}),
                         (dt.date(2025, 12, 30), {2024: (False, True), 2025: (True, True)})):
        t = vs_indicators(s.lazy(), z.lazy(), tr.lazy(), cl.lazy(), peil).filter(pl.col("regio_code") == "NL")
        got = {j: (v1, v2) for j, v1, v2 in t.pivot(on="indicator", index="jaar", values="voorlopig").select(
            "jaar", "signaal_opgepakt", "signaal_naar_schuldhulp").iter_rows()}
        assert got == expect


def test_member_lists_explain_every_cell(world):
    from assets.vroegsignalering.members import cell_members

    result, truth = world
    s, z, _ = model_tables(result.records.lazy())
    signals, cases, aanmeldingen = _truth_inputs(truth)
    _, _, tr, cl = _pipeline(signals, cases, aanmeldingen)
    counts = _counts(s, z, tr, cl)
    for (code, regio, jaar), (teller, noemer) in sorted(counts.items())[::7]:  # every 7th cell: all indicators
        m = cell_members(code, regio, jaar, s.lazy(), z.lazy(), tr.lazy(), cl.lazy())
        assert (int(m["in_teller"].sum()), m.height) == (teller, noemer), (code, regio, jaar)


def test_two_partner_types_in_one_month_counted_per_region():
    a, b = "d" * 64, "e" * 64
    signals = [
        # household a: Water in GM0518 and Huur in GM0307 in one month: a hit in NL only
        _signal("A1", dt.date(2025, 6, 1), g="GM0518", a=a, partner="Water"),
        _signal("A2", dt.date(2025, 6, 9), g="GM0307", a=a, partner="Huur"),
        # household b: one type per month in three months, twice Water in July: never a hit
        _signal("B1", dt.date(2025, 6, 1), a=b, partner="Water"),
        _signal("B2", dt.date(2025, 7, 1), a=b, partner="Huur"),
        _signal("B3", dt.date(2025, 8, 1), a=b, partner="Zorg"),
        _signal("B4", dt.date(2025, 6, 20), a=b, partner="Water"),
        _signal("B5", dt.date(2025, 7, 20), a=b, partner=None),
    ]
    got = _counts(*_pipeline(signals, [], {}))
    assert got[("meervoudig_signaal", "NL", 2025)] == (1, 2)
    assert got[("meervoudig_signaal", "GM0518", 2025)] == (0, 2)
    assert got[("meervoudig_signaal", "GM0307", 2025)] == (0, 1)
