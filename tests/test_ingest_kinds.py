"""The delivery kinds registry (schemas/kinds.py): a new kind is one entry plus its reader."""
from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandera.polars as pa
import pytest

from assets.ingest.kinds import read_in_turn, reader
from schemas.kinds import DeliveryKind, kinds, landing_folders, resolve, trajectory_source_sets

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("k", kinds(), ids=lambda k: k.name)
def test_every_registered_kind_resolves_to_a_reader_and_a_record_model(k):
    read = reader(k)
    assert list(inspect.signature(read).parameters)[:3] == ["files", "peildatum", "key"]
    assert ("meanwhile" in inspect.signature(read).parameters) == k.pooled
    assert issubclass(resolve(k.record_model), pa.DataFrameModel)


def test_trajectory_kinds_have_distinct_authorities():
    ranks = [k.authority for k in kinds() if k.is_trajectory]
    assert len(ranks) == len(set(ranks)) >= 1


def test_trajectory_source_sets_are_every_sorted_combination():
    assert trajectory_source_sets() == ["ddas", "shv_csv", "ddas,shv_csv"]


def test_landing_folders_are_the_kinds_then_the_announced_ones():
    assert landing_folders() == ["ddas", "shv_csv", "nazorg", "vroegsignalering"]


def _kind(name: str, pooled: bool = False) -> DeliveryKind:
    return DeliveryKind(name=name, extension="x", named=True, reader="m:f", record_model="m:M", description="",
                        pooled=pooled)


def test_the_pooled_kind_reads_the_others_meanwhile():
    a, b, c = _kind("a"), _kind("b", pooled=True), _kind("c")
    calls = []

    def read(k, meanwhile=None):
        calls.append(("start", k.name))
        if meanwhile is not None:
            meanwhile()
        calls.append(("end", k.name))

    read_in_turn([a, b, c], read)
    assert calls == [("start", "b"), ("start", "a"), ("end", "a"), ("start", "c"), ("end", "c"), ("end", "b")]
    calls.clear()
    read_in_turn([a, c], read)
    assert calls == [("start", "a"), ("end", "a"), ("start", "c"), ("end", "c")]


# A fifth kind registered before anything else is imported (the models read the registry
# when they are built): the inventory walks its folder and checks its names, its reader
# runs through the registry, the quality models accept its `bron`, the ingest asset and
# the landing check know it. Run in a fresh interpreter so the real registry stays as is.
FAKE_READER = '''
import polars as pl
from assets.ingest.reasons import empty_quarantine
from assets.ingest.result import IngestResult, ledger_frame, ledger_row
from schemas.quality import empty
from schemas.records import NazorgEvent

def read_proef(files, peildatum, key):
    rows = [ledger_row(f, "geladen", None, f["leverdatum_naam"]) for f in files.iter_rows(named=True)]
    return IngestResult(ledger=ledger_frame(rows), records=empty(NazorgEvent), quarantine=empty_quarantine())
'''

SCRIPT = '''
import datetime as dt, json, sys
import schemas.kinds as registry

registry.REGISTRY = registry.REGISTRY + (registry.DeliveryKind(
    name="proef", extension="txt", named=True, reader="proef_reader:read_proef",
    record_model="schemas.records:NazorgEvent", description="Proefbestanden."),)

import dagster as dg
import polars as pl
import pandera.errors
from assets.common.publish import check_landing
from assets.ingest.dagster_assets import delivered_records
from assets.ingest.inventory import inventory, refused_ledger, to_read
from assets.ingest.kinds import reader
from assets.quality.gather import gather_ledger
from schemas.kinds import kind
from schemas.quality import Inventaris, Leveringen

landing = sys.argv[1]
check_landing(landing)  # only proef/ below it: still a landing folder
inv = inventory(landing)
Inventaris.validate(inv)
result = reader(kind("proef"))(to_read(inv, "proef"), dt.date(2025, 1, 1), b"k" * 32)
ledger = gather_ledger(inv, refused_ledger(inv), [result.ledger])
Leveringen.validate(ledger)
try:
    Leveringen.validate(ledger.with_columns(bron=pl.lit("onbekend")))
    other_refused = False
except pandera.errors.SchemaError:
    other_refused = True
print(json.dumps({
    "ledger": ledger.select("bron", "bestand", "status", "reden").rows(),
    "asset": dg.AssetKey("proef_records") in delivered_records.keys,
    "other_refused": other_refused,
}))
'''


def test_a_new_kind_is_one_registry_entry_and_one_reader_module(tmp_path):
    (tmp_path / "proef_reader.py").write_text(FAKE_READER)
    landing = tmp_path / "landing" / "proef"
    landing.mkdir(parents=True)
    (landing / "GM0518_20240101.txt").write_text("x")
    (landing / "GM0518_20240101.TXT").write_text("y")
    (landing / "GM0518_20240102.txt").write_text("x")  # same bytes as the first
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(SCRIPT), str(tmp_path / "landing")],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["ledger"] == [
        ["proef", "proef/GM0518_20240101.TXT", "geweigerd", "bestandsnaam past niet bij GMxxxx_JJJJMMDD.txt"],
        ["proef", "proef/GM0518_20240101.txt", "geladen", None],
        ["proef", "proef/GM0518_20240102.txt", "duplicaat", "zelfde inhoud (sha256) als een eerder genomen bestand van deze soort"],
    ]
    assert got["asset"] is True
    assert got["other_refused"] is True
