"""Run configuration: one Dagster resource, `settings`, whose fields come from the DDAS_*
environment variables through `dg.EnvVar` (pipelines/definitions.py) or from `ddas run`
flags as run config (pipelines/cli.py). Nothing here reads the environment: assets,
checks, sensors and schedules get the values from this resource, pure functions get them
as arguments.

The key is a field bound to `dg.EnvVar("DDAS_PSEUDONYM_KEY")` (the UI shows the variable's
name, never its value); the CLI passes `{"env": "DDAS_PSEUDONYM_KEY"}`, never the key.

During a Dagster run, `output` is the run's own work folder (assets/common/publish.py):
the assets write through `store` and the `publicatie` asset swaps the whole set into
`published` at the end. The resource takes the output folder's lock when the run starts
and releases it (and removes the work folder) when it ends. Outside a run (a check or a
function called directly) `output` is the published folder.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import dagster as dg
from pydantic import PrivateAttr

from assets.common import paths, publish
from assets.common.bsn import check_key
from assets.common.peildatum import parse_historie_vanaf, parse_peildatum, today_amsterdam  # noqa: F401  (re-exported)
from assets.common.run_records import fail_dead_runs, tag_run
from assets.common.store import OutputStore

DEFAULT_MAX_SHARE = 0.05

# field -> environment variable. Every field is the variable's text ("" when unset), so an
# EnvVar can fill any of them; the typed properties below parse it.
ENV_VARS = {
    "landing_dir": "DDAS_LANDING_DIR",
    "output_dir": "DDAS_OUTPUT_DIR",
    "peildatum": "DDAS_PEILDATUM",
    "historie_vanaf": "DDAS_HISTORIE_VANAF",
    "accepteer_krimp": "DDAS_ACCEPTEER_KRIMP",
    "pseudonym_key": "DDAS_PSEUDONYM_KEY",
    "workers": "DDAS_WORKERS",
    "quarantaine_max_aandeel": "DDAS_QUARANTAINE_MAX_AANDEEL",
    "mapping_dir": "DDAS_MAPPING_DIR",
    "volledig": "DDAS_VOLLEDIG",
    "test_pause_after": "DDAS_TEST_PAUSE_AFTER",
}
SECRET_FIELDS = ("pseudonym_key",)  # only ever an EnvVar / {"env": ...}: never a value in run config


class DdasSettings(dg.ConfigurableResource):
    """Folders, dates and tuning of a run; each field's variable is in ENV_VARS."""

    landing_dir: str = ""
    output_dir: str = ""
    peildatum: str = ""  # YYYY-MM-DD; empty: today in Europe/Amsterdam
    historie_vanaf: str = ""  # YYYY-MM-DD; empty: the earliest aanmelddatum
    accepteer_krimp: str = ""  # "1", "true" or "ja": publish despite a drop of more than 20 %
    pseudonym_key: str = ""
    workers: str = ""  # processes for the DDAS reader and the report; empty: by load size / cores
    quarantaine_max_aandeel: str = ""  # warning threshold of the quarantaine_aandeel check; empty: 5 %
    mapping_dir: str = ""  # folder of mapping CSVs replacing the shipped ones; empty: the shipped ones
    volledig: str = ""  # "1", "true" or "ja": read every file and compute every step again, rebuild the caches (docs/incremental.md)
    test_pause_after: str = ""  # TEST ONLY: a step key or "wissel" (assets/common/publish.test_pause)
    # A run started by the daemon or the UI waits this long for a running one to finish
    # (a national run takes about a minute); `ddas run` takes the lock itself, without waiting.
    wacht_op_lopende_run_s: int = 300

    _run: publish.RunFolder | None = PrivateAttr(default=None)

    @property
    def landing(self) -> str:
        return self.landing_dir

    @property
    def published(self) -> str:
        """The output folder whose set the run replaces."""
        return self.output_dir

    @property
    def output(self) -> str:
        """Where the assets read and write: the run's work folder during a run."""
        return str(self._run.work) if self._run else self.published

    @property
    def store(self) -> OutputStore:
        """The output folder of this run: paths, reads, guarded writes, metadata."""
        return OutputStore(self.output)

    @property
    def run_folder(self) -> publish.RunFolder | None:
        return self._run

    @property
    def krimp_accepted(self) -> bool:
        """--accepteer-krimp: publish although accepted records fell by more than 20 %."""
        return self.accepteer_krimp.strip().lower() in ("1", "true", "ja")

    @property
    def full_read(self) -> bool:
        """--volledig: ignore the caches of reader results and step outputs and rebuild them."""
        return self.volledig.strip().lower() in ("1", "true", "ja")

    @property
    def cache_dir(self) -> str | None:
        """Where the per-file cache of reader results lives (paths.cache_root); None
        without an output folder."""
        return str(paths.cache_root(publish.work_root(self.published))) if self.published else None

    @property
    def peil(self) -> dt.date:
        return parse_peildatum(self.peildatum or None)

    @property
    def historie_start(self) -> dt.date | None:
        """The configured history start H (process.md §4), or None: the earliest aanmelddatum."""
        return parse_historie_vanaf(self.historie_vanaf or None)

    @property
    def worker_count(self) -> int | None:
        """DDAS_WORKERS as a number (1: everything in this process), None when unset."""
        setting = self.workers.strip()
        if not setting:
            return None
        if not setting.isdigit() or int(setting) < 1:
            raise ValueError(f"DDAS_WORKERS must be a whole number of at least 1, got {setting!r}")
        return int(setting)

    @property
    def max_share(self) -> float:
        return float(self.quarantaine_max_aandeel) if self.quarantaine_max_aandeel.strip() else DEFAULT_MAX_SHARE

    def key(self) -> bytes:
        return check_key(self.pseudonym_key or None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if not self.published or context.run is None:
            return
        run = context.run
        rf = publish.begin_run(self.published, run.run_id, wait_s=self.wacht_op_lopende_run_s)
        self._run = dataclasses.replace(rf, pause_after=self.test_pause_after)
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
