"""The one line `ddas run` prints when a run fails: the cause, not Dagster's wrapping.

Dagster wraps an asset's exception ("Error occurred while executing op ...") and a
resource's ("Error executing resource_fn ..."); the cause is the first error below
those wrappers. Our
own errors already read as one line and are shown bare; any other exception keeps its
class name (`KeyError: 'x'`). Runs of nine or more digits are masked (a file name could
hold a BSN).
"""
from __future__ import annotations

import re

from assets.common.paths import mask_digits

# Errors whose message is written to be read as is.
OWN = {"Failure", "PublishError", "OutputWriteError", "RunBusy", "Refusal", "DagsterAssetCheckFailedError"}
_PREFIX = re.compile(r"^[A-Za-z_][\w.]*: ")
MAX_CHARS = 400


def cause_line(error) -> str:
    """One line from a SerializableErrorInfo chain: the first error below Dagster's own
    wrappers (the one our code raised, not what it was raised from)."""
    while error is not None and error.cause is not None and (error.cls_name or "").startswith("Dagster") \
            and error.cls_name not in OWN:
        error = error.cause
    if error is None:
        return "unknown error"
    lines = [ln.strip() for ln in (error.message or "").splitlines() if ln.strip()]
    # a few lines joined (a failed blocking check names itself on its second line), kept short
    text = " ".join(lines[:3]) if lines else error.cls_name or "unknown error"
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 1].rstrip() + "…"
    bare = _PREFIX.sub("", text, count=1)
    if error.cls_name not in OWN and not bare.startswith(f"{error.cls_name}"):
        bare = f"{error.cls_name}: {bare}"
    return mask_digits(" ".join(bare.split()))


def failure_line(events) -> str:
    """The cause of a failed run from its events: the first failed step, else a resource
    that could not start (the lock, the output folder), else the run's own failure."""
    run_failure = None
    for event in events:
        kind = event.event_type_value
        if kind == "STEP_FAILURE":
            return f"asset {event.step_key} failed: {cause_line(event.step_failure_data.error)}"
        if kind == "RESOURCE_INIT_FAILURE":
            return cause_line(event.event_specific_data.error)
        if kind == "PIPELINE_FAILURE" and getattr(event.event_specific_data, "error", None) is not None:
            run_failure = event.event_specific_data.error
    return cause_line(run_failure) if run_failure is not None else "the run failed"
