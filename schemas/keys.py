"""Key columns: the one declaration of which columns hold keyed hashes or ids by construction.

A key column holds only values that the pipeline computed itself (an HMAC-SHA256, a file
hash, an FNV-1a id), never delivered text. Such values are hexadecimal, and a 64-hex
string holds a run of nine digits that passes the elfproef about once in a hundred: the
BSN scan (assets/quality/checks.py) would raise false alarms on them. So the scan skips
the columns named here, by name in every table, and checks instead that each of their
values has exactly the declared form: a cheap test that keeps a key column from becoming
a hiding place for anything else (docs/privacy.md).

The pandera models use these forms for their `str_matches` checks, so the form of a key
is written once; tests/test_bsn_scan.py checks that every model agrees.
"""
from __future__ import annotations

HEX64 = r"^[0-9a-f]{64}$"  # HMAC-SHA256 or sha256, lowercase hex
TRAJECT_ID = r"^[0-9a-f]{16}$"  # FNV-1a 64 (assets/harmonise/traject_id.py)

# column name -> the full form every (non-null) value must have; for a list column, every element.
SLEUTELS: dict[str, str] = {
    "persoon_id": HEX64,  # HMAC of the BSN (model.md §1)
    "persoon_ids": HEX64,  # the same, one list per record
    "dossiernr": HEX64,  # HMAC of the trimmed CSV Dossiernr (model.md §1, 2026-12-01)
    "sha256": HEX64,  # hash of a delivered file's bytes
    "traject_id": TRAJECT_ID,
    "terugval_traject_id": TRAJECT_ID,  # member lists of `ddas trace`
    "bewijs_traject_ids": TRAJECT_ID,
    "adres_id": HEX64,  # HMAC of postcode|huisnummer|toevoeging (vroegsignalering.md §1)
    # a creditor: its KvK number (8 digits, so never a nine-digit run) or the HMAC of its name (process.md §1)
    "schuldeiser_id": r"^([0-9]{8}|[0-9a-f]{64})$",
}
