"""Pure functions behind the asset checks: each returns the offending rows (empty = pass)."""
from __future__ import annotations

import polars as pl

from assets.common.bsn import bsn_is_valid

# A 9-digit run standing alone (\b: not inside a hex pseudonym or a longer number).
_BSN_LIKE = r"\b[0-9]{9}\b"


def unreconciled_files(ledger: pl.DataFrame, quarantine: pl.DataFrame) -> pl.DataFrame:
    """Files whose counts do not add up, or whose quarantine rows differ from the ledger."""
    q = quarantine.group_by("bestand").agg(pl.len().cast(pl.Int64).alias("quarantaine_rijen"))
    joined = ledger.join(q, on="bestand", how="left").with_columns(pl.col("quarantaine_rijen").fill_null(0))
    return joined.filter(
        (pl.col("records_gelezen") != pl.col("records_geaccepteerd") + pl.col("records_gequarantaineerd"))
        | (pl.col("records_gequarantaineerd") != pl.col("quarantaine_rijen"))
        | ((pl.col("status") != "geladen") & (pl.col("records_gelezen") != 0))
    ).select("bron", "bestand", "status", "records_gelezen", "records_geaccepteerd", "records_gequarantaineerd", "quarantaine_rijen")


def quarantine_shares(ledger: pl.DataFrame, max_share: float) -> pl.DataFrame:
    """Per source: share of read records quarantined, and whether it is above `max_share`."""
    return (
        ledger.group_by("bron")
        .agg(pl.col("records_gelezen").sum(), pl.col("records_gequarantaineerd").sum())
        .with_columns(
            aandeel=pl.when(pl.col("records_gelezen") > 0)
            .then(pl.col("records_gequarantaineerd") / pl.col("records_gelezen"))
            .otherwise(0.0)
        )
        .with_columns(te_hoog=pl.col("aandeel") > max_share)
        .sort("bron")
    )


def _could_hold(text: pl.Expr) -> pl.Expr:
    """A cheap superset of the cells where _BSN_LIKE can match. Without a non-word
    character a cell is one word, \\b lies only at its ends, so a match is the whole cell
    (9 characters). A 64-hex pseudonym is such a word: this is what skips it quickly."""
    return (text.str.len_chars() == 9) | text.str.contains(r"\W")


def _hits(text: pl.Expr) -> pl.Expr:
    """Cells (of the already narrowed `text`) with a standalone 9-digit run that passes the elfproef."""
    text = text.filter(text.str.contains(r"[0-9]{9}"))  # a match needs 9 digits in a row
    found = text.str.extract_all(_BSN_LIKE)
    return found.list.eval(bsn_is_valid(pl.element())).list.any().fill_null(False).sum()


def _suspects(name: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr] | None:
    """(distinct candidate texts, every candidate cell) of a scanned column; None if not scanned.

    The regular expression runs on distinct candidate texts: file names and locations
    repeat millions of times. Only when one of them hits are the cells counted. (The
    distinct values keep their order: `_hits` evaluates its input twice, and an
    unordered `unique` may come out in another order each time.)
    """
    col = pl.col(name)
    if dtype == pl.Utf8:
        return col.filter(_could_hold(col)).unique(maintain_order=True), col.filter(_could_hold(col))
    if dtype == pl.List(pl.Utf8):
        # a list matches when one of its elements does, as in its ' '-joined text
        cells = col.filter(col.list.eval(_could_hold(pl.element())).list.any().fill_null(False)).list.join(" ")
        return cells, cells
    if dtype.is_integer():
        # the digits of an integer are one run: it can match only with exactly 9 of them
        nine_digits = col.is_between(100_000_000, 999_999_999) | col.is_between(-999_999_999, -100_000_000)
        text = col.filter(nine_digits.fill_null(False)).cast(pl.Utf8)
        return text.unique(maintain_order=True), text
    return None


def bsn_like_cells(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per column: how many cells contain a standalone 9-digit number that passes the elfproef.

    Text and list-of-text columns are scanned, and integer columns with 9-digit values.
    Returns only columns with hits; never the values themselves. The regular expression
    only runs on distinct cells that cheap tests leave over (millions of pseudonyms
    otherwise cost seconds); a list matches when one of its elements does.
    """
    lf = df.lazy()
    suspects = {n: s for n, t in lf.collect_schema().items() if (s := _suspects(n, t)) is not None}
    none = pl.DataFrame(schema={"kolom": pl.Utf8, "cellen": pl.UInt32})
    if not suspects:
        return none
    distinct = lf.select(_hits(first).alias(n) for n, (first, _) in suspects.items()).collect()
    hit = [n for n in distinct.columns if distinct[n].item() > 0]
    if not hit:
        return none
    counts = lf.select(_hits(suspects[n][1]).alias(n) for n in hit).collect()
    return counts.unpivot(variable_name="kolom", value_name="cellen").cast({"cellen": pl.UInt32})


def indicator_violations(ind: pl.DataFrame) -> pl.DataFrame:
    """Rows with teller > noemer, an unsuppressed noemer under 10, or inconsistent suppression."""
    return ind.filter(
        (pl.col("teller") > pl.col("noemer"))
        | (~pl.col("onderdrukt") & (pl.col("noemer").is_null() | (pl.col("noemer") < 10)))
        | (pl.col("onderdrukt") & (pl.col("teller").is_not_null() | pl.col("noemer").is_not_null() | pl.col("waarde").is_not_null()))
    ).select("indicator", "regio_code", "jaar", "teller", "noemer", "onderdrukt")
