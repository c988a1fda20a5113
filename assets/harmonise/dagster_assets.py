"""Thin Dagster wiring for harmonisation: read staging records, write the model tables.

A staging file that does not exist means "no records of that kind" (a source folder
may be missing), not an error.
"""

from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext
import pandera.polars as pa
import polars as pl

from assets.common import paths
from assets.common.metadata import table_metadata
from assets.common.parquet_io import write_parquet_atomic
from assets.common.settings import DdasSettings
from assets.harmonise.aftercare_events import dedupe_events
from assets.harmonise.trajectories import harmonise
from schemas.model import NazorgGebeurtenissen, TrajectClienten, TrajectHerkomst, Trajecten
from schemas.quality import empty
from schemas.records import NazorgEvent, TrajectRecord

GROUP = "harmonise"


def read_staging(output: str, bron: str, model: type[pa.DataFrameModel]) -> pl.LazyFrame:
    """The staging records of one kind, lazily, in the model's columns; empty when absent."""
    path = paths.out(output, paths.staging(bron, "records"))
    columns = list(model.to_schema().columns)
    if not Path(path).exists():
        return empty(model).lazy()
    return pl.scan_parquet(path).select(columns)


def _write(df: pl.DataFrame, model: type[pa.DataFrameModel], output: str, rel: str) -> dg.MaterializeResult:
    model.validate(df)
    target = paths.out(output, rel)
    rows = write_parquet_atomic(df, target)
    return dg.MaterializeResult(asset_key=Path(rel).stem, metadata=table_metadata(df, target, rows))


@dg.multi_asset(
    specs=[
        dg.AssetSpec("trajecten", group_name=GROUP, code_version="1", deps=["ddas_records", "shv_csv_records"],
                     description="Harmonised trajectories (model.md §4): linked records merged, authoritative end."),
        dg.AssetSpec("trajectclienten", group_name=GROUP, code_version="1", deps=["ddas_records", "shv_csv_records"],
                     description="Clients (pseudonymised) of each harmonised trajectory."),
        dg.AssetSpec("traject_herkomst", group_name=GROUP, code_version="1", deps=["ddas_records", "shv_csv_records"],
                     description="Provenance: every accepted record, its trajectory, authority rank, superseding."),
    ]
)  # fmt: skip
def harmonised_trajectories(context: AssetExecutionContext, settings: DdasSettings):
    records = pl.concat(
        [read_staging(settings.output, "ddas", TrajectRecord), read_staging(settings.output, "shv_csv", TrajectRecord)],
        how="vertical",
    )
    out = harmonise(records)
    trajecten, clienten, herkomst = pl.collect_all([out.trajecten, out.trajectclienten, out.herkomst])
    superseded = int(herkomst["vervangen_door"].is_not_null().sum())
    context.log.info(f"{herkomst.height} records ({superseded} superseded) -> {trajecten.height} trajecten")
    yield _write(trajecten, Trajecten, settings.output, paths.TRAJECTEN)
    yield _write(clienten, TrajectClienten, settings.output, paths.TRAJECTCLIENTEN)
    yield _write(herkomst, TrajectHerkomst, settings.output, paths.HERKOMST)


@dg.asset(group_name=GROUP, code_version="1", deps=["nazorg_records"],
          description="Aftercare events, one per person, date and kind (repeated deliveries deduplicated).")  # fmt: skip
def nazorg_gebeurtenissen(context: AssetExecutionContext, settings: DdasSettings) -> dg.MaterializeResult:
    events = read_staging(settings.output, "nazorg", NazorgEvent)
    df = dedupe_events(events).collect()
    result = _write(df, NazorgGebeurtenissen, settings.output, paths.NAZORG_GEBEURTENISSEN)
    return dg.MaterializeResult(metadata=result.metadata)


ASSETS = [harmonised_trajectories, nazorg_gebeurtenissen]
