"""The benchmark's extra delivery (ddas_generator.extra_delivery): valid, the size asked, a
later delivery of existing trajectories plus new ones, and the same bytes every time."""
from __future__ import annotations

import datetime as dt
import shutil

import jsonschema_rs
import orjson
import polars as pl
import pytest

from assets.common.bsn import is_valid_bsn
from assets.common.reference import ddas_json_schema
from ddas_generator import generate
from ddas_generator.extra_delivery import extra_delivery

UNTIL = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    land = tmp_path_factory.mktemp("extra") / "landing"
    generate(land, 1500, 11)
    return land


def _trajecten(doc: dict) -> list[dict]:
    return [t for lev in doc["leveringen"] for t in lev["schuldhulptrajecten"]]


def _key(t: dict) -> tuple:
    start = (t.get("aanmelding") or {}).get("startdatum") or t.get("startdatum") or (t.get("informatieEnAdvies") or {}).get("startdatum")
    return tuple(sorted(c["Burgerservicenummer"] for c in t["client"])), start


def _dates(v) -> str:
    if isinstance(v, dict):
        return max((_dates(x) for x in v.values()), default="")
    if isinstance(v, list):
        return max((_dates(x) for x in v), default="")
    return v if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-" else ""


def _stamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("asked", [37, 300])
def test_asked_is_written_and_valid_against_the_official_schema(world, tmp_path, asked):
    land = tmp_path / "landing"
    shutil.copytree(world, land)
    info = extra_delivery(land, asked, seed=3)
    doc = orjson.loads((land / info["bestand"]).read_bytes())
    errors = [e.message for e in jsonschema_rs.Draft202012Validator(ddas_json_schema(), validate_formats=True).iter_errors(doc)]
    assert errors == []
    ts = _trajecten(doc)
    assert len(ts) == info["trajecten"] == asked
    assert info["gesloten"] + info["nazorg"] + info["ongewijzigd"] + info["nieuw_terugkerend"] + info["nieuw_persoon"] == asked
    assert all(is_valid_bsn(c["Burgerservicenummer"]) for t in ts for c in t["client"])
    assert len({_key(t) for t in ts}) == asked  # each trajectory once


def test_a_later_delivery_on_or_before_the_peildatum(world, tmp_path):
    land = tmp_path / "landing"
    shutil.copytree(world, land)
    before = {p: p.read_bytes() for p in (land / "ddas").rglob("*") if p.is_file()}
    loaded = pl.read_parquet(land / "ground_truth" / "leveringen.parquet").filter(bron="ddas", status="geladen")["bestand"]
    latest = max(_stamp(orjson.loads((land / b).read_bytes())["aanleverdatumEnTijd"]) for b in loaded)
    info = extra_delivery(land, 200, seed=3)
    stamp = _stamp(info["aanleverdatumEnTijd"])
    assert stamp > latest
    assert dt.date.fromisoformat(info["aanleverdatumEnTijd"][:10]) <= UNTIL
    assert (land / info["bestand"]) not in before  # a new file; the others untouched
    assert {p: p.read_bytes() for p in before} == before


def test_updates_existing_trajectories_and_adds_new_ones(world, tmp_path):
    land = tmp_path / "landing"
    shutil.copytree(world, land)
    known: dict[tuple, list[dict]] = {}
    for p in (land / "ddas").rglob("*.json"):
        try:
            ts = _trajecten(orjson.loads(p.read_bytes()))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            continue  # the generator's bad files
        for t in ts:
            try:
                known.setdefault(_key(t), []).append(t)
            except (KeyError, TypeError, AttributeError):
                continue  # and its bad records
    real = set(pl.read_parquet(land / "ground_truth" / "trajectclienten.parquet")["bsn"])
    info = extra_delivery(land, 400, seed=9)
    ts = _trajecten(orjson.loads((land / info["bestand"]).read_bytes()))
    existing = [t for t in ts if _key(t) in known]
    new = [t for t in ts if _key(t) not in known]
    assert len(existing) == info["gesloten"] + info["nazorg"] + info["ongewijzigd"]
    assert len(new) == info["nieuw_terugkerend"] + info["nieuw_persoon"] > 0
    assert info["gesloten"] > 0 and info["nazorg"] > 0

    def end(t):
        return t.get("einddatum") or (t.get("uitstroom") or {}).get("datum")

    closed_now = [t for t in existing if end(t) and all(not end(o) for o in known[_key(t)])]
    assert len(closed_now) == info["gesloten"]
    assert all(dt.date.fromisoformat(end(t)) <= UNTIL and end(t) >= _key(t)[1] for t in closed_now)
    # not before any date the record held (a phase that started after the aanmelding)
    assert all(end(t) >= min(UNTIL.isoformat(), max(_dates(o) for o in known[_key(t)])) for t in closed_now)
    nazorg_now = [t for t in existing if (t.get("nazorg") or {}).get("startdatum")
                  and all(not (o.get("nazorg") or {}).get("startdatum") for o in known[_key(t)])]
    assert len(nazorg_now) >= info["nazorg"]
    returning = [t for t in new if all(c["Burgerservicenummer"] in real for c in t["client"])]
    fresh = [t for t in new if all(c["Burgerservicenummer"] not in real for c in t["client"])]
    assert (len(returning), len(fresh)) == (info["nieuw_terugkerend"], info["nieuw_persoon"])
    assert all(dt.date.fromisoformat(_key(t)[1]) <= UNTIL for t in new)


def test_deterministic(world, tmp_path):
    out = []
    for name in ("a", "b"):
        land = tmp_path / name
        shutil.copytree(world, land)
        info = extra_delivery(land, 250, seed=4)
        out.append((info, (land / info["bestand"]).read_bytes()))
    assert out[0] == out[1]
    land = tmp_path / "c"
    shutil.copytree(world, land)
    other = extra_delivery(land, 250, seed=5)
    assert (land / other["bestand"]).read_bytes() != out[0][1]
