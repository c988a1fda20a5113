"""Kept outputs of a pure step (assets/common/kept_steps.py): taken only for the same input
bytes, code and key, and only while the kept tables are the ones kept; anything else,
including a damaged cache, means computing again, never a failed run."""
from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assets.common import kept_steps
from assets.common.kept_steps import CURRENT, INDEX, STEPS, kept_step
from assets.common.store import OutputStore

IN, OUT = "staging/x/records.parquet", "model/y.parquet"
KEY = b"k" * 32


@pytest.fixture
def world(tmp_path):
    store = OutputStore(str(tmp_path / "out"))
    store.path(IN).parent.mkdir(parents=True)
    pl.DataFrame({"a": [1, 2, 3]}).write_parquet(store.path(IN))
    return store, str(tmp_path / "cache")


def _compute_and_keep(store: OutputStore, cache: str, value: int = 7, key: bytes = KEY) -> None:
    kept = kept_step(cache, "stap", store, [IN], key)
    assert kept.take(store, [OUT]) is None
    store.path(OUT).parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"b": [value]}).write_parquet(store.path(OUT))
    kept.keep(store, [OUT], {"y": {"aantal": value}})


def _next_run(store: OutputStore) -> OutputStore:
    """A new run folder with the same input table (as the reader cache would place it)."""
    nxt = OutputStore(store.root + "_2")
    nxt.place(IN, store.path(IN))
    return nxt


def test_same_inputs_code_and_key_take_the_kept_table_as_a_link(world):
    store, cache = world
    _compute_and_keep(store, cache)
    nxt = _next_run(store)
    logs = []
    extra = kept_step(cache, "stap", nxt, [IN], KEY, log=logs.append).take(nxt, [OUT])
    assert extra == {"y": {"aantal": 7}} and not logs
    assert nxt.path(OUT).stat().st_ino == store.path(OUT).stat().st_ino  # no copy, no extra disk
    assert_frame_equal(pl.read_parquet(nxt.path(OUT)), pl.DataFrame({"b": [7]}))


def test_new_input_bytes_another_key_or_step_miss(world):
    store, cache = world
    _compute_and_keep(store, cache)
    nxt = _next_run(store)
    assert kept_step(cache, "stap", nxt, [IN], b"z" * 32).take(nxt, [OUT]) is None
    assert kept_step(cache, "andere", nxt, [IN], KEY).take(nxt, [OUT]) is None
    assert kept_step(cache, "stap", nxt, [IN, "staging/z/records.parquet"], KEY).take(nxt, [OUT]) is None
    os.unlink(nxt.path(IN))
    pl.DataFrame({"a": [1, 2, 4]}).write_parquet(nxt.path(IN))
    assert kept_step(cache, "stap", nxt, [IN], KEY).take(nxt, [OUT]) is None
    assert not nxt.path(OUT).exists()


def test_another_code_version_misses(world, monkeypatch):
    store, cache = world
    _compute_and_keep(store, cache)
    nxt = _next_run(store)
    monkeypatch.setattr(kept_steps, "code_digest", lambda: "andere code")
    assert kept_step(cache, "stap", nxt, [IN], KEY).take(nxt, [OUT]) is None


def test_volledig_computes_again_and_keeps_anew(world):
    store, cache = world
    _compute_and_keep(store, cache, 7)
    nxt = _next_run(store)
    kept = kept_step(cache, "stap", nxt, [IN], KEY, rebuild=True)
    assert kept.take(nxt, [OUT]) is None
    nxt.path(OUT).parent.mkdir(parents=True)
    pl.DataFrame({"b": [8]}).write_parquet(nxt.path(OUT))
    kept.keep(nxt, [OUT], {"y": {"aantal": 8}})
    third = _next_run(nxt)
    assert kept_step(cache, "stap", third, [IN], KEY).take(third, [OUT]) == {"y": {"aantal": 8}}
    assert [p.name for p in (Path(cache) / STEPS / "stap").iterdir()] == [CURRENT]


def test_a_kept_table_written_into_is_not_taken(world):
    store, cache = world
    _compute_and_keep(store, cache)
    with open(store.path(OUT), "ab") as f:  # in place: the kept link sees it too
        f.write(b"x")
    nxt = _next_run(store)
    logs = []
    assert kept_step(cache, "stap", nxt, [IN], KEY, log=logs.append).take(nxt, [OUT]) is None
    assert len(logs) == 1 and "gewijzigd" in logs[0]


@pytest.mark.parametrize("damage", ["index", "table"])
def test_a_damaged_cache_is_a_miss_with_one_line(world, damage):
    store, cache = world
    _compute_and_keep(store, cache)
    folder = Path(cache) / STEPS / "stap" / CURRENT
    if damage == "index":
        (folder / INDEX).write_text("{niet json")
    else:
        next(p for p in folder.iterdir() if p.suffix == ".parquet").unlink()
    nxt = _next_run(store)
    logs = []
    assert kept_step(cache, "stap", nxt, [IN], KEY, log=logs.append).take(nxt, [OUT]) is None
    assert len(logs) == 1 and "opnieuw berekend" in logs[0]


def test_an_unwritable_cache_costs_only_time(world, tmp_path):
    store, _ = world
    blocker = tmp_path / "geen_map"
    blocker.write_text("een bestand waar de cache een map wil")
    store.path(OUT).parent.mkdir(parents=True)
    pl.DataFrame({"b": [1]}).write_parquet(store.path(OUT))
    logs = []
    kept_step(str(blocker), "stap", store, [IN], KEY, log=logs.append).keep(store, [OUT], {})
    assert len(logs) == 1 and "niet bewaard" in logs[0]


def test_index_holds_no_key_and_no_value(world):
    store, cache = world
    _compute_and_keep(store, cache)
    text = (Path(cache) / STEPS / "stap" / CURRENT / INDEX).read_text()
    assert KEY.decode() not in text
    assert set(json.loads(text)) == {"formaat", "sleutel", "tabellen", "extra"}
