"""What the blocking asset check on `indicatoren` verifies (assets/quality/dagster_checks.py).

Pure functions on the published table, so tests call them directly. The row rules are
those of the pandera model (`schemas.indicators.ROW_RULES`, one implementation); this
module only reports which rows break them, plus the rule of process.md §4 that pandera
cannot say row by row: no suppressed cell can be recovered as NL minus the published
gemeenten (D in 1..9 for some indicator and jaar).
"""
from __future__ import annotations

import polars as pl

from assets.indicators.disclosure import recoverable
from schemas.indicators import row_rules

ROW_COLUMNS = ["indicator", "regio_code", "jaar", "teller", "noemer", "onderdrukt", "geen_gegevens"]


def _with_defaults(ind: pl.DataFrame) -> pl.DataFrame:
    """A table from before process.md §4 has no geen_gegevens: read as false everywhere."""
    return ind if "geen_gegevens" in ind.columns else ind.with_columns(geen_gegevens=pl.lit(False))


def rule_failures(ind: pl.DataFrame) -> dict[str, int]:
    """Per row rule that the table's columns allow judging: how many rows break it."""
    rules = row_rules(_with_defaults(ind).columns)
    counts = _with_defaults(ind).select(**{n: (~e).fill_null(True).sum() for n, e in rules.items()})
    return {n: int(counts[n].item()) for n in rules}


def row_violations(ind: pl.DataFrame) -> pl.DataFrame:
    """Rows that break a row rule: teller > noemer, a shown noemer under 10, numbers on a
    suppressed or geen_gegevens row, a missing noemer on a published row, a suppressed
    no-data row, onderdrukt disagreeing with onderdrukking, a flag where it cannot apply."""
    df = _with_defaults(ind)
    broken = pl.any_horizontal(*((~e).fill_null(True) for e in row_rules(df.columns).values()))
    return df.filter(broken).select([c for c in ROW_COLUMNS if c in ind.columns])


def subtraction_violations(ind: pl.DataFrame) -> pl.DataFrame:
    """(indicator, jaar, D) where NL minus the published gemeente rows is 1..9."""
    return recoverable(ind, groups=["indicator", "jaar"], part="regio_code", value="noemer")


# --- the four tables of process.md §3 (assets/indicators/tabellen.py) -------------------------------

def tabel_rule_failures(naam: str, df: pl.DataFrame) -> dict[str, int]:
    """Per check of the table's pandera model (columns, dtypes, p25 <= mediaan <= p75,
    aantal/teller <= noemer, empty numbers on suppressed rows, ...): how many rows break it."""
    import pandera.errors

    from assets.indicators.tabellen import BY_NAME

    try:
        BY_NAME[naam].model.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as e:
        cases = e.failure_cases
        return {str(k): int(v) for k, v in cases.group_by("check").len().iter_rows()}
    return {}


def tabel_recoverable(naam: str, df: pl.DataFrame, indicatoren: pl.DataFrame | None = None) -> pl.DataFrame:
    """Groups of a published table where the rule of process.md §4 / §6.6 was not carried
    out: total minus the published parts is 1..9 while a published part is left to
    suppress. (When none is left, D is the NL figure of suppressed gemeenten plus
    Onbekend and no cover exists.) Across gemeenten per the table's groups, and within a
    region-year for the tables with categories. Columns: soort (`gemeenten` /
    `categorieen`), groep, D."""
    from assets.indicators.tabellen import BY_NAME

    t = BY_NAME[naam]
    out = [_label("gemeenten", _across(df, list(t.groepen), t.telling))]
    if naam == "uitstroom":
        totals = df.group_by("regio_code", "jaar").agg(pl.col("noemer").max())
        out.append(_label("categorieen", _unsafe(df, ["regio_code", "jaar"], "aantal", totals.rename({"noemer": "totaal"}))))
    if naam == "terugval_uitsplitsing" and indicatoren is not None:
        totals = indicatoren.filter(pl.col("indicator") == "terugval_5j").select(
            "regio_code", pl.col("jaar").cast(pl.Int32), totaal="noemer")
        out.append(_label("categorieen", _unsafe(df, ["regio_code", "jaar", "dimensie"], "noemer", totals)))
    return pl.concat(out)


def _across(df: pl.DataFrame, groups: list[str], value: str) -> pl.DataFrame:
    nl = pl.col("regio_code") == "NL"
    totals = df.filter(nl).select(*groups, totaal=value)
    return _unsafe(df.filter(~nl), groups, value, totals)


def _unsafe(parts: pl.DataFrame, keys: list[str], value: str, totals: pl.DataFrame) -> pl.DataFrame:
    """Groups with a published total where D is 1..9 and a published part remains."""
    on = [k for k in keys if k in totals.columns]
    sums = parts.group_by(keys).agg(_delen=pl.col(value).sum(), _dekking=pl.col(value).is_not_null().sum())
    return (
        sums.join(totals.filter(pl.col("totaal").is_not_null()), on=on, how="inner")
        .select(*keys, D=pl.col("totaal") - pl.col("_delen"), _dekking="_dekking")
        .filter(pl.col("D").is_between(1, 9) & (pl.col("_dekking") > 0))
        .drop("_dekking")
        .sort(keys)
    )


def _label(soort: str, found: pl.DataFrame) -> pl.DataFrame:
    keys = [c for c in found.columns if c != "D"]
    groep = pl.concat_str([pl.col(k).cast(pl.Utf8) for k in keys], separator=" ") if keys else pl.lit("")
    return found.select(soort=pl.lit(soort), groep=groep, D=pl.col("D").cast(pl.Int64))
