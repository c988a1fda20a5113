"""`ddas trace` for an early-warning cell (indicatoren/vroegsignalering.parquet): the
signals, cases, households or persons behind it, recounted from the model tables with
the same units as the counts (assets/vroegsignalering/members.py). Pseudonyms only."""
from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from assets.common import paths
from assets.vroegsignalering.indicators import VS_INDICATORS
from assets.vroegsignalering.members import cell_members
from pipelines.trace import SMALL_NUMBERS_WARNING, TraceError, _emit, _scan
from schemas.indicators import MIN_NOEMER

UNITS = {i.code: {"signaal": "signals", "zaak": "cases", "huishouden": "households", "persoon": "persons"}[i.eenheid]
         for i in VS_INDICATORS}


def trace_vs_cell(output: Path, indicator: str, regio: str, jaar: int, fmt: str, target: str | None, limit: int) -> None:
    members = cell_members(indicator, regio, jaar, _scan(output, paths.VROEGSIGNALEN), _scan(output, paths.VROEGSIGNAALZAKEN),
                           _scan(output, paths.TRAJECTEN), _scan(output, paths.TRAJECTCLIENTEN))
    published_path = paths.out(output, paths.VS_INDICATOREN)
    rows = pl.read_parquet(published_path).filter(
        (pl.col("indicator") == indicator) & (pl.col("regio_code") == regio) & (pl.col("jaar") == jaar)
    ) if published_path.is_file() else pl.DataFrame()
    published = rows.row(0, named=True) if rows.height else None
    teller, noemer = int(members["in_teller"].sum()), members.height
    if noemer == 0 and published is None:
        raise TraceError(f"no units behind {indicator} {regio} {jaar}: the cell does not exist")
    info = lambda text: click.echo(text, err=fmt != "table")  # noqa: E731  (keep csv on stdout clean)
    info(f"cell       {indicator}  {regio}  {jaar}")
    if published is None:
        info(f"published  (no row in {paths.VS_INDICATOREN}: recounted from the model only)")
    elif published["onderdrukt"]:
        info(f"published  suppressed ({published['onderdrukking']}); voorlopig: {published['voorlopig']}")
    else:
        info(f"published  teller {published['teller']}, noemer {published['noemer']}, "
             f"waarde {published['waarde']}%; voorlopig: {published['voorlopig']}")
    info(f"members    {noemer} {UNITS[indicator]}, {teller} in teller (recounted from {paths.VROEGSIGNALEN} and co.)")
    if (published["onderdrukt"] if published else False) or noemer < MIN_NOEMER:
        click.echo(SMALL_NUMBERS_WARNING.format(min=MIN_NOEMER), err=True)
    elif published is not None and (published["teller"], published["noemer"]) != (teller, noemer):
        click.echo("WARNING: the published cell differs from the recount: the tables come from different runs", err=True)
    if fmt == "table":
        info("")
    _emit(members, fmt, target, limit, UNITS[indicator])
