"""One progress line per stage on a terminal, fed by Dagster's own step events."""
from __future__ import annotations

import logging
import sys
import time

import dagster as dg

_SHOWN = {"STEP_START": "start", "STEP_SUCCESS": "klaar", "STEP_FAILURE": "MISLUKT"}


class _StepLines(logging.Handler):
    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None)
        event = meta.get("dagster_event") if isinstance(meta, dict) else None
        if event is None or event.event_type_value not in _SHOWN or not event.step_key:
            return
        step = event.step_key
        now = time.monotonic()
        if event.event_type_value == "STEP_START":
            self.started[step] = now
            return  # the line is printed when the step ends, with its duration
        took = now - self.started.get(step, now)
        print(f"  {_SHOWN[event.event_type_value]:<7} {step:<40} {took:6.1f} s", file=self.stream, flush=True)


@dg.logger(description="Prints one line per finished step (used by `ddas run` on a terminal).")
def progress_logger(init_context) -> logging.Logger:
    log = logging.getLogger("ddas.progress")
    log.handlers = [_StepLines(sys.stderr)]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    return log
