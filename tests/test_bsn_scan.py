"""The BSN scan (assets/quality/checks.bsn_like_cells) against a plain-Python reference."""
from __future__ import annotations

import re

import polars as pl
from hypothesis import given, settings, strategies as st

from assets.common.bsn import is_valid_bsn
from assets.quality.checks import bsn_like_cells
from tests.conftest import valid_bsns

_BSNS = valid_bsns(3, seed=11)
# pieces that make matches, near-misses (10 digits, 9 digits glued to letters) and pseudonym-like words
_PIECES = st.sampled_from([*_BSNS, "123456789", "000000000", "1234567890", "x", "é", " ", "/", "-", ".", "_",
                           "[3]", "a1" * 32, "0" * 8, "99", "GM0518", f"{_BSNS[0]}{_BSNS[1]}", f"a{_BSNS[2]}"])
_TEXT = st.one_of(st.none(), st.lists(_PIECES, max_size=4).map("".join))


def _reference_cell(text: str | None) -> bool:
    return text is not None and any(is_valid_bsn(m) for m in re.findall(r"\b[0-9]{9}\b", text))


def reference(columns: dict[str, list]) -> dict[str, int]:
    counts = {}
    for name, values in columns.items():
        if name.startswith("lijst"):
            n = sum(_reference_cell(" ".join(v)) for v in values if v is not None)
        elif name.startswith("getal"):
            n = sum(_reference_cell(str(v)) for v in values if v is not None)
        else:
            n = sum(_reference_cell(v) for v in values)
        if n:
            counts[name] = n
    return counts


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.fixed_dictionaries({
    "tekst": st.lists(_TEXT, min_size=n, max_size=n),
    "tekst2": st.lists(_TEXT, min_size=n, max_size=n),
    "lijst": st.lists(st.one_of(st.none(), st.lists(_PIECES, max_size=3)), min_size=n, max_size=n),
    "getal": st.lists(st.one_of(st.none(), st.sampled_from([int(b) for b in _BSNS]), st.integers(-10**10, 10**10)),
                      min_size=n, max_size=n),
})))
def test_scan_counts_the_cells_the_reference_counts(columns):
    df = pl.DataFrame(columns, schema={"tekst": pl.Utf8, "tekst2": pl.Utf8, "lijst": pl.List(pl.Utf8), "getal": pl.Int64})
    found = dict(bsn_like_cells(df).iter_rows())
    assert found == reference(columns)


def test_dates_and_other_types_are_not_scanned():
    df = pl.DataFrame({"d": [None], "f": [float(_BSNS[0])], "b": [True]}, schema={"d": pl.Date, "f": pl.Float64, "b": pl.Boolean})
    assert bsn_like_cells(df).height == 0
