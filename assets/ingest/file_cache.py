"""The per-file cache of reader results: a nightly run re-reads only new or changed files
(issue 17, docs/incremental.md).

Every reader rule looks at one record or one file, so a kind's IngestResult for a set of
files is the concatenation, in the reader's own order, of the per-file parts (its ledger
row, its records, its quarantine rows, its schema findings). This module keeps those parts
between runs and builds a kind's result from the kept parts of the unchanged files and a
reader call on the others; the readers themselves do not know it.

What is kept, per kind, is the kind's last staging tables (hard links: no extra write and
no extra disk; staging is only ever replaced by rename, never written into) and an index
naming, per file, its `bestand` and sha256, the peildatum P0 it was read at and whether P
decided its result. The index also names the key (by a fingerprint that never reveals
it) and the code version: another key or code and nothing is taken. A file that was
`toekomstig` or has a `datum_in_toekomst` record is valid at P0 only; any other file at
every P >= P0 (the readers use P in those two rules only, and no rule before
`datum_in_toekomst` uses it). Each table's rows are grouped by `bestand` (every reader
orders by file), so a file's parts are zero-copy slices.

Only staging frames are kept, after staging's BSN guard passed, so no raw BSN reaches the
cache. A damaged cache is a miss with one log line, never a failure.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.common.code_digest import key_fingerprint, source_digest, tree_digest  # noqa: F401 (key_fingerprint: re-exported)
from assets.common.store import link_or_copy, swap_in_folder
from assets.ingest.result import IngestResult

TABLES = ("ledger", "records", "quarantine", "schema_findings")  # the IngestResult fields
INDEX = "index.json"
CURRENT = "huidig"  # <root>/<kind>/huidig/: the kept tables and their index
FORMAT = 3  # the layout; part of the code version
# What decides a reader's result besides the files: our code and reference data, the
# libraries that parse and validate (a new version may read a value differently).
CODE_PACKAGES = ("assets/ingest", "assets/common", "schemas")
LIBRARIES = ("polars", "pyarrow", "numpy", "orjson", "jsonschema-rs", "python-calamine")
# Readers that keep the ledger in the order the files were handed in (the inventory's);
# the others order every table by `bestand`. Tests compare with a full read on a landing
# where the two orders differ (tests/test_incremental_kinds.py).
LEDGER_IN_INPUT_ORDER = frozenset({"nazorg"})


@functools.cache
def _code_digest() -> str:
    """The code part of code_version: constant while the process runs (its modules are loaded once)."""
    return source_digest(f"formaat {FORMAT}", CODE_PACKAGES, LIBRARIES)


def code_version(mapping_dir: str | None = None) -> str:
    """sha256 of everything that decides a reader's result besides its files, peildatum and
    key: the source of CODE_PACKAGES, the shipped reference data, Python's and the
    LIBRARIES' versions, and the configured mapping folder's files (read again on every
    call, like the readers read the mappings: a long-running code server sees an edit)."""
    h = hashlib.sha256(_code_digest().encode())
    if mapping_dir:
        h.update(b"\0mappings\0")
        tree_digest(h, Path(mapping_dir), "*")
    return h.hexdigest()


def peil_sensitive(part: IngestResult) -> bool:
    """Whether the peildatum decided this file's result: `toekomstig`, or a record with
    `datum_in_toekomst` (a later rule could apply once P passes the date)."""
    return bool((part.ledger["status"] == "toekomstig").any()
                or (part.quarantine["reden_code"] == "datum_in_toekomst").any())


def _slices(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """{bestand: its rows} as zero-copy slices; ValueError when a file's rows are not together."""
    runs = frame.select(pl.col("bestand").rle()).unnest("bestand")
    out, start = {}, 0
    for n, b in runs.iter_rows():
        if b in out:
            raise ValueError("rows of one file are not together")
        out[b] = frame.slice(start, n)
        start += n
    return out


def split_by_file(result: IngestResult, bestanden: list[str]) -> dict[str, IngestResult]:
    """One IngestResult per file of `bestanden`, each table's rows of that `bestand` in the
    reader's order (a table without rows for it: an empty frame of its columns)."""
    per_table = {t: _slices(getattr(result, t)) for t in TABLES}
    return {b: IngestResult(**{t: per_table[t].get(b, getattr(result, t).clear()) for t in TABLES})
            for b in bestanden}


def combine(bron: str, files: pl.DataFrame, parts: dict[str, IngestResult], schema_of: IngestResult) -> IngestResult:
    """The kind's result for `files` (in inventory order) from every file's parts, in the
    order the reader gives them: by `bestand`, or the ledger in input order for the kinds
    in LEDGER_IN_INPUT_ORDER. `schema_of`: a reader result whose frames give the columns
    and types."""
    in_input = files["bestand"].to_list()
    by_name = sorted(in_input)
    out = {}
    for t in TABLES:
        order = in_input if (t == "ledger" and bron in LEDGER_IN_INPUT_ORDER) else by_name
        out[t] = pl.concat([getattr(schema_of, t).clear(), *(getattr(parts[b], t) for b in order)],
                           how="vertical", rechunk=False)
    return IngestResult(**out)


@dataclass
class ReadCounts:
    uit_cache: int = 0
    gelezen: int = 0
    # the rows of the files read now (not taken from the cache): the only rows the BSN
    # scan needs, the kept ones passed it when they were written (docs/incremental.md)
    gelezen_deel: IngestResult | None = None


def table_stamps(folder: Path) -> dict[str, list[int]]:
    """{table: [size, mtime_ns]} of the kept tables: a table written into since it was kept
    (by hand, or a tool) no longer matches its index and is not used."""
    out = {}
    for t in TABLES:
        st = (folder / f"{t}.parquet").stat()
        out[t] = [st.st_size, st.st_mtime_ns]
    return out


@dataclass
class FileCache:
    """The cache of one output folder for one run: where, for which key and code, at which P."""

    root: Path
    key_fp: str
    code: str
    peildatum: dt.date
    rebuild: bool = False  # --volledig: read every file, replace what is kept
    log: Callable[[str], None] = print

    def _valid(self, entry: dict, sha256: str) -> bool:
        p0 = dt.date.fromisoformat(entry["peildatum"])
        return entry["sha256"] == sha256 and p0 <= self.peildatum and (not entry["peil_gevoelig"] or p0 == self.peildatum)

    def _index(self, bron: str) -> dict | None:
        """The kind's kept index when it is of this key and code and its tables are the ones
        it names (size and mtime); None otherwise. Raises on a damaged index."""
        folder = self.root / bron / CURRENT
        if self.rebuild or not folder.is_dir():
            return None
        index = json.loads((folder / INDEX).read_text())
        if (index["formaat"], index["sleutel"], index["code"]) != (FORMAT, self.key_fp, self.code):
            return None
        if table_stamps(folder) != index["tabellen"]:
            self.log(f"cache: bewaarde tabellen van {bron} gewijzigd sinds ze bewaard zijn: alles opnieuw gelezen")
            return None
        return index

    def unchanged(self, bron: str, files: pl.DataFrame,
                  finish_ledger: Callable[[pl.DataFrame], pl.DataFrame]) -> tuple[dict[str, Path], pl.DataFrame] | None:
        """When every file of `files` has a valid kept result and the kept index names exactly
        these files: the kept tables (table -> path) and the kept ledger, which then ARE the
        kind's staging. `finish_ledger` adds what the caller appends to the reader's ledger
        (the refused rows of changed files); the kept ledger must equal the files' kept
        ledger rows, in the reader's order, finished that way. None: read as usual."""
        try:
            index = self._index(bron)
            if index is None:
                return None
            kept = index["bestanden"]
            shas = dict(files.select("bestand", "sha256").iter_rows())
            if len(shas) != files.height or set(shas) != set(kept) or not all(self._valid(kept[b], s) for b, s in shas.items()):
                return None
            folder = self.root / bron / CURRENT
            ledger = pl.read_parquet(folder / "ledger.parquet")
            rows = _slices(ledger)
            if any(rows.get(b) is None or rows[b].height != 1 for b in shas):
                return None
            in_input = files["bestand"].to_list()
            order = in_input if bron in LEDGER_IN_INPUT_ORDER else sorted(in_input)
            expected = finish_ledger(pl.concat([ledger.clear(), *(rows[b] for b in order)]))
            if not expected.equals(ledger):
                return None
        except Exception as e:  # noqa: BLE001 - a damaged cache is a miss, never the run's end
            self.log(f"cache: bewaarde resultaten van {bron} onleesbaar ({type(e).__name__}): alles opnieuw gelezen")
            return None
        return {t: folder / f"{t}.parquet" for t in TABLES}, ledger

    def load(self, bron: str, files: pl.DataFrame) -> tuple[dict[str, IngestResult], dict[str, dict]]:
        """The kept parts of the files in `files` that are valid now, and their index entries."""
        folder = self.root / bron / CURRENT
        try:
            index = self._index(bron)
            if index is None:
                return {}, {}
            kept = index["bestanden"]
            wanted = [b for b, sha in files.select("bestand", "sha256").iter_rows()
                      if b in kept and self._valid(kept[b], sha)]
            if not wanted:
                return {}, {}
            with ThreadPoolExecutor(len(TABLES)) as pool:  # parquet reads leave the GIL
                frames = dict(zip(TABLES, pool.map(lambda t: pl.read_parquet(folder / f"{t}.parquet"), TABLES)))
            parts = split_by_file(IngestResult(**frames), wanted)
            if any(parts[b].ledger.height != 1 for b in wanted):
                raise ValueError("a kept file has no ledger row")
        except Exception as e:  # noqa: BLE001 - a damaged cache is a miss, never the run's end
            self.log(f"cache: bewaarde resultaten van {bron} onleesbaar ({type(e).__name__}): alles opnieuw gelezen")
            return {}, {}
        return parts, {b: kept[b] for b in wanted}

    def keep(self, bron: str, staged: dict[str, Path], entries: dict[str, dict]) -> None:
        """Keep the kind's staging tables (`staged`: table -> file, just written and free of
        BSNs) with the index `entries` (bestand -> sha256, peildatum, peil_gevoelig).
        Built in a temporary folder, then renamed into place; what was kept before goes."""
        try:
            self._replace(bron, staged, entries)
        except (OSError, ValueError) as e:  # a cache that cannot be written costs the next run time, never this run
            self.log(f"cache: resultaten van {bron} niet bewaard ({type(e).__name__})")

    def _replace(self, bron: str, staged: dict[str, Path], entries: dict[str, dict]) -> None:
        def fill(folder: Path) -> None:
            for t in TABLES:
                link_or_copy(staged[t], folder / f"{t}.parquet")
            index = {"formaat": FORMAT, "sleutel": self.key_fp, "code": self.code, "bestanden": entries,
                     "tabellen": table_stamps(folder)}
            (folder / INDEX).write_text(json.dumps(index, ensure_ascii=False, sort_keys=True))

        swap_in_folder(self.root / bron, CURRENT, fill)


def read_cached(bron: str, read: Callable[..., IngestResult], files: pl.DataFrame, cache: FileCache | None,
                **kw) -> tuple[IngestResult, ReadCounts, Callable[[dict[str, Path]], None]]:
    """The kind's IngestResult for `files` (inventory rows with `pad`) as `read(files, **kw)`
    gives it, reading only the files without a valid kept result. Returns the result, the
    counts and `keep(staged)`: call it with the staging files of this result once they
    passed the BSN guard (table name of TABLES -> path)."""
    if cache is None:
        result = read(files, **kw)
        return result, ReadCounts(0, files.height, result), lambda staged: None
    hits, entries = cache.load(bron, files)
    misses = files.filter(~pl.col("bestand").is_in(list(hits)))
    fresh = read(misses, **kw)
    parts = {**hits, **split_by_file(fresh, misses["bestand"].to_list())}
    # kept parts whose columns differ from the reader's (a cache the code version did not
    # catch) are read again, so the result always has the reader's form
    odd = [b for b, part in hits.items() if any(getattr(part, t).schema != getattr(fresh, t).schema for t in TABLES)]
    if odd:
        cache.log(f"cache: {len(odd)} bewaarde resultaten van {bron} met andere kolommen: opnieuw gelezen")
        parts.update(split_by_file(read(files.filter(pl.col("bestand").is_in(odd))), odd))
        for b in odd:
            del hits[b], entries[b]
    result = combine(bron, files, parts, fresh)
    peil = cache.peildatum.isoformat()
    for b, sha in files.select("bestand", "sha256").iter_rows():
        if b not in hits:
            entries[b] = {"sha256": sha, "peildatum": peil, "peil_gevoelig": peil_sensitive(parts[b])}

    def keep(staged: dict[str, Path]) -> None:
        cache.keep(bron, staged, entries)

    read_now = [b for b in sorted(parts) if b not in hits]
    fresh_part = IngestResult(**{t: pl.concat([getattr(fresh, t).clear(), *(getattr(parts[b], t) for b in read_now)],
                                              how="vertical", rechunk=False) for t in TABLES})
    return result, ReadCounts(len(hits), files.height - len(hits), fresh_part), keep


# Hash the code when this module is imported, with the readers (the code location loads them
# together): a long-running process that the code on disk changed under still names its
# results by the code it runs.
_code_digest()
