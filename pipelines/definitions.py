"""The one place that assembles the Dagster Definitions (loaded by workspace.yaml)."""
from __future__ import annotations

from datetime import timedelta

import dagster as dg

from assets.common.settings import DdasSettings
from assets.harmonise import dagster_assets as harmonise
from assets.indicators import dagster_assets as indicators
from assets.ingest import dagster_assets as ingest
from assets.publish.dagster_assets import build_publicatie
from assets.quality import dagster_assets as quality
from assets.quality.dagster_checks import CHECKS
from assets.report import dagster_assets as report
from pipelines.jobs import ddas_job
from pipelines.progress import progress_logger
from pipelines.schedules import nightly_schedule
from pipelines.sensors import landing_sensor

# A nightly load that did not happen shows in the UI: warn after 26 hours, fail after 50.
INDICATOR_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=50), warn_window=timedelta(hours=26))


def _fresh(spec: dg.AssetSpec) -> dg.AssetSpec:
    return spec.replace_attributes(freshness_policy=INDICATOR_FRESHNESS) if spec.key.path == ["indicatoren"] else spec


def _every_asset(assets) -> list[dg.AssetKey]:
    """Every materialisable asset: `publicatie` waits for all of them. Leaves alone are not
    enough: in a run of a few assets Dagster orders only by edges between selected assets,
    so `publicatie` would run before a selected reader whose downstream is not selected."""
    keys = {k for a in assets if isinstance(a, dg.AssetsDefinition) and a.is_materializable for k in a.keys}
    return sorted(keys, key=lambda k: k.to_user_string())


# Flow order: ingest -> quality, harmonise -> indicators -> publicatie.
PIPELINE_ASSETS = dg.map_asset_specs(_fresh, dg.load_assets_from_modules([ingest, quality, harmonise, indicators, report]))
ALL_ASSETS = [*PIPELINE_ASSETS, build_publicatie(_every_asset(PIPELINE_ASSETS))]

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=CHECKS,
    jobs=[ddas_job],
    schedules=[nightly_schedule],
    sensors=[landing_sensor],
    resources={"settings": DdasSettings()},
    executor=dg.in_process_executor,  # also for runs of a few assets from the UI (pipelines/jobs.py)
    loggers={"console": dg.colored_console_logger, "progress": progress_logger},
)
