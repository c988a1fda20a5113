"""Harmonised trajectories (model.md §4.3-4): authoritative record, fields, output tables."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from assets.harmonise.clients import client_pairs, with_age_classes
from assets.harmonise.merge import link
from assets.harmonise.ordering import check_positions, file_rank, file_table, packed
from assets.harmonise.supersede import VERVANGEN_DOOR, mark_superseded
from assets.harmonise.traject_id import file_states, first_copy, with_traject_ids
from schemas.kinds import kinds, trajectory_names
from schemas.model import Begeleiding, Schulden, TrajectClienten, TrajectHerkomst, Trajecten

OPEN_END = dt.date(9999, 12, 31)  # an open end sorts as the latest end

# Column order of the model tables comes from their pandera models (schemas/model.py).
TRAJECTEN_COLUMNS = list(Trajecten.to_schema().columns)
HERKOMST_COLUMNS = list(TrajectHerkomst.to_schema().columns)
CLIENTEN_COLUMNS = list(TrajectClienten.to_schema().columns)
BEGELEIDING_COLUMNS = list(Begeleiding.to_schema().columns)
SCHULDEN_COLUMNS = list(Schulden.to_schema().columns)
# record columns that linking never reads (the clients, nested tables and process fields do)
RIDERS = ["geslachten", "geboortedata_gemaskeerd", "begeleiding", "schulden",
          "eerste_gesprek_datum", "crisis", "beschikkingsdatum", "beschikkingssoort", "oplossing_soort"]


# --- authoritative order and fields --------------------------------------------------
def authoritative_order(linked: pl.LazyFrame) -> pl.LazyFrame:
    """Records sorted by component, most authoritative first, with `gezag_rang` (0 = the
    authoritative record, model.md §4.3): latest delivery instant; then the later end,
    open latest; then ddas over shv_csv; then the later path (`bestand_rang`); then the
    later levering index and record index. The field aggregations rely on this order.
    Without the columns only the order needs (bron, bestand_rang and the positions).
    """
    pos = pl.int_range(pl.len(), dtype=pl.Int64)
    first_of_component = (pl.col("component") != pl.col("component").shift(1)).fill_null(True)
    return (
        linked.with_columns(
            # the kinds' authority (schemas/kinds.py): ddas over shv_csv. when/then: a tenth
            # of replace_strict's time on millions of rows
            pl.coalesce([pl.when(pl.col("bron") == k.name).then(pl.lit(k.authority, pl.Int16))
                         for k in kinds() if k.is_trajectory]).alias("_gezag"),
        )
        # keys as expressions and the columns only they use dropped: the sort moves every
        # column it carries (a fifth of its time)
        .sort(
            [pl.col("component"), pl.col("aanlevertijdstip"), pl.col("einddatum").fill_null(OPEN_END), pl.col("_gezag"),
             packed("bestand_rang")],
            descending=[False, True, True, True, True],
        )
        .drop("bron", "bestand_rang", "levering_index", "record_index")
        .with_columns((pos - pl.when(first_of_component).then(pos).forward_fill()).alias("gezag_rang"))
    )


def trajectory_fields(ordered: pl.LazyFrame) -> pl.LazyFrame:
    """One row per component: the fields of model.md §4.4 and `_stichting`, the smallest
    founding key of its records (see first_copy).

    Within a group polars keeps the rows' order, so `first()` is the authoritative
    record and arg_min (the first minimum) breaks ties in authoritative order.
    """
    return ordered.with_columns(_beschikking_eerst()).group_by("component").agg(
        pl.col("aanmelddatum").min(),
        pl.col("startdatum").min(),
        pl.col("einddatum").first(),
        pl.col("uitstroomreden").first(),
        # Onbekend is null in the records already: "null when that is Onbekend" holds.
        pl.col("gemeentecode").get(pl.col("aanmelddatum").arg_min()),
        pl.col("is_informatie_advies").all(),
        pl.col("nazorg_startdatum").min(),
        # The authoritative record's amount, else the next non-null in authoritative order.
        pl.col("schuldbedrag_eur").first(ignore_nulls=True),
        pl.len().cast(pl.Int64).alias("aantal_bronrecords"),
        *[(pl.col("_gezag") == k.authority).any().alias(f"_bron_{k.name}") for k in kinds() if k.is_trajectory],
        pl.col("aanlevertijdstip").max().alias("laatste_levering"),
        pl.col("_stichting").min(),
        *process_fields(),
    ).with_columns(
        pl.concat_str(
            [pl.when(f"_bron_{b}").then(pl.lit(b)) for b in sorted(trajectory_names())], separator=",", ignore_nulls=True
        ).alias("bronnen"),
        *process_fields_after(),
    ).drop(*(f"_bron_{b}" for b in trajectory_names()))


# Aggregations in group_by stay on polars' fast per-group kernels only when they are plain
# (min, first, any, get(arg_min)); a when/then or filter inside agg is evaluated group by
# group (1 s instead of 0.1 s at 1 M records). So the conditions come before or after.
_GEEN_BESCHIKKING = 2**31 - 1  # after every Date's day number


def _beschikking_eerst() -> pl.Expr:
    """Sort key of a record's decision: its day number, a record without one last."""
    return pl.col("beschikkingsdatum").cast(pl.Int32).fill_null(_GEEN_BESCHIKKING).alias("_beschikking_eerst")


def process_fields() -> list[pl.Expr]:
    """process.md §1, per component in authoritative order (see trajectory_fields);
    completed by process_fields_after."""
    return [
        pl.col("eerste_gesprek_datum").min(),
        # true when any record says so; null when none says anything (only DDAS records do).
        # A Boolean max is exactly that, and a plain kernel (is_not_null().any() is not)
        pl.col("crisis").max(),
        pl.col("beschikkingsdatum").min(),
        # of the record with the earliest beschikkingsdatum, ties the first (most authoritative)
        pl.col("beschikkingssoort").get(pl.col("_beschikking_eerst").arg_min()),
        pl.col("oplossing_soort").first(),
    ]


def process_fields_after() -> list[pl.Expr]:
    return [
        # null when no record has a decision (the key then points at any record)
        pl.when(pl.col("beschikkingsdatum").is_not_null()).then(pl.col("beschikkingssoort")).alias("beschikkingssoort"),
    ]


# --- the model tables ----------------------------------------------------------------
@dataclass
class Harmonised:
    trajecten: pl.LazyFrame  # schemas.model.Trajecten
    trajectclienten: pl.LazyFrame  # schemas.model.TrajectClienten
    herkomst: pl.LazyFrame  # schemas.model.TrajectHerkomst
    begeleiding: pl.LazyFrame  # schemas.model.Begeleiding
    schulden: pl.LazyFrame  # schemas.model.Schulden


def by_position(values: pl.Series, positions: pl.Series, n: int) -> pl.Series:
    """values given at positions 0..n-1 -> a Series where element i is the value at i."""
    order = np.empty(n, dtype=np.int64)
    order[positions.to_numpy()] = np.arange(len(positions))
    return values.gather(order)


def harmonise(records: pl.LazyFrame, key: bytes | None = None) -> Harmonised:
    """All accepted trajectory records of both sources (TrajectRecord) -> the model
    tables, rows sorted. `key`: the pseudonym key, which unmasks the clients' birth dates
    (assets/common/birth_mask.py); required when a record carries one.

    Collects where it must: the records once (every step reads them), the link graph
    (scipy), the per-component fields (several outputs use them) and the clients' pairs
    (trajecten counts them). The outputs are returned lazy; collect them together with
    pl.collect_all. Collecting trajectclienten unmasks the birth dates in memory, Python
    that holds the GIL: the Dagster asset collects it beside the other tables' writing.
    """
    base = records.collect()
    # Lists that linking never reads ride beside it: linked keeps the records' rows and
    # order, so they are put back by position afterwards (carrying them through the
    # superseding join and the linking sorts cost as much again as linking itself).
    riders = base.select(RIDERS)
    base = base.drop(RIDERS)
    files = file_states(file_table(base))
    linked, ordered, fields = linked_fields(base, riders, files)

    # component labels are 0..k-1 and rids 0..n-1: per-record values by gather, no joins
    n_components = fields.height
    def of_component(name: str) -> pl.Expr:
        return pl.lit(by_position(fields[name], fields["component"], n_components)).gather(pl.col("component"))

    gezag_rang = by_position(ordered["gezag_rang"], ordered["rid"], ordered.height)

    # trajecten in founding order; `_traject` numbers them so (0..k-1 in that order)
    founding = fields.sort("_stichting")
    traject_of = by_position(pl.Series(np.arange(n_components, dtype=np.int64)), founding["component"], n_components)
    # the records that take part (rid not null), in rid order, with their lists
    taking = linked["rid"].is_not_null()
    persons = linked.select("persoon_ids", "geslachten", "geboortedata_gemaskeerd", "begeleiding", "schulden").filter(
        taking).with_columns(traject_of.gather(linked["component"].filter(taking)).alias("_traject"), gezag_rang)
    # Ordered like trajecten (founding order), then persoon_id; a person named in several
    # records of one trajectory is listed once, with the sex and birth date of the most
    # authoritative record that gives them (process.md §6.3).
    pairs = client_pairs(persons, founding)
    per_traject = np.bincount(pairs["_traject"].to_numpy(), minlength=n_components)
    aantal = pl.Series("aantal_clienten", per_traject, dtype=pl.Int64)
    trajecten = founding.with_columns(pl.when(aantal > 0).then(aantal).alias("aantal_clienten")).select(TRAJECTEN_COLUMNS)
    # the authoritative record of each trajectory (a filter: gathering list columns is slow)
    authoritative = persons.lazy().filter(pl.col("gezag_rang") == 0)
    herkomst = linked.lazy().with_columns(
        of_component("traject_id").alias("traject_id"),
        pl.lit(gezag_rang).gather(pl.col("rid")).alias("gezag_rang"),
        pl.when(pl.col("component").is_not_null()).then("koppel_einde").alias("koppel_einde"),
    ).with_columns((pl.col("gezag_rang") == 0).fill_null(False).alias("is_gezaghebbend"))
    # Staging files hold records file by file in path order: usually already sorted.
    plaats = linked.select(packed("bestand_rang")).to_series()
    if not plaats.is_sorted():
        herkomst = herkomst.sort(packed("bestand_rang"))
    return Harmonised(
        trajecten=trajecten.lazy(), trajectclienten=with_age_classes(pairs, key).select(CLIENTEN_COLUMNS),
        herkomst=herkomst.select(HERKOMST_COLUMNS),
        begeleiding=nested_rows(authoritative, founding["traject_id"], "begeleiding", BEGELEIDING_COLUMNS),
        schulden=nested_rows(authoritative, founding["traject_id"], "schulden", SCHULDEN_COLUMNS),
    )


def linked_fields(base: pl.DataFrame, riders: pl.DataFrame, files: pl.DataFrame) -> tuple[pl.DataFrame, ...]:
    """The records (`base`, and `riders` beside them) superseded and linked, in their
    order; the same in authoritative order (the fields' columns); the fields per component."""
    check_positions(base, files.height)
    ranked = base.lazy().with_columns(file_rank(files, "bestand_rang"), file_rank(files, "stichting_rang"))
    marked = mark_superseded(ranked).with_columns(first_copy())
    linked = link(marked, take=pl.col(VERVANGEN_DOOR).is_null()).collect()
    assert linked.height == riders.height  # one row per record, in the records' order
    linked = linked.hstack(riders.get_columns())

    field_columns = [
        "rid", "component", "bron", "aanlevertijdstip", "einddatum", "aanmelddatum", "startdatum", "uitstroomreden",
        "gemeentecode", "is_informatie_advies", "nazorg_startdatum", "schuldbedrag_eur", "bestand_rang",
        "_stichting", "levering_index", "record_index",
        "eerste_gesprek_datum", "crisis", "beschikkingsdatum", "beschikkingssoort", "oplossing_soort",
    ]  # fmt: skip
    ordered = authoritative_order(linked.lazy().filter(pl.col("rid").is_not_null()).select(field_columns)).collect()
    fields = with_traject_ids(trajectory_fields(ordered.lazy()).collect(), files)
    return linked, ordered, fields


def nested_rows(authoritative: pl.LazyFrame, traject_ids: pl.Series, column: str, columns: list[str]) -> pl.LazyFrame:
    """The elements of a list-of-struct column of each trajectory's authoritative record
    (`authoritative`: `_traject`, the founding rank, and the column), one row each:
    ordered like trajecten (`traject_ids`, in founding order), then as delivered."""
    fields = [c for c in columns if c != "traject_id"]
    return (
        authoritative.select("_traject", column)
        .explode(column, empty_as_null=True)
        .drop_nulls(column)
        .select("_traject", pl.col(column).struct.field(*fields))
        .sort("_traject", maintain_order=True)
        .select(pl.lit(traject_ids).gather(pl.col("_traject")).alias("traject_id"), *fields)
    )
