"""What each indicator cell is: published, suppressed (primary/secondary), no data, or absent.

The flag columns `onderdrukking`, `geen_gegevens` and `historie_onvolledig`
(spec/process.md §4) are used when the table has them; an older table without them is
read as: suppressed = primary, never `geen_gegevens`, history complete.
"""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# status -> (short label, explanation); the labels appear in tables and charts.
STATUS = {
    "gepubliceerd": ("", ""),
    "primair": ("onderdrukt", "minder dan 10 in de noemer: niet gepubliceerd, zodat niemand herkenbaar is"),
    "secundair": ("onderdrukt (secundair)",
                  "de noemer is 10 of meer, maar het getal zou terug te rekenen zijn uit het landelijke "
                  "totaal min de gepubliceerde gemeenten; daarom ook niet gepubliceerd"),
    "geen_gegevens": ("geen gegevens",
                      "voor dit jaar zijn geen nazorgbestanden geleverd: niet gemeten, dus niet 0"),
    "geen_rij": ("geen trajecten", "in dit jaar zijn er geen trajecten om te tellen (noemer 0)"),
}
VOORLOPIG = ("voorlopig", "de meetperiode is op de peildatum nog niet voorbij; de waarde kan nog veranderen")
HISTORIE = ("historie onvolledig",
            "de gegevens reiken niet vijf jaar terug: een lage terugval kan 'niet waargenomen' betekenen; "
            "telt niet mee in het oordeel 'doel gehaald'")


def with_flags(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with all three flag columns (derived when absent) and a `status` column."""
    add = []
    if "onderdrukking" not in df.columns:
        add.append(pl.when(pl.col("onderdrukt")).then(pl.lit("primair")).otherwise(None).cast(pl.Utf8).alias("onderdrukking"))
    for col in ("geen_gegevens", "historie_onvolledig"):
        if col not in df.columns:
            add.append(pl.lit(False).alias(col))
    if "voorlopig" not in df.columns:
        add.append(pl.lit(False).alias("voorlopig"))
    df = df.with_columns(add) if add else df
    status = (
        pl.when(pl.col("geen_gegevens").fill_null(False)).then(pl.lit("geen_gegevens"))
        .when(pl.col("onderdrukking") == "secundair").then(pl.lit("secundair"))
        .when(pl.col("onderdrukt").fill_null(False) | pl.col("onderdrukking").is_not_null()).then(pl.lit("primair"))
        .when(pl.col("waarde").is_null()).then(pl.lit("geen_gegevens"))  # empty without a flag: never show as 0
        .otherwise(pl.lit("gepubliceerd"))
    )
    return df.with_columns(status.alias("status"), pl.col("historie_onvolledig").fill_null(False),
                           pl.col("voorlopig").fill_null(False))


@dataclass(frozen=True)
class Cell:
    status: str  # a key of STATUS
    waarde: float | None = None
    teller: int | None = None
    noemer: int | None = None
    voorlopig: bool = False
    historie_onvolledig: bool = False

    @property
    def shown(self) -> bool:
        return self.status == "gepubliceerd" and self.waarde is not None

    def labels(self) -> list[tuple[str, str]]:
        """(label, explanation) of every flag of this cell."""
        out = [STATUS[self.status]] if self.status != "gepubliceerd" else []
        if self.voorlopig:
            out.append(VOORLOPIG)
        if self.historie_onvolledig:
            out.append(HISTORIE)
        return out


ABSENT = Cell("geen_rij")


def _cell(r: dict) -> Cell:
    shown = r["status"] == "gepubliceerd"  # a number of a cell that is not published is never carried
    return Cell(r["status"], r["waarde"] if shown else None, r.get("teller") if shown else None,
                r.get("noemer") if shown else None, bool(r["voorlopig"]), bool(r["historie_onvolledig"]))


def index_cells(df: pl.DataFrame) -> dict[tuple[str, str], dict[int, Cell]]:
    """{(indicator, regio): {jaar: Cell}} of a frame passed through with_flags."""
    out: dict[tuple[str, str], dict[int, Cell]] = {}
    for r in df.sort("indicator", "regio_code", "jaar").iter_rows(named=True):
        out.setdefault((r["indicator"], r["regio_code"]), {})[r["jaar"]] = _cell(r)
    return out


def cells(df: pl.DataFrame, indicator: str, regio: str) -> dict[int, Cell]:
    """{jaar: Cell} of one indicator and region (df already passed through with_flags)."""
    rows = df.filter((pl.col("indicator") == indicator) & (pl.col("regio_code") == regio)).sort("jaar")
    return {r["jaar"]: _cell(r) for r in rows.iter_rows(named=True)}


def years(df: pl.DataFrame, indicators: list[str] | None = None) -> list[int]:
    sel = df if indicators is None else df.filter(pl.col("indicator").is_in(indicators))
    return sorted(sel["jaar"].unique().to_list())


def latest_final_year(df: pl.DataFrame, indicator: str, regio: str = "NL") -> int | None:
    """The last year whose row for `regio` is published and final; else the last year with a row."""
    c = cells(df, indicator, regio)
    final = [y for y, cell in c.items() if cell.shown and not cell.voorlopig]
    return max(final) if final else (max(c) if c else None)
