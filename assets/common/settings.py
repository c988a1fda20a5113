"""Run configuration: environment variables (spec/README.md), also set by `ddas run` flags.

The key is read from the environment at run time and never copied into run config,
metadata or logs.
"""
from __future__ import annotations

import datetime as dt
import os

import dagster as dg

from assets.common.bsn import check_key
from assets.common.peildatum import parse_historie_vanaf, parse_peildatum, today_amsterdam  # noqa: F401  (re-exported)


class DdasSettings(dg.ConfigurableResource):
    """Folders and peildatum of a run. Defaults come from the DDAS_* environment variables."""

    landing_dir: str = ""
    output_dir: str = ""
    peildatum: str = ""
    historie_vanaf: str = ""

    @property
    def landing(self) -> str:
        return self.landing_dir or os.environ.get("DDAS_LANDING_DIR", "")

    @property
    def output(self) -> str:
        return self.output_dir or os.environ.get("DDAS_OUTPUT_DIR", "")

    @property
    def peil(self) -> dt.date:
        return parse_peildatum(self.peildatum or os.environ.get("DDAS_PEILDATUM"))

    @property
    def historie_start(self) -> dt.date | None:
        """The configured history start H (process.md §4), or None: the earliest aanmelddatum."""
        return parse_historie_vanaf(self.historie_vanaf or os.environ.get("DDAS_HISTORIE_VANAF"))

    def key(self) -> bytes:
        return check_key(os.environ.get("DDAS_PSEUDONYM_KEY"))
