"""Benchmark of the BSN scan (the `geen_bsn` guard) on tables shaped like national outputs.

    .venv/bin/python benchmarks/bench_bsn_scan.py --rows 2000000 --repeat 3

Builds (not timed) a trajectclienten-like table (16-hex traject_id, 64-hex persoon_id),
a traject_herkomst-like table (file names, DDAS locations, hashed Dossiernrs, integers)
and an aftercare-events-like table, then times the scan of each table and of the three
together as the guard runs them (assets/quality/bsn_guard.scan_tables), best of
`--repeat`. Prints seconds, cells per second and the false alarms (every table is clean: any
cell found is a false alarm, e.g. on a hex key or a nine-digit amount).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from assets.quality import bsn_guard
from assets.quality.checks import bsn_like_cells

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_ids(n: int, width: int, rng: np.random.Generator) -> pl.Series:
    digits = _HEX[rng.integers(0, 16, size=(n, width))]
    return pl.Series(np.ascontiguousarray(digits).view(f"S{width}").ravel()).cast(pl.Utf8)


def tables(n: int, seed: int = 3, max_bedrag: int = 999_999_999) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    files = pl.Series([f"ddas/{2015 + i % 10}/GM{i % 400:04d}_{2015 + i % 10}.json" for i in range(4000)]
                      + [f"shv_csv/GM{i % 400:04d}_2024{1 + i % 12:02d}28.csv" for i in range(4000)])
    persons = hex_ids(n, 64, rng)
    trajects = hex_ids(n, 16, rng)
    which = rng.integers(0, len(files), n)
    bestand = files.gather(which)
    is_csv = bestand.str.starts_with("shv_csv")
    lev, rec = rng.integers(0, 3, n), rng.integers(0, 20_000, n)
    locatie = pl.Series([f"leveringen[{a}].schuldhulptrajecten[{b}]" for a, b in zip(lev[:50_000], rec[:50_000])])
    locatie = locatie.gather(rng.integers(0, 50_000, n))
    herkomst = pl.DataFrame({
        "bron": pl.Series(np.where(is_csv.to_numpy(), "shv_csv", "ddas")),
        "bestand": bestand,
        "locatie": pl.Series(np.where(is_csv.to_numpy(), rec.astype(str), locatie.to_numpy())),
        "levering_index": lev, "record_index": rec,
        "dossiernr": hex_ids(n, 64, rng).zip_with(is_csv, pl.Series([None] * n, dtype=pl.Utf8)),
        "schuldbedrag_eur": rng.integers(0, max_bedrag, n),  # measures: by default 9-digit amounts included
        "traject_id": trajects,
        "vervangen_door": pl.Series([None] * n, dtype=pl.Utf8),
    })
    clienten = pl.DataFrame({"traject_id": trajects, "persoon_id": persons})
    m = n // 4
    events = pl.DataFrame({
        "persoon_id": persons.gather(rng.integers(0, n, m)),
        "soort": pl.Series(np.where(rng.random(m) < 0.5, "contact", "nazorgtoets")),
        "uitgevoerd_door": pl.Series(np.where(rng.random(m) < 0.7, "gemeente", "overig")),
        "bestand": pl.Series([f"nazorg/GM{i % 400:04d}_20240101.xlsx" for i in range(400)]).gather(rng.integers(0, 400, m)),
        "locatie": pl.Series(rng.integers(2, 5000, m).astype(str)),
        "aantal_kopieen": np.ones(m, dtype=np.int64),
    })
    return {"model/trajectclienten.parquet": clienten, "model/traject_herkomst.parquet": herkomst,
            "model/nazorg_gebeurtenissen.parquet": events}


def best(f, repeat: int) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of all threads, result) of the fastest of `repeat` runs.
    CPU seconds say more than wall time on a machine that is busy with other work."""
    runs, out = [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = f()
        runs.append((time.perf_counter() - t, time.process_time() - c))
    wall, cpu = min(runs)
    return wall, cpu, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max-bedrag", type=int, default=999_999_999,
                    help="largest debt amount; below 100000000 no amount has nine digits")
    args = ap.parse_args()
    built = tables(args.rows, max_bedrag=args.max_bedrag)
    total_cells = 0
    for name, df in built.items():
        cells = df.height * df.width
        total_cells += cells
        secs, cpu, found = best(lambda: bsn_like_cells(df), args.repeat)
        print(f"{name:38s} {df.height:>10,} rows {cells:>11,} cells  {secs:6.3f} s wall  {cpu:6.3f} s cpu  "
              f"{cells / secs / 1e6:6.1f} M cells/s  false alarms: {dict(found.iter_rows()) or 0}")
    secs, cpu, hits = best(lambda: bsn_guard.scan_tables(built), args.repeat)
    print(f"{'guard (three tables, threads)':38s} {'':>15s} {total_cells:>11,} cells  {secs:6.3f} s wall  {cpu:6.3f} s cpu  "
          f"{total_cells / secs / 1e6:6.1f} M cells/s  false alarms: {hits or 0}")


if __name__ == "__main__":
    main()
