"""The examples in docs/indicators.md and docs/audit.md run as written against `ddas demo`:
every SQL block through DuckDB's Python package, every Python block with polars, from the
folder that holds `output/`, as the docs say."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")
DOCS = Path(__file__).resolve().parent.parent / "docs"


def blocks(doc: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", (DOCS / doc).read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "DAGSTER_HOME": str(work / "home"), "DDAS_PEILDATUM": "2026-12-01"}
    subprocess.run([sys.executable, "-m", "pipelines.cli", "demo", "--workdir", str(work), "--persons", "400"],
                   env=env, check=True, capture_output=True)
    return work


def test_every_sql_block_of_the_indicator_doc_runs(demo, monkeypatch):
    monkeypatch.chdir(demo)
    queries = [q for b in blocks("indicators.md", "sql") for q in b.split(";\n") if q.strip()]
    assert len(queries) >= 4
    for q in queries:
        duckdb.sql(q).fetchall()  # raises on a wrong column, table or path


def test_every_python_block_of_the_indicator_doc_runs(demo, monkeypatch):
    monkeypatch.chdir(demo)
    code = blocks("indicators.md", "python")
    assert code
    for block in code:
        exec(compile(block, "docs/indicators.md", "exec"), {})


def test_the_audit_doc_commands_name_the_output_folder():
    commands = [line for b in blocks("audit.md", "bash") for line in b.splitlines() if "ddas trace" in line]
    assert commands and all("--output" in line for line in commands)
