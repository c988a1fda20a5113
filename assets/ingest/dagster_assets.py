"""Thin Dagster wiring around the readers: each asset reads its files, writes staging tables.

Data passes between assets as parquet files under the output folder (fixed paths,
assets/common/paths.py, read and written through the output store,
assets/common/store.py), so every stage can be read lazily and inspected by hand.
"""

import warnings
from pathlib import Path

import dagster as dg
import polars as pl

from assets.common import bsn_guard, paths
from assets.common.publish import check_landing
from assets.common.settings import DdasSettings
from assets.common.metadata import table_metadata
from assets.common.store import OutputStore
from assets.common.reference import configured_mapping_dir
from assets.ingest.ddas_workers import configured_workers
from assets.ingest.file_cache import TABLES, FileCache, ReadCounts, code_version, key_fingerprint, read_cached
from assets.ingest.inventory import CHANGED, inventory, inventory_table, refused_ledger, to_read, with_paths
from assets.ingest.kinds import DeliveryKind, kinds, read_in_turn, reader
from assets.ingest.landing_state import fingerprint, landing_state
from assets.ingest.result import IngestResult

GROUP = "ingest"


# Observable source assets are "beta" in Dagster 1.13; the API we use is the documented one.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*observable_source_asset.*")


@dg.observable_source_asset(group_name=GROUP, required_resource_keys={"settings"},
                            description="The landing folder; its data version is the fingerprint of every file's name and sha256.")
def landing(context) -> dg.DataVersion:
    folder = Path(context.resources.settings.landing)
    return dg.DataVersion(fingerprint(landing_state(folder)) if folder.is_dir() else "geen-landingsmap")


@dg.asset(group_name=GROUP, code_version="1", deps=[landing], check_specs=[bsn_guard.spec("inventaris")],
          description="Every landing file with the outcome of steps 1-2 (name, duplicate hash).")
def inventaris(context: dg.AssetExecutionContext, settings: DdasSettings):
    landing = Path(settings.landing)
    check_landing(landing)  # missing, or none of the kind subfolders: refuse, publish nothing (process.md §5)
    inv = inventory_table(inventory(landing))  # no absolute paths are written
    check, meta = settings.store.write("inventaris", {paths.INVENTARIS: inv})
    by_status = inv.group_by(pl.col("status").fill_null("te_lezen")).len()
    meta.update({f"bestanden_{s}": int(n) for s, n in by_status.iter_rows()})
    # The same fingerprint as the landing source: downstream staleness follows the delivered files.
    version = fingerprint({r["bestand"]: [0, 0, r["sha256"]] for r in inv.select("bestand", "sha256").iter_rows(named=True)})
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta, data_version=dg.DataVersion(version)))


# in the order of file_cache.TABLES (the IngestResult fields)
STAGING_TABLES = ("leveringen", "records", "quarantaine", "schema_afwijkingen")


def _stage(k: DeliveryKind, result: IngestResult, store: OutputStore,
           counts: ReadCounts) -> tuple[dg.AssetCheckResult, dg.MaterializeResult]:
    """Write one kind's staging tables (when free of BSNs); its check and materialization."""
    bron = k.name
    frames = (result.ledger, result.records, result.quarantine, result.schema_findings)
    rels = [paths.staging(bron, t) for t in STAGING_TABLES]
    fresh = counts.gelezen_deel
    # the cached rows passed this scan when they were kept: only the rows read now, and the
    # whole ledger (it also holds the refused rows added here)
    scan = None if fresh is None else dict(zip(rels, (result.ledger, fresh.records, fresh.quarantine, fresh.schema_findings)))
    check, meta = store.write(k.asset, dict(zip(rels, frames)), meta_for=paths.staging(bron, "records"), scan=scan)
    meta.update(_ledger_counts(result.ledger, counts))
    return check, dg.MaterializeResult(asset_key=k.asset, metadata=meta)


def _stage_kept(k: DeliveryKind, kept: dict[str, Path], ledger: pl.DataFrame, store: OutputStore,
                counts: ReadCounts) -> tuple[dg.AssetCheckResult, dg.MaterializeResult]:
    """A kind whose files are all unchanged: its kept tables are its staging, put in place as
    hard links (a copy where linking fails); the same materialization metadata as a
    written staging, and the check of the scan they passed when they were kept."""
    bron = k.name
    for t, name in zip(TABLES, STAGING_TABLES):
        store.place(paths.staging(bron, name), kept[t])
    records = paths.staging(bron, "records")
    meta = table_metadata(store.scan(records), store.path(records))
    meta.update(_ledger_counts(ledger, counts))
    return bsn_guard.kept_check(k.asset, len(STAGING_TABLES)), dg.MaterializeResult(asset_key=k.asset, metadata=meta)


def _ledger_counts(led: pl.DataFrame, counts: ReadCounts) -> dict:
    """The materialization's counts, from the kind's ledger."""
    return {
        "bestanden": len(led),
        "bestanden_geladen": int((led["status"] == "geladen").sum()),
        "records_gelezen": int(led["records_gelezen"].sum()),
        "records_geaccepteerd": int(led["records_geaccepteerd"].sum()),
        "records_gequarantaineerd": int(led["records_gequarantaineerd"].sum()),
        # the per-file cache (docs/incremental.md): files taken from it and files read
        "bestanden_uit_cache": counts.uit_cache,
        "bestanden_gelezen": counts.gelezen,
    }


@dg.multi_asset(
    specs=[dg.AssetSpec(k.asset, group_name=GROUP, code_version="1", deps=[inventaris], description=k.description)
           for k in kinds()],
    check_specs=[bsn_guard.spec(k.asset) for k in kinds()],
    can_subset=True,
)
def delivered_records(context: dg.AssetExecutionContext, settings: DdasSettings):
    """The readers of every kind in one step, so that they share the cores: the DDAS worker
    processes take the large JSON files while this process reads the CSV exports and
    the workbooks, then joins in on the remaining JSON files (docs/performance.md)."""
    inv = with_paths(settings.store.read(paths.INVENTARIS), settings.landing)
    wanted = [k for k in kinds() if dg.AssetKey(k.asset) in context.selected_asset_keys]
    staged = {}

    def read(k: DeliveryKind, **kw) -> None:
        bron = k.name

        def read_files(files: pl.DataFrame, **more) -> IngestResult:
            return reader(k)(files, settings.peil, settings.key(), **more)

        files = to_read(inv, bron)
        changed = inv.filter((pl.col("bron") == bron) & (pl.col("reden") == CHANGED))

        def finish_ledger(ledger: pl.DataFrame) -> pl.DataFrame:
            if changed.height:  # gone or changed since the inventory: ledgered here, not read
                return pl.concat([ledger, refused_ledger(changed).cast(ledger.schema)]).sort("bestand")
            return ledger

        unchanged = cache.unchanged(bron, files, finish_ledger) if cache is not None else None
        if unchanged is not None:  # every file as kept: the kept tables are the staging
            counts = ReadCounts(files.height, 0)
            staged[bron] = _stage_kept(k, *unchanged, settings.store, counts)
            if "meanwhile" in kw:  # the other kinds, which its reader would have read meanwhile (kinds.read_in_turn)
                kw["meanwhile"]()
        else:
            result, counts, keep = read_cached(bron, read_files, files, cache, **kw)
            result.ledger = finish_ledger(result.ledger)
            staged[bron] = _stage(k, result, settings.store, counts)
            if staged[bron][0].passed:  # only tables that passed the BSN guard are kept (docs/incremental.md)
                keep({t: settings.store.path(paths.staging(bron, name)) for t, name in zip(TABLES, STAGING_TABLES)})
        m = staged[bron][1].metadata
        context.log.info(
            f"{bron}: {m['bestanden']} bestanden ({counts.uit_cache} uit cache, {counts.gelezen} gelezen), "
            f"{m['records_gelezen']} records gelezen, "
            f"{m['records_geaccepteerd']} geaccepteerd, {m['records_gequarantaineerd']} in quarantaine"
        )

    cache = run_cache(settings, context.log)
    with configured_workers(settings.worker_count), configured_mapping_dir(settings.mapping_dir):
        read_in_turn(wanted, read)
    for k in wanted:
        yield from bsn_guard.emit(*staged[k.name])


def run_cache(settings: DdasSettings, log) -> FileCache | None:
    """This run's per-file cache of reader results (docs/incremental.md); None without an output folder."""
    if not settings.cache_dir:
        return None
    return FileCache(Path(settings.cache_dir), key_fingerprint(settings.key()), code_version(settings.mapping_dir or None),
                     settings.peil, rebuild=settings.full_read, log=log.warning)


ASSETS = [landing, inventaris, delivered_records]
