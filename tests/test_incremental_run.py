"""`ddas run` with the per-file cache (docs/incremental.md): the run after one new delivery
reads only that file and publishes exactly what a run from scratch publishes.

Three runs on one small generated world: a first run, a second run on the same output
after one new DDAS file (the cache is warm), and a run from scratch with --volledig on a
new output (beside the first run: two cores). No published table has a run id or a timestamp of the run, so every parquet
frame is compared whole."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assets.common import paths, publish
from assets.common.bsn_scan import bsn_like_cells
from assets.ingest.file_cache import CURRENT, INDEX
from tests.conftest import ddas_run, run_env

PEIL = "2026-06-30"


def _new_delivery(land: Path) -> str:
    """A copy of one DDAS file delivered a second later (new bytes, so not a duplicate)."""
    source = sorted((land / "ddas" / "2025").glob("*.json"))[0]
    raw = source.read_bytes()
    stamp = raw[raw.index(b'"aanleverdatumEnTijd"'):].split(b",", 1)[0]
    later = stamp.replace(b":00+", b":01+").replace(b":00Z", b":01Z")
    assert later != stamp
    target = source.with_name(source.stem + "_herlevering.json")
    target.write_bytes(raw.replace(stamp, later, 1))
    return target.relative_to(land).as_posix()


def _materialization(home: Path, asset: str) -> dict:
    import os

    old = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    try:
        with dg.DagsterInstance.get() as instance:
            event = instance.get_latest_materialization_event(dg.AssetKey(asset))
            return {k: v.value for k, v in event.asset_materialization.metadata.items()}
    finally:
        if old is None:
            os.environ.pop("DAGSTER_HOME")
        else:
            os.environ["DAGSTER_HOME"] = old


def _start(land: Path, out: Path, home: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(land), "--output", str(out),
                             "--peildatum", PEIL, *extra], env=run_env(home), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    from ddas_generator import generate

    root = tmp_path_factory.mktemp("incr_run")
    land, home = root / "landing", root / "home"
    generate(land, persons=150, seed=8)
    shutil.rmtree(land / "ground_truth")
    # the run from scratch (on the landing with the new file) beside the first run (without it)
    later = Path(shutil.copytree(land, root / "landing_later"))
    new = _new_delivery(later)
    first, scratch = _start(land, root / "out", home), _start(later, root / "scratch", root / "home2", "--volledig")
    _finish(first)
    _finish(scratch)
    first_meta = _materialization(home, "ddas_records")
    first_inodes = _staging_inodes(root / "out")
    first_model = _inodes(root / "out", "model/*.parquet")
    first_csv = _materialization(home, "shv_csv_records")
    shutil.copy2(later / new, land / new)
    second = ddas_run(land, root / "out", home, PEIL)
    assert second.returncode == 0, second.stderr[-3000:]
    return {"root": root, "land": land, "new": new, "first": first_meta, "second": _materialization(home, "ddas_records"),
            "scratch": _materialization(root / "home2", "ddas_records"), "first_inodes": first_inodes,
            "second_inodes": _staging_inodes(root / "out"), "first_csv": first_csv,
            "second_csv": _materialization(home, "shv_csv_records"), "first_model": first_model,
            "second_model": _inodes(root / "out", "model/*.parquet"), "second_vs": _materialization(home, "vroegsignalen")}


def _inodes(out: Path, pattern: str) -> dict[str, int]:
    """{file: inode} of the tables matching `pattern` under `out`."""
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.glob(pattern)}


def _staging_inodes(out: Path) -> dict[str, int]:
    """{file: inode} of the four kinds' staging tables."""
    return _inodes(out, "staging/*/*.parquet")


def test_steps_whose_inputs_did_not_change_publish_their_kept_tables(runs):
    """After a new DDAS file the early-warning model and the aftercare events read unchanged
    staging: their tables are the first run's files (assets/common/kept_steps.py), with the
    same metadata; harmonisation, whose input changed, wrote its tables anew."""
    first, second = runs["first_model"], runs["second_model"]
    kept = {rel for rel in first if first[rel] == second.get(rel)}
    assert kept == {paths.VROEGSIGNALEN, paths.VROEGSIGNAALZAKEN, paths.NAZORG_GEBEURTENISSEN}
    vs = runs["second_vs"]
    assert vs["dagster/row_count"] == pl.read_parquet(runs["root"] / "out" / paths.VROEGSIGNALEN).height > 0
    assert "signalen_zonder_zaak" in vs and "dagster/column_lineage" in vs


def test_unchanged_kinds_publish_their_kept_staging_files(runs):
    """The kinds without a new file are not concatenated, scanned and written again: their
    staging files are the very files of the first run (hard links of the kept tables); the
    kind with the new file is written anew. The materialization says the same."""
    first, second = runs["first_inodes"], runs["second_inodes"]
    assert set(first) == set(second) and len(first) == 16
    rewritten = {rel for rel in first if first[rel] != second[rel]}
    assert rewritten == {rel for rel in first if rel.startswith("staging/ddas/")}
    before, after = runs["first_csv"], runs["second_csv"]
    assert after["bestanden_uit_cache"] == before["bestanden_gelezen"] and after["bestanden_gelezen"] == 0
    same = ("bestanden", "bestanden_geladen", "records_gelezen", "records_geaccepteerd", "dagster/row_count")
    assert {k: after[k] for k in same} == {k: before[k] for k in same}


def test_run_with_nothing_new_takes_every_kept_staging(runs):
    """Every kind unchanged (also the DDAS kind, whose reader otherwise reads the others
    meanwhile): every staging file is the previous run's, and the published set is the same."""
    root = runs["root"]
    out = root / "out"
    before = {rel: pl.read_parquet(out / rel) for rel in (paths.LEVERINGEN, paths.staging("ddas", "records"))}
    proc = ddas_run(runs["land"], out, root / "home", PEIL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _staging_inodes(out) == runs["second_inodes"]
    # and no step with only unchanged inputs computed again: all of the model is kept
    assert _inodes(out, "model/*.parquet") == runs["second_model"]
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no link left behind
    for rel, frame in before.items():
        assert_frame_equal(pl.read_parquet(out / rel), frame, check_exact=True)


def test_run_after_one_new_file_reads_only_that_file(runs):
    first, second = runs["first"], runs["second"]
    assert first["bestanden_uit_cache"] == 0 and first["bestanden_gelezen"] > 1
    assert second["bestanden_gelezen"] == 1
    assert second["bestanden_uit_cache"] == first["bestanden_gelezen"]
    assert runs["scratch"]["bestanden_uit_cache"] == 0


def test_outputs_equal_a_run_from_scratch(runs):
    out, scratch = runs["root"] / "out", runs["root"] / "scratch"
    tables = sorted(p.relative_to(out) for p in out.rglob("*.parquet"))
    assert tables == sorted(p.relative_to(scratch) for p in scratch.rglob("*.parquet"))
    assert paths.LEVERINGEN in {t.as_posix() for t in tables} and len(tables) > 20
    for rel in tables:
        assert_frame_equal(pl.read_parquet(out / rel), pl.read_parquet(scratch / rel), check_exact=True), rel
    ledger = pl.read_parquet(out / paths.LEVERINGEN)
    assert ledger.filter(pl.col("bestand") == runs["new"])["status"].to_list() == ["geladen"]


def test_cache_lives_beside_the_output_and_holds_no_bsn(runs):
    out = runs["root"] / "out"
    cache = paths.cache_root(publish.work_root(out))
    assert cache.parent == out.parent and cache.name == ".out.ddas-cache"
    assert not any(p.name.startswith(".ddas") for p in out.iterdir())
    kept = cache / "ddas" / CURRENT
    index = json.loads((kept / INDEX).read_text())
    assert len(index["bestanden"]) == runs["second"]["bestanden_gelezen"] + runs["second"]["bestanden_uit_cache"]
    # the kept tables are the published staging tables themselves (hard links): no extra disk
    assert (kept / "records.parquet").stat().st_ino == (out / paths.staging("ddas", "records")).stat().st_ino
    frames = pl.read_parquet(kept / "records.parquet")
    assert frames.height > 0 and bsn_like_cells(frames).height == 0


def test_volledig_reaches_the_settings():
    from pipelines.cli import run_config

    env = {"DDAS_LANDING_DIR": "/l", "DDAS_OUTPUT_DIR": "/o", "DDAS_PEILDATUM": PEIL, "DDAS_VOLLEDIG": "1"}
    assert run_config(env)["resources"]["settings"]["config"]["volledig"] == "1"
    from assets.common.settings import DdasSettings

    assert DdasSettings(volledig="1").full_read and not DdasSettings().full_read


def test_a_night_with_only_aftercare_changes_keeps_harmonisation(runs):
    """One aftercare workbook removed (a change to the nazorg kind only): the trajectory
    staging is the same, so harmonisation's five tables are the previous run's files; the
    aftercare events are computed again. (Last in this module: it changes the landing.)"""
    root, land, out = runs["root"], runs["land"], runs["root"] / "out"
    before = _inodes(out, "model/*.parquet")
    nazorg_records = pl.read_parquet(out / paths.staging("nazorg", "records")).height
    ledger = pl.read_parquet(out / paths.staging("nazorg", "leveringen"))
    bestand = ledger.sort("records_geaccepteerd", "bestand", descending=True)["bestand"][0]  # one with accepted rows
    (land / bestand).unlink()
    proc = ddas_run(land, out, root / "home", PEIL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = _inodes(out, "model/*.parquet")
    kept = {rel for rel in before if before[rel] == after.get(rel)}
    assert kept == {paths.TRAJECTEN, paths.TRAJECTCLIENTEN, paths.HERKOMST, paths.BEGELEIDING, paths.SCHULDEN_MODEL,
                    paths.VROEGSIGNALEN, paths.VROEGSIGNAALZAKEN}
    assert pl.read_parquet(out / paths.staging("nazorg", "records")).height < nazorg_records
    meta = _materialization(root / "home", "trajecten")
    assert meta["dagster/row_count"] == pl.read_parquet(out / paths.TRAJECTEN).height
