"""Shared fixtures: a test key, valid BSNs with known ground truth, and a landing folder."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from assets.common.bsn import is_valid_bsn

TEST_KEY = "test-key-for-pseudonyms-0123456789abcdef"  # >= 32 characters, tests only


def valid_bsns(n: int, seed: int = 1) -> list[str]:
    """n distinct valid BSNs (9 digits, elfproef), deterministic per seed."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        head = [rng.randrange(10) for _ in range(8)]
        s = sum(d * w for d, w in zip(head, (9, 8, 7, 6, 5, 4, 3, 2)))
        last = s % 11  # 9*d1+...+2*d8 - d9 == 0 (mod 11)  =>  d9 = s mod 11
        if last == 10:
            continue
        bsn = "".join(map(str, head)) + str(last)
        if bsn in seen or not is_valid_bsn(bsn):
            continue
        seen.add(bsn)
        out.append(bsn)
    return out


@pytest.fixture
def key() -> str:
    return TEST_KEY


@pytest.fixture
def key_bytes() -> bytes:
    return TEST_KEY.encode()


@pytest.fixture
def peildatum() -> dt.date:
    return dt.date(2025, 6, 30)


@pytest.fixture
def landing(tmp_path):
    root = tmp_path / "landing"
    for kind in ("ddas", "shv_csv", "nazorg"):
        (root / kind).mkdir(parents=True)
    return root


# --- whole runs shared by the session -------------------------------------------------------
# A generated world and a `ddas run` on it cost ~20 s (mostly Dagster start-up); modules that
# check the same world read one run through this cache instead of each running their own.


def run_env(home, key: str = TEST_KEY, **extra) -> dict:
    """The environment of a `ddas run` subprocess: no DDAS_* of the caller, its own instance."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("DDAS_")}
    return {**env, "DAGSTER_HOME": str(home), "DDAS_PSEUDONYM_KEY": key, **extra}


def ddas_run(land, out, home, peildatum: str, *extra: str, timeout: int = 900):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(land), "--output", str(out),
                           "--peildatum", peildatum, *extra], env=run_env(home), capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def generated_run(tmp_path_factory):
    """generated_run(seed, persons, peildatum, historie=None) -> {root, land, out, home, proc}:
    the generator's world and one `ddas run` on it, made once per session per argument set.
    Readers only: a test that changes the landing or the output makes its own."""
    from ddas_generator import generate

    cache: dict = {}

    def get(seed: int, persons: int, peildatum: str, historie: str | None = None) -> dict:
        k = (seed, persons, peildatum, historie)
        if k not in cache:
            root = tmp_path_factory.mktemp(f"world{seed}-n{persons}")
            land, out, home = root / "landing", root / "output", root / "home"
            generate(land, persons=persons, seed=seed)
            proc = ddas_run(land, out, home, peildatum, *(["--historie-vanaf", historie] if historie else []))
            assert proc.returncode == 0, proc.stderr[-3000:]
            cache[k] = {"root": root, "land": land, "out": out, "home": home, "proc": proc}
        return cache[k]

    return get


@pytest.fixture(scope="session")
def privacy_run(tmp_path_factory) -> dict:
    """One `ddas run` on tests/privacy_world.py's landing, for both privacy modules.
    proc is not asserted here: test_privacy's first test asserts the exit code itself."""
    from tests import privacy_world

    root = tmp_path_factory.mktemp("privacy")
    land, out, home = root / "landing", root / "output", root / "home"
    privacy_world.make_landing(land)
    proc = ddas_run(land, out, home, privacy_world.PEIL)
    return {"root": root, "land": land, "out": out, "home": home, "proc": proc, "env": run_env(home),
            "log": proc.stdout + proc.stderr}
