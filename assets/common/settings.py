"""Run configuration: environment variables (spec/README.md), also set by `ddas run` flags.

The key is read from the environment at run time and never copied into run config,
metadata or logs.
"""
from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import dagster as dg

from assets.common.bsn import check_key


def today_amsterdam() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def parse_peildatum(text: str | None) -> dt.date:
    """`YYYY-MM-DD`, default today in Europe/Amsterdam; ValueError with one clear line."""
    if not text:
        return today_amsterdam()
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else _bad(text)
    except ValueError:
        _bad(text)


def _bad(text: str):
    raise ValueError(f"DDAS_PEILDATUM must be a date YYYY-MM-DD, got {text!r}")


class DdasSettings(dg.ConfigurableResource):
    """Folders and peildatum of a run. Defaults come from the DDAS_* environment variables."""

    landing_dir: str = ""
    output_dir: str = ""
    peildatum: str = ""

    @property
    def landing(self) -> str:
        return self.landing_dir or os.environ.get("DDAS_LANDING_DIR", "")

    @property
    def output(self) -> str:
        return self.output_dir or os.environ.get("DDAS_OUTPUT_DIR", "")

    @property
    def peil(self) -> dt.date:
        return parse_peildatum(self.peildatum or os.environ.get("DDAS_PEILDATUM"))

    def key(self) -> bytes:
        return check_key(os.environ.get("DDAS_PSEUDONYM_KEY"))
