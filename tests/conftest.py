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
