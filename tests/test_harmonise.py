"""Harmonisation (model.md §4, sources.md §2-3): hand-made record sets, expected trajectories."""
from __future__ import annotations

import datetime as dt
import hashlib

import dagster as dg
import numpy as np
import polars as pl
import pytest

from assets.common import paths
from assets.common.parquet_io import write_parquet_atomic
from assets.common.settings import DdasSettings
from assets.harmonise.aftercare_events import dedupe_events
from assets.harmonise.dagster_assets import ASSETS
from assets.harmonise.merge import chain_edges, component_labels, link_end, person_pairs
from assets.harmonise.ordering import check_positions
from assets.harmonise.supersede import mark_superseded, supersede
from assets.harmonise.traject_id import fnv1a64, hex16
from assets.harmonise.trajectories import harmonise
from schemas.model import Begeleiding, NazorgGebeurtenissen, Schulden, TrajectClienten, TrajectHerkomst, Trajecten
from schemas.quality import empty
from schemas.records import NazorgEvent, TrajectRecord

SCHEMA = empty(TrajectRecord).schema
KEY = b"test-key-for-harmonise-0123456789abcdef"


def pid(name: str) -> str:
    """A stand-in pseudonym (64 hex) per test person."""
    return hashlib.sha256(name.encode()).hexdigest()


def did(dossier: str) -> str:
    """A stand-in Dossiernr hash (64 hex), as the reader keeps it (model.md §1)."""
    return hashlib.sha256(f"dossier {dossier}".encode()).hexdigest()


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def process(persons, bron: str = "ddas", **given) -> dict:
    """The process fields of a record (process.md §1), neutral unless given: no sex or
    birth date per client, no first conversation, no crisis (CSV: unknown), no guidance or debts."""
    return dict(
        geslachten=[None] * len(persons), geboortedata_gemaskeerd=[None] * len(persons), eerste_gesprek_datum=None,
        crisis=False if bron == "ddas" else None, beschikkingsdatum=None, beschikkingssoort=None, oplossing_soort=None,
        begeleiding=[], schulden=[],
    ) | given


def ddas(persons, start, end=None, *, file="ddas/a.json", t="2024-12-31T09:00:00+00:00", horizon=None, lev=0, idx=0,
         aanmeld=None, gemeente="GM0518", reden=None, ia=False, nazorg=None, bedrag=None, **given) -> dict:  # fmt: skip
    """One accepted DDAS record; persons is a string of one-letter names ('ab' = a couple).
    Like ingest, the record's start is the earliest of its aanmelding and start."""
    instant = dt.datetime.fromisoformat(t).astimezone(dt.timezone.utc)
    return dict(
        bron="ddas", bestand=file, locatie=f"leveringen[{lev}].schuldhulptrajecten[{idx}]", levering_index=lev,
        record_index=idx, aanlevertijdstip=instant, horizon=_d(horizon) or instant.date(), dossiernr=None,
        gemeentecode=gemeente, aanmelddatum=_d(aanmeld or start), startdatum=min(_d(start), _d(aanmeld or start)), einddatum=_d(end),
        uitstroomreden=reden, is_informatie_advies=ia, nazorg_startdatum=_d(nazorg), schuldbedrag_eur=bedrag,
        persoon_ids=[pid(p) for p in persons], **process(persons, "ddas", **given),
    )  # fmt: skip


def csv(persons, start, end=None, *, export="2024-01-31", dossier="D1", line=2, gemeente="GM0518", folder="",
        aanmeld=None, reden=None, ia=False, nazorg=None, bedrag=None, **given) -> dict:  # fmt: skip
    """One accepted legacy CSV row of export shv_csv/<folder>GMxxxx_YYYYMMDD.csv."""
    day = dt.date.fromisoformat(export)
    return dict(
        bron="shv_csv", bestand=f"shv_csv/{folder}{gemeente}_{day:%Y%m%d}.csv", locatie=str(line), levering_index=0,
        record_index=line, aanlevertijdstip=dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc),
        horizon=day, dossiernr=did(dossier), gemeentecode=gemeente, aanmelddatum=_d(aanmeld or start),
        startdatum=min(_d(start), _d(aanmeld or start)),
        einddatum=_d(end), uitstroomreden=reden, is_informatie_advies=ia, nazorg_startdatum=_d(nazorg),
        schuldbedrag_eur=bedrag, persoon_ids=[pid(p) for p in persons], **process(persons, "shv_csv", **given),
    )  # fmt: skip


def frame(*records: dict) -> pl.DataFrame:
    df = pl.DataFrame(list(records), schema=SCHEMA)
    TrajectRecord.validate(df)
    return df


def run(*records: dict | pl.DataFrame, nested: bool = False):
    """harmonise -> (trajecten, clienten, herkomst[, begeleiding, schulden]), each validated against its model."""
    df = records[0] if isinstance(records[0], pl.DataFrame) else frame(*records)
    out = harmonise(df.lazy(), KEY)
    trajecten, clienten, herkomst, begeleiding, schulden = pl.collect_all(
        [out.trajecten, out.trajectclienten, out.herkomst, out.begeleiding, out.schulden]
    )
    Trajecten.validate(trajecten)
    TrajectClienten.validate(clienten)
    TrajectHerkomst.validate(herkomst)
    Begeleiding.validate(begeleiding)
    Schulden.validate(schulden)
    return (trajecten, clienten, herkomst, begeleiding, schulden) if nested else (trajecten, clienten, herkomst)


def members(herkomst: pl.DataFrame) -> set[frozenset[str]]:
    """The trajectories as sets of record locations 'bestand#locatie'."""
    rows = herkomst.filter(pl.col("traject_id").is_not_null())
    keyed = rows.with_columns((pl.col("bestand") + "#" + pl.col("locatie")).alias("k"))
    return {frozenset(g["k"].to_list()) for _, g in keyed.group_by("traject_id")}


def authoritative(herkomst: pl.DataFrame) -> list[str]:
    return herkomst.filter("is_gezaghebbend").select(pl.col("bestand") + "#" + pl.col("locatie")).to_series().to_list()


# --- the merge rule -------------------------------------------------------------------
def test_yearly_ddas_deliveries_open_then_closed_are_one_trajectory():
    trajecten, clienten, herkomst = run(
        ddas("a", "2022-03-01", file="ddas/2022.json", t="2022-12-31T10:00:00+01:00", bedrag=9000),
        ddas("a", "2022-03-01", "2023-05-01", reden="Afgerond", file="ddas/2023.json", t="2023-12-31T10:00:00+01:00"),
    )
    assert trajecten.height == 1
    row = trajecten.row(0, named=True)
    assert row["einddatum"] == dt.date(2023, 5, 1) and row["uitstroomreden"] == "Afgerond"
    assert row["aantal_bronrecords"] == 2 and row["bronnen"] == "ddas"
    assert row["laatste_levering"] == dt.datetime(2023, 12, 31, 9, tzinfo=dt.timezone.utc)
    assert row["schuldbedrag_eur"] == 9000  # the authoritative record has none: next in authoritative order
    assert authoritative(herkomst) == ["ddas/2023.json#leveringen[0].schuldhulptrajecten[0]"]
    assert clienten["persoon_id"].to_list() == [pid("a")]


def test_relapse_after_the_horizon_of_an_old_open_copy_is_a_second_trajectory():
    # 2022 still showed the first trajectory open; it ended (Afgerond) in 2022 as the 2024
    # delivery says, and a new one started in 2023. With an open end as +inf the 2022 copy
    # would glue both together and hide the relapse.
    trajecten, _, herkomst = run(
        ddas("a", "2021-01-10", file="ddas/2022.json", t="2022-12-31T10:00:00+00:00"),
        ddas("a", "2021-01-10", "2022-06-30", reden="Afgerond", file="ddas/2024.json", t="2024-12-31T10:00:00+00:00"),
        ddas("a", "2023-09-01", file="ddas/2024.json", t="2024-12-31T10:00:00+00:00", idx=1),
    )
    assert trajecten.height == 2
    by_start = trajecten.sort("startdatum")
    assert by_start["einddatum"].to_list() == [dt.date(2022, 6, 30), None]
    assert by_start["uitstroomreden"].to_list() == ["Afgerond", None]
    assert by_start["aantal_bronrecords"].to_list() == [2, 1]
    linked = herkomst.filter(pl.col("startdatum") == dt.date(2021, 1, 10))
    assert linked["koppel_einde"].to_list() == [dt.date(2022, 12, 31), dt.date(2022, 6, 30)]


def test_relapse_starting_before_the_horizon_of_an_open_copy_links():
    trajecten, _, _ = run(
        ddas("a", "2021-01-10", file="ddas/2022.json", t="2022-12-31T10:00:00+00:00"),
        ddas("a", "2022-11-01", file="ddas/2024.json", t="2024-12-31T10:00:00+00:00"),
    )
    assert trajecten.height == 1


def test_open_record_whose_horizon_lies_before_its_start_runs_until_its_start():
    records = frame(ddas("a", "2024-03-01", horizon="2024-01-31"), ddas("a", "2024-03-01", "2024-03-01", idx=1))
    ends = records.lazy().select(link_end()).collect().to_series().to_list()
    assert ends == [dt.date(2024, 3, 1), dt.date(2024, 3, 1)]
    trajecten, _, _ = run(records)
    assert trajecten.height == 1


def test_samenloop_of_two_organisations_is_one_trajectory():
    trajecten, _, herkomst = run(
        ddas("a", "2023-02-01", file="ddas/kredietbank.json", t="2024-01-15T08:00:00+00:00", gemeente="GM0518"),
        ddas("a", "2023-04-01", "2024-01-10", reden="Afgerond", file="ddas/gemeente.json", t="2024-01-20T08:00:00+00:00"),
    )
    assert trajecten.height == 1
    row = trajecten.row(0, named=True)
    assert row["startdatum"] == dt.date(2023, 2, 1) and row["einddatum"] == dt.date(2024, 1, 10)
    assert authoritative(herkomst) == ["ddas/gemeente.json#leveringen[0].schuldhulptrajecten[0]"]


def test_legacy_export_and_ddas_delivery_of_the_same_trajectory():
    trajecten, _, _ = run(
        csv("a", "2022-05-01", export="2023-01-31", nazorg="2023-01-15", bedrag=12000),
        ddas("a", "2022-05-01", "2023-06-30", reden="Afgerond", file="ddas/2023.json", t="2023-12-31T10:00:00+00:00",
             aanmeld="2022-04-20", nazorg="2023-03-01"),
    )  # fmt: skip
    row = trajecten.row(0, named=True)
    assert trajecten.height == 1
    assert row["bronnen"] == "ddas,shv_csv" and row["aantal_bronrecords"] == 2
    assert row["aanmelddatum"] == dt.date(2022, 4, 20) and row["startdatum"] == dt.date(2022, 4, 20)
    assert row["nazorg_startdatum"] == dt.date(2023, 1, 15)
    assert row["schuldbedrag_eur"] == 12000


def test_couple_whose_later_trajectories_are_separate():
    trajecten, clienten, herkomst = run(
        ddas("ab", "2020-01-01", "2021-01-01", reden="Afgerond", idx=0),
        ddas("a", "2023-01-01", idx=1),
        ddas("b", "2023-02-01", idx=2),
    )
    assert trajecten.height == 3
    per_traject = clienten.group_by("traject_id").agg(pl.col("persoon_id").sort())
    assert sorted(per_traject["persoon_id"].to_list()) == sorted([sorted([pid("a"), pid("b")]), [pid("a")], [pid("b")]])
    assert len(members(herkomst)) == 3


def test_transitive_links_make_one_trajectory():
    # A-B and B-C overlap, A and C do not; also across persons: X(a) - Y(a,b) - Z(b)
    trajecten, clienten, herkomst = run(
        ddas("a", "2020-01-01", "2020-03-31", idx=0),
        ddas("a", "2020-03-15", "2020-06-30", idx=1),
        ddas("a", "2020-06-01", "2020-09-30", idx=2),
        ddas("c", "2021-01-01", "2021-03-01", idx=3),
        ddas("cd", "2021-02-01", "2021-05-01", idx=4),
        ddas("d", "2021-04-01", "2021-08-01", idx=5),
    )
    assert trajecten.height == 2
    assert sorted(len(m) for m in members(herkomst)) == [3, 3]
    assert clienten.height == 3  # a; c and d


def test_touching_periods_link_and_a_one_day_gap_does_not():
    touching, _, _ = run(ddas("a", "2020-01-01", "2020-06-30", idx=0), ddas("a", "2020-06-30", "2020-12-31", idx=1))
    gap, _, _ = run(ddas("a", "2020-01-01", "2020-06-29", idx=0), ddas("a", "2020-06-30", "2020-12-31", idx=1))
    assert touching.height == 1 and gap.height == 2


def test_records_of_different_persons_never_link():
    trajecten, _, _ = run(ddas("a", "2020-01-01", idx=0), ddas("b", "2020-01-01", idx=1))
    assert trajecten.height == 2


# --- the authoritative record: each tie-breaker ------------------------------------------
def _winner(*records):
    trajecten, _, herkomst = run(*records)
    assert trajecten.height == 1
    return authoritative(herkomst)[0], trajecten.row(0, named=True)


def test_authority_latest_delivery_instant_compared_as_instants():
    # 23:30 UTC is later than 00:15 +01:00 (= 23:15 UTC the same evening)
    loc, row = _winner(
        ddas("a", "2023-01-01", "2023-06-01", reden="Afgerond", file="ddas/z.json", t="2024-02-01T00:15:00+01:00"),
        ddas("a", "2023-01-01", "2023-07-01", reden="Verhuisd", file="ddas/a.json", t="2024-01-31T23:30:00+00:00"),
    )
    assert loc.startswith("ddas/a.json") and row["uitstroomreden"] == "Verhuisd"


def test_authority_tie_later_end_and_open_is_latest():
    t = "2024-01-31T12:00:00+00:00"
    loc, row = _winner(
        ddas("a", "2023-01-01", "2023-06-01", reden="Afgerond", file="ddas/z.json", t=t),
        ddas("a", "2023-01-01", "2023-08-01", reden="Verhuisd", file="ddas/a.json", t=t),
    )
    assert row["einddatum"] == dt.date(2023, 8, 1) and row["uitstroomreden"] == "Verhuisd"
    loc, row = _winner(
        ddas("a", "2023-01-01", "2023-08-01", reden="Verhuisd", file="ddas/z.json", t=t),
        ddas("a", "2023-01-01", file="ddas/a.json", t=t),
    )
    assert row["einddatum"] is None and loc.startswith("ddas/a.json")


def test_authority_tie_ddas_over_shv_csv():
    loc, row = _winner(
        csv("a", "2023-01-01", "2023-06-01", reden="Afgerond", export="2024-01-31", gemeente="GM0518"),
        ddas("a", "2023-01-01", "2023-06-01", reden="Verhuisd", file="ddas/a.json", t="2024-01-31T00:00:00+00:00"),
    )
    assert loc.startswith("ddas/") and row["uitstroomreden"] == "Verhuisd"


def test_authority_tie_later_path():
    t = "2024-01-31T12:00:00+00:00"
    loc, row = _winner(
        ddas("a", "2023-01-01", "2023-06-01", reden="Verhuisd", file="ddas/b/x.json", t=t),
        ddas("a", "2023-01-01", "2023-06-01", reden="Afgerond", file="ddas/a/y.json", t=t),
    )
    assert loc.startswith("ddas/b/x.json") and row["uitstroomreden"] == "Verhuisd"


def test_authority_tie_later_levering_then_later_record():
    loc, _ = _winner(
        ddas("a", "2023-01-01", "2023-06-01", lev=1, idx=0),
        ddas("a", "2023-01-01", "2023-06-01", lev=0, idx=7),
    )
    assert loc == "ddas/a.json#leveringen[1].schuldhulptrajecten[0]"
    loc, _ = _winner(ddas("a", "2023-01-01", "2023-06-01", idx=3), ddas("a", "2023-01-01", "2023-06-01", idx=12))
    assert loc == "ddas/a.json#leveringen[0].schuldhulptrajecten[12]"  # 12 > 3 as numbers, not as text


def test_gezag_rang_orders_every_record_of_a_trajectory():
    _, _, herkomst = run(
        ddas("a", "2023-01-01", file="ddas/1.json", t="2023-03-31T00:00:00+00:00"),
        ddas("a", "2023-01-01", file="ddas/2.json", t="2023-06-30T00:00:00+00:00"),
        ddas("a", "2023-01-01", "2023-08-01", file="ddas/3.json", t="2023-09-30T00:00:00+00:00"),
    )
    assert herkomst.sort("bestand")["gezag_rang"].to_list() == [2, 1, 0]
    assert herkomst.sort("bestand")["is_gezaghebbend"].to_list() == [False, False, True]


# --- the other fields -----------------------------------------------------------------
def test_gemeentecode_of_earliest_aanmelding_null_when_onbekend():
    trajecten, _, _ = run(
        ddas("a", "2023-03-01", gemeente=None, aanmeld="2023-01-05", file="ddas/1.json", t="2023-06-30T00:00:00+00:00"),
        ddas("a", "2023-03-01", "2023-09-01", gemeente="GM0518", file="ddas/2.json", t="2023-12-31T00:00:00+00:00"),
    )
    assert trajecten["gemeentecode"].to_list() == [None]


def test_gemeentecode_tie_on_earliest_aanmelding_goes_to_the_most_authoritative():
    records = (
        ddas("a", "2023-03-01", gemeente="GM0363", file="ddas/1.json", t="2023-06-30T00:00:00+00:00"),
        ddas("a", "2023-03-01", gemeente="GM0518", file="ddas/2.json", t="2023-12-31T00:00:00+00:00"),
        ddas("a", "2023-05-01", gemeente="GM0599", aanmeld="2023-04-01", file="ddas/3.json", t="2024-06-30T00:00:00+00:00"),
    )
    trajecten, _, _ = run(*records)
    assert trajecten["gemeentecode"].to_list() == ["GM0518"]


def test_informatie_advies_only_when_every_record_is():
    all_ia, _, _ = run(ddas("a", "2023-01-01", ia=True, idx=0), ddas("a", "2023-01-01", ia=True, idx=1))
    mixed, _, _ = run(ddas("a", "2023-01-01", ia=True, idx=0), ddas("a", "2023-01-01", ia=False, idx=1))
    assert all_ia["is_informatie_advies"].to_list() == [True]
    assert mixed["is_informatie_advies"].to_list() == [False]


def test_schuldbedrag_of_the_authoritative_record_first():
    trajecten, _, _ = run(
        ddas("a", "2023-01-01", bedrag=5000, file="ddas/1.json", t="2023-06-30T00:00:00+00:00"),
        ddas("a", "2023-01-01", bedrag=7000, file="ddas/2.json", t="2023-12-31T00:00:00+00:00"),
    )
    assert trajecten["schuldbedrag_eur"].to_list() == [7000]


def test_traject_id_is_fnv1a_of_the_founding_record():
    trajecten, _, _ = run(
        ddas("a", "2023-01-01", file="ddas/later.json", t="2023-12-31T00:00:00+00:00", lev=2, idx=5),
        ddas("a", "2023-01-01", file="ddas/zfirst.json", t="2023-06-30T00:00:00+00:00", lev=1, idx=300),
    )
    data = b"ddas/zfirst.json\x00" + (1).to_bytes(4, "big") + (300).to_bytes(4, "big")
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) % 2**64
    assert trajecten["traject_id"].to_list() == [f"{h:016x}"]


def test_fnv1a64_known_vectors_and_hex():
    h = fnv1a64(pl.Series(["", "a", "foobar", "é"]))
    assert hex16(h).to_list() == ["cbf29ce484222325", "af63dc4c8601ec8c", "85944171f73967e8", "0ac21707b7181e01"]


def test_traject_id_stays_when_a_later_delivery_arrives():
    first = [ddas("a", "2023-01-01", file="ddas/2023.json", t="2023-12-31T00:00:00+00:00")]
    later = ddas("a", "2023-01-01", "2024-03-01", reden="Afgerond", file="ddas/2024.json", t="2024-12-31T00:00:00+00:00")
    before, _, _ = run(*first)
    after, _, _ = run(*first, later)
    assert before["traject_id"].to_list() == after["traject_id"].to_list()


# --- superseding ------------------------------------------------------------------------
def test_later_export_supersedes_and_the_old_row_stays_in_provenance():
    trajecten, _, herkomst = run(
        csv("a", "2023-01-01", export="2023-06-30", dossier="D1", line=4),
        csv("a", "2023-01-01", "2023-09-01", reden="Afgerond", export="2023-12-31", dossier="D1", line=9),
        csv("b", "2023-01-01", export="2023-06-30", dossier="D1", gemeente="GM0363"),  # other municipality
    )
    assert trajecten.height == 2
    mine = trajecten.filter(pl.col("gemeentecode") == "GM0518").row(0, named=True)
    assert mine["aantal_bronrecords"] == 1 and mine["einddatum"] == dt.date(2023, 9, 1)
    old = herkomst.filter(pl.col("bestand") == "shv_csv/GM0518_20230630.csv").row(0, named=True)
    assert old["traject_id"] is None and old["vervangen_door"] == "shv_csv/GM0518_20231231.csv"
    assert old["is_gezaghebbend"] is False and old["gezag_rang"] is None and old["koppel_einde"] is None
    assert herkomst["vervangen_door"].null_count() == 2


def test_superseding_tie_on_export_date_goes_to_the_later_path():
    marked = mark_superseded(
        frame(
            csv("a", "2023-01-01", export="2023-06-30", folder="b/", reden=None),
            csv("a", "2023-01-01", "2023-03-01", export="2023-06-30", folder="a/"),
        ).lazy()
    ).collect()
    kept = marked.filter(pl.col("vervangen_door").is_null())
    assert kept["bestand"].to_list() == ["shv_csv/b/GM0518_20230630.csv"]
    assert marked["vervangen_door"].drop_nulls().to_list() == ["shv_csv/b/GM0518_20230630.csv"]


def test_superseding_leaves_ddas_records_alone():
    records = frame(
        ddas("a", "2023-01-01", file="ddas/1.json", idx=0),
        ddas("a", "2023-01-01", file="ddas/2.json", idx=0),
        csv("a", "2023-01-01", export="2023-06-30"),
    )
    assert supersede(records.lazy()).collect().height == 3


def test_legacy_trajectory_keeps_its_id_across_exports():
    one, _, _ = run(csv("a", "2023-01-01", export="2023-06-30"))
    two, _, _ = run(csv("a", "2023-01-01", export="2023-06-30"), csv("a", "2023-01-01", "2023-08-01", export="2023-09-30"))
    assert one["traject_id"].to_list() == two["traject_id"].to_list()


# --- determinism, edge cases ----------------------------------------------------------------
def _mixed_records() -> pl.DataFrame:
    return frame(
        ddas("ab", "2020-01-01", "2021-01-01", reden="Afgerond", file="ddas/2021.json", t="2021-12-31T00:00:00+00:00"),
        ddas("a", "2022-01-01", file="ddas/2022.json", t="2022-12-31T00:00:00+00:00", idx=0),
        ddas("a", "2022-01-01", "2023-02-01", file="ddas/2023.json", t="2023-12-31T00:00:00+00:00", idx=0),
        ddas("c", "2022-01-01", file="ddas/2023.json", t="2023-12-31T00:00:00+00:00", idx=1, lev=1),
        csv("c", "2021-11-01", export="2022-06-30", dossier="9"),
        csv("c", "2021-11-01", export="2022-12-31", dossier="9"),
        csv("b", "2023-05-01", export="2023-06-30", dossier="10", line=3),
    )


def test_shuffled_input_rows_give_identical_outputs():
    records = _mixed_records()
    reference = run(records)
    for seed in range(5):
        shuffled = records.sample(fraction=1.0, shuffle=True, seed=seed)
        for got, want in zip(run(shuffled), reference):
            assert got.equals(want)


def test_empty_input_gives_empty_typed_tables():
    trajecten, clienten, herkomst = run(empty(TrajectRecord))
    assert (trajecten.height, clienten.height, herkomst.height) == (0, 0, 0)
    assert trajecten.schema == empty(Trajecten).schema


def test_exact_sweep_gives_the_same_components_as_the_hashed_sweep():
    rng = np.random.default_rng(3)
    people = "abcdefgh"
    records = frame(
        *[
            ddas("".join(rng.choice(list(people), size=rng.integers(1, 3), replace=False)),
                 str(dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))), idx=i)
            for i in range(60)
        ]
    )  # fmt: skip
    base = records.lazy().with_columns(link_end(), pl.int_range(pl.len(), dtype=pl.Int64).alias("rid"))
    pairs = person_pairs(base)

    def partition(by_hash: bool) -> set[frozenset[int]]:
        labels = component_labels(records.height, chain_edges(pairs, by_hash=by_hash).collect())
        groups: dict[int, set[int]] = {}
        for rid, label in enumerate(labels):
            groups.setdefault(int(label), set()).add(rid)
        return {frozenset(g) for g in groups.values()}

    assert partition(True) == partition(False)
    assert not chain_edges(pairs).collect()["botsing"].any()


def test_positions_beyond_the_packed_key_are_refused():
    with pytest.raises(ValueError, match="levering_index"):
        check_positions(frame(ddas("a", "2023-01-01", lev=5000)), 1)


# --- aftercare events ------------------------------------------------------------------------
def _event(person, datum, soort, *, file, row, leverdatum, uitkomst=None, vorm=None, door=None, gemeente="GM0518"):
    return dict(
        bestand=file, locatie=str(row), leverdatum=_d(leverdatum), persoon_id=pid(person), datum=_d(datum), soort=soort,
        uitkomst=uitkomst, contactvorm=vorm, uitgevoerd_door=door, gemeentecode=gemeente,
    )  # fmt: skip


def test_aftercare_event_delivered_twice_appears_once_with_the_latest_copy():
    events = pl.DataFrame(
        [
            _event("a", "2024-02-01", "nazorgtoets", file="nazorg/GM0518_20240301.xlsx", row=2, leverdatum="2024-03-01", uitkomst="Lichte nazorg"),
            _event("a", "2024-02-01", "nazorgtoets", file="nazorg/GM0518_20240601.xlsx", row=5, leverdatum="2024-06-01", uitkomst="Intensieve nazorg"),
            _event("a", "2024-02-01", "contact", file="nazorg/GM0518_20240301.xlsx", row=3, leverdatum="2024-03-01", vorm="Telefonisch"),
            # same file twice in one workbook: the later row wins
            _event("b", "2024-02-02", "contact", file="nazorg/GM0518_20240301.xlsx", row=10, leverdatum="2024-03-01", door="Vrijwilligers"),
            _event("b", "2024-02-02", "contact", file="nazorg/GM0518_20240301.xlsx", row=9, leverdatum="2024-03-01", door="Gemeente"),
            # same leverdatum, different paths: the later path wins
            _event("c", "2024-02-03", "contact", file="nazorg/b/GM0518_20240301.xlsx", row=2, leverdatum="2024-03-01", door="B"),
            _event("c", "2024-02-03", "contact", file="nazorg/a/GM0518_20240301.xlsx", row=2, leverdatum="2024-03-01", door="A"),
        ],
        schema=empty(NazorgEvent).schema,
    )  # fmt: skip
    NazorgEvent.validate(events)
    out = dedupe_events(events.sample(fraction=1.0, shuffle=True, seed=1).lazy()).collect()
    NazorgGebeurtenissen.validate(out)
    assert out.height == 4
    toets = out.filter((pl.col("persoon_id") == pid("a")) & (pl.col("soort") == "nazorgtoets")).row(0, named=True)
    assert toets["uitkomst"] == "Intensieve nazorg" and toets["aantal_kopieen"] == 2 and toets["locatie"] == "5"
    assert out.filter(pl.col("persoon_id") == pid("b"))["uitgevoerd_door"].to_list() == ["Vrijwilligers"]
    assert out.filter(pl.col("persoon_id") == pid("c"))["uitgevoerd_door"].to_list() == ["B"]
    assert out.equals(dedupe_events(events.lazy()).collect())


# --- Dagster wiring ---------------------------------------------------------------------------
def test_assets_write_the_model_tables_and_treat_missing_staging_as_empty(tmp_path):
    """Only the ddas staging records exist (published); the run publishes what it built."""
    from pipelines.definitions import defs

    write_parquet_atomic(_mixed_records().filter(pl.col("bron") == "ddas"), paths.out(tmp_path, paths.staging("ddas", "records")))
    built = {k.to_user_string() for a in ASSETS for k in a.keys}
    result = dg.materialize([a for a in defs.assets if isinstance(a, dg.AssetsDefinition)],
                            resources={"settings": DdasSettings(output_dir=str(tmp_path))}, selection=[*built, "publicatie"])
    assert result.success
    keys = {e.materialization.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert keys == {"trajecten", "trajectclienten", "traject_herkomst", "begeleiding", "schulden_model",
                    "nazorg_gebeurtenissen", "publicatie"}
    trajecten = pl.read_parquet(paths.out(tmp_path, paths.TRAJECTEN))
    Trajecten.validate(trajecten)
    assert trajecten.height == 3
    assert pl.read_parquet(paths.out(tmp_path, paths.NAZORG_GEBEURTENISSEN)).height == 0


# --- data dictionary --------------------------------------------------------------------------
def test_committed_data_dictionary_equals_the_generated_text():
    from schemas.dictionary import DOC, render

    assert DOC.read_text(encoding="utf-8") == render(), "docs/data_dictionary.md is stale: run python -m schemas.dictionary"


def test_worked_example_of_docs_merge_rule():
    trajecten, clienten, herkomst = run(
        ddas("a", "2022-03-01", file="ddas/GM0518_2022.json", t="2023-01-15T10:00:00+01:00", horizon="2022-12-31", idx=0),
        ddas("a", "2022-03-01", "2023-04-30", reden="Afgerond", file="ddas/GM0518_2023.json", t="2024-01-15T10:00:00+01:00",
             horizon="2023-12-31", idx=4),
        csv("a", "2022-03-01", export="2022-10-31", aanmeld="2022-02-14", dossier="1234", line=5),
        csv("a", "2022-03-01", export="2023-01-31", aanmeld="2022-02-14", dossier="1234", line=7),
        ddas("ab", "2024-02-01", file="ddas/GM0518_2024.json", t="2025-01-15T09:00:00+01:00", horizon="2024-12-31", idx=2),
        ddas("b", "2024-03-01", "2024-11-30", reden="Afgerond", file="ddas/kredietbank_2024.json",
             t="2024-12-20T16:00:00+01:00", horizon="2024-12-31", idx=0),
    )  # fmt: skip
    assert trajecten.select("traject_id", "aanmelddatum", "einddatum", "uitstroomreden", "aantal_bronrecords", "bronnen").rows() == [
        ("40bd151ae6a0f73d", dt.date(2022, 2, 14), dt.date(2023, 4, 30), "Afgerond", 3, "ddas,shv_csv"),
        ("ea8c1250977bc817", dt.date(2024, 2, 1), None, None, 2, "ddas"),
    ]
    assert clienten.group_by("traject_id").len().sort("traject_id")["len"].to_list() == [1, 2]
    assert herkomst.select("bestand", "gezag_rang").rows() == [
        ("ddas/GM0518_2022.json", 2),
        ("ddas/GM0518_2023.json", 0),
        ("ddas/GM0518_2024.json", 0),
        ("ddas/kredietbank_2024.json", 1),
        ("shv_csv/GM0518_20221031.csv", None),
        ("shv_csv/GM0518_20230131.csv", 1),
    ]
