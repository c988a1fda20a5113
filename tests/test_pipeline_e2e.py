"""The whole pipeline through `ddas run`: exit codes, refusals, outputs, no BSN leaks."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from assets.common import paths
from tests.builders import csv_file, ddas_file, traject, xlsx_file
from tests.conftest import TEST_KEY, valid_bsns

PEIL = "2025-06-30"


def _run(args, env_extra=None, home=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DDAS_")}
    env["DAGSTER_HOME"] = str(home) if home else env.get("DAGSTER_HOME", "")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A small landing folder of all three kinds, with good and bad records and files."""
    root = tmp_path_factory.mktemp("e2e")
    land = root / "landing"
    b = valid_bsns(12, seed=7)
    ddas_file(land / "ddas/org1_2024.json", [
        traject([b[0]], aanmelding="2022-03-01", eind="2023-05-01", reden="Afgerond"),
        traject([b[0]], aanmelding="2024-02-01"),
        traject([b[1], b[2]], aanmelding="2024-01-05", ia_only=True),
        traject(["123456789"], aanmelding="2024-01-05"),  # bsn_ongeldig
    ])
    (land / "ddas/kapot.json").write_text('{"leveringen": [', encoding="utf-8")
    (land / "ddas/leeg.json").write_bytes(b"")
    csv_file(land / "shv_csv/GM0344_20240131.csv", [
        ["D1", b[3], "01-01-1980", "01-02-2023", "", "MSR", "01-03-2023", "", "", "", "1.234,50", f"zie ook {b[4]}; \"x\"\nregel 2"],
        ["D2", b[4], "", "01-02-2023", "", "XX", "", "", "", "", "", ""],  # product_onbekend
    ])
    csv_file(land / "shv_csv/GM0344_20241231.csv", [
        ["D1", b[3], "01-01-1980", "01-02-2023", "", "MSR", "01-03-2023", "01-12-2024", "Schuldenvrij", "", "1.234,50", ""],
    ])
    xlsx_file(land / "nazorg/GM0518_20250101.xlsx", [
        [b[0], dt.date(2023, 8, 1), "Contact", None, "Telefonisch", "Vrijwilligers"],
        [int(b[0]), "01-08-2023", "contact", None, "telefonisch", None],  # same event again
        [b[5], dt.date(2023, 8, 1), "Nazorgtoets", None, None, None],  # uitkomst_onbekend
    ])
    out, home = root / "output", root / "home"
    r = _run(["run", "--landing", str(land), "--output", str(out), "--peildatum", PEIL],
             {"DDAS_PSEUDONYM_KEY": TEST_KEY}, home)
    return {"root": root, "landing": land, "out": out, "home": home, "bsns": b, "proc": r}


def test_run_succeeds_and_writes_every_contract_output(world):
    r = world["proc"]
    assert r.returncode == 0, r.stderr[-2000:]
    for rel in (paths.INDICATOREN, paths.TRAJECTEN, paths.TRAJECTCLIENTEN, paths.NAZORG_GEBEURTENISSEN,
                paths.LEVERINGEN, paths.QUARANTAINE, paths.SCHEMA_AFWIJKINGEN):
        assert (world["out"] / rel).is_file(), rel
    assert str(world["out"]) in r.stdout


def test_ledger_reconciles_and_quarantine_matches(world):
    led = pl.read_parquet(world["out"] / paths.LEVERINGEN)
    q = pl.read_parquet(world["out"] / paths.QUARANTAINE)
    assert (led["records_gelezen"] == led["records_geaccepteerd"] + led["records_gequarantaineerd"]).all()
    status = dict(zip(led["bestand"], led["status"]))
    assert status["ddas/kapot.json"] == "geweigerd" and status["ddas/leeg.json"] == "geweigerd"
    per_file = q.group_by("bestand").len()
    expected = led.filter(pl.col("records_gequarantaineerd") > 0).select("bestand", pl.col("records_gequarantaineerd").alias("len"))
    assert per_file.sort("bestand").equals(expected.sort("bestand").cast({"len": pl.UInt32}))
    assert set(q["reden_code"]) == {"bsn_ongeldig", "product_onbekend", "uitkomst_onbekend"}


def test_model_merges_superseded_csv_and_dedupes_events(world):
    t = pl.read_parquet(world["out"] / paths.TRAJECTEN)
    ev = pl.read_parquet(world["out"] / paths.NAZORG_GEBEURTENISSEN)
    # b0: two trajectories; b1+b2: one I&A couple; b3: CSV D1 superseded by the later export (closed)
    assert t.height == 4
    closed_csv = t.filter(pl.col("gemeentecode") == "GM0344")
    assert closed_csv["einddatum"].to_list() == [dt.date(2024, 12, 1)] and closed_csv["uitstroomreden"].to_list() == ["Afgerond"]
    assert ev.height == 1


def _scan_text(text: str, bsns: list[str], where: str):
    for bsn in bsns:
        assert bsn not in text, f"raw BSN found in {where}"


def test_no_raw_bsn_in_outputs_logs_or_instance(world):
    bsns = world["bsns"] + ["123456789"]
    _scan_text(world["proc"].stdout + world["proc"].stderr, bsns, "command output")
    for f in world["out"].rglob("*"):
        if f.suffix == ".parquet":
            df = pl.read_parquet(f)
            _scan_text(df.write_ndjson(), bsns, str(f))  # every cell, lists included, as text
        elif f.is_file():
            _scan_text(f.read_bytes().decode("latin-1"), bsns, str(f))
    for f in world["home"].rglob("*"):
        if f.is_file():
            _scan_text(f.read_bytes().decode("latin-1"), bsns, str(f))


def test_refusals_are_one_line_and_non_zero(tmp_path):
    land = tmp_path / "landing"
    land.mkdir()
    cases = [
        ({}, ["run", "--landing", str(land), "--output", str(tmp_path / "o")], "DDAS_PSEUDONYM_KEY"),
        ({"DDAS_PSEUDONYM_KEY": "kort"}, ["run", "--landing", str(land), "--output", str(tmp_path / "o")], "too short"),
        ({"DDAS_PSEUDONYM_KEY": TEST_KEY}, ["run", "--landing", str(tmp_path / "nope"), "--output", str(tmp_path / "o")], "landing folder does not exist"),
        ({"DDAS_PSEUDONYM_KEY": TEST_KEY}, ["run", "--landing", str(land), "--output", "/proc/nee"], "not writable"),
        ({"DDAS_PSEUDONYM_KEY": TEST_KEY}, ["run", "--landing", str(land), "--output", str(tmp_path / "o"), "--peildatum", "31-12-2024"], "YYYY-MM-DD"),
        ({"DDAS_PSEUDONYM_KEY": TEST_KEY}, ["run", "--landing", str(land), "--output", str(tmp_path / "o")],
         "landing folder holds none of ddas/, shv_csv/, nazorg/, vroegsignalering/"),
    ]
    for env, args, needle in cases:
        r = _run(args, env, tmp_path / "home")
        assert r.returncode != 0
        lines = [line for line in r.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and needle in lines[0], r.stderr
        assert "kort" not in lines[0] and TEST_KEY not in lines[0]


def test_rerun_gives_same_bytes_and_a_progress_line_per_stage_on_a_terminal(world, tmp_path):
    # one rerun proves both: DDAS_PROGRESS only adds lines on stderr, never a byte of output
    out2 = tmp_path / "out2"
    r = _run(["run", "--landing", str(world["landing"]), "--output", str(out2), "--peildatum", PEIL],
             {"DDAS_PSEUDONYM_KEY": TEST_KEY, "DDAS_PROGRESS": "1"}, tmp_path / "home")
    assert r.returncode == 0, r.stderr[-2000:]
    for rel in (paths.INDICATOREN, paths.TRAJECTEN, paths.TRAJECTCLIENTEN, paths.LEVERINGEN, paths.QUARANTAINE):
        assert (world["out"] / rel).read_bytes() == (out2 / rel).read_bytes(), rel
    finished = {line.split()[1] for line in r.stderr.splitlines() if line.strip().startswith("klaar")}
    for stage in ("inventaris", "delivered_records", "leveringen",
                  "harmonised_trajectories", "nazorg_gebeurtenissen", "indicatoren"):
        assert stage in finished, stage
    assert "Warning" not in r.stderr
