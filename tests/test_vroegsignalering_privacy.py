"""End to end: no name, street, postcode, place or birth date of a signal reaches any output
file, log line, Dagster metadata or the quarantine (vroegsignalering.md §1); the
early-warning outputs exist and the examples of docs/vroegsignalering.md run on them."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest


DOCS = Path(__file__).resolve().parent.parent / "docs"
PERSONAL = ("Achternaam", "Straatnaam", "Plaatsnaam")


@pytest.fixture(scope="module")
def run(privacy_run):
    """The session's run on tests/privacy_world.py's landing (shared with test_privacy.py)."""
    assert privacy_run["proc"].returncode == 0, privacy_run["proc"].stderr[-3000:]
    return privacy_run


def _personal_values(land: Path) -> set[str]:
    """Every name, street, place, postcode (as delivered and normalised) and birth date
    (ISO and dd-mm-jjjj) of every signal delivered."""
    values: set[str] = set()
    for path in (land / "vroegsignalering").rglob("*.json"):
        for lev in json.loads(path.read_text(encoding="utf-8"))["leveringen"]:
            for s in lev.get("vroegsignalen") or []:
                c = s.get("client") or {}
                values.update(c[k] for k in PERSONAL if c.get(k))
                if c.get("Postcode"):
                    values.update({c["Postcode"], c["Postcode"].replace(" ", "").upper()})
                if c.get("Geboortedatum"):
                    y, m, d = c["Geboortedatum"].split("-")
                    values.update({c["Geboortedatum"], f"{d}-{m}-{y}"})
    return {v for v in values if len(v) >= 5}


def _texts(path: Path) -> str:
    if path.suffix == ".parquet":
        df = pl.read_parquet(path)
        parts = [" ".join(df.columns)]
        for name, dtype in df.schema.items():
            col = df[name]
            if isinstance(dtype, pl.List):
                col = col.explode(empty_as_null=False)
            parts.append("\n".join(col.cast(pl.Utf8, strict=False).drop_nulls().to_list()))
        return "\n".join(parts)
    return path.read_bytes().decode("utf-8", errors="replace")


def test_no_personal_data_of_a_signal_anywhere(run):
    secrets = _personal_values(run["land"])
    assert {"Dijk", "Voorbeeldstraat", "Voorbeeldstad", "1234AB", "1985-06-15"} & secrets >= {"Voorbeeldstraat", "1234AB"}
    assert len(secrets) > 100
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    scanned = 0
    # every output file (the quarantine, the model, the report, staging), the run's console
    # output, and the Dagster instance (event log with all metadata, compute logs)
    for base in (run["out"], run["home"]):
        for path in base.rglob("*"):
            if path.is_file():
                hit = pattern.search(_texts(path))
                assert hit is None, f"{path.relative_to(base)} holds personal data of a signal"
                scanned += 1
    assert pattern.search(run["log"]) is None
    assert scanned > 20


def test_early_warning_outputs_and_ledger(run):
    out = run["out"]
    led = pl.read_parquet(out / "kwaliteit/leveringen.parquet").filter(pl.col("bron") == "vroegsignalering")
    assert led.height > 10 and (led["status"] == "geladen").all()
    ex = led.filter(pl.col("bestand").str.contains("voorbeelden/[em]"))
    assert ex.select("records_gelezen", "records_geaccepteerd").sort("records_gelezen").rows() == [(2, 1), (8, 4)]
    q = pl.read_parquet(out / "kwaliteit/quarantaine.parquet").filter(pl.col("bestand").str.contains("voorbeelden/[em]"))
    assert q["reden_code"].to_list() == ["bsn_ongeldig"] * 5
    signalen = pl.read_parquet(out / "model/vroegsignalen.parquet")
    assert signalen.filter(pl.col("signaal_id").is_in(["GM0518:VS-2025-0001", "GM0307:VS-2025-0102"])).height == 2
    ind = pl.read_parquet(out / "indicatoren/vroegsignalering.parquet")
    assert set(ind["indicator"]) == {"signaal_opgepakt", "zaak_bereikt", "zaak_hulp_aanvaard", "meervoudig_signaal",
                                     "signaal_naar_schuldhulp"}
    assert (pl.read_parquet(out / "indicatoren/vroegsignalen_aantallen.parquet")["regio_code"] == "NL").any()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", (DOCS / "vroegsignalering.md").read_text(encoding="utf-8"), flags=re.S)


def test_the_doc_examples_run(run, monkeypatch):
    duckdb = pytest.importorskip("duckdb")
    monkeypatch.chdir(run["root"])
    queries = [q for b in _blocks("sql") for q in b.split(";\n") if q.strip()]
    assert len(queries) == 2 and all(duckdb.sql(q).fetchall() for q in queries)
    code = _blocks("python")
    assert code
    for block in code:
        exec(compile(block, "docs/vroegsignalering.md", "exec"), {})


def test_trace_an_early_warning_cell(run):
    ind = pl.read_parquet(run["out"] / "indicatoren/vroegsignalering.parquet")
    cell = ind.filter((pl.col("regio_code") == "NL") & ~pl.col("onderdrukt")).row(0, named=True)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DDAS_")}, "DAGSTER_HOME": str(run["home"])}
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "trace", "--output", str(run["out"]),
                           "--indicator", cell["indicator"], "--regio", "NL", "--jaar", str(cell["jaar"]),
                           "--format", "csv"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    from io import StringIO
    members = pl.read_csv(StringIO(proc.stdout))
    assert (members.height, int(members["in_teller"].sum())) == (cell["noemer"], cell["teller"])
