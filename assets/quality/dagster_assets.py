"""Thin Dagster wiring: write the three contract quality tables under kwaliteit/."""

import dagster as dg
import polars as pl

from assets.common import paths
from assets.common.metadata import table_metadata
from assets.common.parquet_io import write_parquet_atomic
from assets.common.settings import DdasSettings
from assets.ingest.dagster_assets import ddas_records, inventaris, nazorg_records, shv_csv_records
from assets.ingest.inventory import KINDS
from assets.quality.gather import gather_findings, gather_ledger, gather_quarantine

GROUP = "quality"
_READERS = [ddas_records, shv_csv_records, nazorg_records]


def _staged(output: str, table: str) -> list[pl.DataFrame]:
    return [pl.read_parquet(paths.out(output, paths.staging(bron, table))) for bron in KINDS]


@dg.asset(group_name=GROUP, code_version="1", deps=[inventaris, *_READERS],
          description="The ledger: one row per delivered file with status, reason and reconciling counts.")
def leveringen(context: dg.AssetExecutionContext, settings: DdasSettings) -> dg.MaterializeResult:
    inv = pl.read_parquet(paths.out(settings.output, paths.INVENTARIS))
    ledger = gather_ledger(inv, _staged(settings.output, "leveringen"))
    target = paths.out(settings.output, paths.LEVERINGEN)
    write_parquet_atomic(ledger, target)
    meta = table_metadata(ledger, target)
    for status, n in ledger.group_by("status").len().sort("status").iter_rows():
        meta[f"bestanden_{status}"] = int(n)
    for col in ("records_gelezen", "records_geaccepteerd", "records_gequarantaineerd"):
        meta[col] = int(ledger[col].sum())
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name=GROUP, code_version="1", deps=_READERS,
          description="Quarantined records: file, location and reason; never the record's contents.")
def quarantaine(context: dg.AssetExecutionContext, settings: DdasSettings) -> dg.MaterializeResult:
    q = gather_quarantine(_staged(settings.output, "quarantaine"))
    target = paths.out(settings.output, paths.QUARANTAINE)
    write_parquet_atomic(q, target)
    meta = table_metadata(q, target)
    for code, n in q.group_by("reden_code").len().sort("reden_code").iter_rows():
        meta[f"reden_{code}"] = int(n)
    return dg.MaterializeResult(metadata=meta)


@dg.asset(group_name=GROUP, code_version="1", deps=[ddas_records],
          description="Deviations of loaded DDAS files from the official JSON Schema (one row per error).")
def schema_afwijkingen(context: dg.AssetExecutionContext, settings: DdasSettings) -> dg.MaterializeResult:
    f = gather_findings(_staged(settings.output, "schema_afwijkingen"))
    target = paths.out(settings.output, paths.SCHEMA_AFWIJKINGEN)
    write_parquet_atomic(f, target)
    return dg.MaterializeResult(metadata=table_metadata(f, target))


ASSETS = [leveringen, quarantaine, schema_afwijkingen]
