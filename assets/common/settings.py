"""Run configuration: environment variables (spec/README.md), also set by `ddas run` flags.

The key is read from the environment at run time and never copied into run config,
metadata or logs.

During a Dagster run, `output` is the run's own work folder (assets/common/publish.py):
the assets keep writing `paths.out(settings.output, ...)` and the `publicatie` asset
swaps the whole set into `published` at the end. The resource takes the output folder's
lock when the run starts and releases it (and removes the work folder) when it ends.
Outside a run (a check or a function called directly) `output` is the published folder.
"""
from __future__ import annotations

import datetime as dt
import os

import dagster as dg
from pydantic import PrivateAttr

from assets.common import publish
from assets.common.bsn import check_key
from assets.common.peildatum import parse_historie_vanaf, parse_peildatum, today_amsterdam  # noqa: F401  (re-exported)
from assets.common.run_records import fail_dead_runs, tag_run


class DdasSettings(dg.ConfigurableResource):
    """Folders and peildatum of a run. Defaults come from the DDAS_* environment variables."""

    landing_dir: str = ""
    output_dir: str = ""
    peildatum: str = ""
    historie_vanaf: str = ""
    accepteer_krimp: bool = False
    # A run started by the daemon or the UI waits this long for a running one to finish
    # (a national run takes about a minute); `ddas run` takes the lock itself, without waiting.
    wacht_op_lopende_run_s: int = 300

    _run: publish.RunFolder | None = PrivateAttr(default=None)

    @property
    def landing(self) -> str:
        return self.landing_dir or os.environ.get("DDAS_LANDING_DIR", "")

    @property
    def published(self) -> str:
        """The output folder whose set the run replaces."""
        return self.output_dir or os.environ.get("DDAS_OUTPUT_DIR", "")

    @property
    def output(self) -> str:
        """Where the assets read and write: the run's work folder during a run."""
        return str(self._run.work) if self._run else self.published

    @property
    def run_folder(self) -> publish.RunFolder | None:
        return self._run

    @property
    def krimp_accepted(self) -> bool:
        """--accepteer-krimp: publish although accepted records fell by more than 20 %."""
        return self.accepteer_krimp or os.environ.get("DDAS_ACCEPTEER_KRIMP", "").strip().lower() in ("1", "true", "ja")

    @property
    def peil(self) -> dt.date:
        return parse_peildatum(self.peildatum or os.environ.get("DDAS_PEILDATUM"))

    @property
    def historie_start(self) -> dt.date | None:
        """The configured history start H (process.md §4), or None: the earliest aanmelddatum."""
        return parse_historie_vanaf(self.historie_vanaf or os.environ.get("DDAS_HISTORIE_VANAF"))

    def key(self) -> bytes:
        return check_key(os.environ.get("DDAS_PSEUDONYM_KEY"))

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if not self.published or context.run is None:
            return
        run = context.run
        self._run = publish.begin_run(self.published, run.run_id, wait_s=self.wacht_op_lopende_run_s)
        if context.instance is None:
            return
        try:  # bookkeeping in the instance; a hiccup there must not stop the run
            tag_run(context.instance, run, self._run.published)
            fail_dead_runs(context.instance, self._run.published, run.run_id)
        except Exception as e:  # noqa: BLE001
            if context.log:
                context.log.warning(f"run bookkeeping in the Dagster instance failed: {e.__class__.__name__}")

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._run is not None:
            publish.end_run(self._run)
            self._run = None
