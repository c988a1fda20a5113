"""traject_id: a stable name for a harmonised trajectory (docs/merge_rule.md).

A trajectory is named after its founding record: its first delivered copy (earliest
delivery instant, then smallest path, levering index, record index; for a legacy row the
first export of its Dossiernr). Later deliveries do not change it, so a trajectory keeps
its id from run to run while that copy stays.

    traject_id = FNV-1a 64 over UTF-8(bestand) 0x00 levering_index (4 bytes, big-endian)
                 record_index (4 bytes, big-endian), as 16 lowercase hex digits

A fixed, documented hash that anyone can recompute; vectorised here (the path part once
per file, the 8 position bytes per trajectory).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from assets.harmonise.ordering import POSITION_SPAN, REC_BITS, lookup, packed
from schemas.kinds import dossier_names

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def fnv1a64(texts: pl.Series) -> np.ndarray:
    """FNV-1a 64 of each string's UTF-8 bytes. The loop runs over byte positions, not rows."""
    arr = texts.cast(pl.Utf8).rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())  # large_string
    if arr.null_count:
        raise ValueError("fnv1a64: null text")
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None and offsets[-1] > 0 else np.zeros(1, np.uint8)
    starts, lengths = offsets[:-1], np.diff(offsets)
    h = np.full(len(arr), _FNV_OFFSET, dtype=np.uint64)
    for pos in range(int(lengths.max(initial=0))):
        byte = data[np.minimum(starts + pos, len(data) - 1)].astype(np.uint64)
        h = np.where(pos < lengths, (h ^ byte) * _FNV_PRIME, h)
    return h


def fnv1a64_bytes(h: np.ndarray, values: np.ndarray, width: int) -> np.ndarray:
    """Continue FNV-1a states `h` over `values` as `width` big-endian bytes each."""
    h = h.astype(np.uint64, copy=True)
    values = values.astype(np.uint64)
    for shift in range(8 * (width - 1), -1, -8):
        h = (h ^ ((values >> np.uint64(shift)) & np.uint64(0xFF))) * _FNV_PRIME
    return h


def hex16(h: np.ndarray, name: str = "traject_id") -> pl.Series:
    """uint64 -> 16 lowercase hex digits (big-endian bytes split into nibbles, in numpy)."""
    octets = h.astype(">u8").view(np.uint8).reshape(-1, 8)
    digits = np.empty((len(h), 16), dtype=np.uint8)
    digits[:, 0::2] = _HEX[octets >> 4]
    digits[:, 1::2] = _HEX[octets & 0x0F]
    return pl.Series(name, digits.view("S16").ravel()).cast(pl.Utf8)


def file_states(files: pl.DataFrame) -> pl.DataFrame:
    """The file table with `_fnv`: the FNV-1a state after UTF-8(bestand) and 0x00."""
    state = fnv1a64_bytes(fnv1a64(files["bestand"]), np.zeros(files.height, dtype=np.uint64), 1)
    return files.with_columns(pl.Series("_fnv", state, dtype=pl.UInt64))


def traject_ids(founding: pl.DataFrame) -> pl.Series:
    """traject_id from columns _fnv (file state), levering_index, record_index."""
    h = founding["_fnv"].to_numpy()
    h = fnv1a64_bytes(h, founding["levering_index"].to_numpy(), 4)
    h = fnv1a64_bytes(h, founding["record_index"].to_numpy(), 4)
    return hex16(h)


def first_copy() -> pl.Expr:
    """`_stichting`: a record's packed founding key (stichting_rang, levering_index,
    record_index); for a legacy row, that of the first export of its dossier, so that a
    legacy trajectory keeps its id when later exports supersede the row it came from."""
    own = packed("stichting_rang")
    legacy = pl.col("bron").is_in(dossier_names()) & pl.col("dossiernr").is_not_null()
    return pl.when(legacy).then(own.min().over("bron", "gemeentecode", "dossiernr")).otherwise(own).alias("_stichting")


def with_traject_ids(fields: pl.DataFrame, files: pl.DataFrame) -> pl.DataFrame:
    """Add traject_id from the founding record encoded in `_stichting`."""
    founding = fields.select(
        lookup(pl.col("_stichting") // POSITION_SPAN, files["stichting_rang"], files["_fnv"], pl.UInt64).alias("_fnv"),
        ((pl.col("_stichting") % POSITION_SPAN) // 2**REC_BITS).alias("levering_index"),
        (pl.col("_stichting") % 2**REC_BITS).alias("record_index"),
    )
    return fields.with_columns(traject_ids(founding))
