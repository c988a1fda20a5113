"""Birth dates between ingest and harmonisation, without storing a birth date (process.md §1).

The age class is taken at the trajectory's aanmelddatum, the earliest of its records', which
only harmonisation knows; a record's own aanmelddatum can be years later. So the reader must
hand the date on, and the staging records are files. There it travels masked: day number
XOR a 32-bit pad, the keyed BLAKE2b (4-byte digest) of the persoon_id, keyed with
SHA-256("geboortedatum:" + the key of persoon_id). Without the key the stored number says
nothing about the date; harmonisation removes the pad in memory and writes only the class.
Deterministic (a rerun writes the same staging bytes). BLAKE2b is a keyed hash in one pass
(a MAC by design, in hashlib): a third of HMAC-SHA256's cost, computed per row, which is
cheaper here than finding the distinct persons first.
"""
from __future__ import annotations

import hashlib
from collections import deque
from itertools import repeat
from concurrent.futures import Executor

import numpy as np
import polars as pl

_OFFSET = 2**31  # day numbers (negative before 1970) -> 0 .. 2**32-1
_PREFIX = "geboortedatum:"
_FIRST, _LAST = -(200 * 366), 200 * 366  # 1770 .. 2170 as day numbers


def pads(persoon_ids: pl.Series, key: bytes) -> pl.Series:
    """The 32-bit pad of each (non-null) persoon_id, as Int64. A module-level function, so
    that bsn.pseudonymise_with can compute it beside the persoon_ids, in its worker too."""
    return _pads(persoon_ids, key)


_CHUNK = 1024  # hash objects alive at once


def _pads(persoon_ids: pl.Series, key: bytes, pool: Executor | None = None) -> pl.Series:
    """The 32-bit pad of each (non-null) persoon_id. `pool` is accepted like the other keyed
    hashes' and not used: the pads cost less than sending the ids to a worker."""
    keyed = hashlib.blake2b(key=hashlib.sha256(_PREFIX.encode() + key).digest(), digest_size=4)
    blake = type(keyed)
    messages = persoon_ids.cast(pl.Binary).to_list()
    chunks = []
    # C-level maps over chunks (copy, update, digest) instead of a Python function per row:
    # the same bytes, a third less CPU
    for i in range(0, len(messages), _CHUNK):
        chunk = messages[i:i + _CHUNK]
        hashes = list(map(blake.copy, repeat(keyed, len(chunk))))
        deque(map(blake.update, hashes, chunk), maxlen=0)
        chunks.append(b"".join(map(blake.digest, hashes)))
    # the 4-byte digests joined and read as big-endian uint32 at once: no Python int per row
    joined = b"".join(chunks)
    return pl.Series(np.frombuffer(joined, dtype=">u4").astype(np.int64), dtype=pl.Int64)


def mask(persoon_ids: pl.Series, dates: pl.Series, key: bytes, pool: Executor | None = None,
         persoon_nr: pl.Series | None = None, known_pads: pl.Series | None = None) -> pl.Series:
    """Dates (pl.Date, null allowed) of the persons -> masked Int64 (null where the date is).
    `persoon_nr`: an integer per row, equal exactly where the persoon_id is (the BSN as a
    number); the pad is then computed once per person instead of once per row.
    `known_pads`: each row's `pads` already (e.g. from bsn.pseudonymise_with)."""
    has = dates.is_not_null() & persoon_ids.is_not_null()
    out = np.zeros(len(dates), dtype=np.int64)
    if has.any():
        ids = persoon_ids.filter(has)
        days = dates.filter(has).cast(pl.Int32).cast(pl.Int64).to_numpy() + _OFFSET
        if known_pads is not None:
            pads = known_pads.filter(has)
        elif persoon_nr is not None:
            pads = _pads_per_person(persoon_nr.filter(has), ids, key)
        else:
            pads = _pads(ids, key, pool)
        out[has.to_numpy()] = days ^ pads.to_numpy()
    return pl.Series(dates.name, out, dtype=pl.Int64).set(~has, None) if len(dates) else pl.Series(dates.name, [], pl.Int64)


def _pads_per_person(nr: pl.Series, persoon_ids: pl.Series, key: bytes) -> pl.Series:
    """_pads of each row, computed once per distinct `nr` (found and joined on integers)."""
    rows = pl.DataFrame({"nr": nr, "persoon_id": persoon_ids})
    persons = rows.unique("nr", keep="any")
    persons = persons.with_columns(_pads(persons["persoon_id"], key).alias("pad"))
    return rows.join(persons.select("nr", "pad"), on="nr", how="left", maintain_order="left")["pad"]


def unmask(persoon_ids: pl.Series, masked: pl.Series, key: bytes) -> pl.Series:
    """The inverse of `mask`: masked Int64 -> pl.Date (null stays null)."""
    has = masked.is_not_null() & persoon_ids.is_not_null()
    out = np.zeros(len(masked), dtype=np.int64)
    if has.any():
        ids = persoon_ids.filter(has)
        out[has.to_numpy()] = (masked.filter(has).to_numpy() ^ _pads(ids, key).to_numpy()) - _OFFSET
    days = pl.Series(masked.name, out, dtype=pl.Int64).set(~has, None)
    # only a wrong key gives a day outside any birth date's range: unknown, not a failure
    days = days.set(~days.is_between(_FIRST, _LAST).fill_null(True), None)
    return days.cast(pl.Int32).cast(pl.Date)


def leeftijdsklasse(geboortedatum: pl.Expr, op: pl.Expr) -> pl.Expr:
    """The age class (process.md §1) of a person born on `geboortedatum` on date `op`.

    Whole years, as on a birthday: a birthday not yet reached in the year counts one less;
    (month, day) compared as month*100+day, so a person born on 29 February turns a year
    older on 1 March in a year without 29 February (§6.2). No date: `onbekend`.
    """
    md = lambda d: d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)  # noqa: E731
    age = op.dt.year().cast(pl.Int32) - geboortedatum.dt.year().cast(pl.Int32) - (md(op) < md(geboortedatum)).cast(pl.Int32)
    return (
        pl.when(geboortedatum.is_null() | op.is_null()).then(pl.lit("onbekend"))
        .when(age < 27).then(pl.lit("tot 27"))
        .when(age < 45).then(pl.lit("27 tot 45"))
        .when(age < 65).then(pl.lit("45 tot 65"))
        .otherwise(pl.lit("65 of ouder"))
    )
