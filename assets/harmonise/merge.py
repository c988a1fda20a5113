"""Linking records into harmonised trajectories (model.md §4.1-2).

Two records are linked when they share a persoon_id and their periods overlap, ends
inclusive; a trajectory is a connected component of linked records. Instead of
comparing all pairs, each person's records are swept in start order: a record belongs
to the person's running cluster when it starts on or before the furthest end seen so
far for that person (so a cluster is a component of that person's interval graph), and
is then chained to its predecessor in the sweep. A record with two clients sits in two
persons' chains and so joins them; scipy's connected_components closes the transitive
hull over all chains at once. Work: one sort of the (record, person) pairs, O(n) edges.
"""
from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def link_end() -> pl.Expr:
    """End of the period used for linking: the end, or for an open record its horizon,
    never before its own start (an open end is not +inf, model.md §4.1)."""
    return pl.coalesce(pl.col("einddatum"), pl.max_horizontal("horizon", "startdatum")).alias("koppel_einde")


def person_pairs(records: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (record, person): rid, persoon_id, startdatum, koppel_einde."""
    return (
        records.select("rid", "startdatum", "koppel_einde", pl.col("persoon_ids").alias("persoon_id"))
        .explode("persoon_id", empty_as_null=True)
        .drop_nulls("persoon_id")
    )


def chain_edges(pairs: pl.LazyFrame, by_hash: bool = True) -> pl.LazyFrame:
    """Edges (van, naar) between rids linked through one person, and `botsing`: whether
    two persons shared a hash (then the result is void; rerun with by_hash=False).

    The per-person running maximum of ends is one global cumulative maximum over
    person number * span + day: persons come in sorted blocks, so a person's key never
    sees an earlier person's ends. That is `cum_max().over(person)` without the cost of
    one window per person. by_hash sorts on a 64-bit hash of persoon_id instead of the
    64-character string (several times faster); a second, independent hash detects the
    (astronomically rare) case of two persons with one hash.
    """
    person = pl.col("persoon_id").hash(seed=0) if by_hash else pl.col("persoon_id")
    check = pl.col("persoon_id").hash(seed=7) if by_hash else pl.lit(0, dtype=pl.UInt64)
    swept = pairs.select("rid", "startdatum", "koppel_einde", person.alias("_p"), check.alias("_q")).sort("_p", "startdatum")
    same_person = (pl.col("_p") == pl.col("_p").shift(1)).fill_null(False)
    first_day = pl.min_horizontal(pl.col("startdatum").min(), pl.col("koppel_einde").min()).cast(pl.Int64)
    day = lambda c: pl.col(c).cast(pl.Int64) - first_day  # noqa: E731  (>= 0)
    span = pl.max_horizontal(day("koppel_einde").max(), day("startdatum").max()) + 1
    person_no = (~same_person).cast(pl.Int64).cum_sum()
    reach = (person_no * span + day("koppel_einde")).cum_max().shift(1)
    linked = same_person & (person_no * span + day("startdatum") <= reach)
    collision = (same_person & (pl.col("_q") != pl.col("_q").shift(1))).any()
    return (
        swept.with_columns(pl.col("rid").shift(1).alias("van"), linked.alias("_linked"), collision.alias("botsing"))
        .filter("_linked")  # after the shift: the predecessor is the previous row of the sweep
        .select("van", pl.col("rid").alias("naar"), "botsing")
    )


def component_labels(n: int, edges: pl.DataFrame) -> np.ndarray:
    """Connected-component label per rid 0..n-1 (scipy's numbering: a complete partition;
    nothing downstream depends on the numbers)."""
    van = edges["van"].to_numpy().astype(np.int64, copy=False)
    naar = edges["naar"].to_numpy().astype(np.int64, copy=False)
    graph = coo_matrix((np.ones(len(van), dtype=np.int8), (van, naar)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return labels


def link(records: pl.LazyFrame, take: pl.Expr | None = None) -> pl.LazyFrame:
    """The records, in their order, with `koppel_einde`, `rid` (0.. over the rows in
    `take`, e.g. not superseded; null elsewhere) and `component` (0..k-1, every number
    used; null outside `take`).

    Collects: scipy needs arrays. Numbers depend on the input order; the outputs sort on
    record keys, so they do not.
    """
    take = pl.lit(True) if take is None else take
    rid = pl.when("_take").then(pl.col("_take").cast(pl.Int64).cum_sum() - 1)
    base = records.with_columns(link_end(), take.alias("_take")).with_columns(rid.alias("rid")).collect()
    pairs = person_pairs(base.lazy().filter("_take"))
    edges = chain_edges(pairs).collect()
    if edges.height and edges["botsing"][0]:
        edges = chain_edges(pairs, by_hash=False).collect()
    labels = pl.Series("_labels", component_labels(int(base["_take"].sum()), edges), dtype=pl.Int64)
    return base.lazy().with_columns(pl.lit(labels).gather(pl.col("rid")).alias("component")).drop("_take")
