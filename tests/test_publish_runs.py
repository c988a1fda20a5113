"""Whole runs that must not publish, in-process through `ddas run` and through Dagster:
a wrong landing, a shrink, a full disk, a read-only output subfolder. Each leaves the
previous published set exactly as it was and says why in one line."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from click.testing import CliRunner

from assets.common import parquet_io, paths, publish
from pipelines.cli import EXIT_REFUSED, main, prepare_environment
from pipelines.definitions import defs
from ddas_generator import generate
from pipelines.run_config import settings_run_config
from pipelines.run_errors import failure_line
from tests.conftest import TEST_KEY

PEIL = "2025-06-30"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _run(land, out, home, *extra, env=None):
    # None: unset during the call and restored after it (prepare_environment exports what a run uses)
    env = {"DDAS_PSEUDONYM_KEY": TEST_KEY, "DAGSTER_HOME": str(home), "DDAS_PROGRESS": "0", "DDAS_ACCEPTEER_KRIMP": None,
           "DDAS_LANDING_DIR": None, "DDAS_OUTPUT_DIR": None, "DDAS_PEILDATUM": None, **(env or {})}
    return CliRunner().invoke(main, ["run", "--landing", str(land), "--output", str(out), "--peildatum", PEIL, *extra], env=env)


def _stderr_line(result) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A small generated landing and its published set."""
    root = tmp_path_factory.mktemp("publish_runs")
    land, out, home = root / "landing", root / "out", root / "home"
    generate(land, persons=200, seed=11)
    r = _run(land, out, home)
    assert r.exit_code == 0, r.output
    return {"root": root, "landing": land, "out": out, "home": home, "tree": _tree(out)}


@pytest.fixture
def out(published, tmp_path):
    """A copy of the published set for one test (the work root is created beside it)."""
    dst = tmp_path / "out"
    shutil.copytree(published["out"], dst)
    return dst


def _no_leftovers(out: Path) -> None:
    root = publish.work_root(out)
    assert sorted(p.name for p in root.iterdir()) == ["lock"], list(root.iterdir())
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_the_published_set_is_whole_and_nothing_else(published):
    tops = {p.name for p in published["out"].iterdir()}
    assert {"indicatoren", "kwaliteit", "model", "staging"} <= tops and not any(t.startswith(".") for t in tops)
    assert all(p.is_dir() and not p.is_symlink() for p in published["out"].iterdir())
    _no_leftovers(published["out"])
    umask = os.umask(0)
    os.umask(umask)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in published["out"].rglob("*") if p.is_file()}
    assert modes == {0o666 & ~umask}  # readable as the umask allows, not 0600 (process.md §5)


def test_wrong_landing_is_refused_in_one_line_and_the_previous_set_stays(published, out, tmp_path):
    empty = tmp_path / "verkeerd"
    (empty / "iets_anders").mkdir(parents=True)
    r = _run(empty, out, published["home"])
    assert r.exit_code == EXIT_REFUSED
    assert "holds none of ddas/, shv_csv/, nazorg/, vroegsignalering/" in _stderr_line(r)
    assert _tree(out) == published["tree"]


def test_wrong_landing_in_a_dagster_run_fails_the_first_asset(published, out, tmp_path, monkeypatch):
    empty = tmp_path / "verkeerd"
    empty.mkdir()
    for k, v in {"DDAS_LANDING_DIR": empty, "DDAS_OUTPUT_DIR": out, "DDAS_PEILDATUM": PEIL, "DDAS_PSEUDONYM_KEY": TEST_KEY}.items():
        monkeypatch.setenv(k, str(v))
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("ddas_job").execute_in_process(instance=instance, raise_on_error=False,
                                                                     run_config=settings_run_config())
    assert not result.success
    line = failure_line(result.all_events)
    assert line.startswith("asset inventaris failed: landing folder holds none of ddas/") and "\n" not in line
    assert _tree(out) == published["tree"]
    _no_leftovers(out)


def test_a_shrink_is_refused_and_published_with_accepteer_krimp(published, out, tmp_path):
    land = tmp_path / "landing"
    shutil.copytree(published["landing"], land)
    for f in sorted((land / "ddas").rglob("*.json"))[5:]:  # a supplier withdrew most DDAS files
        f.unlink()
    shutil.rmtree(land / "shv_csv")
    before = publish.accepted_records(out)
    r = _run(land, out, published["home"])
    assert r.exit_code == EXIT_REFUSED
    line = _stderr_line(r)
    assert f"accepted records fell from {before} to " in line and "--accepteer-krimp" in line and "publicatie" in line
    assert _tree(out) == published["tree"]
    _no_leftovers(out)

    r = _run(land, out, published["home"], "--accepteer-krimp")
    assert r.exit_code == 0, r.output
    assert publish.accepted_records(out) < 0.8 * before
    assert not (out / "shv_csv").exists() and _tree(out) != published["tree"]
    with dg.DagsterInstance.from_config(str(published["home"])) as instance:
        run = instance.get_runs(limit=1)[0]
        assert run.tags["ddas/krimp_geaccepteerd"].startswith("-")
        meta = instance.get_latest_materialization_event(dg.AssetKey("publicatie")).asset_materialization.metadata
        assert meta["krimp_geaccepteerd"].value is True and meta["records_geaccepteerd_vorige_publicatie"].value == before
    _no_leftovers(out)


def test_a_full_disk_keeps_the_previous_set_and_says_so(published, out, monkeypatch):
    real = parquet_io._write_once

    def full_at_indicators(df, path):
        if path.name == "indicatoren.parquet":
            raise pl.exceptions.ComputeError("parquet: underlying IO error: No space left on device (os error 28)")
        return real(df, path)

    monkeypatch.setattr(parquet_io, "_write_once", full_at_indicators)
    r = _run(published["landing"], out, published["home"])
    assert r.exit_code == EXIT_REFUSED
    line = _stderr_line(r)
    assert line.startswith("ddas: asset indicatoren failed: no space left on device writing ")
    assert line.endswith("/indicatoren/indicatoren.parquet")
    assert _tree(out) == published["tree"]
    _no_leftovers(out)


def _make_read_only(folder: Path) -> str:
    """chattr +i where the filesystem allows it (read-only even for root), else no write bits."""
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        return "chattr"
    os.chmod(folder, 0o555)
    return "chmod"


def test_a_read_only_output_subfolder_says_so_and_keeps_the_previous_set(published, out):
    how = _make_read_only(out / "kwaliteit")
    try:
        r = _run(published["landing"], out, published["home"])
    finally:
        subprocess.run(["chattr", "-i", str(out / "kwaliteit")], capture_output=True) if how == "chattr" else None
        os.chmod(out / "kwaliteit", 0o755)
    assert r.exit_code == EXIT_REFUSED
    assert _stderr_line(r) == f"ddas: output subfolder is read-only: {out}/kwaliteit; nothing published"
    assert _tree(out) == published["tree"]


def test_a_relative_dagster_home_is_made_absolute(tmp_path, monkeypatch):
    (tmp_path / "land" / "ddas").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DDAS_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("DAGSTER_HOME", "rel/home")
    env = prepare_environment("land", "out", PEIL)
    assert env["DAGSTER_HOME"] == str(tmp_path / "rel/home") and os.environ["DAGSTER_HOME"] == env["DAGSTER_HOME"]
    assert (tmp_path / "rel/home/dagster.yaml").is_file()


def test_a_failed_blocking_check_publishes_nothing(published, out, monkeypatch):
    from assets.quality import dagster_checks

    def never_reconciles(ledger, quarantine):
        return ledger.head(1)

    monkeypatch.setattr(dagster_checks, "unreconciled_files", never_reconciles)
    r = _run(published["landing"], out, published["home"])
    assert r.exit_code == EXIT_REFUSED
    line = _stderr_line(r)
    assert line.startswith("ddas: asset leveringen_leveringen_sluiten failed: ") and "leveringen_sluiten" in line
    assert _tree(out) == published["tree"]
    _no_leftovers(out)
