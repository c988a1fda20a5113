"""Thin Dagster wiring: the contract indicator table and the two analyst views.

Inputs are the model parquet files written by the harmonise assets (fixed paths), read
lazily; each output is validated against its pandera model before it is written.
"""

import dagster as dg
import polars as pl

from assets.common import paths
from assets.common.metadata import column_lineage, table_metadata
from assets.common.settings import DdasSettings
from assets.indicators.table import compute_indicators
from assets.indicators.views import indicatoren_breed as breed_view
from assets.indicators.views import read_doelen
from assets.indicators.views import terugval_doel as doel_view
from assets.quality import bsn_guard
from schemas.indicators import Indicatoren, IndicatorenBreed, TerugvalDoel

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
}
MODEL_DEPS = [dg.AssetKey("trajecten"), dg.AssetKey("trajectclienten"), dg.AssetKey("nazorg_gebeurtenissen")]


def _write(asset: str, df: pl.DataFrame, output: str, rel: str) -> tuple[dg.AssetCheckResult, dict]:
    """Write after the BSN scan: the check result and the table's metadata."""
    return bsn_guard.write_guarded(asset, output, {rel: df}), table_metadata(df, paths.out(output, rel))


@dg.asset(group_name=GROUP, code_version="1", deps=MODEL_DEPS, check_specs=[bsn_guard.spec("indicatoren")],
          description="The indicator table of spec/indicators.md: indicator x regio x jaar, suppressed below 10.")
def indicatoren(context: dg.AssetExecutionContext, settings: DdasSettings):
    out = settings.output
    df = compute_indicators(
        pl.scan_parquet(paths.out(out, paths.TRAJECTEN)),
        pl.scan_parquet(paths.out(out, paths.TRAJECTCLIENTEN)),
        pl.scan_parquet(paths.out(out, paths.NAZORG_GEBEURTENISSEN)),
        settings.peil,
    ).collect()
    df = Indicatoren.validate(df)
    check, meta = _write("indicatoren", df, out, paths.INDICATOREN)
    meta.update(column_lineage(LINEAGE))
    meta.update(
        {
            "peildatum": settings.peil.isoformat(),
            "rijen_onderdrukt": int(df["onderdrukt"].sum()),
            "rijen_voorlopig": int(df["voorlopig"].sum()),
            "gemeenten": int(df.filter(pl.col("regio_code") != "NL")["regio_code"].n_unique()),
        }
    )
    context.log.info(f"indicatoren: {df.height} rijen, {meta['rijen_onderdrukt']} onderdrukt")
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="1", deps=[indicatoren], check_specs=[bsn_guard.spec("indicatoren_breed")],
          description="Analyst view: one row per region x year, a column group per indicator.")
def indicatoren_breed(context: dg.AssetExecutionContext, settings: DdasSettings):
    df = breed_view(pl.scan_parquet(paths.out(settings.output, paths.INDICATOREN))).collect()
    check, meta = _write("indicatoren_breed", IndicatorenBreed.validate(df), settings.output, paths.INDICATOREN_BREED)
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


@dg.asset(group_name=GROUP, code_version="1", deps=[indicatoren], check_specs=[bsn_guard.spec("terugval_doel")],
          description="Analyst view: terugval_5j against its target (assets/reference/doelen.csv, default 7%).")
def terugval_doel(context: dg.AssetExecutionContext, settings: DdasSettings):
    df = doel_view(pl.scan_parquet(paths.out(settings.output, paths.INDICATOREN)), read_doelen()).collect()
    check, meta = _write("terugval_doel", TerugvalDoel.validate(df), settings.output, paths.TERUGVAL_DOEL)
    meta["boven_doel"] = int((~df["doel_gehaald"]).sum())  # null (suppressed) is not counted
    yield from bsn_guard.emit(check, dg.MaterializeResult(metadata=meta))


ASSETS = [indicatoren, indicatoren_breed, terugval_doel]
