"""Start a run when files appear in, change in or leave the landing folder (by name and hash).

The cursor holds, per relative path, (size, mtime_ns, sha256): a file is re-hashed only
when its size or mtime changed, so a quiet night costs a directory listing.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import dagster as dg

from assets.ingest.inventory import list_files
from pipelines.jobs import ddas_job


def landing_state(landing: Path, previous: dict[str, list]) -> dict[str, list]:
    """{relative path: [size, mtime_ns, sha256]} of every file under the kind folders."""
    state: dict[str, list] = {}
    for _bron, rel, path in list_files(landing):
        st = path.stat()
        old = previous.get(rel)
        if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            state[rel] = old
            continue
        with path.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        state[rel] = [st.st_size, st.st_mtime_ns, digest]
    return state


def fingerprint(state: dict[str, list]) -> str:
    """What identifies a landing folder's contents: names and hashes, not timestamps."""
    text = "\n".join(f"{rel}:{v[2]}" for rel, v in sorted(state.items()))
    return hashlib.sha256(text.encode()).hexdigest()


@dg.sensor(job=ddas_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Requests a run when a landing file is new, changed or removed (name and sha256).")
def landing_sensor(context: dg.SensorEvaluationContext):
    landing = os.environ.get("DDAS_LANDING_DIR", "")
    if not landing or not Path(landing).is_dir():
        return dg.SkipReason("DDAS_LANDING_DIR is not set or does not exist")
    cursor = json.loads(context.cursor) if context.cursor else {"state": {}, "fingerprint": None}
    state = landing_state(Path(landing), cursor["state"])
    fp = fingerprint(state)
    new_cursor = json.dumps({"state": state, "fingerprint": fp})
    if fp == cursor["fingerprint"]:
        context.update_cursor(new_cursor)
        return dg.SkipReason("landing folder unchanged")
    changed = sorted(set(state) ^ set(cursor["state"]) | {r for r in state if r in cursor["state"] and state[r][2] != cursor["state"][r][2]})
    context.update_cursor(new_cursor)
    return dg.RunRequest(run_key=fp, tags={"ddas/changed_files": str(len(changed))})
