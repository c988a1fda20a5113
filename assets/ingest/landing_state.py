"""The state of the landing folder by name and hash, for the sensor and staleness.

Per relative path: [size, mtime_ns, sha256]. A file is re-hashed only when its size or
mtime changed, so watching a quiet folder costs a directory listing.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from assets.ingest.inventory import list_files


def landing_state(landing: Path, previous: dict[str, list] | None = None) -> dict[str, list]:
    previous = previous or {}
    state: dict[str, list] = {}
    for _bron, rel, path in list_files(landing):
        st = path.stat()
        old = previous.get(rel)
        if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            state[rel] = old
            continue
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        state[rel] = [st.st_size, st.st_mtime_ns, digest]
    return state


def fingerprint(state: dict[str, list]) -> str:
    """What identifies a landing folder's contents: names and hashes, not timestamps."""
    text = "\n".join(f"{rel}:{v[2]}" for rel, v in sorted(state.items()))
    return hashlib.sha256(text.encode()).hexdigest()
