"""Runs in the Dagster instance: who runs on which output folder, and runs that died.

Every run is tagged with its process id, host and output folder when it takes the
folder's lock. A run killed with `kill -9` cannot record its own end and would stay
STARTED forever; the next run of the same folder (which holds the lock, so the other
cannot be running) reports it failed when its process is gone.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

import dagster as dg

from assets.common.paths import mask_digits

TAG_PID, TAG_HOST, TAG_OUTPUT = "ddas/pid", "ddas/host", "ddas/uitvoer"


def run_tags(output: str | Path) -> dict[str, str]:
    return {TAG_PID: str(os.getpid()), TAG_HOST: socket.gethostname(), TAG_OUTPUT: mask_digits(str(output))}


def tag_run(instance: dg.DagsterInstance, run: dg.DagsterRun, output: Path) -> None:
    tags = run_tags(output)
    if any(run.tags.get(k) != v for k, v in tags.items()):
        instance.add_run_tags(run.run_id, tags)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: dead
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def fail_dead_runs(instance: dg.DagsterInstance, output: Path, current_run_id: str) -> list[str]:
    """Report every STARTED run of this output folder on this host whose process is gone
    as failed. Returns their run ids."""
    tags = run_tags(output)
    runs = instance.get_runs(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
        tags={TAG_HOST: tags[TAG_HOST], TAG_OUTPUT: tags[TAG_OUTPUT]}))
    failed = []
    for run in runs:
        pid = run.tags.get(TAG_PID, "")
        if run.run_id == current_run_id or not pid.isdigit() or pid_alive(int(pid)):
            continue
        instance.report_run_failed(run, message=f"the run's process (pid {pid}) ended without finishing the run "
                                               f"(killed?); found by run {current_run_id}")
        failed.append(run.run_id)
    return failed
