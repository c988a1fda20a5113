"""Time the report at national scale: every CBS municipality (345) x 10 years x 7
indicators, some suppressed. Run: .venv/bin/python benchmarks/bench_report.py [workers]"""
from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time

import polars as pl

from assets.common.reference import gemeenten
from assets.report.build import build_all
from assets.report.data import ReportData
from assets.report.write import write_pages
from schemas.indicators import INDICATOR_CODES


def world(seed: int = 1) -> pl.DataFrame:
    rng = random.Random(seed)
    codes = sorted(gemeenten()["gemeentecode"].to_list())
    rows = []
    for regio in codes + ["NL"]:
        size = 100_000 if regio == "NL" else rng.choice([5, 20, 80, 300, 2000])
        for ind in INDICATOR_CODES:
            for jaar in range(2015, 2025):
                noemer = max(1, int(size * rng.uniform(0.6, 1.4)))
                teller = int(noemer * rng.uniform(0.02, 0.4))
                hidden = noemer < 10
                rows.append({"indicator": ind, "regio_code": regio, "jaar": jaar,
                             "teller": None if hidden else teller, "noemer": None if hidden else noemer,
                             "waarde": None if hidden else round(100 * teller / noemer, 1), "onderdrukt": hidden,
                             "voorlopig": jaar == 2024, "peildatum": dt.date(2025, 6, 30)})
    return pl.DataFrame(rows, schema_overrides={"jaar": pl.Int32})


if __name__ == "__main__":
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else None
    d = ReportData(world(), namen=dict(gemeenten().select("gemeentecode", "gemeentenaam").iter_rows()))
    t = time.perf_counter()
    pages = build_all(d, workers)
    built = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as out:
        write_pages(out, pages)
    total = time.perf_counter() - t
    size = sum(len(p) for p in pages.values())
    print(f"{len(pages)} pages, {size / 1e6:.1f} MB: built in {built:.1f} s, written in {total - built:.1f} s")
