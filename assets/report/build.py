"""All pages of the report: {path under the output folder: HTML}."""
from __future__ import annotations

import contextlib
import copy
import ctypes
import gc
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from assets.report.data import ReportData
from assets.report.gemeente import gemeente_page
from assets.report.national import national_page
from assets.report.suppliers import suppliers_page

INDEX = "rapport/index.html"
LEVERANCIERS = "rapport/leveranciers.html"


def gemeente_path(code: str) -> str:
    return f"rapport/gemeenten/{code}.html"


def build_report(d: ReportData) -> dict[str, str]:
    pages = {INDEX: national_page(d), LEVERANCIERS: suppliers_page(d)}
    for g in d.gemeenten():
        pages[gemeente_path(g)] = gemeente_page(d, g)
    return pages


PARALLEL_FROM = 8  # gemeente pages; below this a process pool costs more than it saves (12 pages: 5.4 s serial, 4.5 s with two workers)
_DATA: ReportData | None = None


def _init(d: ReportData) -> None:
    """Worker initializer: the data, and end with the run (Linux: SIGKILL when the parent dies)."""
    global _DATA
    _DATA = d
    # the modules and the data stay until the worker ends: out of the cyclic GC's sight, the
    # collections the charts' objects set off no longer walk them (a tenth of a page's time)
    gc.freeze()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


def _workers() -> int:
    """One per usable core (the settings resource's `workers`, DDAS_WORKERS, is passed to build_all)."""
    return len(os.sched_getaffinity(0))


def _page(g: str) -> tuple[str, str]:
    return gemeente_path(g), gemeente_page(_DATA, g)


def build_all(d: ReportData, workers: int | None = None) -> dict[str, str]:
    """The same pages as build_report; at national scale the gemeente pages are drawn in
    worker processes (the charts are CPU-bound). The workers import only this package,
    polars and matplotlib; spawned, as the run process holds Dagster's threads."""
    gms = d.gemeenten()
    workers = min(workers or _workers(), 8)
    if len(gms) < PARALLEL_FROM or workers < 2:
        return build_report(d)
    # the gemeente pages need no delivery tables (schema_afwijkingen alone can be 100 MB to pickle per worker)
    for_pages = copy.copy(d)
    for_pages.leveringen = for_pages.quarantaine = for_pages.schema_afwijkingen = None
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init, initargs=(for_pages,)) as pool:
        # submitted first: the workers start (import, unpickle the data) while this process
        # draws the national and suppliers' pages
        drawn = pool.map(_page, gms, chunksize=max(1, min(8, len(gms) // (2 * workers))))
        pages = {INDEX: national_page(d), LEVERANCIERS: suppliers_page(d)}
        pages.update(drawn)
    return pages
