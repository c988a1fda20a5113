"""The process fields of a DDAS record (process.md §1): codes, begeleiding, schulden, clients.

Pure polars helpers for `ddas_json`: enumeration values matched trimmed and in any case
(an unknown value becomes null; the schema findings already report it), the date checks
of begeleiding[] elements per record, and the nested parts of accepted records as list
columns. A creditor's name is turned into its keyed hash here and goes no further.
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import Executor

import numpy as np
import polars as pl
import pyarrow as pa

from assets.common.bsn import hash_texts
from assets.common.dates import parse_date
from schemas.ddas_json import BEGELEIDING_DATUMVELDEN
from schemas.model import BEGELEIDINGSSOORTEN, SCHULDSOORTEN
from schemas.records import BEGELEIDING_STRUCT, SCHULD_STRUCT

BEGELEIDING_SCHEMA = {"rij": pl.Int64, **BEGELEIDING_STRUCT.to_schema()}
SCHULD_SCHEMA = {"rij": pl.Int64, **SCHULD_STRUCT.to_schema()}
KVK = r"^[0-9]{8}$"


def enum_value(expr: pl.Expr, values: list[str]) -> pl.Expr:
    """The enumeration value that `expr` names (trimmed, any case), else null."""
    table = {v.lower(): v for v in values}
    return expr.str.strip_chars().str.to_lowercase().replace_strict(table, default=None, return_dtype=pl.Utf8)


def geslacht(expr: pl.Expr) -> pl.Expr:
    """process.md §1: M / man -> man, V / vrouw -> vrouw (trimmed, any case); else null (onbekend)."""
    return expr.str.strip_chars().str.to_lowercase().replace_strict(
        {"m": "man", "man": "man", "v": "vrouw", "vrouw": "vrouw"}, default=None, return_dtype=pl.Utf8
    )


def flag_name(veld: str, kind: str) -> str:
    return f"_{kind} {veld}"


def begeleiding_checks(beg: pl.DataFrame, n: int, peildatum: dt.date) -> pl.DataFrame:
    """Per record 0..n-1: for each begeleiding date field (BEGELEIDING_DATUMVELDEN), whether
    an element gives a value that is not a real date (`_ongeldig <veld>`) and whether one
    lies after the peildatum (`_toekomst <veld>`). Counted with bincount over `rij`."""
    out = {}
    rij = beg["rij"].to_numpy()
    for veld, col in BEGELEIDING_DATUMVELDEN.items():
        parsed = beg.select(parse_date(pl.col(col), "iso")).to_series()
        bad = (beg[col].is_not_null() & parsed.is_null()).to_numpy()
        late = (parsed > peildatum).fill_null(False).to_numpy()
        out[flag_name(veld, "ongeldig")] = np.bincount(rij[bad], minlength=n)[:n] > 0
        out[flag_name(veld, "toekomst")] = np.bincount(rij[late], minlength=n)[:n] > 0
    return pl.DataFrame(out) if n else pl.DataFrame(schema={k: pl.Boolean for k in out})


def parsed_begeleiding(beg: pl.DataFrame) -> pl.DataFrame:
    """Raw begeleiding elements -> BEGELEIDING_SCHEMA (soort as the enumeration value)."""
    return beg.select(
        "rij", soort=enum_value(pl.col("soort"), BEGELEIDINGSSOORTEN),
        startdatum=parse_date(pl.col("startdatum"), "iso"), einddatum=parse_date(pl.col("einddatum"), "iso"),
    )


def accepted_parts(parts: pl.DataFrame, accepted: np.ndarray) -> pl.DataFrame:
    """The rows of `parts` whose record (`rij`) is accepted."""
    if parts.is_empty():
        return parts
    return parts.filter(pl.Series(accepted[parts["rij"].to_numpy()], dtype=pl.Boolean))


def with_schuldeiser_ids(sch: pl.DataFrame, key: bytes, pool: Executor | None = None) -> pl.DataFrame:
    """Raw schulden elements of accepted records -> SCHULD_SCHEMA.

    schuldeiser_id (process.md §1): the kvknummer when it is given as 8 digits (trimmed) and
    the creditor is not a private person; otherwise the keyed hash of the trimmed,
    lower-cased name; null without a name. A private person's KvK number is never used
    (it would identify a one-man business, that is the person)."""
    naam = pl.col("naam").str.strip_chars().str.to_lowercase()
    names = sch.select(pl.when(pl.col("naam").is_not_null()).then(naam)).to_series()
    hashed = hash_texts(names, key, pool) if names.is_not_null().any() else pl.Series(values=[None] * sch.height, dtype=pl.Utf8)
    kvk = pl.col("kvknummer").str.strip_chars()
    return sch.with_columns(_hash=hashed).select(
        "rij",
        schuldsoort=enum_value(pl.col("schuldsoort"), SCHULDSOORTEN),
        bedrag_eur=pl.col("bedrag"),
        zakelijk=pl.col("zakelijk"),
        schuldeiser_id=pl.when(~pl.col("privepersoon") & kvk.str.contains(KVK).fill_null(False)).then(kvk).otherwise(pl.col("_hash")),
    )


def per_record_lists(parts: pl.DataFrame, rij: pl.Series, name: str, dtype: pl.DataType) -> pl.Series:
    """One list per record of `rij` (in that order): the struct of the other columns of its
    rows of `parts`, in delivered order; an empty list where it has none.

    The readers hand both in `rij` order (the files in turn, each in document order), so
    the lists are cut from the rows by offsets (no group-by, no join); other input goes
    the general way."""
    at, target = parts["rij"].to_numpy(), rij.to_numpy()
    pos = np.searchsorted(target, at)
    in_order = (np.all(np.diff(target) > 0) and np.all(np.diff(at) >= 0)
                and np.array_equal(target[np.minimum(pos, len(target) - 1)], at) if len(target) else not len(at))
    if not in_order:
        return _lists_by_join(parts, rij, name, dtype)
    fields = [c for c in parts.columns if c != "rij"]
    offsets = np.zeros(len(target) + 1, dtype=np.int64)
    np.cumsum(np.bincount(pos, minlength=len(target)), out=offsets[1:])
    values = parts.select(pl.struct(fields).alias(name)).to_series().cast(dtype.inner)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), values.to_arrow())
    return pl.Series(name, lists).cast(dtype)


def _lists_by_join(parts: pl.DataFrame, rij: pl.Series, name: str, dtype: pl.DataType) -> pl.Series:
    fields = [c for c in parts.columns if c != "rij"]
    lists = parts.group_by("rij", maintain_order=True).agg(pl.struct(fields).alias(name))
    joined = rij.to_frame("rij").join(lists, on="rij", how="left", maintain_order="left")[name]
    return joined.fill_null(pl.lit([], dtype)).cast(dtype).alias(name)
