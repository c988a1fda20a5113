"""Jobs: the full load materialises every asset (and runs every check) once, then publishes.

One process per run (in_process_executor): the run holds its output folder's lock and
work folder from start to end (assets/common/settings.py), and the steps share the two
cores inside one process anyway (docs/performance.md).

No step is retried by Dagster: nearly every failure here is deterministic (a BSN found,
a full disk, a read-only folder, a bad asset) and a retry would only repeat it, and
hide the cause behind "Exceeded max_retries". What a second try can get past, a
transient I/O error on a network share, is retried where it happens
(assets/common/parquet_io.py); a refused file is not a failure at all.
"""
import dagster as dg

from assets.common import publish


@dg.success_hook(required_resource_keys={"settings"})
def test_pause_hook(context: dg.HookContext) -> None:
    """TEST ONLY (the settings resource's test_pause_after, DDAS_TEST_PAUSE_AFTER=<step
    key>): pause after that step, leaving a marker in the work root, so that a fault test
    can kill the run at that moment."""
    rf = context.resources.settings.run_folder
    if rf is not None:
        publish.test_pause(context.step_key, rf.root, rf.pause_after)


ddas_job = dg.define_asset_job(
    "ddas_job",
    selection=dg.AssetSelection.all(),
    description="Full load: ingest every landing file, harmonise, compute indicators, run the checks, publish.",
    executor_def=dg.in_process_executor,
    # only when a test asks for a pause: on every other run the hook would store one more
    # event per step (21 of a run's ~270, each a write to the instance) for nothing
    hooks={test_pause_hook} if dg.EnvVar("DDAS_TEST_PAUSE_AFTER").get_value() else set(),
    # Queue key (deploy/dagster.yaml): one run at a time per output folder, the folder this
    # code location is configured with; set when the definitions load, before a run queues.
    tags={"ddas/uitvoermap": dg.EnvVar("DDAS_OUTPUT_DIR").get_value() or "niet-ingesteld"},
)


def landing_configured() -> bool:
    """Whether this code location has a landing folder (DDAS_LANDING_DIR when the
    definitions load). Without one the schedule and the sensor load switched off, so
    `dagster dev` on a laptop does not log "not set" every minute; they can still be
    switched on in the UI."""
    return bool((dg.EnvVar("DDAS_LANDING_DIR").get_value() or "").strip())
