"""Start a run when files appear in, change in or leave the landing folder (by name and hash)."""
from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.common.publish import PublishError, check_landing
from assets.common.settings import DdasSettings
from assets.ingest.landing_state import fingerprint, landing_state
from pipelines.jobs import ddas_job, landing_configured


def evaluate(landing: str, cursor: str | None) -> tuple[dg.RunRequest | dg.SkipReason, str | None]:
    """Pure sensor logic: (what to do, new cursor). The cursor stores names, sizes, mtimes, hashes."""
    if not landing or not Path(landing).is_dir():
        return dg.SkipReason("DDAS_LANDING_DIR is not set or does not exist"), cursor
    try:  # a folder without any kind subfolder is a wrong path: a run would only be refused
        check_landing(landing)
    except PublishError as e:
        return dg.SkipReason(str(e)), cursor
    old = json.loads(cursor) if cursor else {"state": {}, "fingerprint": None}
    state = landing_state(Path(landing), old["state"])
    fp = fingerprint(state)
    new_cursor = json.dumps({"state": state, "fingerprint": fp}, sort_keys=True)
    if fp == old["fingerprint"]:
        return dg.SkipReason("landing folder unchanged"), new_cursor
    changed = set(state) ^ set(old["state"])
    changed |= {r for r in state if r in old["state"] and state[r][2] != old["state"][r][2]}
    return dg.RunRequest(run_key=fp, tags={"ddas/gewijzigde_bestanden": str(len(changed))}), new_cursor


@dg.sensor(job=ddas_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING if landing_configured() else dg.DefaultSensorStatus.STOPPED,
           description="Requests a run when a landing file is new, changed or removed (name and sha256).")
def landing_sensor(context: dg.SensorEvaluationContext, settings: DdasSettings):
    result, cursor = evaluate(settings.landing, context.cursor)
    if cursor is not None and cursor != context.cursor:
        context.update_cursor(cursor)
    return result
