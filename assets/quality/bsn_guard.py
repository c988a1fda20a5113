"""The `geen_bsn` check of every asset that writes files: scan before writing.

Each writing asset declares `spec(asset)`, passes the frames it is about to write to
`write_guarded` and hands the result to `emit`. Every text cell (and 9-digit integer)
is scanned in memory for a standalone 9-digit number that passes the elfproef
(`checks.bsn_like_cells`). Clean: the files are written and the check passes. A hit:
the failed check is recorded, the step fails with the file and column names and
counts, and *nothing* of that asset is written, so a leak never reaches disk. Scanning
the frames the asset already holds costs no re-read and no extra Dagster step.
"""
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import dagster as dg
import polars as pl

from assets.common import paths
from assets.common.parquet_io import write_parquet_atomic
from assets.quality.checks import bsn_like_cells

CHECK_NAME = "geen_bsn"
DESCRIPTION = ("Scans every text cell this asset writes for a 9-digit number that passes the elfproef, "
               "before writing; on a hit nothing is written and the run stops.")


def spec(asset: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(CHECK_NAME, asset=asset, blocking=True, description=DESCRIPTION)


def scan_tables(tables: dict[str, pl.DataFrame]) -> dict[str, dict[str, int]]:
    """{name: {column: suspicious cells}} for the tables with hits; never a value."""
    with ThreadPoolExecutor(max(1, len(tables))) as pool:  # polars scans without the GIL
        found = dict(zip(tables, pool.map(bsn_like_cells, tables.values())))
    return {name: {k: int(n) for k, n in f.iter_rows()} for name, f in found.items() if f.height}


def write_guarded(asset: str, output: str, tables: dict[str, pl.DataFrame]) -> dg.AssetCheckResult:
    """Scan every frame; only when all are clean, write each to its path under `output`
    (atomically). `tables` maps output-relative paths (assets/common/paths.py) to frames.
    Pass the result to `emit` with the asset's materialization."""
    hits = scan_tables(tables)
    if not hits:
        # polars writes without the GIL: the files of one asset are written side by side
        with ThreadPoolExecutor(len(tables)) as pool:
            list(pool.map(lambda rel: write_parquet_atomic(tables[rel], paths.out(output, rel)), tables))
    return dg.AssetCheckResult(asset_key=asset, check_name=CHECK_NAME, passed=not hits,
                               metadata={"bestanden": len(tables), "verdachte_cellen": dg.MetadataValue.json(hits)})


def emit(check: dg.AssetCheckResult, materialization: dg.MaterializeResult) -> Iterator:
    """The materialization and its check; for a failed check (nothing was written): the
    check, then dg.Failure naming the files, columns and counts (never a value)."""
    if check.passed:
        yield materialization
        yield check
        return
    yield check
    hits = check.metadata["verdachte_cellen"].data
    waar = "; ".join(f"{rel}: {', '.join(f'{c} ({n} cellen)' for c, n in cols.items())}" for rel, cols in hits.items())
    raise dg.Failure(description=f"{check.asset_key.to_user_string()}: getallen die op een BSN lijken (elfproef) "
                                 f"in {waar}; niets geschreven", metadata={"verdachte_cellen": dg.MetadataValue.json(hits)},
                     allow_retries=False)  # the same data leaks again: a retry only delays the stop
