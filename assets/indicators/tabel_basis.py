"""What the four tables of process.md §3 share: their inputs, the lower percentiles, and
publishing a suppressed row (every number empty, §6.4).

Each table is one pure function `Invoer -> pl.DataFrame` in its own module, registered
in `tabellen.py`; suppression itself is `disclosure.py`, the one implementation.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import polars as pl

from assets.indicators.disclosure import STATE
from assets.indicators.table import client_trajectories, eligible_trajectories, historie_start


@dataclass(frozen=True)
class Invoer:
    """The model as the tables read it. `trajecten`: the eligible trajectories (not I&A
    only, gemeente normalised) with the fields of process.md §1; `pairs`: their (trajectory,
    client) rows; `clienten`: model/trajectclienten (leeftijdsklasse, geslacht);
    `indicatoren`: the published indicator table (terugval_uitsplitsing's totals)."""

    trajecten: pl.LazyFrame
    pairs: pl.LazyFrame
    clienten: pl.LazyFrame
    schulden: pl.LazyFrame
    indicatoren: pl.LazyFrame
    peildatum: dt.date
    historie: dt.date | None  # H of process.md §4 (None: nothing flagged)


def invoer(
    trajecten: pl.LazyFrame, clienten: pl.LazyFrame, schulden: pl.LazyFrame, indicatoren: pl.LazyFrame,
    peildatum: dt.date, historie_vanaf: dt.date | None = None,
) -> Invoer:
    """Invoer from the model tables as written (the same restriction as the indicators)."""
    # No explicit .cache() here (unlike table.model_inputs): polars 1.44's optimiser panics
    # ("expected filter") when a cached frame feeds by_region's two filtered branches.
    eligible = eligible_trajectories(trajecten)
    start = pl.select(historie_start(trajecten, historie_vanaf)).item()
    return Invoer(eligible, client_trajectories(eligible, clienten), clienten, schulden, indicatoren,
                  peildatum, start)


def gedeeld(inv: Invoer) -> Invoer:
    """`inv` with the eligible trajectories read and normalised once, in memory, for
    several tables in one step (each would otherwise scan and prepare the model again)."""
    eligible = inv.trajecten.collect().lazy()
    return replace(inv, trajecten=eligible, pairs=client_trajectories(eligible, inv.clienten))


def positie(n: pl.Expr, teller: int, noemer: int) -> pl.Expr:
    """The 0-based index of position ⌈n·teller/noemer⌉ in a sorted list of n values."""
    return (n * teller + noemer - 1) // noemer - 1


def lager_kwantiel(waarde: str, teller: int, noemer: int) -> pl.Expr:
    """In an aggregation: the value at position ⌈n·teller/noemer⌉ of the sorted non-null
    values (⌈n/2⌉: the lower median); null when there are none."""
    v = pl.col(waarde).drop_nulls().sort()
    return v.get(positie(v.len().cast(pl.Int64), teller, noemer), null_on_oob=True)


def gesorteerd(waarde: str) -> pl.Expr:
    """In an aggregation: the sorted non-null values as a list, for several `uit_lijst`
    (one sort per group instead of one per percentile)."""
    return pl.col(waarde).drop_nulls().sort()


def uit_lijst(lijst: str, teller: int, noemer: int) -> pl.Expr:
    """`lager_kwantiel` from the sorted list of `gesorteerd`: the same value, null when empty."""
    v = pl.col(lijst)
    return v.list.get(positie(v.list.len().cast(pl.Int64), teller, noemer), null_on_oob=True)


def getoond() -> pl.Expr:
    """The row is published (not suppressed)."""
    return pl.col(STATE).is_null()


def leeg_tenzij_getoond(*cols: str) -> list[pl.Expr]:
    """The numbers of a suppressed row are empty (process.md §6.4)."""
    return [pl.when(getoond()).then(pl.col(c)).alias(c) for c in cols]


def voorlopig_jaar(peildatum: dt.date) -> pl.Expr:
    """x >= year(P): the year is not over at the peildatum."""
    return pl.col("jaar") >= peildatum.year
