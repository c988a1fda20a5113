"""The one place that assembles the Dagster Definitions (loaded by workspace.yaml).

Each stage exposes its own `defs` (assets/<stage>/definitions.py: its assets and checks);
here they are merged with what belongs to the whole pipeline: the job, the schedule, the
sensor, the resources, the loggers and the executor.
"""
from __future__ import annotations

import dagster as dg

from assets.common.settings import DdasSettings
from assets.harmonise.definitions import defs as harmonise
from assets.indicators.definitions import defs as indicators
from assets.ingest.definitions import defs as ingest
from assets.publish.definitions import defs as publish
from assets.quality.definitions import defs as quality
from assets.report.definitions import defs as report
from pipelines.jobs import ddas_job
from pipelines.progress import progress_logger
from pipelines.schedules import nightly_schedule
from pipelines.sensors import landing_sensor

# Flow order: ingest -> quality, harmonise -> indicators -> report -> publicatie.
defs = dg.Definitions.merge(
    ingest, quality, harmonise, indicators, report, publish,
    dg.Definitions(
        jobs=[ddas_job],
        schedules=[nightly_schedule],
        sensors=[landing_sensor],
        resources={"settings": DdasSettings()},
        executor=dg.in_process_executor,  # also for runs of a few assets from the UI (pipelines/jobs.py)
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    ),
)
