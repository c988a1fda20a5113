"""Thin Dagster wiring for harmonisation: read staging records, write the model tables.

A staging file that does not exist means "no records of that kind" (a source folder
may be missing), not an error.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext
import pandera.polars as pa
import polars as pl

from assets.common import bsn_guard, kept_steps, paths
from assets.common.metadata import column_lineage
from assets.common.settings import DdasSettings
from assets.common.store import OutputStore
from assets.harmonise.aftercare_events import dedupe_events
from assets.harmonise.trajectories import harmonise
from schemas.kinds import kind, trajectory_names
from schemas.model import Begeleiding, NazorgGebeurtenissen, Schulden, TrajectClienten, TrajectHerkomst, Trajecten
from schemas.records import NazorgEvent, TrajectRecord

GROUP = "harmonise"
_READERS = tuple(kind(b).asset for b in trajectory_names())  # the trajectory kinds' record assets


def _from_records(*cols: str) -> list[tuple[str, str]]:
    return [(asset, c) for asset in _READERS for c in cols]


# Column lineage (shown in the UI's column view): which record columns make each model column.
LINEAGE = {
    paths.TRAJECTEN: {
        "traject_id": _from_records("bestand", "levering_index", "record_index"),
        "gemeentecode": _from_records("gemeentecode", "aanmelddatum"),
        "aanmelddatum": _from_records("aanmelddatum"),
        "startdatum": _from_records("startdatum"),
        "einddatum": _from_records("einddatum", "aanlevertijdstip"),
        "uitstroomreden": _from_records("uitstroomreden", "aanlevertijdstip"),
        "is_informatie_advies": _from_records("is_informatie_advies"),
        "nazorg_startdatum": _from_records("nazorg_startdatum"),
        "schuldbedrag_eur": _from_records("schuldbedrag_eur"),
        "laatste_levering": _from_records("aanlevertijdstip"),
        **{c: _from_records(c) for c in ("eerste_gesprek_datum", "crisis", "beschikkingsdatum", "beschikkingssoort")},
        "oplossing_soort": _from_records("oplossing_soort", "aanlevertijdstip"),
        "aantal_clienten": _from_records("persoon_ids"),
    },
    paths.TRAJECTCLIENTEN: {"persoon_id": _from_records("persoon_ids"), "traject_id": _from_records("bestand", "record_index"),
                            "leeftijdsklasse": _from_records("geboortedata_gemaskeerd", "aanmelddatum", "aanlevertijdstip"),
                            "geslacht": _from_records("geslachten", "aanlevertijdstip")},
    paths.BEGELEIDING: {c: _from_records("begeleiding", "aanlevertijdstip") for c in ("soort", "startdatum", "einddatum")},
    paths.SCHULDEN_MODEL: {c: _from_records("schulden", "aanlevertijdstip") for c in ("schuldsoort", "bedrag_eur", "zakelijk", "schuldeiser_id")},
    paths.HERKOMST: {c: _from_records(c) for c in ("bron", "bestand", "locatie", "aanlevertijdstip", "einddatum", "uitstroomreden")},
    paths.NAZORG_GEBEURTENISSEN: {c: [("nazorg_records", c)] for c in ("persoon_id", "datum", "soort", "uitkomst", "contactvorm", "uitgevoerd_door", "gemeentecode")},
}


def read_staging(store: OutputStore, bron: str, model: type[pa.DataFrameModel]) -> pl.LazyFrame:
    """The staging records of one kind, lazily, in the model's columns; empty when absent."""
    return store.scan_or_empty(paths.staging(bron, "records"), model)


# Asset key per model table where it is not the file's stem (indicatoren/schulden.parquet is a table too).
ASSET_KEYS = {paths.SCHULDEN_MODEL: "schulden_model"}


def _write(df: pl.DataFrame | pl.LazyFrame, model: type[pa.DataFrameModel], store: OutputStore,
           rel: str) -> tuple[dg.AssetCheckResult, dg.MaterializeResult]:
    """(Collect,) validate, scan for BSNs, write: the check and the materialization
    (bsn_guard.emit). A validation failure names the column and the check, never a value."""
    df = df.collect() if isinstance(df, pl.LazyFrame) else df
    bsn_guard.validate(model, df)
    asset = _asset(rel)
    check, meta = store.write(asset, {rel: df})
    return check, dg.MaterializeResult(asset_key=asset, metadata={**meta, **_lineage(rel)})


def _lineage(rel: str) -> dict:
    return column_lineage(LINEAGE.get(rel, {}))


def _asset(rel: str) -> str:
    return ASSET_KEYS.get(rel, Path(rel).stem)


# the harmonisation step's tables: (asset, path)
_TABLES = [(_asset(rel), rel) for rel in (paths.TRAJECTEN, paths.TRAJECTCLIENTEN, paths.HERKOMST, paths.BEGELEIDING,
                                           paths.SCHULDEN_MODEL)]


@dg.multi_asset(
    specs=[
        dg.AssetSpec("trajecten", group_name=GROUP, code_version="1", deps=list(_READERS),
                     description="Harmonised trajectories (model.md §4): linked records merged, authoritative end."),
        dg.AssetSpec("trajectclienten", group_name=GROUP, code_version="1", deps=list(_READERS),
                     description="Clients (pseudonymised) of each harmonised trajectory."),
        dg.AssetSpec("traject_herkomst", group_name=GROUP, code_version="1", deps=list(_READERS),
                     description="Provenance: every accepted record, its trajectory, authority rank, superseding."),
        dg.AssetSpec("begeleiding", group_name=GROUP, code_version="1", deps=list(_READERS),
                     description="Guidance (budgetbeheer, budgetbegeleiding, ...) of each trajectory, from its authoritative record (process.md §1)."),
        dg.AssetSpec("schulden_model", group_name=GROUP, code_version="1", deps=list(_READERS),
                     description="model/schulden.parquet: the debts of each trajectory, from its authoritative record; a creditor "
                                 "as its KvK number or a keyed hash (process.md §1)."),
    ],
    check_specs=[bsn_guard.spec(a) for a in ("trajecten", "trajectclienten", "traject_herkomst", "begeleiding", "schulden_model")],
)  # fmt: skip
def harmonised_trajectories(context: AssetExecutionContext, settings: DdasSettings):
    # a pure function of the staging records (and the key): unchanged, the tables of last time
    kept = kept_steps.for_run(settings, "harmonised_trajectories", [paths.staging(b, "records") for b in trajectory_names()],
                              context.log.warning)
    if kept is not None and (extra := kept.take(settings.store, [rel for _, rel in _TABLES])) is not None:
        context.log.info(f"{extra['log']} (records ongewijzigd: de tabellen van de vorige run)")
        for result in kept_steps.kept_results(settings.store, _TABLES, {}, _lineage):
            yield from bsn_guard.emit(*result)
        return
    records = pl.concat([read_staging(settings.store, b, TrajectRecord) for b in trajectory_names()], how="vertical")
    # the key unmasks the clients' birth dates in memory (harmonise); a run without any masked date needs none
    out = harmonise(records, key=settings.key() if settings.pseudonym_key else None)
    trajecten, herkomst, begeleiding, schulden = pl.collect_all([out.trajecten, out.herkomst, out.begeleiding, out.schulden])
    superseded = int(herkomst["vervangen_door"].is_not_null().sum())
    summary = f"{herkomst.height} records ({superseded} superseded) -> {trajecten.height} trajecten"
    context.log.info(summary)
    tables = [(trajecten, Trajecten, paths.TRAJECTEN), (out.trajectclienten, TrajectClienten, paths.TRAJECTCLIENTEN),
              (herkomst, TrajectHerkomst, paths.HERKOMST), (begeleiding, Begeleiding, paths.BEGELEIDING),
              (schulden, Schulden, paths.SCHULDEN_MODEL)]
    # Validating, scanning and writing are mostly polars work without the GIL: side by side.
    # The clients are collected in their own thread: unmasking their birth dates is Python
    # (holds the GIL) and so runs beside the other tables' polars work.
    with ThreadPoolExecutor(len(tables)) as pool:
        done = [pool.submit(_write, df, model, settings.store, rel) for df, model, rel in tables]
    results = [future.result() for future in done]
    if kept is not None and all(check.passed for check, _ in results):
        kept.keep(settings.store, [rel for _, rel in _TABLES], {"log": summary})
    for result in results:
        yield from bsn_guard.emit(*result)


@dg.asset(group_name=GROUP, code_version="1", deps=["nazorg_records"], check_specs=[bsn_guard.spec("nazorg_gebeurtenissen")],
          description="Aftercare events, one per person, date and kind (repeated deliveries deduplicated).")  # fmt: skip
def nazorg_gebeurtenissen(context: AssetExecutionContext, settings: DdasSettings):
    tables = [("nazorg_gebeurtenissen", paths.NAZORG_GEBEURTENISSEN)]
    kept = kept_steps.for_run(settings, "nazorg_gebeurtenissen", [paths.staging("nazorg", "records")], context.log.warning)
    if kept is not None and (extra := kept.take(settings.store, [paths.NAZORG_GEBEURTENISSEN])) is not None:
        for result in kept_steps.kept_results(settings.store, tables, extra, _lineage):
            yield from bsn_guard.emit(*result)
        return
    events = read_staging(settings.store, "nazorg", NazorgEvent)
    df = dedupe_events(events).collect()
    check, materialization = _write(df, NazorgGebeurtenissen, settings.store, paths.NAZORG_GEBEURTENISSEN)
    if kept is not None and check.passed:
        kept.keep(settings.store, [paths.NAZORG_GEBEURTENISSEN], {})
    yield from bsn_guard.emit(check, materialization)


ASSETS = [harmonised_trajectories, nazorg_gebeurtenissen]
