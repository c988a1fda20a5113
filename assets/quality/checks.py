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


def bsn_like_cells(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per column: how many cells contain a standalone 9-digit number that passes the elfproef.

    Text and list-of-text columns are scanned, and integer columns with 9-digit values.
    Returns only columns with hits; never the values themselves.
    """
    lf = df.lazy()
    schema = lf.collect_schema()
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if dtype == pl.Utf8:
            text = col
        elif dtype == pl.List(pl.Utf8):
            text = col.list.join(" ")
        elif dtype.is_integer():
            text = col.cast(pl.Utf8)
        else:
            continue
        found = text.str.extract_all(_BSN_LIKE)
        hits = found.list.eval(bsn_is_valid(pl.element())).list.any()
        exprs.append(hits.fill_null(False).sum().alias(name))
    if not exprs:
        return pl.DataFrame(schema={"kolom": pl.Utf8, "cellen": pl.UInt32})
    counts = lf.select(exprs).collect()
    return (
        counts.unpivot(variable_name="kolom", value_name="cellen")
        .filter(pl.col("cellen") > 0)
        .cast({"cellen": pl.UInt32})
    )


def indicator_violations(ind: pl.DataFrame) -> pl.DataFrame:
    """Rows with teller > noemer, an unsuppressed noemer under 10, or inconsistent suppression."""
    return ind.filter(
        (pl.col("teller") > pl.col("noemer"))
        | (~pl.col("onderdrukt") & (pl.col("noemer").is_null() | (pl.col("noemer") < 10)))
        | (pl.col("onderdrukt") & (pl.col("teller").is_not_null() | pl.col("noemer").is_not_null() | pl.col("waarde").is_not_null()))
    ).select("indicator", "regio_code", "jaar", "teller", "noemer", "onderdrukt")
