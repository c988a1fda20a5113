"""Thin Dagster wiring: write the three contract quality tables under kwaliteit/."""

import dagster as dg
import polars as pl

from assets.common import bsn_guard, paths
from assets.common.settings import DdasSettings
from assets.common.store import OutputStore
from assets.ingest.inventory import KINDS, refused_ledger
from assets.quality.gather import gather_findings, gather_ledger, gather_quarantine

GROUP = "quality"
_READERS = [dg.AssetKey(f"{b}_records") for b in KINDS]


def _staged(store: OutputStore, table: str) -> list[pl.DataFrame]:
    return [store.read(paths.staging(bron, table)) for bron in KINDS]


@dg.asset(group_name=GROUP, code_version="1", deps=[dg.AssetKey("inventaris"), *_READERS],
          check_specs=[bsn_guard.spec("leveringen")],
          description="The ledger: one row per delivered file with status, reason and reconciling counts.")
def leveringen(context: dg.AssetExecutionContext, settings: DdasSettings):
    store = settings.store
    inv = store.read(paths.INVENTARIS)
    ledger = gather_ledger(inv, refused_ledger(inv), _staged(store, "leveringen"))
    check, meta = store.write("leveringen", {paths.LEVERINGEN: ledger})
    for status, n in ledger.group_by("status").len().sort("status").iter_rows():
        meta[f"bestanden_{status}"] = int(n)
    for col in ("records_gelezen", "records_geaccepteerd", "records_gequarantaineerd"):
        meta[col] = int(ledger[col].sum())
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="1", deps=_READERS, check_specs=[bsn_guard.spec("quarantaine")],
          description="Quarantined records: file, location and reason; never the record's contents.")
def quarantaine(context: dg.AssetExecutionContext, settings: DdasSettings):
    q = gather_quarantine(_staged(settings.store, "quarantaine"))
    check, meta = settings.store.write("quarantaine", {paths.QUARANTAINE: q})
    for code, n in q.group_by("reden_code").len().sort("reden_code").iter_rows():
        meta[f"reden_{code}"] = int(n)
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="1", deps=[dg.AssetKey("ddas_records")],
          check_specs=[bsn_guard.spec("schema_afwijkingen")],
          description="Deviations of loaded DDAS files from the official JSON Schema (one row per error).")
def schema_afwijkingen(context: dg.AssetExecutionContext, settings: DdasSettings):
    f = gather_findings(_staged(settings.store, "schema_afwijkingen"))
    check, meta = settings.store.write("schema_afwijkingen", {paths.SCHEMA_AFWIJKINGEN: f})
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


ASSETS = [leveringen, quarantaine, schema_afwijkingen]
