"""The one place that assembles the Dagster Definitions (loaded by workspace.yaml).

Each stage exposes its own `defs` (assets/<stage>/definitions.py: its assets and checks);
here they are merged with what belongs to the whole pipeline: the job, the schedule, the
sensor, the resources, the loggers and the executor.
"""
from __future__ import annotations

import dagster as dg

# Stage modules, not their `defs`: Dagster's loader refuses a module with more than one
# Definitions object at module scope (`dagster dev`, `definitions validate`).
from assets.harmonise import definitions as harmonise
from assets.indicators import definitions as indicators
from assets.ingest import definitions as ingest
from assets.publish import definitions as publish
from assets.quality import definitions as quality
from assets.report import definitions as report
from assets.vroegsignalering import definitions as vroegsignalering
from pipelines.jobs import ddas_job
from pipelines.progress import progress_logger
from pipelines.run_config import settings_from_env
from pipelines.schedules import nightly_schedule
from pipelines.sensors import landing_sensor

# Flow order: ingest -> quality, harmonise -> indicators -> report -> publicatie.
defs = dg.Definitions.merge(
    *(stage.defs for stage in (ingest, quality, harmonise, indicators, vroegsignalering, report, publish)),
    dg.Definitions(
        jobs=[ddas_job],
        schedules=[nightly_schedule],
        sensors=[landing_sensor],
        # Configuration: the DDAS_* variables through dg.EnvVar (pipelines/run_config.py);
        # `ddas run` passes its flags as run config of this resource.
        resources={"settings": settings_from_env()},
        executor=dg.in_process_executor,  # also for runs of a few assets from the UI (pipelines/jobs.py)
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    ),
)
