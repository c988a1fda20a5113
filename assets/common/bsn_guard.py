"""The `geen_bsn` check of every asset that writes files: scan before writing.

Privacy comes by construction (docs/privacy.md): a BSN becomes a persoon_id in the
reader, a Dossiernr a keyed hash, `Uitgevoerd door` a standard name, and digit runs in
file names are masked. This guard is the last line of defence behind that. Each writing
asset declares `spec(asset)`, passes the frames it is about to write to `write_guarded`
and hands the result to `emit`. Every text cell is scanned in memory for a run of exactly
nine digits that passes the elfproef, with or without word boundaries around it; numbers
are measures and are not scanned; declared key columns (schemas/keys.py) must have their
exact form instead (`bsn_scan.bsn_like_cells`). Clean: the files are written and the check
passes. A hit means a hole in the construction: the failed check is recorded, the step
fails with the file and column names and counts (never a value), and *nothing* of that
asset is written, so a leak never reaches disk. Scanning the frames the asset already
holds costs no re-read and no extra Dagster step.
"""
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import dagster as dg
import pandera.errors as pa_errors
import pandera.polars as pa
import polars as pl

from assets.common import paths
from assets.common.parquet_io import write_parquet_atomic
from assets.common.bsn_scan import bsn_like_cells
from schemas.keys import SLEUTELS

CHECK_NAME = "geen_bsn"
DESCRIPTION = ("Before writing: no text cell holds a run of exactly nine digits that passes the elfproef "
               "(with or without word boundaries; numbers are measures and not scanned), and every key column "
               "(persoon_id, dossiernr, traject_id, sha256, ...) has its exact hex form. On a hit nothing is "
               "written and the run stops: a hit is a hole in the pseudonymisation (docs/privacy.md).")


def spec(asset: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(CHECK_NAME, asset=asset, blocking=True, description=DESCRIPTION)


def kept_check(asset: str, files: int) -> dg.AssetCheckResult:
    """The check of tables taken unchanged from a cache: they passed this scan when they
    were written and kept (docs/incremental.md)."""
    return dg.AssetCheckResult(
        asset_key=asset, check_name=CHECK_NAME, passed=True,
        metadata={"bestanden": files, "verdachte_cellen": dg.MetadataValue.json({}),
                  "bewaard": "de bewaarde tabellen, bij het bewaren al gescand, ongewijzigd gebruikt (docs/incremental.md)"})


def scan_tables(tables: dict[str, pl.DataFrame]) -> dict[str, dict[str, int]]:
    """{name: {column: suspicious cells}} for the tables with hits; never a value."""
    with ThreadPoolExecutor(max(1, len(tables))) as pool:  # polars scans without the GIL
        found = dict(zip(tables, pool.map(bsn_like_cells, tables.values())))
    return {name: {k: int(n) for k, n in f.iter_rows()} for name, f in found.items() if f.height}


def validate(model: type[pa.DataFrameModel], df: pl.DataFrame) -> pl.DataFrame:
    """`model.validate(df)`, but a failure never quotes a value: pandera's message lists
    "failure case examples", which in a key column could be whatever slipped in. The step
    fails with the table, column and check only (the pandera error is not chained)."""
    try:
        return model.validate(df)
    except pa_errors.SchemaError as e:
        check = getattr(e.check, "name", None) or str(e.reason_code.name if e.reason_code else "schema").lower()
        where = f"kolom {e.column_name}" if e.column_name else "de tabel"
        cases = e.failure_cases.height if isinstance(e.failure_cases, pl.DataFrame) else None
        count = f" ({cases} gevallen)" if cases else ""
        raise dg.Failure(description=f"{model.__name__}: {where} voldoet niet aan {check}{count}; niets geschreven",
                         allow_retries=False) from None


def write_guarded(asset: str, output: str, tables: dict[str, pl.DataFrame],
                  scan: dict[str, pl.DataFrame] | None = None) -> dg.AssetCheckResult:
    """Scan every frame; only when all are clean, write each to its path under `output`
    (atomically). `tables` maps output-relative paths (assets/common/paths.py) to frames.
    `scan`: the frames to scan instead, by the same paths, when the rest of each table
    passed this guard before (the reading step's cached rows, docs/incremental.md).
    Pass the result to `emit` with the asset's materialization."""
    hits = scan_tables(tables if scan is None else scan)
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
    raise dg.Failure(description=failure_text(check.asset_key.to_user_string(), check.metadata["verdachte_cellen"].data),
                     metadata={"verdachte_cellen": check.metadata["verdachte_cellen"]},
                     allow_retries=False)  # the same data leaks again: a retry only delays the stop


def failure_text(asset: str, hits: dict[str, dict[str, int]]) -> str:
    """One line: which files and columns, how many cells, and of which kind; never a value."""
    def where(keys: bool) -> str:
        per_file = {rel: {c: n for c, n in cols.items() if (c.rsplit(".", 1)[-1] in SLEUTELS) == keys} for rel, cols in hits.items()}
        return "; ".join(f"{rel}: {', '.join(f'{c} ({n} cellen)' for c, n in cols.items())}"
                         for rel, cols in per_file.items() if cols)
    parts = [f"{kind} in {w}" for kind, w in (("getallen die op een BSN lijken (negen cijfers, elfproef)", where(False)),
                                              ("sleutels van de verkeerde vorm", where(True))) if w]
    return f"{asset}: {' en '.join(parts)}; niets geschreven (docs/privacy.md)"
