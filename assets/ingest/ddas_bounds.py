"""Bounds on a DDAS file, checked before the expensive or fragile steps (docs/robustness.md).

MAX_BYTES: a parsed file takes about 7-10 times its size in memory (measured: a 51 MB
file peaks at 7.3x; compact JSON holds more values per byte), and the reader may hold
one file per process, two processes on the reference machine. 512 MiB per file is
ten times the largest real file and keeps two of them under 10 GiB of the 24 GiB.

MAX_DEPTH: a real file nests about eight levels (root, leveringen, levering,
schuldhulptrajecten, traject, client, client object, a value). jsonschema-rs stops with
"Recursion limit reached" from 255 levels and orjson from 1024; 64 leaves room for any
extension of the model and refuses a hostile file before either is reached.
"""
from __future__ import annotations

import numpy as np

MAX_BYTES = 512 * 1024**2
MAX_DEPTH = 64

TE_GROOT = f"bestand is groter dan {MAX_BYTES // 1024**2} MiB (grens voor een DDAS-bestand)"
TE_DIEP = f"JSON is dieper genest dan {MAX_DEPTH} niveaus (grens voor een DDAS-bestand)"

_STRUCTURE = b'"[]{}'
_DELETE = bytes(b for b in range(256) if b not in _STRUCTURE)
_STEP = np.zeros(256, np.int8)
_STEP[ord('"')] = 2  # marks a quote
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


def json_depth(raw: bytes) -> int:
    """Deepest nesting of arrays and objects in a JSON text (a valid one: on other bytes
    the number means nothing). Done on the bytes, in C and numpy (about 1.5 ms per MB),
    so no Python walk over the parsed document is needed.

    Escapes go first (an escaped backslash, then an escaped quote: outside strings JSON
    has no backslash); then only quotes and brackets are kept, and a bracket counts when
    an even number of quotes precedes it (it is outside every string). Adjacent quote
    pairs (every string without a bracket) are dropped before numpy sees them: removing
    an even number of quotes keeps every bracket's parity, and numpy gets the brackets
    and little else (half the time of the whole function at 11 MB)."""
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    step = _STEP[np.frombuffer(raw.translate(None, _DELETE).replace(b'""', b""), dtype=np.uint8)]
    quote = step == 2
    outside = (np.cumsum(quote, dtype=np.int64) & 1) == 0
    return int(np.cumsum(step[outside & ~quote], dtype=np.int64).max(initial=0))
