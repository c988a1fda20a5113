"""National-scale benchmark: the whole pipeline (`ddas run`) against the read floor.

    .venv/bin/python benchmarks/bench_pipeline.py [--sizes 100000,300000,1000000] [--workdir /tmp/bench] [--keep]

Per size: `ddas generate` writes a landing folder (not timed); every file is read once
to warm the page cache; the READ FLOOR reads every landing file once into memory with
the fastest reasonable reader and does nothing else (a separate interpreter); then
`ddas run` runs the whole pipeline in a subprocess with its own DAGSTER_HOME and a
benchmark key, while a sampler thread reads the VmRSS of the child's process tree (the
run and its reader workers) from /proc every 20 ms. Per stage (Dagster step) the wall
time comes from the run's event log (STEP_START -> STEP_SUCCESS) and the peak RSS is the
highest sample taken while that step ran (steps run one after another in-process).
Prints per-stage tables and a summary: pipeline wall / floor, peak RSS, time per record
at each size, the marginal cost per extra record between sizes (linear cost: flat), and
the CPU the rest of the machine used during each run (a disturbed figure shows there).
Results: docs/performance.md.

    ... [--increment [--increment-trajecten 25000] [--check-equal]]

The nightly increment (issue 17): after the full run of a size, ONE new DDAS delivery
(`ddas_generator.extra_delivery`: a later page of about 25,000 trajectories from the
largest supplier, closing open trajectories, adding aftercare, some new ones) goes into
the landing and `ddas run` runs again on the same output folder and DAGSTER_HOME; both
runs' steps side by side and the ratio increment / full (wall and CPU). With
--check-equal a full run from scratch (its own output folder and home, `--volledig`) on
the same landing follows, and every published parquet frame is compared with the
increment run's (benchmarks/increment_compare.py). Full runs pass `--volledig` when
`ddas run` knows it (and the folders of earlier runs are removed, cache included).

The read floor is measured before and after the full run, and the lower of the two counts
(the machine drifts; the lower floor can only raise the ratio). Per kind it is the fastest
way we found to get the bytes into usable in-memory values; files a reader cannot parse
still count, as the pipeline reads them too:
- DDAS JSON: `orjson.loads` on the file's bytes, cyclic GC off (as the pipeline does;
  with it on, CPython's collector walks the millions of new objects and doubles the time);
- legacy CSV: `polars.read_csv` (multi-threaded Rust, every column as text); files it
  refuses are decoded as Windows-1252 bytes instead;
- aftercare XLSX: python-calamine, every sheet to Python values (`to_python`);
- early warning JSON (`vroegsignalering/`): `orjson.loads`, cyclic GC off, as for DDAS.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

PEILDATUM = "2026-06-30"  # the generator's last day: every delivery is in the past
BENCH_KEY = "BENCHMARK-ONLY-key-for-synthetic-data-0123456789"  # >= 32 characters, synthetic data only
SAMPLE_SECONDS = 0.02
KINDS = ("ddas", "shv_csv", "nazorg", "vroegsignalering")  # the landing's kind folders
GIB = 1024**3


# --- the read floor (runs in its own interpreter: --floor LANDING) -----------------------


def read_floor(landing: Path) -> dict:
    """Seconds to read every landing file once, per kind, and the total bytes read."""
    import orjson
    import polars as pl
    from python_calamine import CalamineWorkbook

    files = {k: sorted(p for p in (landing / k).rglob("*") if p.is_file()) for k in KINDS}

    def json_files(kind: str) -> float:
        gc.disable()
        t = time.perf_counter()
        for p in files[kind]:
            try:
                doc = orjson.loads(p.read_bytes())
            except orjson.JSONDecodeError:
                doc = None
            del doc  # freeing the objects is part of having read them
        t = time.perf_counter() - t
        gc.enable()
        return t

    t0 = time.perf_counter()
    json_files("ddas")
    t1 = time.perf_counter()
    for p in files["shv_csv"]:
        try:
            pl.read_csv(p, separator=";", infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
        except Exception:  # a file polars refuses: its text is still read once
            p.read_bytes().decode("cp1252", errors="replace")
    t2 = time.perf_counter()
    for p in files["nazorg"]:
        try:
            with CalamineWorkbook.from_path(p) as wb:
                for name in wb.sheet_names:
                    wb.get_sheet_by_name(name).to_python()
        except Exception:  # an unreadable workbook still costs its attempt
            pass
    t3 = time.perf_counter()
    json_files("vroegsignalering")
    t4 = time.perf_counter()
    seconds = {"ddas": t1 - t0, "shv_csv": t2 - t1, "nazorg": t3 - t2, "vroegsignalering": t4 - t3}
    return {"seconds": seconds, "total": t4 - t0, "bytes": sum(p.stat().st_size for fs in files.values() for p in fs)}


# --- helpers -------------------------------------------------------------------------


def ddas_command() -> list[str]:
    exe = Path(sys.executable).with_name("ddas")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pipelines.cli"]


def warm_cache(landing: Path) -> None:
    for p in landing.rglob("*"):
        if p.is_file():
            p.read_bytes()


def _status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def _tree(pid: int) -> list[int]:
    """pid and its descendants (a reader may use worker processes)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


class RssSampler(threading.Thread):
    """(time.time(), summed VmRSS in bytes of the process tree) every SAMPLE_SECONDS."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.hwm = pid, [], 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            rss = sum(_status_kb(p, "VmRSS:") or 0 for p in _tree(self.pid))
            self.hwm = max(self.hwm, _status_kb(self.pid, "VmHWM:") or 0)
            self.samples.append((time.time(), rss * 1024))
            self.stop.wait(SAMPLE_SECONDS)


def busy_cpu_seconds() -> float:
    """CPU seconds all processes of the machine have spent busy (from /proc/stat)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def has_volledig() -> bool:
    """Whether `ddas run` knows --volledig (the per-file cache of issue 17); older code has no cache."""
    out = subprocess.run([*ddas_command(), "run", "--help"], capture_output=True, text=True)
    return "--volledig" in out.stdout


def clear_output(output: Path, home: Path) -> None:
    """The output folder, its Dagster home, and what a run keeps beside it (work folder, per-file cache)."""
    for d in (output, home, *output.parent.glob(f".{output.name}.*")):
        shutil.rmtree(d, ignore_errors=True)


def run_pipeline(landing: Path, output: Path, home: Path, volledig: bool = False) -> dict:
    env = {**os.environ, "DAGSTER_HOME": str(home), "DDAS_PSEUDONYM_KEY": BENCH_KEY, "DDAS_PROGRESS": "0"}
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    cmd = [*ddas_command(), "run", "--landing", str(landing), "--output", str(output), "--peildatum", PEILDATUM]
    cmd += ["--volledig"] if volledig else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = busy_cpu_seconds()
    started = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = RssSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"ddas run failed ({proc.returncode}):\n{err[-3000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    # CPU the rest of the machine used meanwhile (this script's sampler included, a few %):
    # near 0 on a quiet machine; on 2 cores anything above a few seconds slows the run.
    foreign = max(0.0, busy_cpu_seconds() - busy_before - cpu)
    return {"wall": wall, "started": started, "samples": sampler.samples, "hwm": sampler.hwm * 1024,
            "cpu": cpu, "foreign": foreign}


def step_times(home: Path) -> tuple[list[dict], tuple[float, float]]:
    """[(step, start, end)] in start order from the run's event log, and the run's (start, end)."""
    from dagster import DagsterEventType, DagsterInstance

    kinds = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE,
             DagsterEventType.RUN_START, DagsterEventType.RUN_SUCCESS}
    instance = DagsterInstance.from_config(str(home))
    try:
        run = instance.get_runs(limit=1)[0]
        records = instance.get_records_for_run(run.run_id, of_type=kinds).records
    finally:
        instance.dispose()
    steps: dict[str, dict] = {}
    run_span = [None, None]
    for r in records:
        entry = r.event_log_entry
        kind = entry.dagster_event.event_type
        if kind == DagsterEventType.RUN_START:
            run_span[0] = entry.timestamp
        elif kind == DagsterEventType.RUN_SUCCESS:
            run_span[1] = entry.timestamp
        elif kind == DagsterEventType.STEP_START:
            steps[entry.step_key] = {"step": entry.step_key, "start": entry.timestamp, "end": None}
        else:
            steps[entry.step_key]["end"] = entry.timestamp
    return sorted(steps.values(), key=lambda s: s["start"]), tuple(run_span)


def record_counts(output: Path) -> dict[str, int]:
    """Records read per kind (from the ledger) and accepted trajectory records (provenance)."""
    import polars as pl

    led = pl.read_parquet(output / "kwaliteit" / "leveringen.parquet")
    counts = dict(led.group_by("bron").agg(pl.col("records_gelezen").sum()).iter_rows())
    counts["alle"] = int(led["records_gelezen"].sum())
    counts["trajectrecords"] = pl.scan_parquet(output / "model" / "traject_herkomst.parquet").select(pl.len()).collect().item()
    counts["nazorg_events"] = pl.scan_parquet(output / "staging" / "nazorg" / "records.parquet").select(pl.len()).collect().item()
    return counts


def stage_records(step: str, counts: dict[str, int]) -> int:
    """The records a stage works through: all records read, or the model's input for harmonising."""
    if step == "harmonised_trajectories":
        return counts["trajectrecords"]
    if step == "nazorg_gebeurtenissen":
        return counts["nazorg_events"]
    return counts["alle"]


def fmt_gib(n: float) -> str:
    return f"{n / GIB:5.2f}"


# --- one size ------------------------------------------------------------------------


def bench_size(persons: int, workdir: Path, seed: int, increment: int | None = None, check_equal: bool = False,
               reuse: bool = False) -> dict:
    base = workdir / f"p{persons}"
    t0 = time.perf_counter()
    if reuse and (base / "landing" / "ground_truth").is_dir():
        print(f"landing {base / 'landing'} reused: it must be what `ddas generate --persons {persons} --seed {seed}` writes")
    else:
        subprocess.run([*ddas_command(), "generate", "--out", str(base / "landing"), "--persons", str(persons),
                        "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    result = measure(persons, base, generated_in=time.perf_counter() - t0)
    if increment:
        result |= measure_increment(base, result, increment, seed, check_equal)
    return result


def read_floor_once(landing: Path) -> dict:
    """read_floor in a fresh interpreter (nothing of this process's heap in its way)."""
    out = subprocess.run([sys.executable, __file__, "--floor", str(landing)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def measure(persons: int, base: Path, generated_in: float = 0.0) -> dict:
    """Floor and pipeline on the landing folder base/landing; outputs under base."""
    landing, output, home = base / "landing", base / "output", base / "dagster_home"
    clear_output(output, home)
    gen = generated_in
    warm_cache(landing)
    floor_before = read_floor_once(landing)
    pipe = run_pipeline(landing, output, home, volledig=has_volledig())
    # measured again after the run: the virtual machine's speed drifts by 10-25 % within an
    # hour, and a floor is a minimum, so the lower one counts (that can only raise the ratio)
    floor_after = read_floor_once(landing)
    floor = min(floor_before, floor_after, key=lambda f: f["total"])
    steps, (run_start, run_end) = step_times(home)
    counts = record_counts(output)

    print(f"\n=== {persons:,} persons: {counts['alle']:,} records read "
          f"({', '.join(f'{k} {counts.get(k, 0):,}' for k in KINDS)}), "
          f"landing {floor['bytes'] / 1e6:,.0f} MB, generated in {gen:.0f} s")
    print(f"{'stage (Dagster step)':<44} {'wall s':>7} {'records/s':>11} {'peak RSS GiB':>12}")
    in_steps = 0.0
    for s in steps:
        took = s["end"] - s["start"]
        in_steps += took
        rss = max((r for t, r in pipe["samples"] if s["start"] <= t <= s["end"]), default=0)
        n = stage_records(s["step"], counts)
        print(f"{s['step']:<44} {took:7.2f} {n / took if took > 0 else 0:11,.0f} {fmt_gib(rss):>12}")
    run_wall = run_end - run_start
    startup = run_start - pipe["started"]
    peak = max(pipe["hwm"], max((r for _, r in pipe["samples"]), default=0))
    print(f"{'sum of steps':<44} {in_steps:7.2f}")
    print(f"{'Dagster between steps (run - steps)':<44} {run_wall - in_steps:7.2f}")
    print(f"{'process start, imports, definitions':<44} {startup:7.2f}")
    print(f"{'ddas run end to end (process wall)':<44} {pipe['wall']:7.2f} {counts['alle'] / pipe['wall']:11,.0f} {fmt_gib(peak):>12}")
    fs = floor["seconds"]
    print(f"read floor, before and after the run: {floor_before['total']:.2f} s, {floor_after['total']:.2f} s")
    print(f"read floor: {floor['total']:.2f} s (ddas JSON {fs['ddas']:.2f}, shv_csv {fs['shv_csv']:.2f}, nazorg XLSX {fs['nazorg']:.2f}, "
          f"vroegsignalering JSON {fs['vroegsignalering']:.2f}); "
          f"pipeline / floor = {pipe['wall'] / floor['total']:.2f}; CPU time of the run {pipe['cpu']:.1f} s, "
          f"of other processes meanwhile {pipe['foreign']:.1f} s")
    return {"persons": persons, "records": counts["alle"], "wall": pipe["wall"], "run": run_wall, "floor": floor["total"],
            "peak": peak, "cpu": pipe["cpu"], "foreign": pipe["foreign"], "bytes": floor["bytes"], "steps": steps}


def measure_increment(base: Path, full: dict, trajectories: int, seed: int, check_equal: bool) -> dict:
    """After the full run: one extra DDAS delivery, `ddas run` again on the same output folder
    and Dagster home (the nightly increment), both runs side by side; with check_equal also a
    full run from scratch (own output folder and home, --volledig) and the published frames compared."""
    import orjson

    from ddas_generator.extra_delivery import extra_delivery
    from increment_compare import compare_outputs, print_compare, print_steps_side_by_side, published_frames

    landing, output, home = base / "landing", base / "output", base / "dagster_home"
    info = extra_delivery(landing, trajectories, seed)
    new_file = landing / info["bestand"]
    t0 = time.perf_counter()
    orjson.loads(new_file.read_bytes())
    new_floor = time.perf_counter() - t0
    print(f"\n--- increment: {info['bestand']} ({new_file.stat().st_size / 1e6:,.1f} MB, delivered {info['aanleverdatumEnTijd']}): "
          f"{info['trajecten']:,} trajectories = {info['gesloten']:,} closed + {info['nazorg']:,} aftercare added + "
          f"{info['ongewijzigd']:,} unchanged + {info['nieuw_terugkerend']:,} new (returning persons) + "
          f"{info['nieuw_persoon']:,} new (new persons); orjson read of the file {new_floor:.2f} s")
    before = base / "output_voor_increment"  # the full run's published frames, to show what the delivery changed
    shutil.rmtree(before, ignore_errors=True)
    if check_equal:
        shutil.copytree(output, before, ignore=shutil.ignore_patterns(".*"))
    pipe = run_pipeline(landing, output, home)
    steps, (run_start, run_end) = step_times(home)
    print_steps_side_by_side(full["steps"], steps)
    in_steps = sum(s["end"] - s["start"] for s in steps)
    print(f"{'sum of steps':<44} {sum(s['end'] - s['start'] for s in full['steps']):8.2f} {in_steps:8.2f}")
    print(f"{'ddas run end to end (process wall)':<44} {full['wall']:8.2f} {pipe['wall']:8.2f} {pipe['wall'] / full['wall']:9.2f}")
    print(f"{'CPU s of the run':<44} {full['cpu']:8.1f} {pipe['cpu']:8.1f} {pipe['cpu'] / full['cpu']:9.2f}")
    peak = max(pipe["hwm"], max((r for _, r in pipe["samples"]), default=0))
    print(f"{'peak RSS GiB':<44} {fmt_gib(full['peak']):>8} {fmt_gib(peak):>8}")
    print(f"increment / full = {pipe['wall'] / full['wall']:.2f} wall, {pipe['cpu'] / full['cpu']:.2f} CPU (issue 17: <= 0.35); "
          f"CPU of other processes meanwhile {pipe['foreign']:.1f} s")
    out = {"incr_wall": pipe["wall"], "incr_cpu": pipe["cpu"], "equal": None}
    if check_equal:
        ref_out, ref_home = base / "output_volledig", base / "dagster_home_volledig"
        clear_output(ref_out, ref_home)
        ref = run_pipeline(landing, ref_out, ref_home, volledig=has_volledig())
        print(f"full run from scratch on the same landing: {ref['wall']:.2f} s wall, {ref['cpu']:.1f} s CPU")
        changed = compare_outputs(before, output)
        print(f"the new delivery changed {len(changed)} of {len(published_frames(output))} published frames "
              f"({', '.join(rel for rel, _ in changed)})")
        out["equal"] = print_compare(output, ref_out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,300000,1000000", help="persons per landing folder, comma separated")
    ap.add_argument("--workdir", default="/tmp/bench", help="where landing folders, outputs and Dagster homes go")
    ap.add_argument("--keep", action="store_true", help="keep the generated folders (default: removed afterwards)")
    ap.add_argument("--increment", action="store_true",
                    help="after each full run, add one new DDAS delivery and run again on the same output folder")
    ap.add_argument("--increment-trajecten", type=int, default=25_000,
                    help="trajectories in that delivery (default 25000, one page of the DDAS interface)")
    ap.add_argument("--check-equal", action="store_true",
                    help="with --increment: also a full run from scratch on the same landing; compare every published parquet frame")
    ap.add_argument("--reuse-landing", action="store_true",
                    help="use WORKDIR/p<size>/landing when it exists (e.g. a hard-linked copy, `cp -al`) instead of "
                         "generating it; with --increment the new delivery is added to it")
    ap.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--floor", help=argparse.SUPPRESS)  # internal: print the read floor of a landing folder
    args = ap.parse_args()
    if args.floor:
        print(json.dumps(read_floor(Path(args.floor))))
        return

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}  cores {os.cpu_count()}  load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(bench_size(size, workdir, args.seed, args.increment_trajecten if args.increment else None,
                                      args.check_equal, args.reuse_landing))
            if not args.keep:
                shutil.rmtree(workdir / f"p{size}", ignore_errors=True)
    finally:
        if not args.keep:
            for size in args.sizes.split(","):
                shutil.rmtree(workdir / f"p{int(size)}", ignore_errors=True)

    print(f"\n{'persons':>10} {'records':>10} {'pipeline s':>10} {'floor s':>8} {'ratio':>6} {'peak GiB':>9} "
          f"{'µs/record':>10} {'floor µs/rec':>12} {'CPU s':>7} {'other CPU s':>11}")
    for r in results:
        print(f"{r['persons']:>10,} {r['records']:>10,} {r['wall']:>10.2f} {r['floor']:>8.2f} {r['wall'] / r['floor']:>6.2f} "
              f"{r['peak'] / GIB:>9.2f} {1e6 * r['wall'] / r['records']:>10.2f} {1e6 * r['floor'] / r['records']:>12.2f} "
              f"{r['cpu']:>7.1f} {r['foreign']:>11.1f}")
    # Linear cost: the extra time per extra record between sizes must not grow with size
    # (the time per record itself falls, as the fixed start-up cost is spread thinner).
    for a, b in zip(results, results[1:]):
        marginal = (b["wall"] - a["wall"]) / (b["records"] - a["records"])
        print(f"marginal cost {a['persons']:,} -> {b['persons']:,} persons: {1e6 * marginal:.2f} µs per extra record")
    for r in (r for r in results if "incr_wall" in r):
        equal = {None: "", True: "; outputs equal a full run", False: "; outputs DIFFER from a full run"}[r["equal"]]
        print(f"increment at {r['persons']:,} persons: full {r['wall']:.2f} s, increment {r['incr_wall']:.2f} s, "
              f"ratio {r['incr_wall'] / r['wall']:.2f} wall / {r['incr_cpu'] / r['cpu']:.2f} CPU (target <= 0.35){equal}")
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
