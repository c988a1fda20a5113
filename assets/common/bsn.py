"""BSN normalisation, the elfproef and the HMAC-SHA256 pseudonym (model.md §1).

The raw BSN lives only inside the ingest function that read it: `pseudonymise`
turns the normalised digits into `persoon_id` once per distinct BSN, and callers
drop every BSN column before anything leaves the function.
"""
from __future__ import annotations

import hashlib
import hmac

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


def pseudonym(bsn9: str, key: bytes) -> str:
    return hmac.new(key, bsn9.encode("ascii"), hashlib.sha256).hexdigest()


def pseudonymise(valid_bsns: pl.Series, key: bytes) -> pl.Series:
    """persoon_id for each (valid, normalised) BSN; HMAC once per distinct value."""
    distinct = valid_bsns.drop_nulls().unique()
    lookup = pl.DataFrame(
        {
            "bsn": distinct,
            "persoon_id": [pseudonym(b, key) for b in distinct.to_list()],
        },
        schema={"bsn": pl.Utf8, "persoon_id": pl.Utf8},
    )
    frame = pl.DataFrame({"bsn": valid_bsns.cast(pl.Utf8)})
    return frame.join(lookup, on="bsn", how="left", maintain_order="left")["persoon_id"]
