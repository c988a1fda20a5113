"""Steps 1 and 2 of sources.md for every file under the landing folder.

Files are taken in order of their path relative to the landing folder. A file whose
name does not match its kind's pattern is `geweigerd`; a file whose sha256 equals that
of a file taken earlier (one that passed step 1) is `duplicaat`. The remaining files go
to their kind's reader, which applies steps 3-5.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from assets.common.reference import gemeentecodes

KINDS = ("ddas", "shv_csv", "nazorg")
_NAMED = {"shv_csv": "csv", "nazorg": "xlsx"}
_NAME_RE = re.compile(r"^(GM[0-9]{4})_([0-9]{8})\.(csv|xlsx)$", re.IGNORECASE)

INVENTORY_SCHEMA = {
    "bron": pl.Utf8,
    "bestand": pl.Utf8,
    "pad": pl.Utf8,
    "sha256": pl.Utf8,
    "bytes": pl.Int64,
    "status": pl.Utf8,
    "reden": pl.Utf8,
    "gemeentecode_naam": pl.Utf8,
    "leverdatum_naam": pl.Date,
}


def check_name(bron: str, name: str) -> tuple[str | None, str | None, dt.date | None]:
    """(reason of refusal or None, municipality code, date) for a file name of a kind."""
    if bron == "ddas":
        if fnmatch.fnmatchcase(name, "*.json"):
            return None, None, None
        return "bestandsnaam past niet bij ddas/*.json (extensie in kleine letters)", None, None
    ext = _NAMED[bron]
    m = _NAME_RE.match(name)
    # The extension must be lower case; the GM prefix is a code value, matched case-insensitively.
    if not m or m.group(3) != ext:
        return f"bestandsnaam past niet bij GMxxxx_JJJJMMDD.{ext}", None, None
    code = m.group(1).upper()
    if code not in gemeentecodes():
        return "gemeentecode in de bestandsnaam staat niet in de CBS-lijst", None, None
    try:
        day = dt.datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        return "datum in de bestandsnaam is geen bestaande datum", None, None
    return None, code, day


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def list_files(landing: Path) -> list[tuple[str, str, Path]]:
    """(bron, relative path, absolute path) of every file below the kind folders, sorted.

    Files outside `ddas/`, `shv_csv/` and `nazorg/` belong to no kind and are not read.
    """
    found = []
    for bron in KINDS:
        base = landing / bron
        if not base.is_dir():
            continue  # a missing subfolder means: no deliveries of that kind
        for p in base.rglob("*"):
            if p.is_file():
                found.append((bron, p.relative_to(landing).as_posix(), p))
    return sorted(found, key=lambda t: t[1])


def inventory(landing: str | Path) -> pl.DataFrame:
    """One row per file with the outcome of steps 1-2 (`status` null: go on to the reader)."""
    landing = Path(landing)
    files = list_files(landing)
    # hashlib hashes without the GIL: two threads take 1 GB of deliveries in half the time
    with ThreadPoolExecutor(2) as pool:
        digests = list(pool.map(_sha256, (path for _, _, path in files)))
    seen: set[str] = set()
    rows = []
    for (bron, rel, path), digest in zip(files, digests):
        reason, code, day = check_name(bron, path.name)
        status = None
        if reason is not None:
            status = "geweigerd"
        elif digest in seen:
            status, reason = "duplicaat", "zelfde inhoud (sha256) als een eerder genomen bestand"
        else:
            seen.add(digest)
        rows.append(
            {
                "bron": bron,
                "bestand": rel,
                "pad": str(path),
                "sha256": digest,
                "bytes": path.stat().st_size,
                "status": status,
                "reden": reason,
                "gemeentecode_naam": code,
                "leverdatum_naam": day,
            }
        )
    return pl.DataFrame(rows, schema=INVENTORY_SCHEMA)


def refused_ledger(inv: pl.DataFrame) -> pl.DataFrame:
    """Ledger rows (schemas.quality.Leveringen) for files stopped in steps 1-2."""
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
    )


def to_read(inv: pl.DataFrame, bron: str) -> pl.DataFrame:
    """The files of one kind that passed steps 1-2, in landing order."""
    return inv.filter((pl.col("bron") == bron) & pl.col("status").is_null())
