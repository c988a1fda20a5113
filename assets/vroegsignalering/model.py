"""Identity and latest knowledge per signal and per case (vroegsignalering.md §1, §4.1, §4.7).

Input: the accepted records of `staging/vroegsignalering/records.parquet` (VsRecord; a
quarantined record is not there, so it never replaces an accepted one). A signal is
identified by its `signaal_id` (gemeentecode + trimmed ID), a case by its `zaak_id`
(gemeentecode + the smallest trimmed signal ID). The delivery that wins is the latest:
timestamps compared as instants, ties broken by the path that sorts last, then the later
position in the file (levering index, then the index in its array).
"""
from __future__ import annotations

import polars as pl

from schemas.quality import dtypes
from schemas.vroegsignalering import Vroegsignaalzaken, Vroegsignalen

# The order in which deliveries are known: the last one of a key wins.
DELIVERY_ORDER = ["aanlevertijdstip", "bestand", "levering_index", "record_index"]


def latest(records: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """The latest delivery of each `key`, with `aantal_leveringen` (how many there were),
    sorted by `key`. Sorting by the key first makes each key's deliveries adjacent, so the
    group_by takes polars' sorted path instead of hashing ~1M string keys (issue 17)."""
    return (
        records.sort(key, *DELIVERY_ORDER)
        .with_columns(pl.col(key).set_sorted())
        .group_by(key, maintain_order=True)
        .agg(pl.all().last(), aantal_leveringen=pl.len().cast(pl.Int64))
    )


def vroegsignaalzaken(records: pl.LazyFrame) -> pl.LazyFrame:
    """`model/vroegsignaalzaken.parquet` rows (before the signals are known: the count of
    unmatched signal IDs is filled by `link`)."""
    zaken = latest(records.filter(pl.col("recordsoort") == "zaak"), "zaak_id")
    return zaken.with_columns(
        pl.col("aantal_contactpogingen").fill_null(0), pl.col("bereikt").fill_null(False),
        aantal_signalen_onbekend=pl.lit(0, pl.Int64),
    )


def vroegsignalen(records: pl.LazyFrame) -> pl.LazyFrame:
    """`model/vroegsignalen.parquet` rows without `zaak_id` (filled by `link`)."""
    return latest(records.filter(pl.col("recordsoort") == "signaal"), "signaal_id")


def link(signalen: pl.DataFrame, zaken: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(signals with `zaak_id`, cases with `aantal_signalen_onbekend`, the number of case
    signal IDs that match no accepted signal). A signal held by several cases gets the
    case of the latest delivery (same order as latest knowledge)."""
    refs = zaken.select(*DELIVERY_ORDER, "zaak_id", signaal_id=pl.col("signaal_ids")).explode("signaal_id", empty_as_null=False)
    known = refs.join(signalen.select("signaal_id"), on="signaal_id", how="semi")
    per_signal = (known.sort("signaal_id", *DELIVERY_ORDER).with_columns(pl.col("signaal_id").set_sorted())
                  .group_by("signaal_id", maintain_order=True).agg(pl.col("zaak_id").last()))
    unknown = refs.join(signalen.select("signaal_id"), on="signaal_id", how="anti")
    per_case = unknown.group_by("zaak_id").agg(n=pl.len().cast(pl.Int64))
    s = signalen.drop("zaak_id", strict=False).join(per_signal, on="signaal_id", how="left")
    z = zaken.join(per_case, on="zaak_id", how="left").with_columns(aantal_signalen_onbekend=pl.col("n").fill_null(0))
    return s, z, unknown.height


def model_tables(records: pl.LazyFrame) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(vroegsignalen, vroegsignaalzaken, unmatched case signal IDs) in their models'
    columns, sorted by their ids."""
    s, z, unmatched = link(vroegsignalen(records).collect(), vroegsignaalzaken(records).collect())
    s_cols, z_cols = dtypes(Vroegsignalen), dtypes(Vroegsignaalzaken)
    return (
        s.select(list(s_cols)).cast(s_cols).sort("signaal_id"),
        z.select(list(z_cols)).cast(z_cols).sort("zaak_id"),
        unmatched,
    )
