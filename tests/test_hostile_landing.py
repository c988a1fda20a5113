"""Hostile landing entries and DDAS files (issue 12): each gets a ledger row with a reden,
nothing is followed or leaked, and the run goes on past it (sources.md, 2026-12-01)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assets.ingest.ddas_json as ddas_json
import assets.ingest.inventory as inventory_module
from assets.ingest.ddas_bounds import TE_DIEP, TE_GROOT, json_depth
from assets.ingest.ddas_json import read_ddas
from assets.ingest.inventory import CHANGED, inventory, inventory_table, refused_ledger, to_read, with_paths
from assets.ingest.landing_state import landing_state
from assets.ingest.names import mask_digits, shown_names
from assets.ingest.nazorg_xlsx import read_nazorg
from assets.ingest.shv_csv import read_shv_csv
from schemas.quality import Leveringen
from tests.builders import csv_file, ddas_file, traject, xlsx_file
from tests.conftest import TEST_KEY, valid_bsns

KEY = TEST_KEY.encode()
PEIL = dt.date(2025, 6, 30)
B = valid_bsns(12, seed=21)
NINE = re.compile(r"\d{9,}")


def good_files(land: Path) -> None:
    ddas_file(land / "ddas/goed.json", [traject([B[0]], aanmelding="2024-01-05"), traject(["123456789"])])
    csv_file(land / "shv_csv/GM0344_20240131.csv", [
        ["D1", B[1], "", "01-02-2023", "", "MSR", "", "", "", "", "", ""]])
    xlsx_file(land / "nazorg/GM0518_20240131.xlsx", [[B[2], dt.date(2023, 8, 1), "Contact", None, None, "Humanitas"]])


def hostile_entries(land: Path, outside: Path) -> None:
    """Every kind of entry that cannot be taken, in ddas/ and nazorg/."""
    ddas = land / "ddas"
    outside.mkdir(parents=True, exist_ok=True)
    ddas_file(outside / "buiten.json", [traject([B[3]])])  # a valid delivery, outside the landing folder
    (ddas / "link_buiten.json").symlink_to(outside / "buiten.json")
    (ddas / "link_map").symlink_to(outside)
    (ddas / "link_binnen.json").symlink_to(ddas / "goed.json")
    (ddas / "verbroken.json").symlink_to(ddas / "bestaat_niet.json")
    (ddas / "lus_a.json").symlink_to(ddas / "lus_b.json")
    (ddas / "lus_b.json").symlink_to(ddas / "lus_a.json")
    os.mkfifo(ddas / "pijp.json")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(ddas / "sok.json"))
    sock.close()
    with open(os.path.join(os.fsencode(ddas), b"fout\xff\xfe.json"), "wb") as fh:  # not UTF-8
        fh.write(b"{}")
    shutil.copy(land / "nazorg/GM0518_20240131.xlsx", land / "nazorg/GM0518_20240131.xlsx\n")  # ends in a newline


def ledger(inv: pl.DataFrame) -> dict[str, tuple[str | None, str | None]]:
    return {r["bestand"]: (r["status"], r["reden"]) for r in inv.iter_rows(named=True)}


def test_every_entry_gets_a_row_and_links_are_never_followed(tmp_path):
    land = tmp_path / "landing"
    good_files(land)
    hostile_entries(land, tmp_path / "elders")
    inv = inventory(land)
    rows = ledger(inv)
    reden = {k: v[1] for k, v in rows.items()}
    assert rows["ddas/goed.json"] == (None, None)
    assert rows["nazorg/GM0518_20240131.xlsx"] == (None, None)
    assert "buiten de landingsmap" in reden["ddas/link_buiten.json"] and "nooit gevolgd" in reden["ddas/link_buiten.json"]
    assert "een map buiten de landingsmap" in reden["ddas/link_map"]
    assert reden["ddas/link_binnen.json"].startswith("symbolische link naar een bestand:")
    assert "verbroken" in reden["ddas/verbroken.json"]
    assert "lus" in reden["ddas/lus_a.json"] and "lus" in reden["ddas/lus_b.json"]
    assert reden["ddas/pijp.json"].startswith("named pipe (fifo)")
    assert reden["ddas/sok.json"].startswith("socket")
    assert reden["ddas/fout\ufffd\ufffd.json"].startswith("naam is geen geldige UTF-8")
    assert reden["nazorg/GM0518_20240131.xlsx\n"].startswith("bestandsnaam past niet")  # full match, not `$`
    refused = {k for k, v in rows.items() if v[0] is not None}
    assert all(rows[k][0] == "geweigerd" for k in refused) and len(refused) == 10
    # nothing of the link's target is read: no hash, no size
    links = inv.filter(pl.col("bestand").str.starts_with("ddas/l") | pl.col("bestand").str.starts_with("ddas/verb"))
    assert links["sha256"].is_null().all() and links["bytes"].is_null().all()
    Leveringen.validate(refused_ledger(inv))
    # the delivery outside the landing folder never becomes records
    res = read_ddas(to_read(inv, "ddas"), PEIL, KEY)
    assert res.ledger["bestand"].to_list() == ["ddas/goed.json"] and res.records.height == 1


def test_unreadable_folder_and_file_get_a_row(tmp_path, monkeypatch):
    """As root, chmod 000 is still readable, so the file system's refusal is simulated."""
    land = tmp_path / "landing"
    good_files(land)
    (land / "ddas/geheim").mkdir()
    ddas_file(land / "ddas/geheim/x.json", [traject([B[4]])])
    ddas_file(land / "ddas/dicht.json", [traject([B[5]])])
    real_scandir, real_open = os.scandir, os.open

    def scandir(path="."):
        if os.fspath(path).endswith("geheim"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def os_open(path, flags, *args, **kwargs):
        if os.fspath(path).endswith("dicht.json"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(inventory_module.os, "scandir", scandir)
    monkeypatch.setattr(inventory_module.os, "open", os_open)
    rows = ledger(inventory(land))
    assert rows["ddas/geheim/"] == ("geweigerd", "map kan niet gelezen worden (geen leesrechten): wat erin staat is niet genomen")
    assert rows["ddas/dicht.json"] == ("geweigerd", "bestand kan niet gelezen worden (geen leesrechten)")
    assert rows["ddas/goed.json"] == (None, None)
    # a file that becomes unreadable after the inventory: the reader refuses it
    monkeypatch.setattr(inventory_module.os, "open", real_open)
    inv = inventory(land)
    assert ledger(inv)["ddas/dicht.json"] == (None, None)
    monkeypatch.setattr(inventory_module.os, "open", os_open)
    res = read_ddas(to_read(inv, "ddas"), PEIL, KEY)
    assert ledger(res.ledger)["ddas/dicht.json"] == ("geweigerd", "bestand kan niet gelezen worden (geen leesrechten)")
    assert ledger(res.ledger)["ddas/goed.json"] == ("geladen", None)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_unreadable_for_real(tmp_path):
    land = tmp_path / "landing"
    good_files(land)
    (land / "ddas/geheim").mkdir()
    (land / "ddas/geheim").chmod(0)
    try:
        assert ledger(inventory(land))["ddas/geheim/"][0] == "geweigerd"
    finally:
        (land / "ddas/geheim").chmod(0o700)


def test_digit_runs_are_masked_and_names_stay_unique(tmp_path):
    land = tmp_path / "landing"
    ddas_file(land / "ddas/levering_123456782.json", [traject([B[0]]), traject(["123456789"])])
    ddas_file(land / "ddas/levering_111222333.json", [traject([B[1]])])
    ddas_file(land / "ddas/levering_#########.json (1)", [traject([B[2]])])  # a real name that reads like a suffixed one
    csv_file(land / "shv_csv/987654321/GM0344_20240131.csv", [["D1", B[3], "", "x", "", "MSR", "", "", "", "", "", ""]])
    inv = inventory(land)
    names = inv["bestand"].to_list()
    assert len(set(names)) == len(names) == 4
    assert not any(NINE.search(n) for n in names)
    assert "shv_csv/#########/GM0344_20240131.csv" in names
    assert sorted(n for n in names if n.startswith("ddas/levering_#")) == [
        "ddas/levering_#########.json (1)", "ddas/levering_#########.json (2)", "ddas/levering_#########.json (3)"]
    ddas = read_ddas(to_read(inv, "ddas"), PEIL, KEY)
    csv = read_shv_csv(to_read(inv, "shv_csv"), PEIL, KEY)
    for res in (ddas, csv):
        for frame in (res.ledger, res.records, res.quarantine, res.schema_findings):
            if "bestand" in frame.columns:
                assert not frame["bestand"].str.contains(r"\d{9}").any()
    assert ddas.quarantine.height == 1 and csv.quarantine.height == 1
    # no absolute path is written, and the readers find the files again
    written = inventory_table(inv)
    assert "pad" not in written.columns
    again = with_paths(written, land)
    assert again["pad"].to_list() == inv["pad"].to_list() and again["status"].equals(inv["status"])


def test_mask_and_unique_helpers():
    assert mask_digits("a_123456782_12345678_1234567890.json") == "a_#########_12345678_##########.json"
    assert mask_digits("１２３４５６７８２") == "#########"  # full-width digits are digits too
    got = shown_names(["x/123456789.json", "x/987654321.json", "x/1.json"])
    assert got == {"x/1.json": "x/1.json", "x/123456789.json": "x/#########.json (1)", "x/987654321.json": "x/#########.json (2)"}


def test_a_file_that_changes_after_the_inventory_is_refused_not_read(tmp_path):
    land = tmp_path / "landing"
    good_files(land)
    written = inventory_table(inventory(land))
    (land / "ddas/goed.json").write_text("{}", encoding="utf-8")  # other size
    (land / "shv_csv/GM0344_20240131.csv").unlink()
    rows = ledger(with_paths(written, land))
    assert rows["ddas/goed.json"] == ("geweigerd", CHANGED) and rows["shv_csv/GM0344_20240131.csv"] == ("geweigerd", CHANGED)
    assert rows["nazorg/GM0518_20240131.xlsx"] == (None, None)


def test_workbook_copy_in_ddas_does_not_make_the_real_one_a_duplicate(tmp_path):
    land = tmp_path / "landing"
    good_files(land)
    shutil.copy(land / "nazorg/GM0518_20240131.xlsx", land / "ddas/werkmap.json")  # sorts before nazorg/
    inv = inventory(land)
    assert ledger(inv)["nazorg/GM0518_20240131.xlsx"] == (None, None)
    nazorg = read_nazorg(to_read(inv, "nazorg"), PEIL, KEY)
    assert nazorg.ledger["status"].to_list() == ["geladen"] and nazorg.records.height == 1
    ddas = ledger(read_ddas(to_read(inv, "ddas"), PEIL, KEY).ledger)
    assert ddas["ddas/werkmap.json"][0] == "geweigerd"


def test_landing_state_masks_names_and_never_opens_a_fifo(tmp_path):
    land = tmp_path / "landing"
    good_files(land)
    hostile_entries(land, tmp_path / "elders")
    ddas_file(land / "ddas/levering_123456782.json", [traject([B[6]])])
    state = landing_state(land)  # would block forever on the fifo if it opened it
    assert not any(NINE.search(k) for k in state)
    assert state["ddas/pijp.json"] == [None, None, None] and state["ddas/link_buiten.json"] == [None, None, None]
    assert state["ddas/goed.json"][2] is not None
    assert "\n" not in json.dumps(state)  # the cursor is JSON: a newline in a name is escaped


# --- DDAS files -----------------------------------------------------------------------


def _deep(depth: int) -> bytes:
    return (b'{"aanleverdatumEnTijd": "2025-01-15T09:00:00Z", "leveringen": [], "extra": '
            + b"[" * depth + b"]" * depth + b"}")


def test_deep_nesting_is_refused_and_the_run_goes_on(tmp_path):
    land = tmp_path / "landing"
    good_files(land)
    (land / "ddas/diep.json").write_bytes(_deep(255))  # made jsonschema-rs raise "Recursion limit reached"
    (land / "ddas/net_niet.json").write_bytes(_deep(62))  # 64 levels with the root object and the array: taken
    res = read_ddas(to_read(inventory(land), "ddas"), PEIL, KEY)
    rows = ledger(res.ledger)
    assert rows["ddas/diep.json"] == ("geweigerd", TE_DIEP)
    assert rows["ddas/net_niet.json"] == ("geladen", None) and rows["ddas/goed.json"] == ("geladen", None)
    Leveringen.validate(res.ledger)
    assert res.records.height == 1


def test_a_validator_fault_is_a_refusal(tmp_path, monkeypatch):
    """Were the depth limit set above what jsonschema-rs takes, its exception is caught."""
    monkeypatch.setattr(ddas_json, "MAX_DEPTH", 10_000)
    land = tmp_path / "landing"
    (land / "ddas").mkdir(parents=True)
    (land / "ddas/diep.json").write_bytes(_deep(300))
    rows = ledger(read_ddas(to_read(inventory(land), "ddas"), PEIL, KEY).ledger)
    assert rows["ddas/diep.json"] == ("geweigerd", "JSON Schema-validatie faalde (ValueError)")


def test_any_fault_in_one_file_is_that_files_refusal(tmp_path, monkeypatch):
    def boom(*_a, **_k):
        raise KeyError("delivered text that must not be shown")

    land = tmp_path / "landing"
    good_files(land)
    monkeypatch.setattr(ddas_json, "decode_records", boom)
    rows = ledger(read_ddas(to_read(inventory(land), "ddas"), PEIL, KEY).ledger)
    assert rows["ddas/goed.json"] == ("geweigerd", "bestand kon niet verwerkt worden (KeyError)")


def test_size_limit(tmp_path, monkeypatch):
    land = tmp_path / "landing"
    good_files(land)
    monkeypatch.setattr(ddas_json, "MAX_BYTES", 100)
    rows = ledger(read_ddas(to_read(inventory(land), "ddas"), PEIL, KEY).ledger)
    assert rows["ddas/goed.json"] == ("geweigerd", TE_GROOT)


@pytest.mark.parametrize("text, depth", [
    (b"1", 0), (b"{}", 1), (b"[[]]", 2), (b'{"a": "[[[[", "b": [1, {"c": "\\"]]]"}]}', 3),
    (b'["\\\\", ["\\\\\\"[["]]', 2), (b'{"a\\\\": ["\\\\\\\\"]}', 2), (b"[" * 300 + b"]" * 300, 300),
    ('["ü[", {"é": ["}"]}]'.encode(), 3),
])
def test_json_depth(text, depth):
    assert json_depth(text) == depth
    assert json.loads(text) is not None or text == b"null"


def _walk_depth(v) -> int:
    if isinstance(v, dict):
        return 1 + max(map(_walk_depth, v.values()), default=0)
    if isinstance(v, list):
        return 1 + max(map(_walk_depth, v), default=0)
    return 0


def test_json_depth_agrees_with_a_walk_on_real_shapes():
    doc = {"a": [{"b": "x]\"[", "c": [[{"d": None}]]}], "e": {"f": "\\", "g": ["{"]}}
    assert json_depth(json.dumps(doc).encode()) == _walk_depth(doc) == 6
    assert json_depth(json.dumps(doc, indent=2, ensure_ascii=False).encode()) == 6


# strings made of what can fool a byte-level count: brackets, quotes, backslashes, non-ASCII
_TRICKY = st.text(alphabet='[]{}"\\ aé', max_size=6)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TRICKY, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON, st.booleans(), st.booleans())
def test_json_depth_equals_a_walk_of_the_parsed_value(doc, indent, ascii_only):
    text = json.dumps(doc, indent=2 if indent else None, ensure_ascii=ascii_only).encode()
    assert json_depth(text) == _walk_depth(doc)


# --- worker processes -----------------------------------------------------------------

_PARENT = textwrap.dedent("""
    import os, sys, time
    from assets.ingest.ddas_workers import worker_pool
    with worker_pool(2) as pool:
        pid = pool.submit(os.getpid).result()
        pool.submit(time.sleep, 600)  # the worker is busy when its parent dies
        print(pid, flush=True)
        time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie has ended; only its parent (init here) has not reaped it yet
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_end_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        worker = int(parent.stdout.readline())
        assert _alive(worker)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30  # a bound on waiting, not a speed test
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()


# --- the whole pipeline ---------------------------------------------------------------


def test_the_pipeline_runs_past_a_landing_full_of_hostile_entries(tmp_path):
    """`ddas run` on good files beside every hostile entry above: exit 0, a ledger row
    for each entry, counts that reconcile, no planted number in any output."""
    from tests.test_pipeline_e2e import PEIL as RUN_PEIL, _run
    from tests.test_xlsx_bounds import HEADER, error, row, sheet_xml, workbook

    land = tmp_path / "landing"
    good_files(land)
    hostile_entries(land, tmp_path / "elders")
    (land / "ddas/diep.json").write_bytes(_deep(255))
    ddas_file(land / "ddas/levering_123456782.json", [traject([B[7]], aanmelding="2024-02-01")])
    shutil.copy(land / "nazorg/GM0518_20240131.xlsx", land / "ddas/werkmap.json")
    workbook(land / "nazorg/GM0518_20240201.xlsx", sheet_xml(HEADER + '<row r="2"><c r="XFD1048576"><v>1</v></c></row>'))
    workbook(land / "nazorg/GM0518_20240301.xlsx", sheet_xml(HEADER + row(2, error("A2"), error("B2"), error("C2"))))
    out = tmp_path / "output"
    r = _run(["run", "--landing", str(land), "--output", str(out), "--peildatum", RUN_PEIL],
             {"DDAS_PSEUDONYM_KEY": TEST_KEY}, tmp_path / "home")
    assert r.returncode == 0, r.stderr[-3000:]
    led = pl.read_parquet(out / "kwaliteit/leveringen.parquet")
    rows = ledger(led)
    assert (led["records_gelezen"] == led["records_geaccepteerd"] + led["records_gequarantaineerd"]).all()
    for name in ("ddas/link_buiten.json", "ddas/verbroken.json", "ddas/lus_a.json", "ddas/pijp.json", "ddas/sok.json",
                 "ddas/fout\ufffd\ufffd.json", "nazorg/GM0518_20240131.xlsx\n", "ddas/diep.json", "ddas/werkmap.json",
                 "nazorg/GM0518_20240201.xlsx"):
        assert rows[name][0] == "geweigerd" and rows[name][1], name
    assert rows["ddas/levering_#########.json"] == ("geladen", None)
    assert rows["nazorg/GM0518_20240131.xlsx"] == ("geladen", None)  # not a duplicate of ddas/werkmap.json
    errors = led.filter(pl.col("bestand") == "nazorg/GM0518_20240301.xlsx").row(0, named=True)
    assert (errors["records_gelezen"], errors["records_gequarantaineerd"]) == (1, 1)
    for f in out.rglob("*"):
        if f.is_file():
            assert b"123456782" not in f.read_bytes(), f
        if f.suffix == ".parquet":
            df = pl.read_parquet(f)
            if "bestand" in df.columns:
                assert not df["bestand"].cast(pl.Utf8).str.contains(r"\d{9}").any(), f
    assert str(tmp_path / "elders") not in r.stdout + r.stderr
