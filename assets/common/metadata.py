"""Dagster metadata for a written table: counts and schema only, never sample rows.

The column schema carries each column's description from its pandera model, so the UI's
Columns tab explains the table. The model is found from the path that is written: every
model in `schemas/` names its file in its docstring (`` `indicatoren/indicatoren.parquet`: ... ``),
so a new table gets its descriptions without touching the asset that writes it.
"""
from __future__ import annotations

import fnmatch
import functools
import importlib
import inspect
import pkgutil
import re
from pathlib import Path, PurePosixPath

import dagster as dg
import pandera.polars as pa
import polars as pl

from assets.common.publish import published_path

# Files whose model does not name them: the per-kind staging copies of the quality tables.
_STAGING_MODELS = {
    "staging/*/leveringen.parquet": ("schemas.quality", "Leveringen"),
    "staging/*/quarantaine.parquet": ("schemas.quality", "Quarantaine"),
    "staging/*/schema_afwijkingen.parquet": ("schemas.quality", "SchemaAfwijkingen"),
}
_DOC_PATH = re.compile(r"`(?:<output>/)?([^`\s]+\.parquet)`")


@functools.cache
def model_registry() -> dict[str, type[pa.DataFrameModel]]:
    """{relative path pattern: pandera model}; `<bron>` in a docstring path becomes `*`."""
    import schemas

    found: dict[str, type[pa.DataFrameModel]] = {}
    for info in pkgutil.iter_modules(schemas.__path__):
        if info.name == "dictionary":
            continue
        module = importlib.import_module(f"schemas.{info.name}")
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, pa.DataFrameModel) and obj.__module__ == module.__name__:
                for rel in _DOC_PATH.findall(obj.__doc__ or ""):
                    found.setdefault(re.sub(r"<[^>]+>", "*", rel), obj)
    for pattern, (module_name, name) in _STAGING_MODELS.items():
        found.setdefault(pattern, getattr(importlib.import_module(module_name), name))
    return found


def model_for(path: str | Path) -> type[pa.DataFrameModel] | None:
    """The model of the file at `path` (absolute or relative): the most specific pattern
    (fewest wildcards) that matches the path's last parts wins."""
    parts = PurePosixPath(Path(path).as_posix()).parts
    best = None
    for pattern, model in model_registry().items():
        n = len(PurePosixPath(pattern).parts)
        if len(parts) >= n and fnmatch.fnmatchcase("/".join(parts[-n:]), pattern):
            rank = (pattern.count("*"), -n)
            if best is None or rank < best[0]:
                best = (rank, model)
    return best[1] if best else None


def _constraints(col) -> dg.TableColumnConstraints:
    from schemas.dictionary import _check  # the same wording as docs/data_dictionary.md

    return dg.TableColumnConstraints(nullable=bool(col.nullable), unique=bool(col.unique),
                                     other=[_check(c) for c in col.checks] or None)


def column_schema(schema: pl.Schema | dict, model: type[pa.DataFrameModel] | None) -> dg.TableSchema:
    """Every column of the frame with its type, and its description and checks from `model`."""
    described = model.to_schema().columns if model is not None else {}
    columns = []
    for name, dtype in schema.items():
        col = described.get(name)
        columns.append(dg.TableColumn(
            name=name, type=str(dtype),
            description=(col.description or None) if col is not None else None,
            constraints=_constraints(col) if col is not None else None,
        ))
    return dg.TableSchema(columns=columns)


def table_metadata(df: pl.DataFrame | pl.LazyFrame, path: str | Path | None = None, rows: int | None = None,
                   model: type[pa.DataFrameModel] | None = None) -> dict:
    """Row count, column schema (described from `model`, else the model registered for
    `path`) and path. Person-level frames are never sampled."""
    schema = df.collect_schema() if isinstance(df, pl.LazyFrame) else df.schema
    if rows is None:
        rows = df.select(pl.len()).collect().item() if isinstance(df, pl.LazyFrame) else df.height
    if model is None and path is not None:
        model = model_for(path)
    meta: dict = {
        "dagster/row_count": dg.MetadataValue.int(int(rows)),
        "dagster/column_schema": column_schema(schema, model),
    }
    if path is not None:  # where the file is published, not the run's work folder (gone after the run)
        meta["path"] = dg.MetadataValue.path(str(published_path(path)))
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
