"""Thin Dagster wiring: write the three contract quality tables under kwaliteit/."""

import dagster as dg
import polars as pl

from assets.common import paths
from assets.common.metadata import table_metadata
from assets.common.settings import DdasSettings
from assets.ingest.inventory import KINDS
from assets.quality import bsn_guard
from assets.quality.gather import gather_findings, gather_ledger, gather_quarantine

GROUP = "quality"
_READERS = [dg.AssetKey(f"{b}_records") for b in KINDS]


def _staged(output: str, table: str) -> list[pl.DataFrame]:
    return [pl.read_parquet(paths.out(output, paths.staging(bron, table))) for bron in KINDS]


@dg.asset(group_name=GROUP, code_version="1", deps=[dg.AssetKey("inventaris"), *_READERS],
          check_specs=[bsn_guard.spec("leveringen")],
          description="The ledger: one row per delivered file with status, reason and reconciling counts.")
def leveringen(context: dg.AssetExecutionContext, settings: DdasSettings):
    inv = pl.read_parquet(paths.out(settings.output, paths.INVENTARIS))
    ledger = gather_ledger(inv, _staged(settings.output, "leveringen"))
    check = bsn_guard.write_guarded("leveringen", settings.output, {paths.LEVERINGEN: ledger})
    meta = table_metadata(ledger, paths.out(settings.output, paths.LEVERINGEN))
    for status, n in ledger.group_by("status").len().sort("status").iter_rows():
        meta[f"bestanden_{status}"] = int(n)
    for col in ("records_gelezen", "records_geaccepteerd", "records_gequarantaineerd"):
        meta[col] = int(ledger[col].sum())
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="1", deps=_READERS, check_specs=[bsn_guard.spec("quarantaine")],
          description="Quarantined records: file, location and reason; never the record's contents.")
def quarantaine(context: dg.AssetExecutionContext, settings: DdasSettings):
    q = gather_quarantine(_staged(settings.output, "quarantaine"))
    check = bsn_guard.write_guarded("quarantaine", settings.output, {paths.QUARANTAINE: q})
    meta = table_metadata(q, paths.out(settings.output, paths.QUARANTAINE))
    for code, n in q.group_by("reden_code").len().sort("reden_code").iter_rows():
        meta[f"reden_{code}"] = int(n)
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="1", deps=[dg.AssetKey("ddas_records")],
          check_specs=[bsn_guard.spec("schema_afwijkingen")],
          description="Deviations of loaded DDAS files from the official JSON Schema (one row per error).")
def schema_afwijkingen(context: dg.AssetExecutionContext, settings: DdasSettings):
    f = gather_findings(_staged(settings.output, "schema_afwijkingen"))
    check = bsn_guard.write_guarded("schema_afwijkingen", settings.output, {paths.SCHEMA_AFWIJKINGEN: f})
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=table_metadata(f, paths.out(settings.output, paths.SCHEMA_AFWIJKINGEN))))


ASSETS = [leveringen, quarantaine, schema_afwijkingen]
