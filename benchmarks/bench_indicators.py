"""Timing of the indicators at national scale: ~1M persons, ~1.5M trajectories, ~2M events.

    .venv/bin/python benchmarks/bench_indicators.py [--personen 1000000] [--seed 7]

Generates the three model tables with numpy (pseudonyms as 64 hex characters, like the
real persoon_id), writes them to a temporary folder, and times `compute_indicators`
from memory and from parquet, plus the two analyst views. Not a test: prints timings.
"""
from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from process_fields import add_process_fields

from assets.common.reference import gemeentecodes
from assets.indicators import compute_indicators
from assets.indicators.views import indicatoren_breed, terugval_doel

PEIL = dt.date(2025, 6, 30)
EPOCH = np.datetime64("2014-01-01")


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series((EPOCH + days.astype("timedelta64[D]")).astype("datetime64[D]")).cast(pl.Date)


def generate(n_personen: int, seed: int, process: bool = True) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """trajecten, trajectclienten, events; with the process.md §1 fields unless `process` is false."""
    rng = np.random.default_rng(seed)
    raw = np.frombuffer(rng.bytes(32 * n_personen), dtype="S32")
    pid = pl.Series("persoon_id", raw, dtype=pl.Binary).bin.encode("hex")

    n_t = int(n_personen * 1.5)
    # every person has a trajectory; a third of them a second one (relapse candidates)
    first = np.concatenate([np.arange(n_personen), rng.integers(0, n_personen, n_t - n_personen)])
    partner = np.where(rng.random(n_t) < 0.2, rng.integers(0, n_personen, n_t), -1)
    peil_days = (np.datetime64(PEIL) - EPOCH).astype(int)
    aanmeld = rng.integers(0, peil_days, n_t)
    start = np.minimum(aanmeld + rng.integers(0, 60, n_t), peil_days)
    eind = start + rng.integers(30, 1500, n_t)
    closed = (rng.random(n_t) < 0.75) & (eind <= peil_days)
    afgerond = closed & (rng.random(n_t) < 0.6)
    nazorg = eind + rng.integers(-200, 400, n_t)
    has_nazorg = afgerond & (rng.random(n_t) < 0.4) & (nazorg <= peil_days)
    codes = np.array(sorted(gemeentecodes()))
    gemeente = codes[rng.integers(0, len(codes), n_t)].astype(object)
    gemeente[rng.random(n_t) < 0.01] = None  # Onbekend
    redenen = np.array(["Afgerond", "Overig", "Nietverschenen", "Ingetrokken"])

    tid = pl.Series("traject_id", np.arange(n_t)).cast(pl.Utf8).str.zfill(9)
    trajecten = pl.DataFrame({
        "traject_id": tid,
        "gemeentecode": pl.Series(gemeente, dtype=pl.Utf8),
        "aanmelddatum": _dates(aanmeld),
        "startdatum": _dates(start),
        "einddatum": _dates(eind).set(pl.Series(~closed), None),
        "uitstroomreden": pl.Series(np.where(afgerond, "Afgerond", redenen[rng.integers(1, 4, n_t)])).set(pl.Series(~closed), None),
        "is_informatie_advies": rng.random(n_t) < 0.1,
        "nazorg_startdatum": _dates(nazorg).set(pl.Series(~has_nazorg), None),
    })
    with_partner = partner >= 0
    clienten = pl.DataFrame({
        "traject_id": pl.concat([tid, tid.filter(pl.Series(with_partner))]),
        "persoon_id": pl.concat([pid.gather(first), pid.gather(partner[with_partner])]),
    }).unique(maintain_order=True)

    # ~2M events, most of them in the year after a successful end of one of the clients
    n_e = 2 * n_personen
    ended = np.flatnonzero(afgerond)
    pick = ended[rng.integers(0, len(ended), n_e)]
    edays = np.minimum(eind[pick] + rng.integers(-300, 420, n_e), peil_days)
    events = pl.DataFrame({
        "persoon_id": pid.gather(first[pick]),
        "datum": _dates(edays),
        "soort": np.where(rng.random(n_e) < 0.25, "nazorgtoets", "contact"),
        "uitkomst": None, "contactvorm": None, "uitgevoerd_door": None,
        "gemeentecode": pl.Series(gemeente[pick], dtype=pl.Utf8),
    })
    if process:  # the indicators read them (process.md §1); begeleiding and schulden: bench_process.py
        trajecten, clienten, _, _ = add_process_fields(trajecten, clienten, seed)
    return trajecten, clienten, events


def timed(label: str, fn):
    """Wall and CPU seconds of this process (on a shared machine only the CPU figure is stable)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:<45} {time.perf_counter() - t0:7.2f} s  {time.process_time() - c0:7.2f} CPU-s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--personen", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    t, c, e = timed("generate model tables (numpy)", lambda: generate(args.personen, args.seed))
    print(f"  {t.height:,} trajectories, {c.height:,} client rows, {e.height:,} events")
    df = timed("compute_indicators (in memory)", lambda: compute_indicators(t.lazy(), c.lazy(), e.lazy(), PEIL).collect())
    with tempfile.TemporaryDirectory() as tmp:
        files = [Path(tmp) / f"{n}.parquet" for n in ("t", "c", "e")]
        for frame, f in zip((t, c, e), files):
            frame.write_parquet(f)
        scans = [pl.scan_parquet(f) for f in files]
        df = timed("compute_indicators (scan_parquet)", lambda: compute_indicators(*scans, PEIL).collect())
    timed("indicatoren_breed view", lambda: indicatoren_breed(df.lazy()).collect())
    timed("terugval_doel view", lambda: terugval_doel(df.lazy()).collect())
    print(f"  {df.height:,} indicator rows, {int(df['onderdrukt'].sum()):,} suppressed")
    nl = df.filter((pl.col("regio_code") == "NL") & (pl.col("jaar") == 2022)).select("indicator", "teller", "noemer", "waarde")
    print(nl)


if __name__ == "__main__":
    main()
