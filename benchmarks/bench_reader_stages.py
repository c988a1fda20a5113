"""CPU seconds of the DDAS and CSV readers, stage by stage, single-threaded.

    .venv/bin/python benchmarks/bench_reader_stages.py --landing /tmp/land200k [--baseline /tmp/old] [--repeat 2]

Every DDAS file of `<landing>/ddas` goes through the steps of `read_file` one by one
(parse, schema findings, decode_records, judge, the accepted parts, freeing the document,
the pickle a worker sends back), then the parent's `_combine` with its parts (persoon_ids
and masked birth dates, creditor ids, the per-record lists); then the CSV reader. Figures
are the sum over files of `time.process_time()`, best of `--repeat`, with one polars
thread. `--baseline DIR` also times `read_file` and `_combine` of the code checked out in
DIR (in a separate interpreter with PYTHONPATH=DIR), which must have the same names.
Not a test: prints timings.
"""
from __future__ import annotations

import os

os.environ["POLARS_MAX_THREADS"] = "1"  # before polars is imported: CPU seconds of one thread

import argparse
import datetime as dt
import gc
import json
import pickle
import subprocess
import sys
import time
from pathlib import Path

KEY = b"benchmark-key-0123456789abcdef0123456789"
PEIL = dt.date(2026, 6, 30)


def _to_read(landing: Path, bron: str):
    """The inventory's files of one kind, as the run reads them."""
    from assets.ingest.inventory import inventory, inventory_table, to_read, with_paths

    return to_read(with_paths(inventory_table(inventory(landing)), landing), bron)


def _files(landing: Path) -> list[dict]:
    return list(_to_read(landing, "ddas").sort("bestand").iter_rows(named=True))


class Clock:
    """Accumulates process CPU seconds per stage name."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}

    def __call__(self, name: str, fn, *args, **kw):
        t = time.process_time()
        out = fn(*args, **kw)
        self.totals[name] = self.totals.get(name, 0.0) + time.process_time() - t
        return out


def totals_only(landing: Path) -> dict[str, float]:
    """read_file over all files and _combine, for any version of the code."""
    from assets.ingest import ddas_json as m

    rows = _files(landing)
    clock = Clock()
    reads = [clock("read_file (all stages)", m.read_file, r["pad"], r["bestand"], PEIL) for r in rows]
    clock("pickle FileRead (dumps+loads)", lambda: [pickle.loads(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)) for r in reads])
    clock("_combine (parent)", m._combine, rows, reads, PEIL, KEY, None)
    return clock.totals


def stages(landing: Path) -> dict[str, float]:
    """The steps of read_file and _combine, each timed on its own."""
    from assets.ingest import ddas_json as m
    from assets.ingest import ddas_process as p

    rows = _files(landing)
    clock = Clock()
    reads = []
    for r in rows:
        raw, _ = m._read_bounded(r["pad"])
        status, reden, doc, stamp = clock("1 orjson.loads (load_file)", m.load_file, raw, PEIL)
        if status != "geladen":
            reads.append(m.FileRead(status, reden, stamp))
            continue
        findings = clock("2 schema_findings", m.schema_findings, doc, r["bestand"], nulls=raw.count(b"null"))
        columns, clients, beg, sch = clock("3 decode_records", m.decode_records, doc, r["bestand"])
        horizon = m.valid_iso_date(doc.get("einddatumLevering")) or stamp[0]
        del raw
        clock("4 free the document", lambda: doc.clear())  # the parsed objects are freed here
        del doc
        records = clock("5 records frame", lambda: m.pl.DataFrame(columns, schema=m.RAW_SCHEMA).with_row_index("rij")
                        .with_columns(m.pl.col("rij").cast(m.pl.Int64)))
        clock("6a begeleiding_checks (in judge)", p.begeleiding_checks, beg, records.height, PEIL)
        judged = clock("6 judge (with 6a)", m.judge, records, clients, PEIL, beg)
        kept = judged.select(m.JUDGED_COLUMNS)
        accepted = judged["reden_code"].is_null().to_numpy()
        acc_clients = clock("7 accepted_clients", m.accepted_clients, judged, clients)
        acc_beg = clock("8 begeleiding parts", lambda: p.parsed_begeleiding(p.accepted_parts(beg, accepted)))
        acc_sch = clock("9 schulden parts", p.accepted_parts, sch, accepted)
        got = m.FileRead(status, reden, stamp, horizon, kept, acc_clients, findings, None, acc_beg, acc_sch)
        got = clock("10 pickle FileRead (dumps+loads)",
                    lambda: pickle.loads(pickle.dumps(got, protocol=pickle.HIGHEST_PROTOCOL)))
        reads.append(got)
    loaded = [g for g in reads if g.status == "geladen"]
    print(f"  {len(rows)} files, {sum(g.records.height for g in loaded):,} records, "
          f"{sum(g.clients.height for g in loaded):,} accepted clients, {sum(g.begeleiding.height for g in loaded):,} "
          f"begeleiding, {sum(g.schulden.height for g in loaded):,} schulden", file=sys.stderr)
    _combine_parts(m, p, rows, reads, clock)
    clock("_combine (parent, whole)", m._combine, rows, reads, PEIL, KEY, None)
    return clock.totals


def _combine_parts(m, p, rows, reads, clock: Clock) -> None:
    """The pieces of accepted_records over all files, as _combine feeds them."""
    pl, n = m.pl, 0
    judged, clients, beg, sch = [], [], [], []
    for got in reads:
        if got.status != "geladen":
            continue
        judged.append(got.records.with_columns(pl.col("rij") + n))
        clients.append(got.clients.with_columns(pl.col("rij") + n))
        beg.append(got.begeleiding.with_columns(pl.col("rij") + n))
        sch.append(got.schulden.with_columns(pl.col("rij") + n))
        n += got.records.height
    judged, clients, beg, sch = (pl.concat(x) for x in (judged, clients, beg, sch))
    rij = judged.filter(pl.col("reden_code").is_null())["rij"]
    pairs = clients.select("rij", "norm")
    from assets.common.bsn import pseudonymise
    clock("c1 pseudonymise (distinct BSNs)", pseudonymise, pairs["norm"], KEY)
    clock("c2 _persoon_ids (with c1, mask)", m._persoon_ids, clients, KEY)
    hashed = clock("c3 with_schuldeiser_ids", p.with_schuldeiser_ids, sch, KEY)
    dtypes = m.TrajectRecord_dtypes
    clock("c4 per_record_lists begeleiding", p.per_record_lists, beg, rij, "begeleiding", dtypes["begeleiding"])
    clock("c5 per_record_lists schulden", p.per_record_lists, hashed, rij, "schulden", dtypes["schulden"])


def csv_reader(landing: Path) -> dict[str, float]:
    from assets.ingest.shv_csv import read_shv_csv

    files = _to_read(landing, "shv_csv")
    clock = Clock()
    clock("shv_csv read_shv_csv", read_shv_csv, files, PEIL, KEY)
    return clock.totals


def step(landing: Path) -> dict[str, float]:
    """What the delivered_records step does for DDAS, CSV and aftercare, in one process:
    each reader, then the BSN scan and the write of its four staging tables."""
    import importlib
    import tempfile

    from assets.ingest import ddas_workers
    try:
        from assets.common import bsn_guard
    except ImportError:  # older layout
        from assets.quality import bsn_guard
    from assets.common import paths

    ddas_workers.PARALLEL_MIN_BYTES = 1 << 62  # one process
    readers = {"ddas": "assets.ingest.ddas_json:read_ddas", "shv_csv": "assets.ingest.shv_csv:read_shv_csv",
               "nazorg": "assets.ingest.nazorg_xlsx:read_nazorg"}
    clock = Clock()
    with tempfile.TemporaryDirectory() as out:
        for bron, where in readers.items():
            module, name = where.split(":")
            read = getattr(importlib.import_module(module), name)
            files = _to_read(landing, bron)
            result = clock(f"{bron} reader", read, files, PEIL, KEY)
            frames = (result.records, result.quarantine, result.ledger, result.schema_findings)
            tables = {paths.staging(bron, t): f for t, f in zip(("records", "quarantaine", "leveringen", "schema_afwijkingen"), frames)}
            clock(f"{bron} bsn scan", bsn_guard.scan_tables, tables)
            clock(f"{bron} staging write", lambda: [bsn_guard.write_parquet_atomic(f, paths.out(out, rel)) for rel, f in tables.items()])
    return clock.totals


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: min(r[k] for r in runs) for k in runs[0]}


def _print(title: str, figures: dict[str, float]) -> None:
    print(title)
    for name, s in figures.items():
        print(f"  {name:<40} {s:7.2f} CPU-s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--landing", type=Path, default=Path("/tmp/land200k"))
    ap.add_argument("--baseline", type=Path, help="another checkout: its read_file and _combine are timed too")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--what", default="stages,totals,step", help="comma separated: stages, totals, step")
    ap.add_argument("--only", choices=["totals", "stages", "csv", "step"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    gc.disable()  # as in the reader (assets.common.memory.without_cyclic_gc)
    if args.only:  # one measurement in this interpreter, as JSON on stdout
        fn = {"totals": totals_only, "stages": stages, "csv": csv_reader, "step": step}[args.only]
        print(json.dumps(fn(args.landing)))
        return

    def run(what: str, pythonpath: Path | None = None) -> dict[str, float]:
        env = dict(os.environ)
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        out = [json.loads(subprocess.run([sys.executable, __file__, "--landing", str(args.landing), "--only", what],
                                         env=env, check=True, capture_output=True, text=True).stdout)
               for _ in range(args.repeat)]
        return _best(out)

    _print("this checkout, read_file stage by stage (sum over files) and _combine", run("stages"))
    _print("this checkout, totals", run("totals"))
    if args.baseline:
        _print(f"baseline {args.baseline}, totals", run("totals", args.baseline))
    _print("this checkout, the readers and their staging writes (delivered_records in one process)", run("step"))
    if args.baseline:
        _print(f"baseline {args.baseline}, the same", run("step", args.baseline))


if __name__ == "__main__":
    main()
