"""The BSN scan (assets/common/bsn_scan.bsn_like_cells) against a plain-Python reference.

The rule (docs/privacy.md): a text cell is suspect when it holds a maximal run of exactly
nine digits that passes the elfproef, wherever it stands; numbers are measures and are
not scanned; declared key columns (schemas/keys.py) are not scanned but must have their
exact form.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pandera.polars as pa
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import schemas
from assets.common.bsn import is_valid_bsn
from assets.quality.checks import bsn_like_cells
from schemas.keys import SLEUTELS
from tests.conftest import valid_bsns

_BSNS = valid_bsns(3, seed=11)
HEX_WITH_BSN = "ab" + "123456782" + "c" * 53  # a well-formed 64-hex key that holds a valid nine-digit run
assert len(HEX_WITH_BSN) == 64 and is_valid_bsn("123456782")

# pieces that make matches, near-misses (8 and 10 digits, invalid 9) and glued or hex-like words
_PIECES = st.sampled_from([*_BSNS, "123456789", "000000000", "1234567890", "12345678", "x", "é", " ", "/", "-", ".",
                           "_", "[3]", "a1" * 32, "0" * 8, "99", "7", "GM0518", "D", "klant_", ".json", "٣",
                           f"{_BSNS[0]}{_BSNS[1]}", f"a{_BSNS[2]}", HEX_WITH_BSN])
_TEXT = st.one_of(st.none(), st.lists(_PIECES, max_size=4).map("".join))
_KEY = st.one_of(st.none(), st.just(HEX_WITH_BSN), st.just("0" * 64), st.just("A" * 64), st.just(HEX_WITH_BSN[:63]),
                 st.just(f"klant_{_BSNS[0]}"), st.just(""))


def _reference_cell(text: str | None) -> bool:
    """Plain Python: some maximal run of ASCII digits is exactly nine long and passes the elfproef."""
    return text is not None and any(len(run) == 9 and is_valid_bsn(run) for run in re.findall(r"[0-9]+", text))


def reference(columns: dict[str, list]) -> dict[str, int]:
    counts = {}
    for name, values in columns.items():
        if name in SLEUTELS:
            form = re.compile(SLEUTELS[name])
            n = sum(v is not None and not form.fullmatch(v) for v in values)
        elif name.startswith("lijst"):
            n = sum(_reference_cell(" ".join(v)) for v in values if v is not None)
        elif name.startswith("getal"):
            n = 0  # measures are not scanned
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
    "persoon_id": st.lists(_KEY, min_size=n, max_size=n),
})))
def test_scan_counts_the_cells_the_reference_counts(columns):
    df = pl.DataFrame(columns, schema={"tekst": pl.Utf8, "tekst2": pl.Utf8, "lijst": pl.List(pl.Utf8),
                                       "getal": pl.Int64, "persoon_id": pl.Utf8})
    found = dict(bsn_like_cells(df).iter_rows())
    assert found == reference(columns)
    assert dict(bsn_like_cells(df.lazy()).iter_rows()) == found  # lazy frames too


@pytest.mark.parametrize("planted", [
    "D795822698",  # a Dossiernr: a letter glued to the BSN
    "klant_111222333",  # an `Uitgevoerd door`: '_' is a word character, so \b never saw it
    "ddas/levering_123456782.json",  # a file name
    "123456782",
    "zie 111222333, 123456789",
])
def test_planted_bsns_are_found_without_word_boundaries(planted):
    df = pl.DataFrame({"bestand": ["ddas/a.json", planted, planted, None]})
    assert bsn_like_cells(df).rows() == [("bestand", 2)]
    cat = df.with_columns(pl.col("bestand").cast(pl.Categorical))
    assert bsn_like_cells(cat).rows() == [("bestand", 2)]


@pytest.mark.parametrize("near_miss", [
    "D1234567890",  # ten digits: not a nine-digit run
    "D123456789",  # fails the elfproef
    "D000000000",
    "GM0518_20240131.csv",  # runs of 4 and 8
    "leveringen[0].schuldhulptrajecten[123456]",
    "12345678",  # eight digits (a lost leading zero) are not looked for in text: dates are eight digits too
])
def test_near_misses_are_not_found(near_miss):
    assert bsn_like_cells(pl.DataFrame({"tekst": [near_miss]})).height == 0


def test_measures_are_never_a_bsn():
    """A debt amount of 123456782 euros and a file of 136,687,830 bytes both pass the
    elfproef; as numbers they are measures and never suspect."""
    assert is_valid_bsn("136687830")
    df = pl.DataFrame({"schuldbedrag_eur": [123456782, None], "bytes": [136687830, 1], "aantal": [111222333, 0],
                       "waarde": [123456782.0, None], "klein": pl.Series([2**31 - 1, 0], dtype=pl.Int32)})
    assert bsn_like_cells(df).height == 0
    dates_and_flags = pl.DataFrame({"d": [None], "b": [True]}, schema={"d": pl.Date, "b": pl.Boolean})
    assert bsn_like_cells(dates_and_flags).height == 0


def test_key_columns_are_exempt_but_must_have_their_exact_form():
    ok = pl.DataFrame({
        "persoon_id": [HEX_WITH_BSN, "0" * 64, None],
        "dossiernr": [None, HEX_WITH_BSN, "f" * 64],
        "traject_id": ["0123456782abcdef", "123456782" + "abcdef0", "f" * 16],
        "sha256": [HEX_WITH_BSN] * 3,
        "persoon_ids": [[HEX_WITH_BSN], [HEX_WITH_BSN, "1" * 64], []],
    })
    assert bsn_like_cells(ok).height == 0
    # the same values in a column that is not a key are found: the declaration is what exempts them
    assert bsn_like_cells(ok.rename({"persoon_id": "vrij"})).rows() == [("vrij", 1)]

    bad = pl.DataFrame({
        "persoon_id": ["A" * 64, HEX_WITH_BSN, HEX_WITH_BSN + "0"],  # upper case; fine; 65 characters
        "dossiernr": ["D795822698", None, ""],  # a raw Dossiernr where only its hash belongs
        "traject_id": ["0" * 64, "f" * 16, "0123456782abcdeg"],  # too long; fine; not hex
        "sha256": [HEX_WITH_BSN, HEX_WITH_BSN[:63], " " + HEX_WITH_BSN[1:]],
        "persoon_ids": [[HEX_WITH_BSN, "klant_111222333"], [None], [HEX_WITH_BSN]],  # a null in a list is no key
    })
    assert dict(bsn_like_cells(bad).iter_rows()) == {"persoon_id": 2, "dossiernr": 2, "traject_id": 2, "sha256": 2,
                                                     "persoon_ids": 2}
    not_text = pl.DataFrame({"traject_id": [123456782, None]})
    assert bsn_like_cells(not_text).rows() == [("traject_id", 1)]
    categorical = pl.DataFrame({"persoon_id": pl.Series(["0" * 64, "klant_111222333"], dtype=pl.Categorical)})
    assert bsn_like_cells(categorical).rows() == [("persoon_id", 1)]


def _models():
    for info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"schemas.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, pa.DataFrameModel) and obj is not pa.DataFrameModel and obj.__module__ == module.__name__:
                yield obj


def test_every_model_column_named_as_a_key_checks_the_declared_form():
    """The key forms are declared once (schemas/keys.py); a model that names a key
    column checks exactly that form, so what validates is what the scan accepts."""
    seen = []
    for model in _models():
        for name, column in model.to_schema().columns.items():
            if name not in SLEUTELS or isinstance(column.dtype.type, pl.List):
                continue
            patterns = [c.statistics.get("pattern") for c in column.checks if c.name == "str_matches"]
            assert patterns == [SLEUTELS[name]], (model.__name__, name, patterns)
            seen.append((model.__name__, name))
    assert ("TrajectHerkomst", "dossiernr") in seen and ("TrajectRecord", "dossiernr") in seen
    assert ("TrajectClienten", "persoon_id") in seen and ("Leveringen", "sha256") in seen


def test_the_scan_reports_counts_never_values():
    bsn = _BSNS[0]
    found = bsn_like_cells(pl.DataFrame({"vrij": [f"x{bsn}y"], "persoon_id": [f"klant_{bsn}"]}))
    assert found.rows() == [("vrij", 1), ("persoon_id", 1)]
    assert bsn not in repr(found.rows())


# --- the guard around the scan (assets/common/bsn_guard.py) ---------------------------------

def test_guard_failure_names_columns_and_kinds_never_values(tmp_path):
    import dagster as dg

    from assets.quality import bsn_guard

    bsn = _BSNS[1]
    leaky = pl.DataFrame({"bestand": [f"ddas/levering_{bsn}.json"], "persoon_id": [f"klant_{bsn}"],
                          "schuldbedrag_eur": [int(bsn)]})
    check = bsn_guard.write_guarded("traject_herkomst", str(tmp_path), {"model/traject_herkomst.parquet": leaky})
    assert not check.passed and not any(tmp_path.rglob("*.parquet"))  # nothing written
    assert check.metadata["verdachte_cellen"].data == {"model/traject_herkomst.parquet": {"bestand": 1, "persoon_id": 1}}
    emitted = bsn_guard.emit(check, dg.MaterializeResult(asset_key="traject_herkomst"))
    assert next(emitted) is check
    with pytest.raises(dg.Failure) as failure:
        next(emitted)
    text = failure.value.description
    assert "elfproef) in model/traject_herkomst.parquet: bestand (1 cellen)" in text
    assert "sleutels van de verkeerde vorm in model/traject_herkomst.parquet: persoon_id (1 cellen)" in text
    assert bsn not in text and bsn not in repr(check.metadata)


def test_a_failed_validation_never_quotes_a_value():
    import dagster as dg

    from assets.common import bsn_guard

    class Clienten(pa.DataFrameModel):  # its own model: the test does not follow schema changes
        traject_id: str
        persoon_id: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")

    bad = pl.DataFrame({"traject_id": ["0123456789abcdef"], "persoon_id": [f"klant_{_BSNS[2]}"]})
    with pytest.raises(pa.errors.SchemaError, match=_BSNS[2]):  # what pandera itself would say
        Clienten.validate(bad)
    with pytest.raises(dg.Failure) as failure:
        bsn_guard.validate(Clienten, bad)
    assert failure.value.description == "Clienten: kolom persoon_id voldoet niet aan str_matches (1 gevallen); niets geschreven"
    assert failure.value.__cause__ is None and failure.value.__suppress_context__
    good = bad.with_columns(persoon_id=pl.lit("0" * 64))
    assert bsn_guard.validate(Clienten, good).equals(good)


# --- nested columns: a struct's fields and the fields of a list of structs -------------------

_NEST = pl.List(pl.Struct({"soort": pl.Utf8, "schuldeiser_id": pl.Utf8, "bedrag_eur": pl.Int64,
                           "labels": pl.List(pl.Utf8)}))
_ELEMENT = st.one_of(st.none(), st.fixed_dictionaries({
    "soort": _TEXT, "schuldeiser_id": st.one_of(st.none(), st.just("12345678"), st.just("a" * 64), st.just(_BSNS[0]),
                                                st.just(HEX_WITH_BSN)),
    "bedrag_eur": st.one_of(st.none(), st.sampled_from([int(b) for b in _BSNS])),
    "labels": st.one_of(st.none(), st.lists(_TEXT, max_size=2))}))


def _nested_reference(rows: list, structs: list) -> dict[str, int]:
    """Plain Python: a list-of-structs cell is suspect in a text field when the field's
    non-null values, joined by a space, hold a hit; in a key field when a non-null value
    is not of the key's form. A struct's text field like a text column."""
    form = re.compile(SLEUTELS["schuldeiser_id"])
    present = lambda row: [e for e in (row or []) if e is not None]  # noqa: E731
    counts = {
        "schulden.soort": sum(_reference_cell(" ".join(e["soort"] for e in present(r) if e["soort"] is not None))
                              for r in rows),
        "schulden.schuldeiser_id": sum(any(e["schuldeiser_id"] is not None and not form.fullmatch(e["schuldeiser_id"])
                                           for e in present(r)) for r in rows),
        "schulden.labels": sum(_reference_cell(" ".join(t for e in present(r) for t in (e["labels"] or []) if t is not None))
                               for r in rows),
        "adres.omschrijving": sum(_reference_cell(s and s["omschrijving"]) for s in structs),
    }
    return {k: n for k, n in counts.items() if n}


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(
    st.lists(st.one_of(st.none(), st.lists(_ELEMENT, max_size=3)), min_size=n, max_size=n),
    st.lists(st.one_of(st.none(), st.fixed_dictionaries({"omschrijving": _TEXT, "n": st.integers(0, 10**9)})),
             min_size=n, max_size=n))))
def test_nested_text_and_keys_are_scanned_like_columns(data):
    """A BSN in a field of `schulden` or `begeleiding` (lists of structs in staging), or in a
    struct, is found; a nested key (schuldeiser_id) is held to its form, a null allowed."""
    rows, structs = data
    df = pl.DataFrame({"schulden": rows, "adres": structs},
                      schema={"schulden": _NEST, "adres": pl.Struct({"omschrijving": pl.Utf8, "n": pl.Int64})})
    found = dict(bsn_like_cells(df).iter_rows())
    assert found == _nested_reference(rows, structs)


def test_guard_names_a_nested_key_as_a_key(tmp_path):
    from assets.quality import bsn_guard

    df = pl.DataFrame({"schulden": [[{"soort": "x", "schuldeiser_id": _BSNS[2], "bedrag_eur": 1, "labels": []}]]},
                      schema={"schulden": _NEST})
    check = bsn_guard.write_guarded("x_records", str(tmp_path), {"staging/x/records.parquet": df})
    assert not check.passed
    text = bsn_guard.failure_text("x_records", check.metadata["verdachte_cellen"].data)
    assert "sleutels van de verkeerde vorm in staging/x/records.parquet: schulden.schuldeiser_id (1 cellen)" in text
    assert _BSNS[2] not in text
