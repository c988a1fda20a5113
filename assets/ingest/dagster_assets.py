"""Thin Dagster wiring around the readers: each asset reads its files, writes staging tables.

Data passes between assets as parquet files under the output folder (fixed paths,
assets/common/paths.py), so every stage can be read lazily and inspected by hand.
"""

import warnings
from pathlib import Path

import dagster as dg
import polars as pl

from assets.common import paths
from assets.common.metadata import table_metadata
from assets.common.parquet_io import write_parquet_atomic
from assets.common.settings import DdasSettings
from assets.ingest.ddas_json import read_ddas
from assets.ingest.inventory import inventory, to_read
from assets.ingest.landing_state import fingerprint, landing_state
from assets.ingest.nazorg_xlsx import read_nazorg
from assets.ingest.result import IngestResult
from assets.ingest.shv_csv import read_shv_csv

GROUP = "ingest"


# Observable source assets are "beta" in Dagster 1.13; the API we use is the documented one.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*observable_source_asset.*")


@dg.observable_source_asset(group_name=GROUP, required_resource_keys={"settings"},
                            description="The landing folder; its data version is the fingerprint of every file's name and sha256.")
def landing(context) -> dg.DataVersion:
    folder = Path(context.resources.settings.landing)
    return dg.DataVersion(fingerprint(landing_state(folder)) if folder.is_dir() else "geen-landingsmap")


@dg.asset(group_name=GROUP, code_version="1", deps=[landing],
          description="Every landing file with the outcome of steps 1-2 (name, duplicate hash).")
def inventaris(context: dg.AssetExecutionContext, settings: DdasSettings) -> dg.MaterializeResult:
    landing = Path(settings.landing)
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder does not exist: {landing}")
    inv = inventory(landing)
    target = paths.out(settings.output, paths.INVENTARIS)
    write_parquet_atomic(inv, target)
    by_status = inv.group_by(pl.col("status").fill_null("te_lezen")).len()
    meta = table_metadata(inv, target)
    meta.update({f"bestanden_{s}": int(n) for s, n in by_status.iter_rows()})
    # The same fingerprint as the landing source: downstream staleness follows the delivered files.
    version = fingerprint({r["bestand"]: [0, 0, r["sha256"]] for r in inv.select("bestand", "sha256").iter_rows(named=True)})
    return dg.MaterializeResult(metadata=meta, data_version=dg.DataVersion(version))


def _write(result: IngestResult, bron: str, output: str) -> dict:
    write_parquet_atomic(result.records, paths.out(output, paths.staging(bron, "records")))
    write_parquet_atomic(result.quarantine, paths.out(output, paths.staging(bron, "quarantaine")))
    write_parquet_atomic(result.ledger, paths.out(output, paths.staging(bron, "leveringen")))
    write_parquet_atomic(result.schema_findings, paths.out(output, paths.staging(bron, "schema_afwijkingen")))
    led = result.ledger
    meta = table_metadata(result.records, paths.out(output, paths.staging(bron, "records")))
    meta.update(
        {
            "bestanden": len(led),
            "bestanden_geladen": int((led["status"] == "geladen").sum()),
            "records_gelezen": int(led["records_gelezen"].sum()),
            "records_geaccepteerd": int(led["records_geaccepteerd"].sum()),
            "records_gequarantaineerd": int(led["records_gequarantaineerd"].sum()),
        }
    )
    return meta


def _reader_asset(bron: str, reader, description: str):
    @dg.asset(name=f"{bron}_records", group_name=GROUP, code_version="1", deps=[inventaris], description=description)
    def _asset(context: dg.AssetExecutionContext, settings: DdasSettings) -> dg.MaterializeResult:
        inv = pl.read_parquet(paths.out(settings.output, paths.INVENTARIS))
        result = reader(to_read(inv, bron), settings.peil, settings.key())
        meta = _write(result, bron, settings.output)
        context.log.info(
            f"{bron}: {meta['bestanden']} bestanden, {meta['records_gelezen']} records gelezen, "
            f"{meta['records_geaccepteerd']} geaccepteerd, {meta['records_gequarantaineerd']} in quarantaine"
        )
        return dg.MaterializeResult(metadata=meta)

    return _asset


ddas_records = _reader_asset("ddas", read_ddas, "DDAS JSON: validated, pseudonymised trajectory records, quarantine and schema findings.")
shv_csv_records = _reader_asset("shv_csv", read_shv_csv, "Legacy CSV exports: validated, pseudonymised trajectory records and quarantine.")
nazorg_records = _reader_asset("nazorg", read_nazorg, "Aftercare workbooks: validated, pseudonymised events and quarantine.")

ASSETS = [landing, inventaris, ddas_records, shv_csv_records, nazorg_records]
