"""BSN normalisation, the elfproef and the HMAC-SHA256 keyed hashes (model.md §1).

The raw BSN lives only inside the ingest function that read it: `pseudonymise`
turns the normalised digits into `persoon_id` once per distinct BSN, and callers
drop every BSN column before anything leaves the function. Free text that must stay
comparable (a CSV `Dossiernr`) gets the same keyed hash (`hash_texts`), never kept raw.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor

import polars as pl

MIN_KEY_LENGTH = 32
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def normalise_bsn(expr: pl.Expr) -> pl.Expr:
    """Trimmed text -> 9 digits where possible: drop spaces, '.' and '-'; pad 8 digits.

    Number cells must already be given as their integer digits (the XLSX reader does
    that), so a '.' here is a separator, never a decimal point.
    """
    digits = expr.cast(pl.Utf8).str.replace_all(r"[\s.\-]", "")
    return pl.when(digits.str.len_chars() == 8).then(pl.lit("0") + digits).otherwise(digits)


def bsn_is_valid(normalised: pl.Expr) -> pl.Expr:
    """Exactly 9 digits, not 000000000, and the elfproef holds. Null -> False."""
    # Integer arithmetic on the parsed number: far cheaper than nine string slices.
    number = normalised.str.to_integer(strict=False)
    total = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(_WEIGHTS):
        total = total + ((number // 10 ** (8 - i)) % 10) * w
    ok = normalised.str.contains(r"^[0-9]{9}$") & (number != 0) & ((total % 11) == 0)
    return ok.fill_null(False)


def is_valid_bsn(value: str) -> bool:
    """Scalar reference of `bsn_is_valid` for tests and the generator."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    return sum(int(d) * w for d, w in zip(value, _WEIGHTS)) % 11 == 0


def check_key(key: str | None) -> bytes:
    """The pseudonym key as bytes, or ValueError with a one-line reason (never the key)."""
    if not key:
        raise ValueError("DDAS_PSEUDONYM_KEY is not set: a secret key of at least 32 characters is required")
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(
            f"DDAS_PSEUDONYM_KEY is too short ({len(key)} characters): at least {MIN_KEY_LENGTH} are required"
        )
    return key.encode("utf-8")


@functools.lru_cache(maxsize=4)
def _hmac_pads(key: bytes):
    """SHA-256 states after the key's inner and outer pad (RFC 2104), computed once per key."""
    k = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in k)), hashlib.sha256(bytes(b ^ 0x5C for b in k))


def pseudonym(bsn9: str, key: bytes) -> str:
    """HMAC-SHA256(key, UTF-8 of bsn9) as lowercase hex, equal to
    `hmac.new(key, bsn9.encode(), sha256).hexdigest()` (for nine digits: their ASCII).

    The padded-key states are copied instead of recomputed: half the cost of hmac.new,
    which counts at a million distinct BSNs."""
    inner, outer = _hmac_pads(key)
    h = inner.copy()
    h.update(bsn9.encode("utf-8"))
    o = outer.copy()
    o.update(h.digest())
    return o.hexdigest()


def pseudonyms(bsns: list[str], key: bytes) -> list[str]:
    return [pseudonym(b, key) for b in bsns]


def pseudonymise(valid_bsns: pl.Series, key: bytes, pool: Executor | None = None) -> pl.Series:
    """persoon_id for each (valid, normalised) BSN; HMAC once per distinct value. With a
    process `pool`, a worker computes half of them meanwhile (only the BSNs and the key
    travel, through a pipe to our own process).

    Nine-digit BSNs are found distinct and looked up as integers (a third of the cost of
    hashing millions of strings); any other text is looked up as text."""
    return pseudonymise_with(valid_bsns, key, pool)["persoon_id"]


PerPerson = Callable[[pl.Series, bytes], pl.Series]


def pseudonymise_with(valid_bsns: pl.Series, key: bytes, pool: Executor | None = None,
                      per_person: PerPerson | None = None) -> pl.DataFrame:
    """`persoon_id` of each BSN as `pseudonymise`, and with `per_person` (a module-level
    function of the persoon_ids and the key, e.g. birth_mask.pads) its values in column
    `extra`, computed in the same pass: once per distinct BSN, half in the pool's worker."""
    text = valid_bsns.cast(pl.Utf8)
    if text.str.contains(r"^[0-9]{9}$").sum() == text.len() - text.null_count():  # all nine digits
        number = text.str.to_integer()
        distinct_numbers = number.drop_nulls().unique()
        distinct = distinct_numbers.cast(pl.Utf8).str.zfill(9).to_list()
        keys, lookup_key = number, distinct_numbers
    else:
        distinct = text.drop_nulls().unique().to_list()
        keys, lookup_key = text, pl.Series(distinct, dtype=pl.Utf8)
    found = None
    if pool is not None and len(distinct) >= 10_000:
        half = len(distinct) // 2
        try:
            there = pool.submit(_keyed, distinct[half:], key, per_person)
            found = _joined(_keyed(distinct[:half], key, per_person), there.result())
        except BrokenExecutor:  # the worker is gone: all of them here
            found = None
    if found is None:
        found = _keyed(distinct, key, per_person)
    lookup = pl.DataFrame({"k": lookup_key, **found})
    return pl.DataFrame({"k": keys}).join(lookup, on="k", how="left", maintain_order="left").drop("k")


def _keyed(bsns: list[str], key: bytes, per_person: PerPerson | None) -> dict[str, pl.Series]:
    ids = pl.Series("persoon_id", pseudonyms(bsns, key), dtype=pl.Utf8)
    return {"persoon_id": ids} if per_person is None else {"persoon_id": ids, "extra": per_person(ids, key)}


def _joined(a: dict[str, pl.Series], b: dict[str, pl.Series]) -> dict[str, pl.Series]:
    return {name: a[name].append(b[name]) for name in a}


def hash_texts(values: pl.Series, key: bytes, pool: Executor | None = None) -> pl.Series:
    """HMAC-SHA256 (same key as persoon_id) of the UTF-8 bytes of each text, lowercase
    hex; null stays null. For free text that must stay comparable but never be kept,
    such as a trimmed CSV `Dossiernr` (model.md §1, 2026-12-01): equal texts give equal
    hashes, so superseding and duplicate checks work on the hashes as on the values.
    Once per distinct value, like `pseudonymise` (which this is, for any text)."""
    return pseudonymise(values.cast(pl.Utf8), key, pool)
