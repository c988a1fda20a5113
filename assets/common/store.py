"""The output store: where every asset reads and writes its tables.

Stages meet at fixed paths under the output folder (assets/common/paths.py: the one list
of them). The store holds the run's folder (the work folder during a Dagster run, see
assets/common/settings.py) so the wiring never joins paths by hand:

    store = settings.store
    lf = store.scan(paths.TRAJECTEN)                     # lazily, from the upstream asset
    check, meta = store.write("indicatoren", {paths.INDICATOREN: df})
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))

`write` is the only way a table reaches disk: the BSN scan of every frame first
(assets/common/bsn_guard.py), then atomic writes, then the table metadata (counts and the
column schema with the pandera descriptions; never a value).
"""
from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandera.polars as pa
import polars as pl

from assets.common import bsn_guard, paths
from assets.common.metadata import table_metadata


def link_or_copy(source: Path, target: Path) -> None:
    """`target` as a hard link to `source` (no extra write or disk), a copy where linking
    fails (another filesystem, no hard links)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def swap_in_folder(parent: Path, name: str, fill: Callable[[Path], None]) -> None:
    """Build `parent/name` anew: `fill` writes into a temporary folder beside it, which is
    then renamed into place (a reader sees the old folder or the new one, never half of
    one); the old folder, and what interrupted runs left beside it, is removed."""
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".nieuw.{secrets.token_hex(4)}"
    old = parent / f".oud.{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        fill(tmp)
        current = parent / name
        if current.exists():
            os.rename(current, old)
        os.rename(tmp, current)
    finally:
        for p in parent.iterdir():  # this run's leftovers and those of interrupted runs
            if p.name != name:
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


@dataclass(frozen=True)
class OutputStore:
    root: str

    def path(self, rel: str) -> Path:
        return paths.out(self.root, rel)

    def place(self, rel: str, source: Path) -> None:
        """Put an existing, already checked table file at `rel` (link_or_copy, then a rename:
        tables are only ever replaced, never written into; the per-file cache relies on it)."""
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.link")
        tmp.unlink(missing_ok=True)
        link_or_copy(source, tmp)
        os.replace(tmp, target)
        tmp.unlink(missing_ok=True)  # rename does nothing when both names are already the same file

    def exists(self, rel: str) -> bool:
        return self.path(rel).exists()

    def scan(self, rel: str) -> pl.LazyFrame:
        return pl.scan_parquet(self.path(rel))

    def read(self, rel: str) -> pl.DataFrame:
        return pl.read_parquet(self.path(rel))

    def read_optional(self, rel: str) -> pl.DataFrame | None:
        """The table, or None when no asset wrote it (a missing table is not an empty one)."""
        return self.read(rel) if self.exists(rel) else None

    def scan_or_empty(self, rel: str, model: type[pa.DataFrameModel]) -> pl.LazyFrame:
        """The table in the model's columns, lazily; the model's empty frame when absent
        (a kind whose folder is missing delivered no records)."""
        if not self.exists(rel):
            return model.empty().lazy()
        return self.scan(rel).select(list(model.to_schema().columns))

    def write(self, asset: str, tables: dict[str, pl.DataFrame],
              meta_for: str | None = None, scan: dict[str, pl.DataFrame] | None = None) -> tuple[dg.AssetCheckResult, dict]:
        """Scan every frame for BSNs; only when all are clean, write each atomically.
        Returns the `geen_bsn` check result and the metadata of the table `meta_for`
        (default: the first one), to hand to `bsn_guard.emit` with the materialization.
        `scan`: only these frames are scanned (the rows not scanned before; bsn_guard.write_guarded)."""
        check = bsn_guard.write_guarded(asset, self.root, tables, scan)
        rel = meta_for or next(iter(tables))
        return check, table_metadata(tables[rel], self.path(rel))
