"""The state of the landing folder by name and hash, for the sensor and staleness.

Per shown name (`bestand`, digit runs masked, as in the ledger): [size, mtime_ns,
sha256]. A file is re-hashed only when its size or mtime changed, so watching a quiet
folder costs a directory listing. An entry that cannot be taken (a link, fifo,
unreadable file) is [None, None, None]: looked at again every time, never opened.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from assets.ingest.inventory import list_entries, sha256_or_refusal
from assets.ingest.names import shown_names


def landing_state(landing: Path, previous: dict[str, list] | None = None) -> dict[str, list]:
    previous = previous or {}
    state: dict[str, list] = {}
    entries = list_entries(landing)
    shown = shown_names(e.rel for e in entries)
    for e in entries:
        name = shown[e.rel]
        try:
            st = os.stat(e.path, follow_symlinks=False) if e.refusal is None else None
        except OSError:
            st = None
        if st is None:
            state[name] = [None, None, None]
            continue
        old = previous.get(name)
        if old and old[2] is not None and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            state[name] = old
            continue
        digest, _ = sha256_or_refusal(e.path)
        state[name] = [st.st_size, st.st_mtime_ns, digest] if digest else [None, None, None]
    return state


def fingerprint(state: dict[str, list]) -> str:
    """What identifies a landing folder's contents: names and hashes, not timestamps."""
    text = "\n".join(f"{rel}:{v[2]}" for rel, v in sorted(state.items()))
    return hashlib.sha256(text.encode()).hexdigest()
