"""Dagster metadata for a written table: counts and schema only, never sample rows."""
from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl


def table_metadata(df: pl.DataFrame | pl.LazyFrame, path: str | Path | None = None, rows: int | None = None) -> dict:
    """Row count, column schema and path. Person-level frames are never sampled."""
    schema = df.collect_schema() if isinstance(df, pl.LazyFrame) else df.schema
    if rows is None:
        rows = df.select(pl.len()).collect().item() if isinstance(df, pl.LazyFrame) else df.height
    meta: dict = {
        "dagster/row_count": dg.MetadataValue.int(int(rows)),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name=n, type=str(t)) for n, t in schema.items()]
        ),
    }
    if path is not None:
        meta["path"] = dg.MetadataValue.path(str(path))
    return meta


def column_lineage(deps: dict[str, list[tuple[str, str]]]) -> dict:
    """`dagster/column_lineage` metadata from {column: [(upstream asset, upstream column), ...]}."""
    lineage = dg.TableColumnLineage(
        deps_by_column={
            col: [dg.TableColumnDep(asset_key=dg.AssetKey(asset), column_name=up) for asset, up in ups]
            for col, ups in deps.items()
        }
    )
    return {"dagster/column_lineage": lineage}
