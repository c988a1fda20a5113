"""The clients of the harmonised trajectories (model/trajectclienten, process.md §6.3).

One row per (trajectory, person) of the trajectory's records, in founding order, then
persoon_id; the sex and birth date of the most authoritative record that gives them.
Finding the pairs is a sort of the (record, person) rows on (trajectory, persoon_id,
authority). Sorting on a 64-character string is the slow part, so the sort runs on one
Int64 that packs the trajectory's founding rank, the first bits of the persoon_id (a
persoon_id is lowercase hex: its leading digits as a number order like the string) and
the record's authority rank. The result is then checked to be in (trajectory, persoon_id)
order with no two persons sharing a prefix inside a trajectory; when it is not (ids that
are not hex, or a shared prefix: about once in 10^5 runs of a national load), the rows
are sorted on the strings instead. Same output either way.
"""
from __future__ import annotations

import polars as pl

from assets.common.birth_mask import leeftijdsklasse, unmask

HEX_DIGITS = 15  # 60 bits: still an Int64
MIN_PREFIX_BITS = 20  # below this the packed key would rarely be unique per person: sort strings


def client_pairs(persons: pl.DataFrame, trajecten: pl.DataFrame) -> pl.DataFrame:
    """`persons`: one row per record that takes part in a trajectory, with `_traject` (the
    trajectory's founding rank, a row of `trajecten`), `gezag_rang` and the lists
    persoon_ids, geslachten, geboortedata_gemaskeerd. `trajecten`: traject_id and
    aanmelddatum in founding order. -> one row per (trajectory, person), sorted by
    (_traject, persoon_id): `_traject`, traject_id, persoon_id, geslacht (null when
    unknown), `_geb` (the masked birth date) and the trajectory's `_aanmelddatum`."""
    rows = (
        persons.lazy()
        .select("_traject", "gezag_rang", pl.col("persoon_ids").alias("persoon_id"),
                pl.col("geslachten").alias("geslacht"), pl.col("geboortedata_gemaskeerd").alias("_geb"))
        .explode("persoon_id", "geslacht", "_geb", empty_as_null=True)
        .drop_nulls("persoon_id")
        .collect()
    )
    paired = _in_pair_order(rows, trajecten.height)
    # rows keep their order inside a group: the first non-null is the most authoritative record's
    per_pair = (
        paired.lazy()
        .group_by("_paar", maintain_order=True)
        .agg(pl.col("_traject", "persoon_id").first(), pl.col("geslacht", "_geb").first(ignore_nulls=True))
        .drop("_paar")
        .collect()
        .cast({"_traject": pl.Int64, "geslacht": pl.Utf8, "_geb": pl.Int64})  # typed when empty too
    )
    return per_pair.with_columns(
        trajecten["traject_id"].gather(per_pair["_traject"]).alias("traject_id"),
        trajecten["aanmelddatum"].cast(pl.Date).gather(per_pair["_traject"]).alias("_aanmelddatum"),
    )


CLASSES = {"_traject": pl.Int64, "traject_id": pl.Utf8, "persoon_id": pl.Utf8, "leeftijdsklasse": pl.Utf8, "geslacht": pl.Utf8}


def with_age_classes(pairs: pl.DataFrame, key: bytes | None) -> pl.LazyFrame:
    """client_pairs -> `_traject`, traject_id, persoon_id, leeftijdsklasse, geslacht
    (onbekend when unknown), lazily: unmasking the birth dates is Python that holds the
    GIL, so the caller can collect this beside polars work on other tables (which
    releases it) and the two share the cores."""
    if key is None and pairs["_geb"].is_not_null().any():  # never silently `onbekend`: the dates are there, the key is not
        raise ValueError("harmonise needs the pseudonym key to read the clients' masked birth dates")

    def classes(df: pl.DataFrame) -> pl.DataFrame:
        born = unmask(df["persoon_id"], df["_geb"], key) if key is not None else pl.Series([None] * df.height, dtype=pl.Date)
        return df.with_columns(born.alias("_geb")).select(
            "_traject", "traject_id", "persoon_id",
            leeftijdsklasse=leeftijdsklasse(pl.col("_geb"), pl.col("_aanmelddatum")),
            geslacht=pl.col("geslacht").fill_null("onbekend"),
        )

    return pairs.lazy().map_batches(classes, schema=CLASSES)


def _in_pair_order(rows: pl.DataFrame, n_trajecten: int) -> pl.DataFrame:
    """rows sorted by (_traject, persoon_id, gezag_rang), ties as given, with `_paar`: a
    running number of the (trajectory, person) pair."""
    if rows.height:
        traject_bits = max(1, n_trajecten.bit_length())
        gezag_bits = max(1, int(rows["gezag_rang"].max()).bit_length())
        prefix_bits = min(4 * HEX_DIGITS, 63 - traject_bits - gezag_bits)
        if prefix_bits >= MIN_PREFIX_BITS:
            prefix = pl.col("persoon_id").str.slice(0, HEX_DIGITS).str.to_integer(base=16, strict=False)
            keyed = rows.with_columns(prefix.alias("_p"))
            if not keyed["_p"].null_count():
                pair = (pl.col("_traject") * 2**prefix_bits + pl.col("_p") // 2 ** (4 * HEX_DIGITS - prefix_bits))
                keyed = (
                    keyed.lazy()
                    .with_columns(pair.alias("_p"))
                    .sort(pl.col("_p") * 2**gezag_bits + pl.col("gezag_rang"), maintain_order=True)
                    .with_columns((pl.col("_p") != pl.col("_p").shift(1)).fill_null(True).alias("_nieuw"))
                    .collect()
                )
                if not _misordered(keyed):
                    return keyed.select(*rows.columns, pl.col("_nieuw").cum_sum().set_sorted().alias("_paar"))
    pair = pl.col("_traject", "persoon_id")
    return rows.sort("_traject", "persoon_id", "gezag_rang", maintain_order=True).with_columns(
        pl.any_horizontal(pair.ne_missing(pair.shift(1))).cum_sum().set_sorted().alias("_paar")
    )


def _misordered(keyed: pl.DataFrame) -> bool:
    """Whether rows sorted on the packed key are not in (_traject, persoon_id) order, or a
    pair (`_nieuw` false: same packed key as the row before) holds two persons."""
    pid, prev = pl.col("persoon_id"), pl.col("persoon_id").shift(1)
    same_traject = pl.col("_traject") == pl.col("_traject").shift(1)
    bad = (
        (pl.col("_traject") < pl.col("_traject").shift(1))
        | (~pl.col("_nieuw") & (pid != prev))
        | (same_traject & pl.col("_nieuw") & (pid <= prev))
    )
    return bool(keyed.select(bad.any()).item())
