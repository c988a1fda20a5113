"""Steps 1 and 2 of sources.md for every entry under the landing folder's kind folders.

Entries are taken in order of their path relative to the landing folder. Every entry
gets a row, also one that cannot be taken (a symbolic link, which is never followed;
a fifo, socket or device; a file or folder that cannot be read; a name that is not
UTF-8): `geweigerd` with a reden saying which. A file whose name does not match its
kind's pattern is `geweigerd`; a file whose sha256 equals that of a file of the same
kind taken earlier (one that passed step 1) is `duplicaat`. The remaining files go to
their kind's reader, which applies steps 3-5. The walk never follows a link and
handles every error per entry, so no entry can stop the inventory (docs/robustness.md).
"""
from __future__ import annotations

import datetime as dt
import errno
import fnmatch
import hashlib
import os
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.common.reference import gemeentecodes
from assets.ingest.names import is_utf8, shown_names
from schemas.kinds import kind, kinds, names
from schemas.quality import Inventaris, dtypes

KINDS = tuple(names())  # the registered delivery kinds (schemas/kinds.py), in registry order
# The name of a `named` kind; the extension is compared with the kind's afterwards, so a
# wrong or upper-case extension gets the kind's own refusal text. fullmatch: no trailing newline.
_NAME_RE = re.compile(r"(GM[0-9]{4})_([0-9]{8})\.([A-Za-z0-9]+)", re.IGNORECASE)

INVENTORY_SCHEMA = dtypes(Inventaris)  # `pad` only in memory: inventory_table drops it

# Refusal texts for entries that cannot be taken; they never quote a name or a link target.
LINK = "symbolische link naar {doel}: links worden nooit gevolgd"
LINK_DANGLING = "symbolische link die nergens heen wijst (verbroken link): niet gevolgd"
LINK_LOOP = "symbolische link in een lus: niet gevolgd"
LINK_UNREACHABLE = "symbolische link waarvan het doel niet te bereiken is: niet gevolgd"
NOT_UTF8 = "naam is geen geldige UTF-8 (in het pad): niet genomen"
UNREADABLE_FILE = "bestand kan niet gelezen worden ({oorzaak})"
UNREADABLE_DIR = "map kan niet gelezen worden ({oorzaak}): wat erin staat is niet genomen"
CHANGED = "bestand is verdwenen of veranderd tussen inventaris en lezen"
_SPECIAL = {
    stat.S_IFIFO: "named pipe (fifo)",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "apparaatbestand (character device)",
    stat.S_IFBLK: "apparaatbestand (block device)",
}


def os_cause(e: OSError) -> str:
    """Why an entry could not be read, without the path the exception carries."""
    if e.errno in (errno.EACCES, errno.EPERM):
        return "geen leesrechten"
    return errno.errorcode.get(e.errno or 0, "fout bij lezen")


def check_name(bron: str, name: str) -> tuple[str | None, str | None, dt.date | None]:
    """(reason of refusal or None, municipality code, date) for a file name of a kind."""
    k = kind(bron)
    if not k.named:
        if fnmatch.fnmatchcase(name, f"*.{k.extension}"):  # translated to a full match (\Z): no trailing newline
            return None, None, None
        return f"bestandsnaam past niet bij {k.pattern} (extensie in kleine letters)", None, None
    m = _NAME_RE.fullmatch(name)
    # The extension must be lower case; the GM prefix is a code value, matched case-insensitively.
    if not m or m.group(3) != k.extension:
        return f"bestandsnaam past niet bij {k.pattern}", None, None
    code = m.group(1).upper()
    if code not in gemeentecodes():
        return "gemeentecode in de bestandsnaam staat niet in de CBS-lijst", None, None
    try:
        day = dt.datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        return "datum in de bestandsnaam is geen bestaande datum", None, None
    return None, code, day


@dataclass(frozen=True)
class Entry:
    """One entry under a kind folder: a regular file to take, or what cannot be taken."""

    bron: str
    rel: str  # real path relative to the landing folder, '/' separators (may hold surrogates)
    path: str  # absolute path: for reading only, never written or shown
    refusal: str | None  # why it cannot be taken; None for a regular file
    size: int | None  # bytes of a regular file


def _link_refusal(path: str, landing_real: str) -> str:
    """Why a symbolic link is refused; it is looked at (stat), never opened or walked."""
    try:
        target = os.stat(path)
    except FileNotFoundError:
        return LINK_DANGLING
    except OSError as e:
        return LINK_LOOP if e.errno == errno.ELOOP else LINK_UNREACHABLE
    what = "een map" if stat.S_ISDIR(target.st_mode) else "een bestand" if stat.S_ISREG(target.st_mode) else "iets anders dan een bestand"
    inside = os.path.realpath(path).startswith(landing_real + os.sep)
    return LINK.format(doel=what + ("" if inside else " buiten de landingsmap"))


def _walk_kind(landing: str, bron: str) -> list[Entry]:
    """Every entry below the kind's folder, without following links. The kind folder itself
    may be a link (the operator's layout); nothing below it is followed."""
    folder = kind(bron).folder
    base = os.path.join(landing, folder)
    if not os.path.isdir(base):
        return []  # a missing subfolder means: no deliveries of that kind
    landing_real = os.path.realpath(landing)
    out: list[Entry] = []
    stack = [(base, folder)]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                children = list(it)
        except OSError as e:
            out.append(Entry(bron, rel_folder + "/", folder, UNREADABLE_DIR.format(oorzaak=os_cause(e)), None))
            continue
        for child in children:
            rel = f"{rel_folder}/{child.name}"
            try:
                mode = child.stat(follow_symlinks=False).st_mode
            except OSError as e:
                out.append(Entry(bron, rel, child.path, UNREADABLE_FILE.format(oorzaak=os_cause(e)), None))
                continue
            if stat.S_ISLNK(mode):
                out.append(Entry(bron, rel, child.path, _link_refusal(child.path, landing_real), None))
            elif stat.S_ISDIR(mode):
                stack.append((child.path, rel))
            elif not stat.S_ISREG(mode):
                what = _SPECIAL.get(stat.S_IFMT(mode), "onbekend soort item")
                out.append(Entry(bron, rel, child.path, f"{what}: geen gewoon bestand of map", None))
            elif not is_utf8(child.path):  # (the landing path is the operator's, but checked alike)
                out.append(Entry(bron, rel, child.path, NOT_UTF8, child.stat(follow_symlinks=False).st_size))
            else:
                out.append(Entry(bron, rel, child.path, None, child.stat(follow_symlinks=False).st_size))
    return out


def list_entries(landing: str | Path) -> list[Entry]:
    """Every entry below the kind folders, in order of relative path.

    Entries outside the registered kinds' folders belong to no kind and are not read.
    """
    found = [e for k in kinds() for e in _walk_kind(os.fspath(landing), k.name)]
    return sorted(found, key=lambda e: e.rel)


def open_regular(path: str) -> int:
    """A descriptor of the regular file at `path`: never through a link (O_NOFOLLOW),
    never waiting on a fifo put there since the walk (O_NONBLOCK, then fstat)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file")
    return fd


def read_regular(path: str) -> bytes:
    """The bytes of a regular file, opened as open_regular does."""
    with os.fdopen(open_regular(path), "rb") as fh:
        return fh.read()


def sha256_or_refusal(path: str) -> tuple[str | None, str | None]:
    """(sha256 hex, None) or (None, why the file cannot be read)."""
    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest(), None
    except OSError as e:
        return None, UNREADABLE_FILE.format(oorzaak=os_cause(e))


def inventory(landing: str | Path) -> pl.DataFrame:
    """One row per entry with the outcome of steps 1-2 (`status` null: go on to the reader)."""
    entries = list_entries(landing)
    shown = shown_names(e.rel for e in entries)
    takeable = [e for e in entries if e.refusal is None]
    # hashlib hashes without the GIL: two threads take 1 GB of deliveries in half the time
    with ThreadPoolExecutor(2) as pool:
        hashed = dict(zip((e.rel for e in takeable), pool.map(sha256_or_refusal, (e.path for e in takeable))))
    seen: dict[str, set[str]] = {bron: set() for bron in KINDS}  # duplicates within a kind (2026-12-01)
    rows = []
    for e in entries:
        digest, reason = hashed.get(e.rel, (None, e.refusal))
        code = day = None
        status = None if reason is None else "geweigerd"
        if reason is None:
            reason, code, day = check_name(e.bron, e.rel.rsplit("/", 1)[-1])
            if reason is not None:
                status = "geweigerd"
            elif digest in seen[e.bron]:
                status, reason = "duplicaat", "zelfde inhoud (sha256) als een eerder genomen bestand van deze soort"
            else:
                seen[e.bron].add(digest)
        rows.append(
            {
                "bron": e.bron,
                "bestand": shown[e.rel],
                "pad": e.path if is_utf8(e.path) else None,  # only an entry that is refused
                "sha256": digest,
                "bytes": e.size,
                "status": status,
                "reden": reason,
                "gemeentecode_naam": code,
                "leverdatum_naam": day,
            }
        )
    return pl.DataFrame(rows, schema=INVENTORY_SCHEMA)


def inventory_table(inv: pl.DataFrame) -> pl.DataFrame:
    """The inventory as written to staging: without the absolute paths (a landing path
    can hold a nine-digit number; the readers find the files again with `with_paths`)."""
    return inv.drop("pad")


def with_paths(inv: pl.DataFrame, landing: str | Path) -> pl.DataFrame:
    """A written inventory with `pad` again, from a new walk (no hashing). A file to read
    that is gone or has another size now is `geweigerd` (CHANGED), not read."""
    entries = list_entries(landing)
    shown = shown_names(e.rel for e in entries)
    now = pl.DataFrame(
        {"bestand": [shown[e.rel] for e in entries], "pad": [e.path if is_utf8(e.path) else None for e in entries],
         "_bytes_nu": [e.size for e in entries], "_kan": [e.refusal is None for e in entries]},
        schema={"bestand": pl.Utf8, "pad": pl.Utf8, "_bytes_nu": pl.Int64, "_kan": pl.Boolean},
    )
    joined = inv.drop("pad", strict=False).join(now, on="bestand", how="left", maintain_order="left")
    gone = pl.col("status").is_null() & ~(pl.col("_kan").fill_null(False) & pl.col("_bytes_nu").eq_missing(pl.col("bytes")))
    return joined.with_columns(
        status=pl.when(gone).then(pl.lit("geweigerd")).otherwise("status"),
        reden=pl.when(gone).then(pl.lit(CHANGED)).otherwise("reden"),
    ).select(INVENTORY_SCHEMA.keys())


def refused_ledger(inv: pl.DataFrame) -> pl.DataFrame:
    """Ledger rows (schemas.quality.Leveringen) for entries stopped in steps 1-2."""
    return inv.filter(pl.col("status").is_not_null()).select(
        "bron",
        "bestand",
        "sha256",
        "status",
        "reden",
        pl.lit(0, pl.Int64).alias("records_gelezen"),
        pl.lit(0, pl.Int64).alias("records_geaccepteerd"),
        pl.lit(0, pl.Int64).alias("records_gequarantaineerd"),
        pl.col("leverdatum_naam").alias("leverdatum"),
        "bytes",
        pl.lit(None, pl.Utf8).alias("leverancier"),  # only a loaded DDAS file names its supplier
    )


def to_read(inv: pl.DataFrame, bron: str) -> pl.DataFrame:
    """The files of one kind that passed steps 1-2, in landing order."""
    return inv.filter((pl.col("bron") == bron) & pl.col("status").is_null())
