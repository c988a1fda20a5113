"""Kept outputs of a pure step (issue 17, docs/incremental.md): a step whose tables depend
only on its input tables, the code and the key takes the tables it wrote last time when
its inputs are, byte for byte, the ones it read then.

On a night with new aftercare workbooks only, harmonisation and the early-warning model
need not run again; after a new DDAS file, the early-warning model and the aftercare
events need not. The inputs are named by their sha256 (a staging table is rewritten or
taken from the per-file cache, either way its bytes say what it holds), so no rule about
which upstream step changed what is needed. A step that reads the peildatum or the run's
settings is not such a step and does not use this.

Kept per step in `<cache root>/stappen/<step>/huidig/`: hard links to the output tables it
wrote (no extra disk; tables are only ever replaced by rename, never written into) and an
index with the key (sha256 of the inputs, the code digest, the key's fingerprint), each
table's size and mtime (a table changed since is not used), and the counts the step
reports besides its tables. A damaged or unwritable cache costs time, never the run.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from assets.common import bsn_guard
from assets.common.code_digest import key_fingerprint, source_digest
from assets.common.metadata import table_metadata
from assets.common.store import OutputStore, link_or_copy, swap_in_folder

STEPS = "stappen"  # <cache root>/stappen/<step>/: beside the reader cache's kind folders
CURRENT = "huidig"
INDEX = "index.json"
FORMAT = 1
# Every step's code: a change anywhere in assets/ or schemas/ drops every kept step
# (coarse, but a step's result may depend on any shared helper).
CODE_PACKAGES = ("assets", "schemas")
LIBRARIES = ("polars", "pyarrow", "numpy", "scipy", "pandera")


@functools.cache
def code_digest() -> str:
    return source_digest(f"stappen {FORMAT}", CODE_PACKAGES, LIBRARIES)


def inputs_digest(store: OutputStore, rels: list[str]) -> str:
    """sha256 over the input tables' names and bytes (an absent table counts as absent)."""
    h = hashlib.sha256()
    for rel in rels:
        h.update(rel.encode() + b"\0")
        path = store.path(rel)
        if path.exists():
            with open(path, "rb") as f:
                h.update(hashlib.file_digest(f, "sha256").digest())
        else:
            h.update(b"afwezig")
    return h.hexdigest()


def _name(rel: str) -> str:
    return rel.replace("/", "__")


def _stamps(folder: Path, outputs: list[str]) -> dict[str, list[int]]:
    out = {}
    for rel in outputs:
        st = (folder / _name(rel)).stat()
        out[rel] = [st.st_size, st.st_mtime_ns]
    return out


@dataclass
class KeptStep:
    """One step's kept outputs, for this run's inputs, code and key."""

    folder: Path  # <cache root>/stappen/<step>
    sleutel: str  # sha256 of the inputs' digest, the code digest and the key's fingerprint
    rebuild: bool = False  # --volledig: never take, keep anew
    log: Callable[[str], None] = print

    def take(self, store: OutputStore, outputs: list[str]) -> dict | None:
        """When the kept outputs are of this key and unchanged since kept: put each at its
        path in `store` and return the counts kept with them; None: compute as usual."""
        current = self.folder / CURRENT
        if self.rebuild or not current.is_dir():
            return None
        try:
            index = json.loads((current / INDEX).read_text())
            if index["formaat"] != FORMAT or index["sleutel"] != self.sleutel or sorted(index["tabellen"]) != sorted(outputs):
                return None
            if _stamps(current, outputs) != index["tabellen"]:
                self.log(f"cache: bewaarde tabellen van stap {self.folder.name} gewijzigd sinds ze bewaard zijn: opnieuw berekend")
                return None
            for rel in outputs:
                store.place(rel, current / _name(rel))
            return index["extra"]
        except Exception as e:  # noqa: BLE001 - a damaged cache is a miss, never the run's end
            self.log(f"cache: bewaarde tabellen van stap {self.folder.name} onbruikbaar ({type(e).__name__}): opnieuw berekend")
            return None

    def keep(self, store: OutputStore, outputs: list[str], extra: dict) -> None:
        """Keep the step's just written (checked) output tables and its counts `extra`
        (JSON: counts, never a value from the data). Built aside, then renamed into place."""
        try:
            self._replace(store, outputs, extra)
        except (OSError, ValueError, TypeError) as e:  # costs the next run time, never this run
            self.log(f"cache: tabellen van stap {self.folder.name} niet bewaard ({type(e).__name__})")

    def _replace(self, store: OutputStore, outputs: list[str], extra: dict) -> None:
        def fill(folder: Path) -> None:
            for rel in outputs:
                link_or_copy(store.path(rel), folder / _name(rel))
            index = {"formaat": FORMAT, "sleutel": self.sleutel, "tabellen": _stamps(folder, outputs), "extra": extra}
            (folder / INDEX).write_text(json.dumps(index, sort_keys=True))

        swap_in_folder(self.folder, CURRENT, fill)


def kept_step(cache_root: str | None, step: str, store: OutputStore, inputs: list[str], key: bytes | None,
              rebuild: bool = False, log: Callable[[str], None] = print) -> KeptStep | None:
    """The step's kept outputs for these inputs (table paths in `store`); None without a
    cache folder (no published output folder: nothing to keep between runs)."""
    if not cache_root:
        return None
    h = hashlib.sha256(f"{step}\0{code_digest()}\0{inputs_digest(store, inputs)}\0".encode())
    h.update((key_fingerprint(key) if key else "zonder sleutel").encode())
    return KeptStep(Path(cache_root) / STEPS / step, h.hexdigest(), rebuild, log)


def kept_results(store: OutputStore, tables: list[tuple[str, str]], extra: dict[str, dict],
                 more: Callable[[str], dict] = lambda rel: {}) -> list[tuple]:
    """(check, materialization) per (asset, table) taken from the cache, for bsn_guard.emit:
    the table's metadata read from the placed file, the kept counts `extra[asset]` and
    `more(rel)` (what the step adds that is not data, such as column lineage)."""
    out = []
    for asset, rel in tables:
        meta = {**table_metadata(store.scan(rel), store.path(rel)), **extra.get(asset, {}), **more(rel)}
        out.append((bsn_guard.kept_check(asset, 1), dg.MaterializeResult(asset_key=asset, metadata=meta)))
    return out


def for_run(settings, step: str, inputs: list[str], log: Callable[[str], None]) -> KeptStep | None:
    """kept_step for a Dagster run's settings (assets/common/settings.py: the cache folder
    beside the output folder, the key, --volledig)."""
    return kept_step(settings.cache_dir, step, settings.store, inputs,
                     settings.key() if settings.pseudonym_key else None, settings.full_read, log)


# Hash the code when this module is imported (with the assets, when the code location
# loads): a long-running process that the code on disk changed under still names its
# kept tables by the code it runs.
code_digest()
