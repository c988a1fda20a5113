"""Analyst views derived from the long table: one wide row per region and year, and the
relapse indicator held against its target. Both only rearrange published (suppressed,
rounded) values, so they are as safe to share as the long table itself."""
from __future__ import annotations

from pathlib import Path

import polars as pl

from assets.common.reference import doelen_path, gemeentecodes, gemeenten
from schemas.indicators import INDICATOR_CODES, NL, Doelen, breed_suffixes

STANDAARD_DOEL_PCT = 7.0  # the college's relapse target (spec/README.md background)
# column -> dtype of the target file, from its pandera model (no hand-written copy)
DOELEN_DTYPES = dict(Doelen.empty().schema)


def regio_namen() -> pl.LazyFrame:
    """regio_code -> regio_naam: CBS gemeentenamen plus NL = Nederland."""
    names = gemeenten().select(
        regio_code=pl.col("gemeentecode").str.strip_chars().str.to_uppercase(),
        regio_naam=pl.col("gemeentenaam"),
    )
    return pl.concat([names, pl.DataFrame({"regio_code": [NL], "regio_naam": ["Nederland"]})]).lazy()


def _with_names(df: pl.LazyFrame) -> pl.LazyFrame:
    """Adds regio_naam after regio_code; a code outside the list keeps its code as name."""
    cols = df.collect_schema().names()
    out = df.join(regio_namen(), on="regio_code", how="left").with_columns(
        pl.col("regio_naam").fill_null(pl.col("regio_code"))
    )
    return out.select("regio_code", "regio_naam", *[c for c in cols if c != "regio_code"])


def indicatoren_breed(indicatoren: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (regio_code, jaar) that has any indicator row; per indicator the columns
    `<code>` (waarde), `<code>_teller`, `_noemer`, `_onderdrukt`, `_voorlopig`,
    `_onderdrukking`, `_geen_gegevens` (and `terugval_5j_historie_onvolledig`).

    A region-year without a row for some indicator (e.g. aanmelders but no successful
    ends that year) has nulls in all columns of that indicator.
    """
    keys = indicatoren.select("regio_code", "jaar").unique()
    for code in INDICATOR_CODES:
        part = indicatoren.filter(pl.col("indicator") == code).select(
            "regio_code", "jaar", *[pl.col(src).alias(code + sfx) for sfx, (src, _, _) in breed_suffixes(code).items()]
        )
        keys = keys.join(part, on=["regio_code", "jaar"], how="left")
    return _with_names(keys).sort("regio_code", "jaar")


def read_doelen(path: str | Path | None = None) -> pl.DataFrame:
    """The target file (default: the shipped `assets/reference/doelen.csv`), checked.

    Columns `gemeentecode,doel_pct`; `NL` is allowed for the national row. Raises
    ValueError naming the problem, so a typo never silently falls back to the default.
    """
    path = Path(path) if path else doelen_path()
    raw = pl.read_csv(path, schema_overrides=DOELEN_DTYPES)
    if set(raw.columns) != set(DOELEN_DTYPES):
        raise ValueError(f"{path.name}: expected columns {','.join(DOELEN_DTYPES)}, got {','.join(raw.columns)}")
    df = raw.select(pl.col("gemeentecode").str.strip_chars().str.to_uppercase(), pl.col("doel_pct").cast(pl.Float64))
    unknown = sorted(set(df["gemeentecode"].drop_nulls()) - gemeentecodes() - {NL})
    if unknown or df["gemeentecode"].null_count() or df["doel_pct"].null_count():
        raise ValueError(f"{path.name}: empty cell or unknown gemeentecode {unknown}")
    return Doelen.validate(df)


def terugval_doel(
    indicatoren: pl.LazyFrame, doelen: pl.DataFrame | None = None, standaard_pct: float = STANDAARD_DOEL_PCT
) -> pl.LazyFrame:
    """terugval_5j per region and year against its target (doelen, else `standaard_pct`).

    verschil_pp = waarde - doel_pct: positive means more relapse than the target.
    NL uses a row `NL` in the target file when present, else the default, like any gemeente.
    A row with `historie_onvolledig` is never judged: verschil_pp and doel_gehaald stay
    empty (a low value there means "not observed", process.md §4).
    """
    if doelen is None:
        doelen = pl.DataFrame(schema=DOELEN_DTYPES)
    targets = doelen.lazy().select(regio_code="gemeentecode", doel_csv="doel_pct")
    waarde = pl.col("waarde")
    out = (
        indicatoren.filter(pl.col("indicator") == "terugval_5j")
        .select("regio_code", "jaar", "teller", "noemer", "waarde", "onderdrukt", "voorlopig", "onderdrukking",
                "historie_onvolledig")
        .join(targets, on="regio_code", how="left")
        .with_columns(
            doel_pct=pl.col("doel_csv").fill_null(float(standaard_pct)),
            doel_bron=pl.when(pl.col("doel_csv").is_null()).then(pl.lit("standaard")).otherwise(pl.lit("doelen.csv")),
        )
        .with_columns(
            verschil_pp=pl.when(~pl.col("historie_onvolledig")).then((waarde - pl.col("doel_pct")).round(2)),
            doel_gehaald=pl.when(~pl.col("historie_onvolledig")).then(waarde <= pl.col("doel_pct")),
        )
        .drop("doel_csv")
    )
    return _with_names(out).sort("regio_code", "jaar")
