"""Working days of the Algemene termijnenwet as process.md §2 and §6.1 read them.

A working day is Monday to Friday and not one of these holidays: 1 January, Easter
Monday, Ascension Day, Whit Monday, King's Day (27 April; 26 April when 27 April is a
Sunday, so then a Saturday), 5 May (every year) and 25 and 26 December. Good Friday is
a working day. Easter comes from python-dateutil (`dateutil.easter`, Gregorian), pinned
in constraints.txt and already installed with matplotlib.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl
from dateutil.easter import easter

# The holiday list handed to polars covers these years; dates outside it would count
# holidays as working days, so the range is far wider than any delivery can be.
EERSTE_JAAR, LAATSTE_JAAR = 1900, 2199


def feestdagen(jaar: int) -> list[dt.date]:
    """The public holidays of `jaar` that are not working days, sorted and distinct
    (Ascension Day can fall on 5 May, as in 2008 and 2078)."""
    pasen = easter(jaar)
    koning = dt.date(jaar, 4, 27)
    if koning.weekday() == 6:  # Sunday: celebrated on Saturday the 26th
        koning = dt.date(jaar, 4, 26)
    return sorted({
        dt.date(jaar, 1, 1),
        pasen + dt.timedelta(days=1),  # tweede paasdag
        pasen + dt.timedelta(days=39),  # Hemelvaartsdag
        pasen + dt.timedelta(days=50),  # tweede pinksterdag
        koning,
        dt.date(jaar, 5, 5),
        dt.date(jaar, 12, 25),
        dt.date(jaar, 12, 26),
    })


@lru_cache(maxsize=1)
def alle_feestdagen() -> tuple[dt.date, ...]:
    return tuple(d for j in range(EERSTE_JAAR, LAATSTE_JAAR + 1) for d in feestdagen(j))


def is_werkdag(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in feestdagen(d.year)


def werkdag_na(datum: pl.Expr, n: int) -> pl.Expr:
    """The n-th working day after `datum`, counting from the day after it.

    polars adds business days from `datum` itself; a `datum` that is no working day is
    first rolled back to the previous working day w, which gives the same answer because
    no working day lies between w and `datum`.
    """
    return datum.dt.add_business_days(n, holidays=list(alle_feestdagen()), roll="backward")
