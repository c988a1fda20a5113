"""The one place that assembles the Dagster Definitions (loaded by workspace.yaml)."""
from __future__ import annotations

import dagster as dg

from assets.common.settings import DdasSettings
from assets.harmonise import dagster_assets as harmonise
from assets.indicators import dagster_assets as indicators
from assets.ingest import dagster_assets as ingest
from assets.quality import dagster_assets as quality
from pipelines.jobs import ddas_job
from pipelines.progress import progress_logger

# Flow order: ingest -> quality, harmonise -> indicators.
ALL_ASSETS = dg.load_assets_from_modules([ingest, quality, harmonise, indicators])

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=[ddas_job],
    resources={"settings": DdasSettings()},
    loggers={"console": dg.colored_console_logger, "progress": progress_logger},
)
