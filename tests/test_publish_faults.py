"""Fault tests on a real `ddas run`: kill -9 at several moments, two runs at once.

Each killed run uses another key than the published one, so any file it published would
differ in every pseudonym. DDAS_TEST_PAUSE_AFTER=<step> (test only, pipelines/jobs.py)
makes the run leave a marker in the work root and sleep after that step; `wissel` pauses
in the middle of the swap, after the first folder (assets/common/publish.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from assets.common import publish
from pipelines.cli import EXIT_BUSY
from ddas_generator import generate
from tests.conftest import TEST_KEY

REPO = Path(__file__).resolve().parents[1]
PEIL = "2025-06-30"
KEY2 = "another-test-key-for-pseudonyms-9876543210"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _env(key: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DDAS_", "DAGSTER_"))}
    env.update({"DDAS_PSEUDONYM_KEY": key, "DAGSTER_HOME": "home",  # relative on purpose: made absolute
                "PYTHONPATH": str(REPO), **extra})
    return env


def _start(root: Path, key: str, **extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", "--landing", "landing", "--output", "out",
                             "--peildatum", PEIL], cwd=root, env=_env(key, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(p: subprocess.Popen) -> tuple[int, str]:
    _, err = p.communicate(timeout=300)
    return p.returncode, err


def _kill_at(root: Path, point: str) -> None:
    marker = publish.work_root(root / "out") / f"pauze-{point}"
    p = _start(root, KEY2, DDAS_TEST_PAUSE_AFTER=point)
    deadline = time.monotonic() + 240
    while not marker.exists():
        assert p.poll() is None, f"run ended before {point}: {p.communicate()[1][-1000:]}"
        assert time.monotonic() < deadline, f"no pause at {point}"
        time.sleep(0.2)
    p.kill()  # SIGKILL: no cleanup of any kind
    p.wait()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    generate(root / "landing", persons=200, seed=21)
    code, err = _finish(_start(root, TEST_KEY))
    assert code == 0, err
    return {"root": root, "out": root / "out", "tree": _tree(root / "out")}


def test_kill_9_leaves_the_previous_set_then_the_next_run_cleans_up(world):
    root, out = world["root"], world["out"]
    for point in ("delivered_records", "harmonised_trajectories", "indicatoren"):
        _kill_at(root, point)
        assert _tree(out) == world["tree"], f"published set changed by a run killed after {point}"

    # killed in the middle of the swap: the next run's start rolls it forward to the new set
    _kill_at(root, "wissel")
    rf = publish.begin_run(out, "test-recover")  # what every run does first, under the lock
    publish.end_run(rf)
    rolled_forward = _tree(out)
    assert rolled_forward.keys() == world["tree"].keys() and rolled_forward != world["tree"]

    code, err = _finish(_start(root, KEY2))
    assert code == 0, err
    assert _tree(out) == rolled_forward  # exactly the whole new set (outputs are deterministic)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert sorted(p.name for p in publish.work_root(out).iterdir()) == ["lock"]
    with dg.DagsterInstance.from_config(str(root / "home")) as instance:
        runs = instance.get_runs()
        statuses = [r.status for r in reversed(runs)]  # oldest first
        assert statuses == [dg.DagsterRunStatus.SUCCESS] + [dg.DagsterRunStatus.FAILURE] * 4 + [dg.DagsterRunStatus.SUCCESS]
        assert all(r.tags.get("ddas/pid") for r in runs)
    world["tree2"] = _tree(out)


def test_two_runs_at_once_one_refuses_and_one_whole_set_is_published(world):
    """Started 0.5 s apart with different keys: one says another run is busy and exits
    EXIT_BUSY; the published set is exactly one key's set."""
    root, out = world["root"], world["out"]
    sets = {TEST_KEY: world["tree"], KEY2: world.get("tree2")}
    a = _start(root, TEST_KEY)
    time.sleep(0.5)
    b = _start(root, KEY2)
    results = {TEST_KEY: _finish(a), KEY2: _finish(b)}
    codes = sorted(code for code, _ in results.values())
    assert codes == [0, EXIT_BUSY], results
    winner = next(k for k, (code, _) in results.items() if code == 0)
    loser_err = next(err for code, err in results.values() if code == EXIT_BUSY)
    lines = [ln for ln in loser_err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ddas: another run is busy on ") and "(pid " in lines[0], loser_err
    now = _tree(out)
    if sets[winner] is not None:
        # every pseudonymised table is the winner's (aggregates and the ledger do not depend on the key)
        assert now.keys() == sets[winner].keys()
        assert {k: v for k, v in now.items() if k.startswith(("model/", "staging/"))} == \
            {k: v for k, v in sets[winner].items() if k.startswith(("model/", "staging/"))}
    else:  # this test run alone and the second key won: no pseudonymised file of the first key's set
        assert now.keys() == world["tree"].keys()
        assert all(now[rel] != world["tree"][rel] for rel in ("model/trajectclienten.parquet", "model/nazorg_gebeurtenissen.parquet"))
