"""A digest of the code and reference data that decide a kept result (the per-file cache
of reader results, assets/ingest/file_cache.py, and the kept step outputs,
assets/common/kept_steps.py): a result kept by other code is never taken."""
from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (or installed) root holding assets/ and schemas/
KEY_LABEL = b"ddas-cache-sleutel"
REFERENCE = "assets/reference"  # shipped reference data: every file counts, not only *.py


def tree_digest(h, folder: Path, pattern: str) -> None:
    """Feed every file under `folder` matching `pattern` (relative name and bytes) into `h`."""
    for p in sorted(folder.rglob(pattern)):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")


def source_digest(label: str, packages: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """sha256 of `label`, Python's version, the *.py source of `packages` (paths under
    ROOT), the reference data and the installed versions of `libraries` (a new version may
    compute a value differently)."""
    h = hashlib.sha256(f"{label}\0python {platform.python_version()}\0".encode())
    for package in packages:
        tree_digest(h, ROOT / package, "*.py")
    tree_digest(h, ROOT / REFERENCE, "*")
    for lib in libraries:
        try:
            version = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{lib}=={version}\0".encode())
    return h.hexdigest()


def key_fingerprint(key: bytes) -> str:
    """Names the pseudonym key without revealing it: HMAC-SHA256(key, label), 32 hex."""
    return hmac.new(key, KEY_LABEL, hashlib.sha256).hexdigest()[:32]
