"""Atomic, deterministic parquet output."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polars as pl

# zstd level 1: on the national-scale tables 20-45 % faster to write than the default
# level, and the files come out slightly smaller (docs/performance.md).
ZSTD_LEVEL = 1


def write_parquet_atomic(df: pl.DataFrame | pl.LazyFrame, path: str | Path) -> int:
    """Write to a temporary file beside `path`, then rename: readers never see half a file.

    Returns the number of rows written. Callers sort rows first: same inputs, same bytes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if isinstance(df, pl.LazyFrame):
            df.sink_parquet(tmp, compression="zstd", compression_level=ZSTD_LEVEL, statistics=True)
            rows = pl.scan_parquet(tmp).select(pl.len()).collect().item()
        else:
            if any(isinstance(t, pl.List) for t in df.schema.values()):
                df = _in_slices(df)
            df.write_parquet(tmp, compression="zstd", compression_level=ZSTD_LEVEL, statistics=True)
            rows = df.height
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rows


LIST_SLICE_ROWS = 32_768


def _in_slices(df: pl.DataFrame) -> pl.DataFrame:
    """The same rows as chunks of LIST_SLICE_ROWS (zero-copy). polars encodes a list column
    one chunk at a time; in slices the chunks are encoded side by side: the staging records
    (2.3 M rows with a list of pseudonyms) write in 0.7 s instead of 1.3 s."""
    return pl.concat([df.slice(i, LIST_SLICE_ROWS) for i in range(0, df.height, LIST_SLICE_ROWS)] or [df], rechunk=False)
