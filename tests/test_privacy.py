"""Privacy by construction, end to end (model.md §1, sources.md; docs/privacy.md).

One `ddas run` on a small generated landing with planted values: BSNs hidden without any
word boundary in a CSV `Dossiernr`, a CSV `Opmerking`, an XLSX `Uitgevoerd door` and a
DDAS file name, and debt amounts that pass the elfproef. The run must succeed (a measure
is never a reason to stop), no output file, log line or Dagster record may hold the
planted digits, and what the auditor needs must survive: the amounts as numbers, the
Dossiernr findable with `ddas trace --dossier`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import subprocess
import sys

import polars as pl
import pytest

from assets.common import paths
from assets.common.bsn import is_valid_bsn
from ddas_generator import generate
from tests.builders import csv_file, ddas_file, traject, xlsx_file
from tests.conftest import TEST_KEY, valid_bsns

PEIL = "2026-06-30"
IN_DOSSIERNR = "795822698"  # the reproductions of issue 12
IN_UITVOERDER = "111222333"
IN_FILE_NAME = "123456782"
PEOPLE = valid_bsns(8, seed=1212)
IN_OPMERKING = PEOPLE[7]
PLANTED = (IN_DOSSIERNR, IN_UITVOERDER, IN_FILE_NAME, IN_OPMERKING)
DEBT_CSV, DEBT_DDAS = 123456782, 136687830  # measures that pass the elfproef


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
def planted(tmp_path_factory):
    assert all(is_valid_bsn(b) for b in (*PLANTED, str(DEBT_CSV), str(DEBT_DDAS)))
    root = tmp_path_factory.mktemp("privacy")
    land, out, home = root / "landing", root / "output", root / "home"
    generate(land, persons=300, seed=12)
    p = PEOPLE
    csv_file(land / "shv_csv/geplant/GM0344_20240131.csv", [
        [f"D{IN_DOSSIERNR}", p[0], "", "01-02-2023", "", "MSR", "01-03-2023", "", "", "", str(DEBT_CSV), ""],
        ["A-2", p[1], "", "01-02-2023", "", "MSR", "", "", "", "", "", f"klant_{IN_OPMERKING}"],
    ])
    xlsx_file(land / "nazorg/geplant/GM0518_20250101.xlsx", [
        [p[2], dt.date(2024, 8, 1), "Contact", None, "Telefonisch", f"klant_{IN_UITVOERDER}"],
    ])
    planted_ddas = traject([p[3]], aanmelding="2024-02-01")
    planted_ddas["totaalSchuldbedragBijAanvangSchuld"] = DEBT_DDAS
    ddas_file(land / f"ddas/geplant/levering_{IN_FILE_NAME}.json", [planted_ddas])
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DDAS_")},
           "DAGSTER_HOME": str(home), "DDAS_PSEUDONYM_KEY": TEST_KEY}
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(land), "--output", str(out),
                           "--peildatum", PEIL], env=env, capture_output=True, text=True, timeout=600)
    return {"out": out, "home": home, "proc": proc, "env": env}


def test_the_run_succeeds_although_amounts_pass_the_elfproef(planted):
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
