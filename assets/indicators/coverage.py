"""Aftercare coverage per gemeente (spec process.md §4, "No data is not zero").

Gemeente g's coverage runs from year(earliest `Datum` of an accepted event in g's
`geladen` workbooks) to year(latest file date among those workbooks). Outside it the
event-based indicators have no data for g: `geen_gegevens`, never a zero.

Inputs are the nazorg reader's staging tables: `staging/nazorg/records.parquet`
(accepted events: bestand, gemeentecode, datum) and `staging/nazorg/leveringen.parquet`
(one ledger row per workbook: bestand, status, leverdatum = the date in the file name).
"""
from __future__ import annotations

import polars as pl

from schemas.indicators import EVENT_INDICATORS  # noqa: F401  (re-exported: the three that need events)

_NAME = r"(?i)(?:^|/)(GM[0-9]{4})_[0-9]{8}\.xlsx$"  # GMxxxx_JJJJMMDD.xlsx (sources.md §3)


def _workbooks(leveringen: pl.LazyFrame) -> pl.LazyFrame:
    """Ledger rows of aftercare workbooks with the gemeente of their file name."""
    return leveringen.filter(pl.col("bron") == "nazorg").select(
        "bestand",
        "status",
        "leverdatum",
        gemeentecode=pl.col("bestand").str.extract(_NAME, 1).str.to_uppercase(),
    )


def nazorg_dekking(
    records: pl.LazyFrame, leveringen: pl.LazyFrame, gemeenten: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """One row per gemeente: its workbooks, accepted events and covered years.

    `gemeenten` (a `gemeentecode` column, e.g. the model's trajectories) adds the gemeenten
    that delivered no workbook at all, so the table also explains their empty cells.
    Columns: gemeentecode, werkboeken_geladen, werkboeken_niet_geladen,
    gebeurtenissen_geaccepteerd, eerste_gebeurtenis, laatste_leverdatum, dekking_vanaf,
    dekking_tot (years; null = no coverage), toelichting.
    """
    books = _workbooks(leveringen).filter(pl.col("gemeentecode").is_not_null())
    loaded = books.filter(pl.col("status") == "geladen")
    events = records.select("bestand", "datum").join(loaded.select("bestand", "gemeentecode"), on="bestand", how="inner")
    per_book = books.group_by("gemeentecode").agg(
        werkboeken_geladen=(pl.col("status") == "geladen").sum().cast(pl.Int64),
        werkboeken_niet_geladen=(pl.col("status") != "geladen").sum().cast(pl.Int64),
        laatste_leverdatum=pl.col("leverdatum").filter(pl.col("status") == "geladen").max(),
    )
    per_event = events.group_by("gemeentecode").agg(
        gebeurtenissen_geaccepteerd=pl.len().cast(pl.Int64), eerste_gebeurtenis=pl.col("datum").min()
    )
    codes = [per_book.select("gemeentecode")]
    if gemeenten is not None:
        codes.append(gemeenten.select(pl.col("gemeentecode").cast(pl.Utf8)).filter(pl.col("gemeentecode").is_not_null()))
    vanaf = pl.col("eerste_gebeurtenis").dt.year().cast(pl.Int32)
    tot = pl.col("laatste_leverdatum").dt.year().cast(pl.Int32)
    return (
        pl.concat(codes).unique()
        .join(per_book, on="gemeentecode", how="left")
        .join(per_event, on="gemeentecode", how="left")
        .with_columns(pl.col("werkboeken_geladen", "werkboeken_niet_geladen", "gebeurtenissen_geaccepteerd").fill_null(0))
        .with_columns(
            # Both ends are needed; a first event after the last file date covers nothing.
            dekking_vanaf=pl.when(tot.is_not_null() & (vanaf <= tot)).then(vanaf),
            dekking_tot=pl.when(vanaf.is_not_null() & (vanaf <= tot)).then(tot),
        )
        .with_columns(toelichting=_explain())
        .select(
            "gemeentecode", "werkboeken_geladen", "werkboeken_niet_geladen", "gebeurtenissen_geaccepteerd",
            "eerste_gebeurtenis", "laatste_leverdatum", "dekking_vanaf", "dekking_tot", "toelichting",
        )
        .sort("gemeentecode")
    )


def _explain() -> pl.Expr:
    """Why a gemeente's event-based cells are empty, in words an analyst can act on."""
    return (
        pl.when(pl.col("werkboeken_geladen") == 0)
        .then(
            pl.when(pl.col("werkboeken_niet_geladen") > 0)
            .then(pl.lit("geen nazorgwerkboek geladen (wel aangeleverd, niet geladen: zie kwaliteit/leveringen)"))
            .otherwise(pl.lit("geen nazorgwerkboek aangeleverd"))
        )
        .when(pl.col("gebeurtenissen_geaccepteerd") == 0)
        .then(pl.lit("geladen nazorgwerkboeken zonder geaccepteerde regel (zie kwaliteit/quarantaine)"))
        .when(pl.col("dekking_vanaf").is_null())
        .then(pl.lit("eerste gebeurtenis ligt na de laatste leverdatum"))
        .otherwise(pl.format("nazorg gedekt van {} tot en met {}", "dekking_vanaf", "dekking_tot"))
    )


def covered(units: pl.LazyFrame, dekking: pl.LazyFrame | None) -> pl.LazyFrame:
    """`units` (gemeentecode, jaar) plus `gedekt`: jaar lies in the gemeente's coverage.

    A unit without gemeente (`Onbekend`) is never covered: it has no workbooks. Without
    `dekking` (raw counts, audits of the definitions alone) every unit counts as covered.
    """
    if dekking is None:
        return units.with_columns(gedekt=pl.lit(True))
    span = dekking.select("gemeentecode", _van="dekking_vanaf", _tot="dekking_tot").filter(pl.col("_van").is_not_null())
    return (
        units.join(span, on="gemeentecode", how="left")
        .with_columns(gedekt=pl.col("jaar").is_between(pl.col("_van"), pl.col("_tot")).fill_null(False))
        .drop("_van", "_tot")
    )
