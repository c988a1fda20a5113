"""The per-file cache of reader results: a nightly run re-reads only new or changed files
(issue 17, docs/incremental.md).

Every reader rule looks at one record or one file, so a kind's IngestResult for a set of
files is the concatenation, in the reader's own order, of the per-file parts (its ledger
row, its records, its quarantine rows, its schema findings). This module keeps those parts
between runs, one entry per file, and builds a kind's result from the kept parts of the
unchanged files and a reader call on the others; the readers themselves do not know it.

An entry is named by the kind, the shown `bestand`, the file's sha256, a fingerprint of
the key (never the key) and the code version (code_version). The peildatum P0 it was read
at and whether P mattered for it are kept inside: a file that was `toekomstig` or has a
`datum_in_toekomst` record is valid at P0 only; any other file at every P >= P0 (the
readers use P only in those two rules, and no rule before `datum_in_toekomst` uses it).

Only frames that are also written to staging are kept (after staging's BSN guard passed,
so they hold no raw BSN). A damaged entry is a miss with one log line, never a failure.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import importlib.metadata
import json
import os
import secrets
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from assets.common.parquet_io import ZSTD_LEVEL
from assets.ingest.result import IngestResult

TABLES = ("ledger", "records", "quarantine", "schema_findings")  # the IngestResult fields, one parquet each
META = "entry.json"
FORMAT = 1  # the entry layout; part of the code version
KEY_LABEL = b"ddas-cache-sleutel"
# What decides a reader's result besides the files: our code and reference data, the
# libraries that parse and validate (a new version may read a value differently).
CODE_PACKAGES = ("assets/ingest", "assets/common", "schemas")
LIBRARIES = ("polars", "pyarrow", "orjson", "jsonschema-rs", "python-calamine")
# Readers that keep the ledger in the order the files were handed in (the inventory's);
# the others sort every table by `bestand`. Tests compare with a full read on a landing
# where the two orders differ (tests/test_incremental_kinds.py).
LEDGER_IN_INPUT_ORDER = frozenset({"nazorg"})
_ROOT = Path(__file__).resolve().parents[2]


def key_fingerprint(key: bytes) -> str:
    """Names the key in entry names without revealing it: HMAC-SHA256(key, label), 32 hex."""
    return hmac.new(key, KEY_LABEL, hashlib.sha256).hexdigest()[:32]


def _tree_digest(h, folder: Path, pattern: str) -> None:
    for p in sorted(folder.rglob(pattern)):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")


@functools.lru_cache(maxsize=8)
def code_version(mapping_dir: str | None = None) -> str:
    """sha256 of everything that decides a reader's result besides its files, peildatum and
    key: the source of CODE_PACKAGES, the shipped reference data, the configured mapping
    folder's files and the LIBRARIES' versions. Computed once per process and mapping folder."""
    h = hashlib.sha256(f"formaat {FORMAT}\0".encode())
    for package in CODE_PACKAGES:
        _tree_digest(h, _ROOT / package, "*.py")
    _tree_digest(h, _ROOT / "assets" / "reference", "*")
    if mapping_dir:
        h.update(b"mappings\0")
        _tree_digest(h, Path(mapping_dir), "*")
    for lib in LIBRARIES:
        try:
            version = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{lib}=={version}\0".encode())
    return h.hexdigest()


@dataclass
class FileCache:
    """The cache of one output folder for one run: where, for which key and code, at which P."""

    root: Path
    key_fp: str
    code: str
    peildatum: dt.date
    rebuild: bool = False  # --volledig: read every file, replace the entries
    log: Callable[[str], None] = print
    used: dict[str, set[str]] = field(default_factory=dict)  # kind -> entry names this run used or wrote

    def entry_name(self, bron: str, bestand: str, sha256: str) -> str:
        ident = json.dumps([FORMAT, bron, bestand, sha256, self.key_fp, self.code], ensure_ascii=False)
        return hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:40]

    def entry_path(self, bron: str, name: str) -> Path:
        return self.root / bron / name

    # --- loading -----------------------------------------------------------------------

    def load(self, bron: str, name: str, bestand: str) -> IngestResult | None:
        """The kept parts of one file, or None (absent, not valid at this P, damaged)."""
        folder = self.entry_path(bron, name)
        if self.rebuild or not folder.is_dir():
            return None
        try:
            meta = json.loads((folder / META).read_text())
            p0 = dt.date.fromisoformat(meta["peildatum"])
            if self.peildatum < p0 or (meta["peil_gevoelig"] and self.peildatum != p0):
                return None
            parts = {t: pl.read_parquet(folder / f"{t}.parquet") for t in TABLES}
            if parts["ledger"].height != 1 or any(
                not (part["bestand"] == bestand).all() for part in parts.values()
            ):
                raise ValueError("entry does not belong to this file")
        except Exception as e:  # noqa: BLE001 - a damaged entry is a miss, never the run's end
            self.log(f"cache: bewaard resultaat van {bestand} onleesbaar ({type(e).__name__}): opnieuw gelezen")
            return None
        return IngestResult(**parts)

    # --- storing -----------------------------------------------------------------------

    def store(self, bron: str, name: str, part: IngestResult) -> None:
        """Write one file's parts: into a temporary folder, then renamed into place."""
        kind_dir = self.root / bron
        kind_dir.mkdir(parents=True, exist_ok=True)
        tmp = kind_dir / f".{name}.{secrets.token_hex(4)}.tmp"
        tmp.mkdir()
        try:
            for t in TABLES:
                getattr(part, t).write_parquet(tmp / f"{t}.parquet", compression="zstd", compression_level=ZSTD_LEVEL)
            (tmp / META).write_text(json.dumps({
                "formaat": FORMAT,
                "bestand": part.ledger["bestand"][0],
                "peildatum": self.peildatum.isoformat(),
                "peil_gevoelig": peil_sensitive(part),
            }, ensure_ascii=False))
            final = self.entry_path(bron, name)
            if final.exists():
                shutil.rmtree(final)
            os.rename(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def prune(self, bron: str) -> int:
        """Remove the kind's entries this run did not use (files removed or changed, old
        keys, old code) and leftovers of interrupted writes. Returns how many."""
        kind_dir = self.root / bron
        if not kind_dir.is_dir():
            return 0
        keep = self.used.get(bron, set())
        gone = 0
        for p in kind_dir.iterdir():
            if p.name not in keep:
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
                gone += 1
        return gone


def peil_sensitive(part: IngestResult) -> bool:
    """Whether the peildatum decided this file's result: `toekomstig`, or a record with
    `datum_in_toekomst` (any later rule could then apply once P passes the date)."""
    return bool((part.ledger["status"] == "toekomstig").any()
                or (part.quarantine["reden_code"] == "datum_in_toekomst").any())


def split_by_file(result: IngestResult, bestanden: list[str]) -> dict[str, IngestResult]:
    """One IngestResult per file, each table's rows of that `bestand` in the reader's order."""
    per_table = {t: getattr(result, t).partition_by("bestand", as_dict=True, maintain_order=True) for t in TABLES}
    return {
        b: IngestResult(**{t: per_table[t].get((b,), getattr(result, t).clear()) for t in TABLES})
        for b in bestanden
    }


def combine(bron: str, files: pl.DataFrame, parts: dict[str, IngestResult], schema_of: IngestResult) -> IngestResult:
    """The kind's result for `files` (in inventory order) from every file's parts, in the
    order the reader gives them: by `bestand`, or the ledger in input order for the kinds
    in LEDGER_IN_INPUT_ORDER. `schema_of`: a reader result whose (empty) frames give the
    columns and types when there are no parts."""
    in_input = files["bestand"].to_list()
    by_name = sorted(in_input)
    out = {}
    for t in TABLES:
        order = in_input if (t == "ledger" and bron in LEDGER_IN_INPUT_ORDER) else by_name
        frames = [getattr(parts[b], t) for b in order]
        empty = getattr(schema_of, t).clear()
        out[t] = pl.concat([empty, *frames], how="vertical", rechunk=False) if frames else empty
    return IngestResult(**out)


@dataclass
class ReadCounts:
    uit_cache: int = 0
    gelezen: int = 0


def read_cached(bron: str, read: Callable[..., IngestResult], files: pl.DataFrame, cache: FileCache | None,
                **kw) -> tuple[IngestResult, ReadCounts, Callable[[], None]]:
    """The kind's IngestResult for `files` (inventory rows with `pad`) as `read(files, **kw)`
    gives it, reading only the files without a valid entry. Returns the result, the counts
    and a function that stores the newly read files' entries (call it once the result
    passed staging's BSN guard: only then may its frames reach disk)."""
    if cache is None:
        return read(files, **kw), ReadCounts(0, files.height), lambda: None
    names = {r["bestand"]: cache.entry_name(bron, r["bestand"], r["sha256"]) for r in files.iter_rows(named=True)}
    with ThreadPoolExecutor(4) as pool:  # parquet reads leave the GIL
        loaded = dict(zip(names, pool.map(lambda b: cache.load(bron, names[b], b), names)))
    hits = {b: part for b, part in loaded.items() if part is not None}
    misses = files.filter(~pl.col("bestand").is_in(list(hits)))
    fresh = read(misses, **kw)
    parts = {**hits, **split_by_file(fresh, misses["bestand"].to_list())}
    # a kept part whose columns differ from the reader's (a damaged or foreign entry the
    # code version did not catch) is read again, so the result always has the reader's form
    expected = {t: getattr(fresh, t).schema for t in TABLES}
    odd = [b for b, part in hits.items() if any(getattr(part, t).schema != expected[t] for t in TABLES)]
    if odd:
        cache.log(f"cache: {len(odd)} bewaarde resultaten met andere kolommen: opnieuw gelezen")
        again = files.filter(pl.col("bestand").is_in(odd))
        parts.update(split_by_file(read(again), odd))
        for b in odd:
            del hits[b]
    result = combine(bron, files, parts, fresh)
    new = [b for b in names if b not in hits]
    cache.used.setdefault(bron, set()).update(names.values())

    def store() -> None:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda b: cache.store(bron, names[b], parts[b]), new))

    return result, ReadCounts(len(hits), len(new)), store
