"""Write the pages: each atomically (a temporary file beside it, then rename, so a reader
never sees half a page and a hard-linked published file is never written into), and
remove pages of gemeenten that are no longer in the indicator table."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from assets.common import paths


def write_text_atomic(text: str, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # as any file the user writes (process.md §5), not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_pages(output: str | Path, pages: dict[str, str]) -> list[Path]:
    """Write every page under `output`; pages of the report folder not in `pages` are removed."""
    written = []
    for rel, text in sorted(pages.items()):
        target = paths.out(output, rel)
        write_text_atomic(text, target)
        written.append(target)
    folder = paths.out(output, "rapport/gemeenten")
    if folder.is_dir():
        keep = {p.resolve() for p in written}
        for old in folder.glob("*.html"):
            if old.resolve() not in keep:
                old.unlink()
    return written
