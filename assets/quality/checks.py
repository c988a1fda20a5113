"""Pure functions behind the asset checks: each returns the offending rows (empty = pass)."""
from __future__ import annotations

import polars as pl


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


# The BSN scan moved to assets/common/bsn_scan.py (shared by every stage); re-exported here.
from assets.common.bsn_scan import bsn_like_cells  # noqa: E402,F401
