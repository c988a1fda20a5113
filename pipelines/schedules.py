"""The nightly load at 02:00 Amsterdam time (daylight saving handled by Dagster)."""
import dagster as dg

from pipelines.jobs import ddas_job, landing_configured

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_load",
    job=ddas_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Amsterdam",
    description="Full reload of the landing folder every night at 02:00 Europe/Amsterdam.",
    # Armed only where a landing folder is configured (see landing_configured).
    default_status=dg.DefaultScheduleStatus.RUNNING if landing_configured() else dg.DefaultScheduleStatus.STOPPED,
)
