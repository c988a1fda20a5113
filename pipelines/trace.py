"""`ddas trace`: the auditor's path (docs/audit.md) over the outputs of a run.

From one indicator cell to the persons or trajectories behind it, and from a trajectory
(or a legacy CSV Dossiernr) to the delivered records that made it. Reads only the output
folder; needs no peildatum (counts do not depend on it) and no key, except to look up a
Dossiernr: the outputs hold only its keyed hash, so the given number is hashed with
DDAS_PSEUDONYM_KEY the same way (docs/privacy.md). Prints pseudonyms only, never a BSN,
and never echoes the given Dossiernr (a BSN can hide in it).
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click
import polars as pl

from assets.common import paths
from assets.common.bsn import check_key, pseudonym
from assets.common.parquet_io import write_parquet_atomic
from assets.indicators.members import indicator_members, member_counts, trajectory_records
from assets.indicators.tabellen import BY_NAME as TABLES_BY_NAME
from assets.vroegsignalering.indicators import VS_CODES
from schemas.indicators import INDICATOR_CODES, MIN_NOEMER
from schemas.indicator_registry import indicator as registry_entry

REGIO = re.compile(r"^(GM[0-9]{4}|NL)$")
LIST_SEPARATOR = ";"  # list cells (persoon_ids, bewijs_datums) in csv and printed tables

SMALL_NUMBERS_WARNING = (
    "WARNING: this cell is suppressed (noemer < {min}). The list below contains small numbers: "
    "audit use only, do not publish or pass it on."
)


class TraceError(Exception):
    """Why the trace cannot be shown, in one line."""


def _fail(message: str) -> None:
    click.echo(f"ddas trace: {message}", err=True)
    sys.exit(2)


def _scan(output: Path, rel: str) -> pl.LazyFrame:
    path = paths.out(output, rel)
    if not path.is_file():
        raise TraceError(f"{rel} not found in {output}: run `ddas run` first, or pass the right --output")
    return pl.scan_parquet(path)


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    """List columns as text joined by LIST_SEPARATOR, for csv and printing."""
    return df.with_columns(
        pl.col(c).list.eval(pl.element().cast(pl.Utf8)).list.join(LIST_SEPARATOR)
        for c, t in df.schema.items() if isinstance(t, pl.List)
    )


def format_table(df: pl.DataFrame, limit: int = 0) -> str:
    """Plain aligned columns, every value in full (pseudonyms are not shortened)."""
    shown = _flat(df if limit <= 0 else df.head(limit))
    cells = [["" if v is None else str(v) for v in row] for row in shown.iter_rows()]
    widths = [max([len(name)] + [len(r[i]) for r in cells]) for i, name in enumerate(shown.columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(shown.columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    if 0 < limit < df.height:
        out.append(f"... {df.height - limit} more rows (use --limit 0, or --format csv --to FILE)")
    return "\n".join(out)


def _resolve_format(fmt: str | None, target: str | None) -> str:
    if fmt is None:
        suffix = Path(target).suffix.lower() if target else ""
        fmt = {".csv": "csv", ".parquet": "parquet"}.get(suffix, "table")
        if target and fmt == "table":
            raise TraceError("--to needs --format csv or parquet (or a FILE ending in .csv or .parquet)")
    if fmt == "parquet" and not target:
        raise TraceError("--format parquet needs --to FILE")
    if fmt == "table" and target:
        raise TraceError("--format table prints; use --format csv or parquet with --to")
    return fmt


def _emit(df: pl.DataFrame, fmt: str, target: str | None, limit: int, what: str) -> None:
    if fmt == "table":
        click.echo(format_table(df, limit))
    elif fmt == "csv" and not target:
        click.echo(_flat(df).write_csv(), nl=False)
    elif fmt == "csv":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        _flat(df).write_csv(target)
        click.echo(f"ddas trace: {df.height} {what} written to {target}", err=True)
    else:
        write_parquet_atomic(df, target)
        click.echo(f"ddas trace: {df.height} {what} written to {target}", err=True)


def _published_cell(output: Path, indicator: str, regio: str, jaar: int) -> dict | None:
    path = paths.out(output, paths.INDICATOREN)
    if not path.is_file():
        return None
    rows = pl.scan_parquet(path).filter(
        (pl.col("indicator") == indicator) & (pl.col("regio_code") == regio) & (pl.col("jaar") == jaar)
    ).collect()
    return rows.row(0, named=True) if rows.height else None


def trace_cell(output: Path, indicator: str, regio: str, jaar: int, fmt: str, target: str | None, limit: int) -> None:
    dekking_path = paths.out(output, paths.NAZORG_DEKKING)  # as the published counts: covered pairs only
    begeleiding_path = paths.out(output, paths.BEGELEIDING)  # beheer_naar_begeleiding (process.md §2)
    members = indicator_members(
        _scan(output, paths.TRAJECTEN), _scan(output, paths.TRAJECTCLIENTEN),
        _scan(output, paths.NAZORG_GEBEURTENISSEN), indicator, regio, jaar,
        dekking=pl.scan_parquet(dekking_path) if dekking_path.is_file() else None,
        begeleiding=pl.scan_parquet(begeleiding_path) if begeleiding_path.is_file() else None,
    ).collect()
    published = _published_cell(output, indicator, regio, jaar)
    teller, noemer = member_counts(members)
    if noemer == 0 and published is None:
        raise TraceError(f"no units behind {indicator} {regio} {jaar}: the cell does not exist")
    info = lambda text: click.echo(text, err=fmt != "table")  # noqa: E731  (keep csv on stdout clean)
    unit = "persons" if registry_entry(indicator).eenheid == "persoon" else "trajectories"
    info(f"cell       {indicator}  {regio}  {jaar}")
    if published is None:
        info(f"published  (no row in {paths.INDICATOREN}: recounted from the model only)")
    elif published.get("geen_gegevens"):
        info(f"published  no data (geen_gegevens: outside the aftercare coverage, see {paths.NAZORG_DEKKING})")
    elif published.get("onderdrukking") == "secundair":
        info(f"published  suppressed (secundair: else recoverable as NL minus the published gemeenten); "
             f"voorlopig: {published['voorlopig']}")
    elif published["onderdrukt"]:
        info(f"published  suppressed (noemer < {MIN_NOEMER}); voorlopig: {published['voorlopig']}")
    else:
        info(f"published  teller {published['teller']}, noemer {published['noemer']}, "
             f"waarde {published['waarde']}%; voorlopig: {published['voorlopig']}")
    info(f"members    {noemer} {unit}, {teller} in teller (recounted from {paths.TRAJECTEN} and co.)")
    suppressed = (published["onderdrukt"] if published else False) or noemer < MIN_NOEMER
    if suppressed:
        click.echo(SMALL_NUMBERS_WARNING.format(min=MIN_NOEMER), err=True)
    elif published is not None and (published["teller"], published["noemer"]) != (teller, noemer):
        click.echo("WARNING: the published cell differs from the recount: the indicator table and the "
                   "model tables come from different runs", err=True)
    if fmt == "table":
        info("")
    _emit(members, fmt, target, limit, unit)


def trace_trajectory(output: Path, traject_id: str, fmt: str, target: str | None, limit: int) -> None:
    traject_id = traject_id.strip().lower()
    t = _scan(output, paths.TRAJECTEN).filter(pl.col("traject_id") == traject_id).collect()
    if t.height == 0:
        raise TraceError(f"no trajectory {traject_id} in {paths.TRAJECTEN}")
    ledger_path = paths.out(output, paths.LEVERINGEN)
    ledger = pl.scan_parquet(ledger_path) if ledger_path.is_file() else None
    records = trajectory_records(_scan(output, paths.HERKOMST), traject_id, ledger).collect()
    clients = _scan(output, paths.TRAJECTCLIENTEN).filter(pl.col("traject_id") == traject_id).collect()
    info = lambda text: click.echo(text, err=fmt != "table")  # noqa: E731
    row = t.row(0, named=True)
    info(f"trajectory {traject_id}  gemeente {row['gemeentecode'] or 'Onbekend'}  "
         f"aanmelding {row['aanmelddatum']}  start {row['startdatum']}  "
         f"einde {row['einddatum'] or 'open'}  reden {row['uitstroomreden'] or '-'}")
    info(f"clients    {LIST_SEPARATOR.join(sorted(clients['persoon_id'].to_list()))}")
    gezag = records.filter(pl.col("is_gezaghebbend"))
    if gezag.height:
        g = gezag.row(0, named=True)
        why = f"ends {g['einddatum']} ({g['uitstroomreden'] or 'no reason'})" if g["einddatum"] else "is still open"
        info(f"authority  {g['bestand']} {g['locatie']} (delivered {g['aanlevertijdstip']}): says the trajectory {why}")
    n_old = records["vervangen_door"].is_not_null().sum()
    info(f"records    {records.height - n_old} that make it" + (f", {n_old} superseded" if n_old else ""))
    if fmt == "table":
        info("")
    _emit(records, fmt, target, limit, "records")


def dossier_hash(dossiernr: str, key: str | None) -> str:
    """What the reader keeps of a Dossiernr: HMAC-SHA256 (key of persoon_id) of the trimmed
    value, lowercase hex (assets/ingest/shv_csv.accepted_records)."""
    try:
        return pseudonym(dossiernr.strip(), check_key(key))
    except ValueError as e:  # one line naming the problem, never the key
        raise TraceError(f"--dossier needs the run's key: {e}") from None


def dossier_trajectory(output: Path, hashed: str, gemeente: str | None) -> str:
    """The traject_id of the latest copy of a legacy dossier (superseded copies have none)."""
    rows = _scan(output, paths.HERKOMST).filter(
        (pl.col("bron") == "shv_csv") & (pl.col("dossiernr") == hashed) & pl.col("traject_id").is_not_null()
    )
    if gemeente is not None:
        rows = rows.filter(pl.col("gemeentecode") == gemeente)
    found = rows.select("gemeentecode", "traject_id").unique().sort("gemeentecode").collect()
    where = f" in {gemeente}" if gemeente else ""
    if found.height == 0:
        raise TraceError(f"no legacy record with this Dossiernr{where} in {paths.HERKOMST} "
                         "(hashed with DDAS_PSEUDONYM_KEY: is it the key of the run?)")
    if found.height > 1:
        raise TraceError(f"this Dossiernr occurs in {', '.join(found['gemeentecode'])}: add --gemeente")
    return found["traject_id"].item()


@click.command()
@click.option("--output", type=click.Path(file_okay=False), help="Output folder of a run (DDAS_OUTPUT_DIR).")
@click.option("--indicator", type=click.Choice(INDICATOR_CODES + VS_CODES), help="Indicator code of the cell.")
@click.option("--regio", help="GMxxxx or NL.")
@click.option("--jaar", type=int, help="Year of the cell (aanmelding for terugval_5j, end for the others).")
@click.option("--traject", "traject_id", help="Show the delivered records of this traject_id instead.")
@click.option("--dossier", "dossiernr", help="Or those of the trajectory of this legacy CSV Dossiernr "
              "(hashed with DDAS_PSEUDONYM_KEY, as the outputs keep it).")
@click.option("--gemeente", help="GMxxxx: the municipality of --dossier, when the number occurs in several.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "parquet"]),
              help="table (printed, default), csv (stdout or --to) or parquet (--to).")
@click.option("--to", "target", type=click.Path(dir_okay=False), help="Write the rows to FILE instead of printing.")
@click.option("--limit", type=int, default=50, show_default=True, help="Rows printed as a table (0 = all).")
@click.option("--tabel", type=click.Choice(list(TABLES_BY_NAME)), help="Instead of --indicator: a cell of a process "
              "table (indicatoren/<tabel>.parquet), with --regio, --jaar and --categorie / --dimensie.")
@click.option("--categorie", help="With --tabel: the maat (doorlooptijden), uitstroomreden (uitstroom) or category "
              "(terugval_uitsplitsing).")
@click.option("--dimensie", help="With --tabel terugval_uitsplitsing: leeftijdsklasse, geslacht or huishouden.")
def trace(output, indicator, regio, jaar, traject_id, dossiernr, gemeente, fmt, target, limit,
          tabel=None, categorie=None, dimensie=None) -> None:
    """The units behind one indicator cell, or the delivered records of one trajectory.

    \b
    ddas trace --indicator terugval_5j --regio GM0518 --jaar 2023
    ddas trace --traject 40bd151ae6a0f73d
    ddas trace --dossier SH2023-000123 --gemeente GM0518
    ddas trace --indicator nazorgcontact_6m --regio NL --jaar 2023 --to leden.csv

    Member lists hold pseudonyms and, for small cells, small numbers: audit use only.
    """
    output = output or os.environ.get("DDAS_OUTPUT_DIR")
    cell = [indicator, regio, jaar]
    try:
        if not output:
            raise TraceError("no output folder: set DDAS_OUTPUT_DIR or pass --output")
        if not Path(output).is_dir():
            raise TraceError(f"output folder does not exist: {output}")
        fmt = _resolve_format(fmt, target)
        if traject_id is not None and dossiernr is not None:
            raise TraceError("give either --traject or --dossier, not both")
        if gemeente is not None and dossiernr is None:
            raise TraceError("--gemeente goes with --dossier")
        if dossiernr is not None:
            if any(v is not None for v in cell):
                raise TraceError("give either --dossier or --indicator/--regio/--jaar, not both")
            if gemeente is not None:
                gemeente = gemeente.strip().upper()
                if not re.match(r"^GM[0-9]{4}$", gemeente):
                    raise TraceError("--gemeente must be GMxxxx (four digits)")
            traject_id = dossier_trajectory(Path(output), dossier_hash(dossiernr, os.environ.get("DDAS_PSEUDONYM_KEY")),
                                            gemeente)
        if traject_id is not None:
            if any(v is not None for v in cell):
                raise TraceError("give either --traject or --indicator/--regio/--jaar, not both")
            trace_trajectory(Path(output), traject_id, fmt, target, limit)
            return
        if tabel is not None:  # a cell of a process.md §3 table
            if indicator is not None or regio is None or jaar is None:
                raise TraceError("a table cell needs --tabel, --regio and --jaar (and no --indicator)")
            if not REGIO.match(regio.strip().upper()):
                raise TraceError("--regio must be GMxxxx (four digits) or NL")
            from pipelines.trace_tabellen import trace_table_cell  # it imports this module
            trace_table_cell(Path(output), tabel, regio.strip().upper(), jaar, categorie, dimensie, fmt, target, limit)
            return
        if any(v is None for v in cell):
            missing = [f"--{n}" for n, v in zip(("indicator", "regio", "jaar"), cell) if v is None]
            raise TraceError(f"a cell needs --indicator, --regio and --jaar (missing {', '.join(missing)}), or give --traject")
        regio = regio.strip().upper()
        if not REGIO.match(regio):
            raise TraceError("--regio must be GMxxxx (four digits) or NL")
        if indicator in VS_CODES:  # indicatoren/vroegsignalering.parquet
            from pipelines.trace_vroegsignalering import trace_vs_cell  # it imports this module
            trace_vs_cell(Path(output), indicator, regio, jaar, fmt, target, limit)
            return
        trace_cell(Path(output), indicator, regio, jaar, fmt, target, limit)
    except TraceError as e:
        _fail(str(e))
