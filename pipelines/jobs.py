"""Jobs: the full load materialises every asset (and runs every check) once."""
import dagster as dg

# Transient failures (a network share that hiccups, a file still being copied) get two
# more tries with growing pauses; a refused file is not a failure and is never retried.
RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL)

ddas_job = dg.define_asset_job(
    "ddas_job",
    selection=dg.AssetSelection.all(),
    description="Full load: ingest every landing file, harmonise, compute indicators, run the checks.",
    op_retry_policy=RETRY,
)
