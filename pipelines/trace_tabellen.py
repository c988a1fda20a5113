"""`ddas trace --tabel`: the units behind one cell of a process.md §3 table
(doorlooptijden, uitstroom, schulden, terugval_uitsplitsing), recounted from the model
tables with the same unit functions the tables aggregate (assets/indicators/table_members.py).
Pseudonyms only; small cells carry the small-numbers warning."""
from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from assets.common import paths
from assets.indicators.tabel_basis import invoer
from assets.indicators.table_members import table_members
from assets.indicators.tabellen import BY_NAME
from pipelines.trace import SMALL_NUMBERS_WARNING, TraceError, _emit, _scan
from schemas.indicators import MIN_NOEMER

TABELLEN = list(BY_NAME)
# table -> (the column that names its category, the count column, unit)
CATEGORIE = {"doorlooptijden": ("maat", "n", "trajectories"), "uitstroom": ("uitstroomreden", "aantal", "trajectories"),
             "schulden": (None, "n", "trajectories"), "terugval_uitsplitsing": ("categorie", "noemer", "persons")}


def _published(output: Path, naam: str, regio: str, jaar: int, categorie: str | None, dimensie: str | None) -> dict | None:
    path = paths.out(output, BY_NAME[naam].pad)
    if not path.is_file():
        return None
    cond = (pl.col("regio_code") == regio) & (pl.col("jaar") == jaar)
    col = CATEGORIE[naam][0]
    if col is not None:
        cond &= pl.col(col) == categorie
    if naam == "terugval_uitsplitsing":
        cond &= pl.col("dimensie") == dimensie
    rows = pl.scan_parquet(path).filter(cond).collect()
    return rows.row(0, named=True) if rows.height else None


def trace_table_cell(output: Path, naam: str, regio: str, jaar: int, categorie: str | None, dimensie: str | None,
                     fmt: str, target: str | None, limit: int) -> None:
    col, count, unit = CATEGORIE[naam]
    if col is not None and categorie is None:
        raise TraceError(f"a cell of {naam} needs --categorie (its {col})")
    if naam == "terugval_uitsplitsing" and dimensie is None:
        raise TraceError("a cell of terugval_uitsplitsing needs --dimensie (leeftijdsklasse, geslacht or huishouden)")
    # The member lists read the model only (the published totals are for suppression).
    inv = invoer(_scan(output, paths.TRAJECTEN), _scan(output, paths.TRAJECTCLIENTEN), _scan(output, paths.SCHULDEN_MODEL),
                 pl.LazyFrame(), _peil_of(output))
    try:
        members = table_members(naam, inv, regio, jaar, categorie, dimensie)
    except ValueError as e:
        raise TraceError(str(e)) from None
    published = _published(output, naam, regio, jaar, categorie, dimensie)
    if members.height == 0 and published is None:
        raise TraceError(f"no units behind {naam} {regio} {jaar} {categorie or ''}: the cell does not exist")
    info = lambda text: click.echo(text, err=fmt != "table")  # noqa: E731  (keep csv on stdout clean)
    info(f"cell       {naam}  {regio}  {jaar}  {' '.join(x for x in (dimensie, categorie) if x)}")
    if published is None:
        info(f"published  (no row in {BY_NAME[naam].pad}: recounted from the model only)")
    elif published["onderdrukt"]:
        info(f"published  suppressed ({published['onderdrukking']}); voorlopig: {published['voorlopig']}")
    else:
        info(f"published  {count} {published[count]}; voorlopig: {published['voorlopig']}")
    info(f"members    {members.height} {unit} (recounted from {paths.TRAJECTEN} and co.)")
    if (published["onderdrukt"] if published else False) or members.height < MIN_NOEMER:
        click.echo(SMALL_NUMBERS_WARNING.format(min=MIN_NOEMER), err=True)
    if fmt == "table":
        info("")
    _emit(members, fmt, target, limit, unit)


def _peil_of(output: Path):
    """The peildatum of the published indicator table (counts do not depend on it)."""
    import datetime as dt

    path = paths.out(output, paths.INDICATOREN)
    if path.is_file():
        p = pl.scan_parquet(path).select(pl.col("peildatum").max()).collect().item()
        if p is not None:
            return p
    return dt.date.today()
