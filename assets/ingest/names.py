"""How a landing file name is shown: digit runs masked, undecodable bytes replaced.

sources.md (2026-12-01): wherever a file name is shown, every run of nine or more digits
is written as that many `#`, because a supplier may put a BSN in a name. `shown_names`
is the one place a relative path becomes the `bestand` that every table, log line and
message carries; `mask_digits` is for any other text that may hold a path.
"""
from __future__ import annotations

import os
from collections.abc import Iterable

from assets.common.paths import mask_digits  # noqa: F401  (re-exported: one implementation)


def is_utf8(name: str) -> bool:
    """False for a name that came from the file system with bytes that are not UTF-8
    (Python keeps them as lone surrogates, PEP 383)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readable(name: str) -> str:
    """The name as text: bytes that are not UTF-8 become U+FFFD."""
    return name if is_utf8(name) else os.fsencode(name).decode("utf-8", "replace")


def shown_name(rel: str) -> str:
    """A relative path as it may be shown (not yet made unique: see shown_names)."""
    return mask_digits(readable(rel))


def shown_names(rels: Iterable[str]) -> dict[str, str]:
    """{relative path: `bestand`} for every path, the shown names unique.

    `bestand` is a key between tables (ledger, quarantine, records), so two paths that
    show alike (`a_123456789.json` and `a_987654321.json`, or two undecodable names)
    each get ` (n)` after the shown name, n = 1, 2, ... in order of the real relative
    path. The suffix never depends on the masked digits, so it reveals nothing of them.
    """
    rels = sorted(set(rels))
    by_shown: dict[str, list[str]] = {}
    for rel in rels:
        by_shown.setdefault(shown_name(rel), []).append(rel)
    out: dict[str, str] = {}
    used = {s for s, group in by_shown.items() if len(group) == 1}
    for shown, group in by_shown.items():
        if len(group) == 1:
            out[group[0]] = shown
            continue
        n = 0
        for rel in group:
            n += 1
            while f"{shown} ({n})" in used:  # a real name may already read `x (1)`
                n += 1
            out[rel] = f"{shown} ({n})"
            used.add(out[rel])
    return out
