"""Benchmark of the early-warning stage on a generated world.

    .venv/bin/python benchmarks/bench_vroegsignalering.py --persons 50000 --repeat 2

Generates (not timed) a landing folder with `ddas generate`'s world, then times, best of
`--repeat`: the reader (`read_vs`: parse, schema findings, rules, keyed hashes), the model
(latest knowledge per signal and case) and the two indicator tables, the latter with the
ground truth's trajectories as the harmonised model. Prints seconds and records per second.
"""
from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import polars as pl

from assets.common.bsn import hash_texts
from assets.ingest.inventory import inventory, inventory_table, to_read, with_paths
from assets.ingest.vs_json import read_vs
from assets.vroegsignalering.indicators import vs_aantallen, vs_indicators
from assets.vroegsignalering.model import model_tables
from ddas_generator import generate

KEY = b"benchmark-key-0123456789abcdef-0123"


def best(fn, repeat: int):
    """(best wall seconds, output); prints the best CPU seconds too (wall is unreliable on a
    shared machine: run with POLARS_MAX_THREADS=1 to compare CPU seconds)."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(f"  (best CPU {min(cpu):.2f} s)")
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    peil = dt.date(2026, 6, 30)
    with tempfile.TemporaryDirectory() as tmp:
        land = Path(tmp) / "landing"
        generate(land, persons=args.persons, seed=9)
        files = to_read(with_paths(inventory_table(inventory(land)), str(land)), "vroegsignalering")
        mb = files["bytes"].sum() / 1e6
        t_read, result = best(lambda: read_vs(files, peil, KEY), args.repeat)
        n = int(result.ledger["records_gelezen"].sum())
        print(f"read_vs: {t_read:.2f} s for {files.height} files, {mb:.1f} MB, {n} records ({n / t_read:,.0f}/s)")
        t_model, (s, z, _) = best(lambda: model_tables(result.records.lazy()), args.repeat)
        print(f"model: {t_model:.2f} s -> {s.height} signals, {z.height} cases")
        gt = land / "ground_truth"
        tr = pl.scan_parquet(gt / "trajecten.parquet")
        cl = pl.read_parquet(gt / "trajectclienten.parquet")
        cl = cl.with_columns(persoon_id=hash_texts(cl["bsn"], KEY)).drop("bsn").lazy()
        t_ind, (ind, aant) = best(lambda: (vs_indicators(s.lazy(), z.lazy(), tr, cl, peil), vs_aantallen(s.lazy())),
                                  args.repeat)
        print(f"indicators: {t_ind:.2f} s -> {ind.height} indicator rows, {aant.height} partner rows")


if __name__ == "__main__":
    main()
