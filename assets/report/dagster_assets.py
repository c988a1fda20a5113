"""Thin Dagster wiring: the report pages under `rapport/`, built after the indicator and
quality tables, linked from the materialisation's metadata."""

import dagster as dg

from assets.common import paths
from assets.common.reference import gemeenten
from assets.common.settings import DdasSettings
from assets.common.store import OutputStore
from assets.indicators import dagster_assets as indicator_assets
from assets.quality import dagster_assets as quality_assets
from assets.report.data import ReportData
from assets.report.write import write_pages

GROUP = "report"
# Tables a later version adds; a section whose table is absent is left out of the page.
OPTIONAL = {
    "doorlooptijden": "indicatoren/doorlooptijden.parquet",
    "uitstroom": "indicatoren/uitstroom.parquet",
    "vroegsignalering": "indicatoren/vroegsignalering.parquet",
}


def load(store: OutputStore) -> ReportData:
    names = dict(gemeenten().select("gemeentecode", "gemeentenaam").iter_rows())
    return ReportData(
        store.read(paths.INDICATOREN),
        terugval_doel=store.read_optional(paths.TERUGVAL_DOEL),
        namen=names,
        tables={k: t for k, rel in OPTIONAL.items() if (t := store.read_optional(rel)) is not None},
        leveringen=store.read_optional(paths.LEVERINGEN),
        quarantaine=store.read_optional(paths.QUARANTAINE),
        schema_afwijkingen=store.read_optional(paths.SCHEMA_AFWIJKINGEN),
    )


def _deps() -> list[dg.AssetKey]:
    return [k for a in (*indicator_assets.ASSETS, *quality_assets.ASSETS) for k in a.keys]


@dg.asset(group_name=GROUP, code_version="1", deps=_deps(),
          description="HTML report for analysts under rapport/: the national picture (index.html), a page per "
                      "gemeente (gemeenten/GMxxxx.html) and the delivery quality (leveranciers.html). Offline: "
                      "charts are inline SVG, no script, nothing loaded from the network.")
def rapport(context: dg.AssetExecutionContext, settings: DdasSettings) -> dg.MaterializeResult:
    # imported here: matplotlib costs every process that loads the definitions half a second
    from assets.report.build import INDEX, LEVERANCIERS, build_all

    d = load(settings.store)
    pages = build_all(d, workers=settings.worker_count)
    written = write_pages(settings.store.root, pages)
    # links point where the pages are read after publishing (the run writes into a work folder)
    published = OutputStore(settings.published or settings.output)
    index, lev = published.path(INDEX), published.path(LEVERANCIERS)
    context.log.info(f"rapport: {len(written)} pagina's")
    return dg.MaterializeResult(metadata={
        "landelijk": dg.MetadataValue.path(str(index)),
        "landelijk_url": dg.MetadataValue.url(index.resolve().as_uri()),
        "leveranciers": dg.MetadataValue.path(str(lev)),
        "leveranciers_url": dg.MetadataValue.url(lev.resolve().as_uri()),
        "gemeentepaginas": dg.MetadataValue.int(len(d.gemeenten())),
        "map_gemeenten": dg.MetadataValue.path(str(published.path("rapport/gemeenten"))),
        "grafieken_landelijk": dg.MetadataValue.int(pages[INDEX].count("<svg")),
    })


ASSETS = [rapport]
