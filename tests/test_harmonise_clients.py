"""Client pairs of harmonisation (assets/harmonise/clients.py): the packed-key sort gives
the same rows as sorting on the strings, also where its shortcut cannot hold."""
from __future__ import annotations

import datetime as dt
import hashlib
import random

import polars as pl
import pytest

from assets.harmonise import clients
from assets.harmonise.clients import client_pairs

SCHEMA = {"_traject": pl.Int64, "gezag_rang": pl.Int64, "persoon_ids": pl.List(pl.Utf8),
          "geslachten": pl.List(pl.Utf8), "geboortedata_gemaskeerd": pl.List(pl.Int64)}


def hexid(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def world(ids: list[str], n_trajecten: int, n_records: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Random records (1-3 clients each, a sex and masked date or null per client) over
    n_trajecten trajectories; gezag_rang numbers each trajectory's records."""
    rng = random.Random(seed)
    rows, per_traject = [], {}
    for _ in range(n_records):
        t = rng.randrange(n_trajecten)
        persons = rng.sample(ids, rng.randint(1, 3))
        rows.append(dict(_traject=t, gezag_rang=per_traject.setdefault(t, 0), persoon_ids=persons,
                         geslachten=[rng.choice([None, "man", "vrouw"]) for _ in persons],
                         geboortedata_gemaskeerd=[rng.choice([None, rng.randrange(10**9)]) for _ in persons]))
        per_traject[t] += 1
    rng.shuffle(rows)
    trajecten = pl.DataFrame({"traject_id": [f"{t:016x}" for t in range(n_trajecten)],
                              "aanmelddatum": [dt.date(2020, 1, 1) + dt.timedelta(days=t) for t in range(n_trajecten)]})
    return pl.DataFrame(rows, schema=SCHEMA), trajecten


def reference(persons: pl.DataFrame) -> list[tuple]:
    """(traject, persoon_id, sex, masked date): per pair the first non-null in authority order."""
    best: dict[tuple, dict] = {}
    for r in sorted(persons.iter_rows(named=True), key=lambda r: r["gezag_rang"]):
        for p, s, g in zip(r["persoon_ids"], r["geslachten"], r["geboortedata_gemaskeerd"]):
            pair = best.setdefault((r["_traject"], p), {"s": None, "g": None})
            pair["s"] = pair["s"] if pair["s"] is not None else s
            pair["g"] = pair["g"] if pair["g"] is not None else g
    return [(t, p, v["s"], v["g"]) for (t, p), v in sorted(best.items())]


def as_tuples(df: pl.DataFrame) -> list[tuple]:
    return list(df.select("_traject", "persoon_id", "geslacht", "_geb").iter_rows())


IDS = {
    "hex": [hexid(i) for i in range(40)],
    # 64 hex sharing the first 40 characters: every packed key collides
    "shared prefix": ["a" * 40 + hexid(i)[:24] for i in range(40)],
    "not hex": [f"persoon-{i}" for i in range(40)],
    "upper and lower case": [hexid(i).upper() if i % 2 else hexid(i) for i in range(40)],
    "short and long": [hexid(i)[: 1 + i % 20] for i in range(40)],
}


@pytest.mark.parametrize("kind", IDS)
def test_pairs_match_a_sort_on_the_strings(kind):
    persons, trajecten = world(IDS[kind], n_trajecten=25, n_records=150, seed=len(kind))
    got = client_pairs(persons, trajecten)
    assert as_tuples(got) == reference(persons)
    assert got["traject_id"].to_list() == [f"{t:016x}" for t in got["_traject"]]


def test_the_string_sort_is_taken_when_the_key_has_too_few_bits(monkeypatch):
    persons, trajecten = world(IDS["hex"], n_trajecten=25, n_records=150, seed=3)
    fast = client_pairs(persons, trajecten)
    monkeypatch.setattr(clients, "MIN_PREFIX_BITS", 64)
    assert client_pairs(persons, trajecten).equals(fast)


def test_no_records_no_pairs():
    persons, trajecten = world(IDS["hex"], n_trajecten=1, n_records=0, seed=1)
    got = client_pairs(persons, trajecten)
    assert got.height == 0 and got.schema["_geb"] == pl.Int64
