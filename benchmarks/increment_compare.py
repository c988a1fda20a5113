"""Helpers of bench_pipeline.py's increment mode: the steps of two runs side by side, and
whether two output folders publish the same parquet frames.

Only the published set is compared: every `*.parquet` under the output folder, except
hidden folders (the per-file cache and work folders live beside or under it with a
leading dot). Frames are compared with polars `DataFrame.equals` (values, dtypes, column
names and row order; nulls equal nulls).
"""
from __future__ import annotations

from pathlib import Path


def published_frames(output: Path) -> dict[str, Path]:
    return {str(p.relative_to(output)): p for p in sorted(output.rglob("*.parquet"))
            if not any(part.startswith(".") for part in p.relative_to(output).parts)}


def compare_outputs(a: Path, b: Path) -> list[tuple[str, str]]:
    """[(relative path, why it differs)] for every published frame not equal in a and b."""
    import polars as pl

    fa, fb = published_frames(a), published_frames(b)
    differ = []
    for rel in sorted(fa.keys() | fb.keys()):
        if rel not in fa or rel not in fb:
            differ.append((rel, "only in the " + ("full run" if rel in fb else "increment run")))
            continue
        x, y = pl.read_parquet(fa[rel]), pl.read_parquet(fb[rel])
        if x.schema != y.schema:
            differ.append((rel, f"columns/dtypes differ: {sorted(set(x.schema.items()) ^ set(y.schema.items()))}"))
        elif not x.equals(y):
            same_rows = x.height == y.height and x.sort(x.columns).equals(y.sort(y.columns))
            extra = " (same rows, other order)" if same_rows else ""
            cols = [c for c in x.columns if x.height == y.height and not x[c].equals(y[c])]
            differ.append((rel, f"rows {x.height:,} vs {y.height:,}; columns differing in place: {cols}{extra}"))
    return differ


def print_compare(increment_out: Path, full_out: Path) -> bool:
    frames = published_frames(full_out)
    differ = compare_outputs(increment_out, full_out)
    if not differ:
        print(f"check-equal: all {len(frames)} published parquet frames of the increment run equal a full run from scratch")
        return True
    print(f"check-equal: {len(differ)} of {len(frames)} published parquet frames DIFFER from a full run from scratch:")
    for rel, why in differ:
        print(f"  {rel}: {why}")
    return False


def print_steps_side_by_side(full: list[dict], incr: list[dict]) -> None:
    """Per Dagster step: seconds in the full run and in the increment run, and their ratio."""
    took = {s["step"]: s["end"] - s["start"] for s in incr}
    print(f"{'stage (Dagster step)':<44} {'full s':>8} {'incr s':>8} {'incr/full':>9}")
    for s in full:
        f = s["end"] - s["start"]
        i = took.pop(s["step"], None)
        ratio = f"{i / f:9.2f}" if i is not None and f > 0 else f"{'':>9}"
        print(f"{s['step']:<44} {f:8.2f} {'' if i is None else f'{i:8.2f}':>8} {ratio}")
    for step, i in took.items():  # a step only the increment run had
        print(f"{step:<44} {'':>8} {i:8.2f}")
