"""Thin Dagster wiring: the aftercare coverage, the contract indicator table and the two
analyst views.

Inputs are the model parquet files written by the harmonise assets and the nazorg
reader's staging tables (fixed paths), read lazily; each output is validated against its
pandera model before it is written.
"""

import dagster as dg
import polars as pl

from assets.common import paths
from assets.common.metadata import column_lineage, table_metadata
from assets.common.settings import DdasSettings
from assets.indicators.coverage import nazorg_dekking as coverage_table
from assets.indicators.table import compute_indicators
from assets.indicators.views import indicatoren_breed as breed_view
from assets.indicators.views import read_doelen
from assets.indicators.views import terugval_doel as doel_view
from assets.quality import bsn_guard
from schemas.indicators import Indicatoren, IndicatorenBreed, NazorgDekking, TerugvalDoel

GROUP = "indicators"
_COUNTED_FROM = [("trajecten", c) for c in ("aanmelddatum", "startdatum", "einddatum", "uitstroomreden",
                                             "is_informatie_advies", "nazorg_startdatum", "gemeentecode")] + [
    ("trajectclienten", "persoon_id"), ("trajectclienten", "traject_id"),
    ("nazorg_gebeurtenissen", "persoon_id"), ("nazorg_gebeurtenissen", "datum"), ("nazorg_gebeurtenissen", "soort")]
LINEAGE = {
    "regio_code": [("trajecten", "gemeentecode")],
    "jaar": [("trajecten", "aanmelddatum"), ("trajecten", "einddatum")],
    "teller": _COUNTED_FROM,
    "noemer": _COUNTED_FROM,
    "waarde": _COUNTED_FROM,
    "geen_gegevens": [("nazorg_dekking", "dekking_vanaf"), ("nazorg_dekking", "dekking_tot")],
    "historie_onvolledig": [("trajecten", "aanmelddatum")],
}
MODEL_DEPS = [dg.AssetKey("trajecten"), dg.AssetKey("trajectclienten"), dg.AssetKey("nazorg_gebeurtenissen")]


def _write(asset: str, df: pl.DataFrame, output: str, rel: str) -> tuple[dg.AssetCheckResult, dict]:
    """Write after the BSN scan: the check result and the table's metadata."""
    return bsn_guard.write_guarded(asset, output, {rel: df}), table_metadata(df, paths.out(output, rel))


@dg.asset(group_name=GROUP, code_version="1", deps=[dg.AssetKey("nazorg_records"), dg.AssetKey("trajecten")],
          check_specs=[bsn_guard.spec("nazorg_dekking")],
          description="Per gemeente: the aftercare workbooks and the years they cover (process.md §4); "
                      "why an event-based indicator cell is geen_gegevens.")
def nazorg_dekking(context: dg.AssetExecutionContext, settings: DdasSettings):
    out = settings.output
    df = coverage_table(
        pl.scan_parquet(paths.out(out, paths.staging("nazorg", "records"))),
        pl.scan_parquet(paths.out(out, paths.staging("nazorg", "leveringen"))),
        pl.scan_parquet(paths.out(out, paths.TRAJECTEN)),
    ).collect()
    check, meta = _write("nazorg_dekking", NazorgDekking.validate(df), out, paths.NAZORG_DEKKING)
    meta.update({"gemeenten": df.height, "gemeenten_zonder_dekking": int(df["dekking_vanaf"].is_null().sum())})
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="2", deps=[*MODEL_DEPS, nazorg_dekking], check_specs=[bsn_guard.spec("indicatoren")],
          description="The indicator table of spec/indicators.md with process.md §4: primary and secondary "
                      "suppression, geen_gegevens, historie_onvolledig.")
def indicatoren(context: dg.AssetExecutionContext, settings: DdasSettings):
    out = settings.output
    df = compute_indicators(
        pl.scan_parquet(paths.out(out, paths.TRAJECTEN)),
        pl.scan_parquet(paths.out(out, paths.TRAJECTCLIENTEN)),
        pl.scan_parquet(paths.out(out, paths.NAZORG_GEBEURTENISSEN)),
        settings.peil,
        dekking=pl.scan_parquet(paths.out(out, paths.NAZORG_DEKKING)),
        historie_vanaf=settings.historie_start,
    ).collect()
    df = Indicatoren.validate(df)
    check, meta = _write("indicatoren", df, out, paths.INDICATOREN)
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
    df = breed_view(pl.scan_parquet(paths.out(settings.output, paths.INDICATOREN))).collect()
    check, meta = _write("indicatoren_breed", IndicatorenBreed.validate(df), settings.output, paths.INDICATOREN_BREED)
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="2", deps=[indicatoren], check_specs=[bsn_guard.spec("terugval_doel")],
          description="Analyst view: terugval_5j against its target (assets/reference/doelen.csv, default 7%).")
def terugval_doel(context: dg.AssetExecutionContext, settings: DdasSettings):
    df = doel_view(pl.scan_parquet(paths.out(settings.output, paths.INDICATOREN)), read_doelen()).collect()
    check, meta = _write("terugval_doel", TerugvalDoel.validate(df), settings.output, paths.TERUGVAL_DOEL)
    meta["boven_doel"] = int((~df["doel_gehaald"]).sum())  # null (suppressed, incomplete history) is not counted
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


ASSETS = [nazorg_dekking, indicatoren, indicatoren_breed, terugval_doel]
