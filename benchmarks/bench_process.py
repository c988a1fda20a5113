"""Timing of process.md §2-3 at national scale: the indicator table with the three Wgs
indicators, and the four tables (doorlooptijden, uitstroom, schulden, terugval_uitsplitsing).

    .venv/bin/python benchmarks/bench_process.py [--personen 1000000] [--seed 7]

The model of bench_indicators.py plus the process fields (process_fields.py). Not a
test: prints timings.
"""
from __future__ import annotations

import argparse

import polars as pl
from bench_indicators import PEIL, generate, timed
from process_fields import add_process_fields

from assets.indicators import compute_indicators
from assets.indicators.tabel_basis import invoer
from assets.indicators.tabellen import TABLES, compute_table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--personen", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    t, c, e = timed("generate model tables (numpy)", lambda: generate(args.personen, args.seed, process=False))
    t, c, b, s = timed("process fields (numpy)", lambda: add_process_fields(t, c, args.seed))
    print(f"  {t.height:,} trajectories, {c.height:,} client rows, {b.height:,} begeleiding, {s.height:,} debts")
    without = timed("compute_indicators, no begeleiding", lambda: compute_indicators(t.lazy(), c.lazy(), e.lazy(), PEIL).collect())
    ind = timed("compute_indicators, all ten", lambda: compute_indicators(
        t.lazy(), c.lazy(), e.lazy(), PEIL, begeleiding=b.lazy()).collect())
    print(f"  {ind.height:,} indicator rows ({without.height:,} without begeleiding)")
    inv = invoer(t.lazy(), c.lazy(), s.lazy(), ind.lazy(), PEIL)
    for tab in TABLES:
        df = timed(f"table {tab.naam}", lambda: compute_table(tab.naam, inv))
        print(f"  {df.height:,} rows, {int(df['onderdrukt'].sum()):,} suppressed")
    print(ind.filter((pl.col("regio_code") == "NL") & (pl.col("jaar") == 2022)).select("indicator", "teller", "noemer", "waarde"))


if __name__ == "__main__":
    main()
