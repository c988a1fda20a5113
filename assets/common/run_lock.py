"""One run at a time per output folder: an exclusive `flock` held for the whole run.

The lock is taken by `ddas run` around the whole Dagster run and by the settings
resource at the start of every Dagster run (daemon, UI). Within one process the lock is
re-entrant, so the resource of an in-process run started by `ddas run` shares the
command's lock instead of waiting for it (re-entrant for the holding thread only: another
thread of the same process waits like another process). The kernel drops a `flock` when its holder
dies (also after `kill -9`): a crashed run never leaves the folder locked. The file
holds who has the lock (pid, host, start time, run id) so that a second run can say so.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import threading
import time
from pathlib import Path


class RunBusy(Exception):
    """Another run holds the output folder; the message is one line."""


_GUARD = threading.Lock()
_HELD: dict[str, list[int]] = {}  # lock path -> [fd, depth, thread that holds it]


def holder_info(run_id: str | None = None) -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "run_id": run_id or "",
            "start": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")}


def held(lock_path: Path) -> bool:
    with _GUARD:
        return str(lock_path) in _HELD


def acquire(lock_path: Path, what: str, run_id: str | None = None, wait_s: float = 0.0) -> None:
    """Take the lock or raise RunBusy after `wait_s` seconds. `what` names the output folder.
    Re-entrant for the thread that holds it (`ddas run`, then its in-process Dagster run)."""
    key = str(lock_path)
    with _GUARD:
        entry = _HELD.get(key)
        if entry is not None and entry[2] == threading.get_ident():
            entry[1] += 1
            return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                who = _read(fd)
                os.close(fd)
                raise RunBusy(f"another run is busy on {what} (pid {who.get('pid', '?')} on {who.get('host', '?')}, "
                              f"started {who.get('start', '?')}); not started, try again when it has finished") from None
            time.sleep(0.2)
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder_info(run_id)).encode(), 0)
    with _GUARD:
        _HELD[key] = [fd, 1, threading.get_ident()]


def release(lock_path: Path) -> None:
    key = str(lock_path)
    with _GUARD:
        entry = _HELD.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _HELD[key]
    fd = entry[0]
    try:
        os.ftruncate(fd, 0)  # no stale holder shown after a clean end
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}
