"""The DDAS reader's worker processes: the outcome does not depend on who read what."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import BrokenExecutor, ThreadPoolExecutor

import polars as pl
import pytest

from assets.common.bsn import pseudonym, pseudonymise
from assets.common.settings import DdasSettings
from assets.ingest.ddas_json import read_ddas
from assets.ingest.ddas_workers import configured_workers
from assets.ingest.inventory import inventory, to_read
from tests.conftest import TEST_KEY, valid_bsns
from tests.test_ingest_ddas import document, put, traject

KEY = TEST_KEY.encode()
PEIL = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    """Files of different sizes, a refused one, shared persons across files, bad records."""
    land = tmp_path_factory.mktemp("workers")
    b = valid_bsns(60, seed=31)
    for f in range(7):
        trajecten = [traject(b[(f * 7 + i) % 60], aanmelding=f"202{i % 4}-0{1 + i % 9}-1{i % 9}") for i in range(5 + 9 * f)]
        trajecten.append(traject("123456789"))  # bsn_ongeldig
        trajecten.append(traject(b[f], b[f + 1], einddatum=None, nazorg={"startdatum": None}))  # nulls: schema findings
        put(land, f"org{f}.json", document(*trajecten))
    put(land, "kapot.json", b'{"leveringen": [')
    return land


def _read(landing, monkeypatch, workers: str, meanwhile=None):
    """As the ingest asset reads: DDAS_WORKERS through the settings resource."""
    with configured_workers(DdasSettings(workers=workers).worker_count):
        return read_ddas(to_read(inventory(landing), "ddas"), PEIL, KEY, meanwhile=meanwhile)


def test_two_processes_give_exactly_what_one_gives(landing, monkeypatch):
    calls = []
    one = _read(landing, monkeypatch, "1", meanwhile=lambda: calls.append("1"))
    two = _read(landing, monkeypatch, "2", meanwhile=lambda: calls.append("2"))
    assert calls == ["1", "2"]  # the caller's other work runs once either way
    for name in ("ledger", "records", "quarantine", "schema_findings"):
        assert getattr(one, name).equals(getattr(two, name)), name
    assert one.records.height > 0 and one.quarantine.height > 0 and one.schema_findings.height > 0


def test_an_error_in_the_other_work_stops_the_reader(landing, monkeypatch):
    def boom():
        raise RuntimeError("csv reader failed")

    with pytest.raises(RuntimeError, match="csv reader failed"):
        _read(landing, monkeypatch, "2", meanwhile=boom)


def test_workers_setting_is_checked(landing, monkeypatch):
    with pytest.raises(ValueError, match="DDAS_WORKERS"):
        _read(landing, monkeypatch, "nul")


class _Broken(ThreadPoolExecutor):
    def submit(self, *args, **kwargs):
        raise BrokenExecutor("worker died")


def test_pseudonyms_split_over_a_pool_equal_those_computed_here():
    bsns = pl.Series([f"{i:09d}" for i in range(12_000)] * 2 + [None])
    here = pseudonymise(bsns, KEY)
    with ThreadPoolExecutor(1) as pool:
        assert pseudonymise(bsns, KEY, pool).equals(here)
    with _Broken(1) as pool:
        assert pseudonymise(bsns, KEY, pool).equals(here)  # a dead worker: all computed here
    assert here[0] == pseudonym("000000000", KEY) and here[-1] is None
