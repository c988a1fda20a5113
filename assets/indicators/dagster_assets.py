"""Thin Dagster wiring: the aftercare coverage, the contract indicator table and the two
analyst views.

Inputs are the model parquet files written by the harmonise assets and the nazorg
reader's staging tables, read lazily from the output store (assets/common/store.py);
each output is validated against its pandera model before the store writes it.
"""

import dagster as dg
import polars as pl

from assets.common import bsn_guard, paths
from assets.common.metadata import column_lineage
from assets.common.settings import DdasSettings
from assets.indicators.coverage import nazorg_dekking as coverage_table
from assets.indicators.dagster_tabellen import TABLE_ASSETS
from assets.indicators.table import compute_indicators
from assets.indicators.views import indicatoren_breed as breed_view
from assets.indicators.views import read_doelen
from assets.indicators.views import terugval_doel as doel_view
from schemas.indicators import Indicatoren, IndicatorenBreed, NazorgDekking, TerugvalDoel

GROUP = "indicators"
_COUNTED_FROM = [("trajecten", c) for c in ("aanmelddatum", "startdatum", "einddatum", "uitstroomreden",
                                             "is_informatie_advies", "nazorg_startdatum", "gemeentecode",
                                             "eerste_gesprek_datum", "crisis", "beschikkingsdatum")] + [
    ("begeleiding", "soort"), ("begeleiding", "startdatum"), ("begeleiding", "einddatum")] + [
    ("trajectclienten", "persoon_id"), ("trajectclienten", "traject_id"),
    ("nazorg_gebeurtenissen", "persoon_id"), ("nazorg_gebeurtenissen", "datum"), ("nazorg_gebeurtenissen", "soort")]
LINEAGE = {
    "regio_code": [("trajecten", "gemeentecode")],
    "jaar": [("trajecten", "aanmelddatum"), ("trajecten", "einddatum"), ("trajecten", "eerste_gesprek_datum"),
             ("begeleiding", "einddatum")],
    "teller": _COUNTED_FROM,
    "noemer": _COUNTED_FROM,
    "waarde": _COUNTED_FROM,
    "geen_gegevens": [("nazorg_dekking", "dekking_vanaf"), ("nazorg_dekking", "dekking_tot")],
    "historie_onvolledig": [("trajecten", "aanmelddatum")],
}
MODEL_DEPS = [dg.AssetKey("trajecten"), dg.AssetKey("trajectclienten"), dg.AssetKey("nazorg_gebeurtenissen"),
              dg.AssetKey("begeleiding")]


@dg.asset(group_name=GROUP, code_version="1", deps=[dg.AssetKey("nazorg_records"), dg.AssetKey("trajecten")],
          check_specs=[bsn_guard.spec("nazorg_dekking")],
          description="Per gemeente: the aftercare workbooks and the years they cover (process.md §4); "
                      "why an event-based indicator cell is geen_gegevens.")
def nazorg_dekking(context: dg.AssetExecutionContext, settings: DdasSettings):
    store = settings.store
    df = coverage_table(
        store.scan(paths.staging("nazorg", "records")),
        store.scan(paths.staging("nazorg", "leveringen")),
        store.scan(paths.TRAJECTEN),
    ).collect()
    check, meta = store.write("nazorg_dekking", {paths.NAZORG_DEKKING: NazorgDekking.validate(df)})
    meta.update({"gemeenten": df.height, "gemeenten_zonder_dekking": int(df["dekking_vanaf"].is_null().sum())})
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="3", deps=[*MODEL_DEPS, nazorg_dekking], check_specs=[bsn_guard.spec("indicatoren")],
          description="The indicator table of spec/indicators.md with process.md §4: primary and secondary "
                      "suppression, geen_gegevens, historie_onvolledig.")
def indicatoren(context: dg.AssetExecutionContext, settings: DdasSettings):
    store = settings.store
    df = compute_indicators(
        store.scan(paths.TRAJECTEN),
        store.scan(paths.TRAJECTCLIENTEN),
        store.scan(paths.NAZORG_GEBEURTENISSEN),
        settings.peil,
        dekking=store.scan(paths.NAZORG_DEKKING),
        historie_vanaf=settings.historie_start,
        begeleiding=store.scan(paths.BEGELEIDING),
    ).collect()
    df = Indicatoren.validate(df)
    check, meta = settings.store.write("indicatoren", {paths.INDICATOREN: df})
    meta.update(column_lineage(LINEAGE))
    meta.update(
        {
            "peildatum": settings.peil.isoformat(),
            "rijen_onderdrukt": int(df["onderdrukt"].sum()),
            "rijen_secundair_onderdrukt": int((df["onderdrukking"] == "secundair").sum()),
            "rijen_geen_gegevens": int(df["geen_gegevens"].sum()),
            "rijen_historie_onvolledig": int(df["historie_onvolledig"].sum()),
            "rijen_voorlopig": int(df["voorlopig"].sum()),
            "gemeenten": int(df.filter(pl.col("regio_code") != "NL")["regio_code"].n_unique()),
        }
    )
    context.log.info(f"indicatoren: {df.height} rijen, {meta['rijen_onderdrukt']} onderdrukt "
                     f"({meta['rijen_secundair_onderdrukt']} secundair), {meta['rijen_geen_gegevens']} geen gegevens")
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="2", deps=[indicatoren], check_specs=[bsn_guard.spec("indicatoren_breed")],
          description="Analyst view: one row per region x year, a column group per indicator.")
def indicatoren_breed(context: dg.AssetExecutionContext, settings: DdasSettings):
    store = settings.store
    df = breed_view(store.scan(paths.INDICATOREN)).collect()
    check, meta = store.write("indicatoren_breed", {paths.INDICATOREN_BREED: IndicatorenBreed.validate(df)})
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="2", deps=[indicatoren], check_specs=[bsn_guard.spec("terugval_doel")],
          description="Analyst view: terugval_5j against its target (assets/reference/doelen.csv, default 7%).")
def terugval_doel(context: dg.AssetExecutionContext, settings: DdasSettings):
    store = settings.store
    df = doel_view(store.scan(paths.INDICATOREN), read_doelen()).collect()
    check, meta = store.write("terugval_doel", {paths.TERUGVAL_DOEL: TerugvalDoel.validate(df)})
    meta["boven_doel"] = int((~df["doel_gehaald"]).sum())  # null (suppressed, incomplete history) is not counted
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


ASSETS = [nazorg_dekking, indicatoren, indicatoren_breed, terugval_doel, *TABLE_ASSETS]  # tables: process.md §3
