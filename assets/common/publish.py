"""Publishing as one step: every run writes into its own work folder; the whole set is
swapped into the output folder at the end, only when everything passed (process.md §5).

Layout (docs/operations.md, "Publishing"):

    <parent>/<output>/                 the published set: real folders, nothing else of ours
    <parent>/.<output>.ddas-werk/      the work root, on the same filesystem
        lock                           flock of the running run (run_lock.py)
        journaal.json                  only while a swap is under way
        <run_id>/                      the run's work folder (settings.output during a run)
        <run_id>.oud/                  the replaced folders, removed after the swap

The work root lives beside the output folder so that a reader or checker walking the
published tree never meets half-written files of a running or killed run. When the
parent folder is not writable or is another filesystem, it falls back to
`<output>/.ddas-werk/`.

A run starts (under the lock) by rolling a half-done swap forward, removing what killed
runs left (work folders, `.tmp` files) and seeding its work folder with hard links of
the published files, so that a run of a few assets reads the rest as published and
publishes a whole set. Writers always replace a file by rename (parquet_io.py), never
write into a linked file, so the published inodes are never touched.

The swap goes per top-level folder: old -> `<run_id>.oud/`, new -> in place, each one
`rename`. A journal written (and fsynced) before the first rename lists the folders;
a crash in the middle is rolled forward by the next run. Between the two renames of one
folder it is absent for microseconds; a reader never sees a file of the other set.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.common import paths, run_lock
from schemas.kinds import landing_folders

WORK_SUFFIX = ".ddas-werk"
LOCK = "lock"
JOURNAL = "journaal.json"
TRASH_SUFFIX = ".oud"
# The kind subfolders of a landing folder: the registered kinds' and the announced ones (schemas/kinds.py).
LANDING_SUBFOLDERS = tuple(landing_folders())
# Publish no run whose accepted records fall below this share of the published run's.
KRIMP_DREMPEL = 0.8


class PublishError(Exception):
    """Why nothing was published, in one line (paths shown with digit runs masked)."""

    def __init__(self, message: str):
        super().__init__(paths.mask_digits(message))


def check_landing(landing: str | Path) -> None:
    """A wrong --landing (missing, or none of the kind subfolders) must not replace good
    outputs with empty tables: refuse (process.md §5)."""
    folder = Path(landing)
    if not folder.is_dir():
        raise PublishError(f"landing folder does not exist: {folder}")
    if not any((folder / k).is_dir() for k in LANDING_SUBFOLDERS):
        kinds = ", ".join(f"{k}/" for k in LANDING_SUBFOLDERS)
        raise PublishError(f"landing folder holds none of {kinds}: {folder} (wrong --landing?); nothing published")


def work_root(output: str | Path) -> Path:
    """Where runs of this output folder work: beside it when possible (module note)."""
    output = Path(output).resolve()
    sibling = output.parent / f".{output.name}{WORK_SUFFIX}"
    inside = output / WORK_SUFFIX
    if inside.is_dir():
        return inside
    if sibling.is_dir() or (output.name and _same_fs_writable(output.parent, output)):
        return sibling
    return inside


def _same_fs_writable(parent: Path, output: Path) -> bool:
    try:
        return os.access(parent, os.W_OK | os.X_OK) and parent.stat().st_dev == output.stat().st_dev
    except OSError:
        return False


def lock_path(output: str | Path) -> Path:
    return work_root(output) / LOCK


def is_tmp(name: str) -> bool:
    """Temporary files of parquet_io (`.<name>.<random>.tmp`) and of the CLI's write test."""
    return (name.startswith(".") and name.endswith(".tmp")) or name.startswith(".ddas-write-test-")


def published_folders(output: Path) -> list[str]:
    """The top-level folders of the published set (hidden entries are not ours to publish)."""
    if not output.is_dir():
        return []
    return sorted(p.name for p in output.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


@dataclass(frozen=True)
class RunFolder:
    published: Path
    root: Path
    run_id: str
    pause_after: str = ""  # TEST ONLY: the settings resource's test_pause_after (test_pause)

    @property
    def work(self) -> Path:
        return self.root / self.run_id

    @property
    def trash(self) -> Path:
        return self.root / f"{self.run_id}{TRASH_SUFFIX}"

    @property
    def lock(self) -> Path:
        return self.root / LOCK


def begin_run(output: str | Path, run_id: str, wait_s: float = 0.0) -> RunFolder:
    """Take the lock, clean up after killed runs, check the output can be published,
    and seed the run's work folder. Raises RunBusy or PublishError (one line)."""
    published = Path(output).resolve()
    published.mkdir(parents=True, exist_ok=True)
    rf = RunFolder(published, work_root(published), run_id)
    run_lock.acquire(rf.lock, paths.mask_digits(str(published)), run_id, wait_s)
    try:
        recover(published)
        check_writable(published, published_folders(published))
        seed(published, rf.work)
    except BaseException:
        run_lock.release(rf.lock)
        raise
    return rf


def end_run(rf: RunFolder) -> None:
    """Remove what is left of the run (all of it when it did not publish); release the lock."""
    try:
        for p in (rf.work, rf.trash):
            shutil.rmtree(p, ignore_errors=True)
    finally:
        run_lock.release(rf.lock)


def seed(published: Path, work: Path) -> int:
    """Hard links of every published file in the work folder (a copy where a link is not
    possible). Returns the number of files."""
    work.mkdir(parents=True, exist_ok=True)
    n = 0
    for top in published_folders(published):
        for dirpath, _dirs, files in os.walk(published / top):
            target = work / Path(dirpath).relative_to(published)
            target.mkdir(parents=True, exist_ok=True)
            for name in files:
                src = Path(dirpath) / name
                if is_tmp(name) or src.is_symlink():
                    continue
                try:
                    os.link(src, target / name)
                except OSError:
                    shutil.copy2(src, target / name)
                n += 1
    return n


def _read_only(p: Path) -> bool:
    """Not writable for us, or made read-only on purpose (no write bit at all: also for root)."""
    try:
        return not os.access(p, os.W_OK | os.X_OK) or (p.stat().st_mode & 0o222) == 0
    except OSError:
        return True


def check_writable(published: Path, folders: list[str]) -> None:
    """Before any rename: every folder to be replaced can be moved (else nothing is published)."""
    if _read_only(published):
        raise PublishError(f"output folder is read-only: {published}; nothing published")
    for name in folders:
        p = published / name
        if p.exists() and _read_only(p):
            raise PublishError(f"output subfolder is read-only: {p}; nothing published")


# --- the accepted-records guard ----------------------------------------------------------------

def accepted_records(folder: Path) -> int | None:
    """Sum of records_geaccepteerd in the ledger under `folder`; None when there is none."""
    ledger = folder / paths.LEVERINGEN
    if not ledger.is_file():
        return None
    return int(pl.scan_parquet(ledger).select(pl.col("records_geaccepteerd").sum()).collect().item() or 0)


def check_krimp(previous: int | None, new: int | None, accept: bool) -> dict:
    """Metadata for the publication; PublishError when the run accepted fewer than
    KRIMP_DREMPEL of the published run's records and the drop was not accepted."""
    meta = {"records_geaccepteerd": new, "records_geaccepteerd_vorige_publicatie": previous, "krimp_geaccepteerd": False}
    if previous and new is not None and new < KRIMP_DREMPEL * previous:
        drop = 100 * (previous - new) / previous
        if not accept:
            raise PublishError(
                f"accepted records fell from {previous} to {new} (-{drop:.0f} %, more than {100 - 100 * KRIMP_DREMPEL:.0f} %) "
                f"against the published run; nothing published (a real drop: rerun with --accepteer-krimp)")
        meta["krimp_geaccepteerd"] = True
        meta["krimp_procent"] = round(drop, 1)
    return meta


# --- the swap ----------------------------------------------------------------------------------

def publish(rf: RunFolder) -> list[str]:
    """Swap every top-level folder of the work folder into the output folder. Returns them."""
    folders = published_folders(rf.work)
    check_writable(rf.published, folders)
    _fsync_new_files(rf.work)
    journal = rf.root / JOURNAL
    _write_synced(journal, json.dumps({"run_id": rf.run_id, "mappen": folders}))
    _fsync_dir(rf.root)
    done: list[str] = []
    try:
        for name in folders:
            _swap_one(rf, name)
            done.append(name)
            test_pause("wissel", rf.root, rf.pause_after)
    except BaseException:
        if _roll_back(rf, done):
            journal.unlink(missing_ok=True)
        raise
    _fsync_dir(rf.published)
    journal.unlink()
    shutil.rmtree(rf.trash, ignore_errors=True)
    # Non-blocking checks may still run after this step and read the work folder: it now
    # holds links of the new published set (removed when the run ends).
    seed(rf.published, rf.work)
    return folders


def _swap_one(rf: RunFolder, name: str) -> None:
    new, live, old = rf.work / name, rf.published / name, rf.trash / name
    if not new.exists():
        return  # already in place
    if live.exists():
        rf.trash.mkdir(exist_ok=True)
        os.rename(live, old)
    os.rename(new, live)


def _roll_back(rf: RunFolder, done: list[str]) -> bool:
    """After a failed rename in a live run: put the old folders back. False when even
    that fails: the journal stays and the next run rolls the swap forward."""
    try:
        for name in reversed(done + [n for n in published_folders(rf.trash) if n not in done]):
            live, old = rf.published / name, rf.trash / name
            if name in done and live.exists():
                os.rename(live, rf.work / name)
            if old.exists():
                os.rename(old, live)
        return True
    except OSError:
        return False


def recover(published: Path) -> None:
    """Under the lock, at the start of a run: finish a swap a crash interrupted, then
    remove what killed runs left behind (work folders, old folders, `.tmp` files)."""
    root = work_root(published)
    journal = root / JOURNAL
    if journal.is_file():
        try:
            j = json.loads(journal.read_text())
        except ValueError:
            j = None  # a journal is fsynced before the first rename: a torn one means no rename happened
        if j:
            rf = RunFolder(published, root, j["run_id"])
            for name in j["mappen"]:
                _swap_one(rf, name)
            _fsync_dir(published)
        journal.unlink()
    if root.is_dir():
        for p in root.iterdir():
            if p.name != LOCK:
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    for top in published_folders(published):
        for dirpath, _dirs, files in os.walk(published / top):
            for name in files:
                if is_tmp(name):
                    (Path(dirpath) / name).unlink(missing_ok=True)


def _fsync_new_files(work: Path) -> None:
    """Written data on disk before the journal (seeded links are already published)."""
    files = [Path(d) / f for d, _, fs in os.walk(work) for f in fs]
    new = [f for f in files if f.stat().st_nlink == 1]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(_fsync_file, new))


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync_file(path)
    except OSError as e:  # some filesystems do not fsync directories
        if e.errno not in (errno.EINVAL, errno.EBADF, errno.EACCES):
            raise


def _write_synced(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".nieuw")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --- test hook ---------------------------------------------------------------------------------

def test_pause(point: str, where: Path, pause_after: str) -> None:
    """TEST ONLY: when `pause_after` (the settings resource's test_pause_after, from
    DDAS_TEST_PAUSE_AFTER) names this point, leave a marker `pauze-<point>` in `where`
    and sleep, so that a test can kill the run at that moment."""
    if not pause_after or pause_after != point:
        return
    (Path(where) / f"pauze-{point}").touch()
    time.sleep(600)


test_pause.__test__ = False  # not a pytest test


def published_path(path: str | Path) -> Path:
    """Where a file of a run's work folder is published (for metadata shown in the UI:
    the work folder is gone when the run has ended)."""
    p = Path(path)
    parts = p.parts
    for i, part in enumerate(parts[:-1]):
        if part.endswith(WORK_SUFFIX) and i + 1 < len(parts):
            if part == WORK_SUFFIX:  # inside the output folder
                base = Path(*parts[:i])
            else:  # beside it: .<name>.ddas-werk
                base = Path(*parts[:i]) / part[1:-len(WORK_SUFFIX)]
            return base.joinpath(*parts[i + 2:])
    return p
