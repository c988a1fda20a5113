"""The peildatum of a run, without Dagster: the command line can parse it (and so can a
process the readers start) without importing Dagster, which costs about a second."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


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


def parse_historie_vanaf(text: str | None) -> dt.date | None:
    """`DDAS_HISTORIE_VANAF` / `--historie-vanaf`: where the delivered history starts
    (spec process.md §4); None when not set (then H is the earliest aanmelddatum)."""
    if not text or not text.strip():
        return None
    try:
        if len(text.strip()) == 10:
            return dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise ValueError(f"DDAS_HISTORIE_VANAF must be a date YYYY-MM-DD, got {text!r}")
