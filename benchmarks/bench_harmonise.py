"""Benchmark of harmonisation: supersede + merge + fields on synthetic TrajectRecord rows.

    .venv/bin/python benchmarks/bench_harmonise.py --records 5000000

Generates the records with numpy (not timed), then times harmonise() (superseding,
linking, components, fields) and the collection of its five output tables, and prints
wall times, CPU seconds and records per second.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import polars as pl

from assets.harmonise.trajectories import harmonise
from schemas.quality import empty
from schemas.records import TrajectRecord

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
EPOCH = dt.date(2015, 1, 1)


def hex_ids(n: int, rng: np.random.Generator) -> pl.Series:
    """n random 64-hex pseudonyms, built as bytes in numpy (no per-row Python)."""
    digits = _HEX[rng.integers(0, 16, size=(n, 64))]
    return pl.Series(np.ascontiguousarray(digits).view("S64").ravel()).cast(pl.Utf8)


def synthetic_records(n: int, seed: int = 7) -> pl.DataFrame:
    """n records shaped like the real flow: about three records per person, 15% with a
    partner; DDAS files per municipality and year (horizon 31 December), legacy CSV
    exports per municipality and month (20% of the records; dossiers repeat across
    exports, so superseding has work); a record is closed when its end lies before its
    file's horizon, else open."""
    rng = np.random.default_rng(seed)
    persons = hex_ids(max(n // 3, 2), rng)
    p1 = rng.integers(0, len(persons), n)
    p2 = np.where(rng.random(n) < 0.15, rng.integers(0, len(persons), n), -1)
    p2 = np.where(p2 == p1, -1, p2)
    start = rng.integers(0, 3650, n)
    seen = start + rng.integers(0, 1400, n)  # the day the delivering system was asked
    df = pl.DataFrame(
        {
            "_csv": rng.random(n) < 0.2,
            "_gemeente": rng.integers(0, 340, n),
            "_start": start,
            "_seen": seen,
            "_end": start + rng.integers(0, 1000, n),
            "_dossier": rng.integers(0, max(n // 2000, 1), n),
            "levering_index": np.zeros(n, dtype=np.int64),
            "record_index": np.arange(n, dtype=np.int64),
            "is_informatie_advies": rng.random(n) < 0.2,
            "schuldbedrag_eur": rng.integers(0, 80000, n),
            "_a": persons.gather(p1),
            "_b": persons.gather(np.maximum(p2, 0)),
            "_has_b": p2 >= 0,
        }
    )
    day = lambda c: (pl.lit(EPOCH) + pl.duration(days=pl.col(c))).cast(pl.Date)  # noqa: E731
    gm = pl.format("GM{}", pl.col("_gemeente").cast(pl.Utf8).str.zfill(4))
    seen_date = day("_seen")
    horizon = (
        pl.when("_csv")
        .then(seen_date.dt.month_start().dt.offset_by("1mo"))
        .otherwise(pl.date(seen_date.dt.year(), 12, 31))
    )
    df = df.with_columns(horizon.alias("horizon"), gm.alias("gemeentecode"))
    closed = day("_end") <= pl.col("horizon")
    df = df.with_columns(
        pl.when("_csv").then(pl.lit("shv_csv")).otherwise(pl.lit("ddas")).alias("bron"),
        pl.when("_csv")
        .then(pl.format("shv_csv/{}_{}.csv", "gemeentecode", pl.col("horizon").dt.strftime("%Y%m%d")))
        .otherwise(pl.format("ddas/{}_{}.json", "gemeentecode", pl.col("horizon").dt.year()))
        .alias("bestand"),
        pl.when("_csv").then(pl.format("{}", "record_index")).otherwise(pl.format("leveringen[0].schuldhulptrajecten[{}]", "record_index")).alias("locatie"),
        pl.when("_csv").then(pl.col("_dossier").cast(pl.Utf8)).alias("dossiernr"),
        pl.col("horizon").cast(pl.Datetime("us", "UTC")).alias("aanlevertijdstip"),
        day("_start").alias("aanmelddatum"),
        day("_start").alias("startdatum"),
        pl.when(closed).then(day("_end")).alias("einddatum"),
        pl.when(closed).then(pl.lit("Afgerond")).alias("uitstroomreden"),
        pl.lit(None, dtype=pl.Date).alias("nazorg_startdatum"),
        pl.concat_list("_a", pl.when("_has_b").then(pl.col("_b"))).list.drop_nulls().alias("persoon_ids"),
    )
    # process.md §1: a sex and a (masked) birth date per client, a first conversation; CSV no crisis
    clients = pl.col("persoon_ids").list.len()
    df = df.with_columns(
        pl.col("persoon_ids").list.eval(pl.lit("vrouw")).alias("geslachten"),
        pl.col("persoon_ids").list.eval(pl.element().str.slice(0, 7).str.to_integer(base=16)).alias("geboortedata_gemaskeerd"),
        (pl.col("aanmelddatum") + pl.duration(days=14)).alias("eerste_gesprek_datum"),
        pl.when(pl.col("bron") == "ddas").then(clients == 2).alias("crisis"),
    )
    # Staging holds records file by file in path order, as the readers write them.
    df = df.sort("bestand", "levering_index", "record_index")
    missing = [pl.lit(None, dtype).alias(c) for c, dtype in empty(TrajectRecord).schema.items() if c not in df.columns]
    df = df.with_columns(missing).with_columns(pl.col("begeleiding", "schulden").fill_null([]))
    return df.select(empty(TrajectRecord).columns).cast(dict(empty(TrajectRecord).schema))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shuffled", action="store_true", help="rows in random order instead of staging (file) order")
    args = parser.parse_args()
    t0 = time.perf_counter()
    records = synthetic_records(args.records, args.seed)
    if args.shuffled:
        records = records.sample(fraction=1.0, shuffle=True, seed=args.seed)
    t1 = time.perf_counter()
    print(f"generated {records.height:,} records in {t1 - t0:.1f} s (not timed)")
    t1, c1 = time.perf_counter(), time.process_time()
    out = harmonise(records.lazy(), b"benchmark-key-0123456789abcdefghij")  # supersede + link + components + fields (collected)
    t2, c2 = time.perf_counter(), time.process_time()
    trajecten, clienten, herkomst, begeleiding, schulden = pl.collect_all(
        [out.trajecten, out.trajectclienten, out.herkomst, out.begeleiding, out.schulden])
    t3, c3 = time.perf_counter(), time.process_time()
    print(f"trajecten {trajecten.height:,}  trajectclienten {clienten.height:,}  herkomst {herkomst.height:,}  "
          f"begeleiding {begeleiding.height:,}  schulden {schulden.height:,}")
    # CPU seconds too: on a shared machine they are the steadier figure (POLARS_MAX_THREADS=1)
    print(f"supersede+merge+fields {t2 - t1:.2f} s  {c2 - c1:.2f} CPU-s  ({records.height / (t2 - t1):,.0f} records/s)")
    print(f"output tables          {t3 - t2:.2f} s  {c3 - c2:.2f} CPU-s")
    print(f"wall time              {t3 - t1:.2f} s  {c3 - c1:.2f} CPU-s  ({records.height / (t3 - t1):,.0f} records/s)")


if __name__ == "__main__":
    main()
