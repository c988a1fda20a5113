"""Memory-related helpers shared by the readers."""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def without_cyclic_gc():
    """Parsed files are millions of acyclic objects (JSON values, worksheet cells);
    Python's cyclic collector would walk them, and everything else the process holds,
    over and over while they are built (measured: up to half a reader's run time).
    Reference counting still frees everything; the collector is restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
