"""Privacy by construction, end to end (model.md §1, sources.md; docs/privacy.md).

One `ddas run` on a generated landing with planted values (tests/privacy_world.py): BSNs hidden without any
word boundary in a CSV `Dossiernr`, a CSV `Opmerking`, an XLSX `Uitgevoerd door` and a
DDAS file name, and debt amounts that pass the elfproef. The run must succeed (a measure
is never a reason to stop), no output file, log line or Dagster record may hold the
planted digits, and what the auditor needs must survive: the amounts as numbers, the
Dossiernr findable with `ddas trace --dossier`.
"""
from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys

import polars as pl
import pytest

from assets.common import paths
from assets.common.bsn import is_valid_bsn
from tests.conftest import TEST_KEY

from tests.privacy_world import DEBT_CSV, DEBT_DDAS, IN_DOSSIERNR, PLANTED


def _text_cells(df: pl.DataFrame) -> list[str]:
    """Every string in a frame: text and categorical cells, and the elements of text lists."""
    out: list[str] = []
    for name, dtype in df.schema.items():
        col = df[name]
        if dtype == pl.Utf8 or isinstance(dtype, (pl.Categorical, pl.Enum)):
            out += col.cast(pl.Utf8).drop_nulls().to_list()
        elif isinstance(dtype, pl.List) and dtype.inner == pl.Utf8:
            out += col.explode(empty_as_null=True).drop_nulls().to_list()
        elif isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            out.append(repr(col.to_list()))  # other nested values: searched as their text
    return out


@pytest.fixture(scope="module")
def planted(privacy_run):
    """The session's run on tests/privacy_world.py's landing (shared with test_vroegsignalering_privacy.py)."""
    return privacy_run


def test_the_run_succeeds_although_amounts_pass_the_elfproef(planted):
    assert all(is_valid_bsn(b) for b in (*PLANTED, str(DEBT_CSV), str(DEBT_DDAS)))
    assert planted["proc"].returncode == 0, planted["proc"].stderr[-3000:]
    led = pl.read_parquet(planted["out"] / paths.LEVERINGEN)
    geplant = led.filter(pl.col("bestand").str.contains("/geplant/"))
    assert geplant.height == 3 and (geplant["status"] == "geladen").all()
    assert (geplant["records_geaccepteerd"] == geplant["records_gelezen"]).all()


def test_no_output_file_holds_a_planted_bsn(planted):
    out = planted["out"]
    parquets = list(out.rglob("*.parquet"))
    assert len(parquets) >= 8
    for f in parquets:
        cells = _text_cells(pl.read_parquet(f))
        for digits in PLANTED:
            assert not any(digits in c for c in cells), (f.relative_to(out), digits)
    for f in out.rglob("*"):
        if f.is_file() and f.suffix != ".parquet":  # report pages, journals, anything else
            text = f.read_bytes().decode("latin-1")
            for digits in PLANTED:
                assert digits not in text, (f.relative_to(out), digits)


def test_no_log_line_or_dagster_record_holds_a_planted_bsn(planted):
    proc = planted["proc"]
    for digits in PLANTED:
        assert digits not in proc.stdout + proc.stderr
    for f in planted["home"].rglob("*"):
        if f.is_file():
            text = f.read_bytes().decode("latin-1")
            for digits in PLANTED:
                assert digits not in text, (f, digits)


def test_what_the_auditor_needs_survives(planted):
    out = planted["out"]
    led = pl.read_parquet(out / paths.LEVERINGEN)
    assert "ddas/geplant/levering_#########.json" in led["bestand"].to_list()
    # the amounts are measures: kept, as numbers
    herkomst = pl.read_parquet(out / paths.HERKOMST)
    amounts = herkomst.filter(pl.col("bestand").str.contains("/geplant/"))["schuldbedrag_eur"].to_list()
    assert sorted(a for a in amounts if a is not None) == [DEBT_CSV, DEBT_DDAS]
    # the Dossiernr only as its keyed hash, which the auditor can recompute
    hashed = hmac.new(TEST_KEY.encode(), f"D{IN_DOSSIERNR}".encode(), hashlib.sha256).hexdigest()
    row = herkomst.filter(pl.col("dossiernr") == hashed)
    assert row.height == 1 and row["bestand"].item() == "shv_csv/geplant/GM0344_20240131.csv"
    trace = subprocess.run([sys.executable, "-m", "pipelines.cli", "trace", "--output", str(out),
                            "--dossier", f"D{IN_DOSSIERNR}", "--gemeente", "GM0344"],
                           env=planted["env"], capture_output=True, text=True, timeout=120)
    assert trace.returncode == 0, trace.stderr
    assert f"trajectory {row['traject_id'].item()}" in trace.stdout and IN_DOSSIERNR not in trace.stdout
    # the organisation that is not in the mapping table becomes `overig`
    events = pl.read_parquet(out / paths.NAZORG_GEBEURTENISSEN)
    assert events.filter(pl.col("bestand") == "nazorg/geplant/GM0518_20250101.xlsx")["uitgevoerd_door"].to_list() == ["overig"]
