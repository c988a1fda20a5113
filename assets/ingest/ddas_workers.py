"""Worker processes for the DDAS reader: how many, their lifetime, and the queue of files.

For a large load the DDAS files are spread over spawned worker processes, one per usable
core (`processes`), while the caller's other work (`meanwhile`: the other kinds' readers)
runs in this process, which then joins in (`read_files`). The workers end with this
process, also after kill -9 (`_die_with_parent`). The outcome never depends on who read
which file.
"""
from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from assets.common import reference
from assets.common.memory import without_cyclic_gc

T = TypeVar("T")


# Below this many DDAS bytes a worker process costs more than it saves: starting one
# (a fresh interpreter importing polars and the pipeline) takes about a second.
PARALLEL_MIN_BYTES = 200 * 1024**2


# The run's DDAS_WORKERS (the settings resource's `workers`), set around a read by
# `configured_workers`; None: decided by the load's size. Only this process reads it: it
# sizes the pool, the workers themselves never ask.
_WORKERS: int | None = None


@contextlib.contextmanager
def configured_workers(workers: int | None) -> Iterator[None]:
    """Within the block, `processes` uses `workers` (1: everything in this process)."""
    global _WORKERS
    before, _WORKERS = _WORKERS, workers
    try:
        yield
    finally:
        _WORKERS = before


def processes(rows: list[dict], workers: int | None = None) -> int:
    """Processes for the per-file work, this one included. `workers` (default: the
    configured DDAS_WORKERS) overrides; by default one per usable core for large loads."""
    workers = workers if workers is not None else _WORKERS
    if workers is not None:
        if workers < 1:
            raise ValueError(f"DDAS_WORKERS must be a whole number of at least 1, got {workers!r}")
        wanted = workers
    elif sum(r.get("bytes") or 0 for r in rows) >= PARALLEL_MIN_BYTES:
        wanted = len(os.sched_getaffinity(0))
    else:
        wanted = 1
    return max(1, min(wanted, len(rows)))


def _in_worker(read_one: Callable[[str, str, dt.date], T], path: str, bestand: str, peildatum: dt.date) -> T:
    with without_cyclic_gc():
        return read_one(path, bestand, peildatum)


def _start_worker(parent: int, mapping_folder: str | None) -> None:
    """Worker initializer: the run's mapping folder (a spawned worker does not share this
    process's settings), and the end of the worker with its parent."""
    reference.use_mapping_dir(mapping_folder)
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it is gone
    (killed with -9, it cannot shut its pool down; the worker would wait forever).

    On Linux the kernel sends SIGKILL at once (prctl PR_SET_PDEATHSIG); that signal
    follows the *thread* that started the worker, so a watchdog thread that checks the
    parent's pid twice a second is kept as well, and is what other systems rely on."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before this line: nothing will signal us
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="ouder-bewaking", daemon=True).start()


@contextlib.contextmanager
def worker_pool(processes: int) -> Iterator[ProcessPoolExecutor | None]:
    """processes - 1 spawned worker processes (None for one process), shut down after use.
    The workers end when this process ends, also after kill -9 (_die_with_parent)."""
    if processes == 1:
        yield None
        return
    spawn = multiprocessing.get_context("spawn")  # not fork: polars' thread pool does not survive a fork
    with ProcessPoolExecutor(processes - 1, mp_context=spawn, initializer=_start_worker,
                             initargs=(os.getpid(), reference.configured_mapping_folder())) as pool:
        yield pool


def read_files(rows: list[dict], read_one: Callable[[str, str, dt.date], T], peildatum: dt.date,
               meanwhile: Callable[[], None] | None = None, pool: ProcessPoolExecutor | None = None) -> list[T]:
    """read_one(pad, bestand, peildatum) for every inventory row, in the order of `rows`,
    in this process and the workers of `pool` (worker_pool). `read_one` is a module-level
    function (the workers get it by reference) that never raises for a file's fault.

    `meanwhile` (other work of the caller, e.g. the other delivery kinds) runs in this
    process while the workers start and take the largest files; this process then joins
    in. Without workers it simply runs first.

    With workers, the files wait in one queue, largest first: each worker process has one
    file in flight and, when it finishes, takes the next largest, while this process takes
    the smallest; so all finish at about the same time. A file is parsed, checked and
    judged by one process; only its frames travel back (raw BSNs in a pipe between our own
    processes, never on disk). The outcome does not depend on who read what.
    """
    if pool is None:
        if meanwhile is not None:
            meanwhile()
        return [read_one(r["pad"], r["bestand"], peildatum) for r in rows]
    todo = deque(sorted(range(len(rows)), key=lambda i: -(rows[i].get("bytes") or 0)))
    lock = threading.Lock()
    in_flight: list[tuple[int, Future]] = []
    results: list[T | None] = [None] * len(rows)

    def feed(_finished: Future | None = None) -> None:
        with lock:
            if not todo:
                return
            i = todo.popleft()
            try:
                future = pool.submit(_in_worker, read_one, rows[i]["pad"], rows[i]["bestand"], peildatum)
            except (BrokenProcessPool, RuntimeError):
                todo.appendleft(i)  # no worker left: this process reads it
                return
            in_flight.append((i, future))
        future.add_done_callback(feed)

    for _ in range(processes(rows) - 1):  # the pool's size
        feed()
    try:
        if meanwhile is not None:
            meanwhile()
        while True:
            with lock:
                if not todo:
                    break
                i = todo.pop()
            results[i] = read_one(rows[i]["pad"], rows[i]["bestand"], peildatum)
    except BaseException:
        with lock:
            todo.clear()  # the workers stop after their current file
        raise
    for i, future in in_flight:
        try:
            results[i] = future.result()
        except BrokenProcessPool:
            pass  # the worker died (killed, or could not start): read below
    for i, got in enumerate(results):
        if got is None:  # a file no worker delivered: read it here
            results[i] = read_one(rows[i]["pad"], rows[i]["bestand"], peildatum)
    return results
