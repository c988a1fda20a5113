"""Reference data shipped as package data: municipality codes, mappings, the DDAS schema.

Everything the product reads at run time comes from here, so a plain `pip install .`
works without the repository or the shared folder.
"""
from __future__ import annotations

import contextlib
import functools
from importlib import resources
from collections.abc import Iterator
from pathlib import Path

import orjson
import polars as pl

_PACKAGE = "assets.reference"


def _resource(name: str) -> Path:
    return Path(str(resources.files(_PACKAGE).joinpath(name)))


@functools.cache
def gemeentecodes() -> frozenset[str]:
    """CBS codes (upper case, `GM` + 4 digits) of `gemeenten.csv`."""
    df = pl.read_csv(_resource("gemeenten.csv"), schema_overrides={"gemeentecode": pl.Utf8})
    return frozenset(df["gemeentecode"].str.strip_chars().str.to_uppercase().to_list())


def gemeenten() -> pl.DataFrame:
    return pl.read_csv(_resource("gemeenten.csv"), infer_schema=False)


@functools.cache
def ddas_json_schema() -> dict:
    return orjson.loads(_resource("json_schema_Uitwisselmodel.json").read_bytes())


# The run's mapping folder (the settings resource's `mapping_dir`, DDAS_MAPPING_DIR), set
# around a read by `configured_mapping_dir`; the DDAS reader's worker processes get it
# through their initializer (assets/ingest/ddas_workers.py). None: the shipped folder.
_MAPPING_DIR: str | None = None


@contextlib.contextmanager
def configured_mapping_dir(folder: str | None) -> Iterator[None]:
    """Within the block, the mappings come from `folder` (None or "": the shipped ones)."""
    global _MAPPING_DIR
    before, _MAPPING_DIR = _MAPPING_DIR, folder or None
    try:
        yield
    finally:
        _MAPPING_DIR = before


def configured_mapping_folder() -> str | None:
    """The folder set by `configured_mapping_dir`, for handing to a worker process."""
    return _MAPPING_DIR


def use_mapping_dir(folder: str | None) -> None:
    """Set the mapping folder for the rest of this process (a worker's initializer)."""
    global _MAPPING_DIR
    _MAPPING_DIR = folder or None


def mapping_dir() -> Path:
    """The configured mapping folder (a data engineer's own copy), else the shipped one."""
    return Path(_MAPPING_DIR) if _MAPPING_DIR else _resource("mappings")


def mappings() -> pl.DataFrame:
    """All mapping rows: bron, veld, bronwaarde, standaardwaarde, sleutel (match key)."""
    files = sorted(mapping_dir().glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no mapping files (*.csv) in {mapping_dir()}")
    frames = [pl.read_csv(f, infer_schema=False) for f in files]
    df = pl.concat(frames, how="vertical")
    return df.with_columns(sleutel=match_key(pl.col("bronwaarde"))).unique(
        ["bron", "veld", "sleutel"], keep="last", maintain_order=True
    )


def mapping(bron: str, veld: str) -> dict[str, str]:
    """{match key: standard value} for one source field."""
    df = mappings().filter((pl.col("bron") == bron) & (pl.col("veld") == veld))
    return dict(zip(df["sleutel"].to_list(), df["standaardwaarde"].to_list()))


def match_key(expr: pl.Expr) -> pl.Expr:
    """Code values are matched trimmed and case-insensitively."""
    return expr.cast(pl.Utf8).str.strip_chars().str.to_lowercase()


def map_code(expr: pl.Expr, bron: str, veld: str) -> pl.Expr:
    """Standard value of a code, null when the code is absent or not in the mapping."""
    table = mapping(bron, veld)
    return match_key(expr).replace_strict(table, default=None, return_dtype=pl.Utf8)


def doelen_path() -> Path:
    return _resource("doelen.csv")
