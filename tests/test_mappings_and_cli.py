"""Mapping files drive the codes; the `ddas generate` command writes a landing folder."""
from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest
from click.testing import CliRunner

from assets.common.reference import configured_mapping_dir, mapping, mapping_dir
from assets.ingest.inventory import inventory, to_read
from assets.ingest.shv_csv import read_shv_csv
from pipelines.cli import main
from tests.builders import csv_file
from tests.conftest import TEST_KEY, valid_bsns


def test_shipped_mappings_are_exactly_the_contract():
    assert mapping("ddas", "uitstroom.reden") == {v.lower(): v for v in [
        "Overleden", "Verhuisd", "Nietverschenen", "Ingetrokken", "Niet passend", "Overig", "Voldoet niet", "Afgerond", "Zelf"]}
    assert mapping("shv_csv", "Reden einde") == {
        "schuldenvrij": "Afgerond", "regeling afgerond": "Afgerond", "doel bereikt": "Afgerond",
        "niet verschenen": "Nietverschenen", "ingetrokken door klant": "Ingetrokken", "niet passend": "Niet passend",
        "voldoet niet aan voorwaarden": "Voldoet niet", "zelf opgelost": "Zelf", "verhuisd": "Verhuisd",
        "overleden": "Overleden", "anders": "Overig"}
    assert set(mapping("shv_csv", "Product")) == {"ia", "msr", "sk", "bbh", "bbg", "stab"}


def test_a_code_added_to_a_mapping_leaves_quarantine_on_the_next_run(tmp_path, monkeypatch):
    land = tmp_path / "landing"
    b = valid_bsns(2, seed=3)
    csv_file(land / "shv_csv/GM0518_20240131.csv", [
        ["D1", b[0], "", "01-02-2023", "", "MSR", "", "01-12-2023", "Schulden opgelost", "", "", ""],
        ["D2", b[1], "", "01-02-2023", "", "BEW", "", "", "", "", "", ""],
    ])

    def codes():
        res = read_shv_csv(to_read(inventory(land), "shv_csv"), dt.date(2025, 1, 1), TEST_KEY.encode())
        return sorted(res.quarantine["reden_code"].to_list()), res.records

    assert codes()[0] == ["product_onbekend", "reden_onbekend"]
    own = tmp_path / "mappings"
    shutil.copytree(mapping_dir(), own)
    with (own / "shv_csv_reden_einde.csv").open("a") as fh:
        fh.write("shv_csv,Reden einde,  schulden OPGELOST ,Afgerond\n")
    with (own / "lokaal_product.csv").open("w") as fh:
        fh.write("bron,veld,bronwaarde,standaardwaarde\nshv_csv,Product,BEW,budgetbeheer\n")
    with configured_mapping_dir(str(own)):  # the settings field mapping_dir (DDAS_MAPPING_DIR) of a run
        quarantined, records = codes()
    assert quarantined == []
    # D1 is the closed one (the Dossiernr itself is stored as a keyed hash, model.md §1)
    assert records.filter(pl.col("einddatum").is_not_null())["uitstroomreden"].to_list() == ["Afgerond"]


def test_generate_command_writes_all_kinds_and_truth(tmp_path):
    out = tmp_path / "land"
    r = CliRunner().invoke(main, ["generate", "--out", str(out), "--persons", "300", "--seed", "4"])
    assert r.exit_code == 0, r.output
    for kind, ext in (("ddas", ".json"), ("shv_csv", ".csv"), ("nazorg", ".xlsx")):
        assert any(p.suffix == ext for p in (out / kind).rglob("*")), kind
    assert (out / "ground_truth" / "trajecten.parquet").is_file()


@pytest.mark.parametrize("exit_with, code", [(None, 0), (0, 0), (2, 2), ("kapot", 1)])
def test_entry_ends_the_process_with_the_commands_exit_code(monkeypatch, capsys, exit_with, code):
    import pipelines.cli as cli

    def command():
        print("uitvoer")
        if exit_with is not None:
            raise SystemExit(exit_with)

    ended = []
    monkeypatch.setattr(cli, "main", command)
    monkeypatch.setattr(cli.os, "_exit", ended.append)
    cli.entry()
    out = capsys.readouterr()
    assert ended == [code] and out.out == "uitvoer\n"
    assert ("kapot" in out.err) == (exit_with == "kapot")
