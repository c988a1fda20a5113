"""The auditor's path (docs/audit.md): from one indicator cell to the units behind it,
and from a trajectory to the delivered records that made it.

Member lists reuse the rule functions of `relapse.py` and `cohort.py` and the region
expansion of `regions.py`, the same ones the counts aggregate: per cell, the number of
members equals noemer and the number with `in_teller` equals teller, by construction.
They hold pseudonyms and small groups: audit material, never a publication.
"""
from __future__ import annotations

from typing import Callable

import polars as pl

from assets.indicators.cohort import COHORT_INDICATORS, UNITS, cohort, cohort_clients, event_hits, relapse_12m_links
from assets.indicators.coverage import covered
from assets.indicators.regions import by_region, in_cell
from assets.indicators.relapse import flagged_aanmelders, relapse_links, relapse_persons
from assets.indicators.table import model_inputs
from schemas.indicator_registry import indicator as registry_entry

DATES = pl.List(pl.Date)
IDS = pl.List(pl.Utf8)

RECORD_COLUMNS = [
    "bron", "bestand", "locatie", "aanlevertijdstip", "gemeentecode", "dossiernr", "aanmelddatum", "startdatum",
    "einddatum", "koppel_einde", "uitstroomreden", "is_gezaghebbend", "gezag_rang", "vervangen_door",
]


def indicator_members(
    trajecten: pl.LazyFrame, clienten: pl.LazyFrame, events: pl.LazyFrame, indicator: str, regio: str, jaar: int,
    dekking: pl.LazyFrame | None = None, begeleiding: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """The units behind one cell (indicator, regio, jaar), with `in_teller` and evidence.

    terugval_5j: one row per person (docs/audit.md lists the columns); the cohort
    indicators: one row per trajectory. No rows when the cell has no units. With
    `dekking` (kwaliteit/nazorg_dekking) the event-based indicators keep only the
    trajectories of covered (gemeente, year) pairs, as the published counts do: a
    geen_gegevens cell has no members.
    """
    entry = registry_entry(indicator)  # ValueError naming the known codes
    regio = regio.strip().upper()
    eligible, pairs, ev, beg = model_inputs(trajecten, clienten, events, begeleiding)
    if entry.cohort == "aanmelders":
        return _terugval_5j_members(pairs, regio, int(jaar))
    if entry.cohort in PROCESS_COLUMNS:
        return _process_members(eligible, pairs, ev, beg, indicator, regio, int(jaar))
    return _cohort_members(eligible, pairs, ev, indicator, regio, int(jaar), dekking)


# The Wgs cohorts (wgs.py): what an auditor sees per trajectory besides in_teller. The term
# indicators show the start of the term, its last day (`uiterlijk`) and the date judged;
# beheer_naar_begeleiding the Budgetbeheer ends in the year and the qualifying starts.
PROCESS_COLUMNS = {
    "aanmelding": ["aanmelddatum", "crisis", "uiterlijk", "eerste_gesprek_datum"],
    "eerste_gesprek": ["eerste_gesprek_datum", "uiterlijk", "beschikkingsdatum"],
    "budgetbeheer": ["beheer_einden", "bewijs_datums"],
}


def _process_members(
    eligible: pl.LazyFrame, pairs: pl.LazyFrame, ev: pl.LazyFrame, beg: pl.LazyFrame, indicator: str, regio: str,
    jaar: int,
) -> pl.LazyFrame:
    cohort_key = registry_entry(indicator).cohort
    units = by_region(UNITS[cohort_key](eligible, pairs, ev, beg)).filter(in_cell(regio, jaar))
    persoon_ids = pairs.join(units.select("traject_id"), on="traject_id", how="semi").group_by("traject_id").agg(
        persoon_ids=pl.col("persoon_id").unique().sort())
    return (
        units.join(persoon_ids, on="traject_id", how="left")
        .select("traject_id", "persoon_ids", pl.col(indicator).alias("in_teller"), "gemeentecode",
                *PROCESS_COLUMNS[cohort_key])
        .sort(["in_teller", "traject_id"], descending=[True, False])
    )


def _terugval_5j_members(pairs: pl.LazyFrame, regio: str, jaar: int) -> pl.LazyFrame:
    cell = in_cell(regio, jaar)
    persons = relapse_persons(pairs).filter(cell).select("persoon_id", in_teller="terugval")
    rows = by_region(flagged_aanmelders(pairs)).filter(cell)  # the person's trajectories t in the cell
    # Per (t, p) the most recent qualifying successful end: the relapse to check first.
    latest_s = (
        relapse_links(pairs)
        .join(rows.select("traject_id", "persoon_id"), on=["traject_id", "persoon_id"], how="semi")
        .group_by("traject_id", "persoon_id")
        .agg(pl.col("s_id", "s_eind").sort_by(["s_eind", "s_id"], descending=[True, False]).first())
    )
    # One t per person: a relapsing one first, then the earliest aanmelding, then the id.
    order = [pl.col("terugval").not_(), pl.col("aanmelddatum"), pl.col("traject_id")]
    per_person = (
        rows.join(latest_s, on=["traject_id", "persoon_id"], how="left")
        .group_by("persoon_id")
        .agg(
            pl.col("traject_id", "gemeentecode", "aanmelddatum", "s_id", "s_eind").sort_by(order).first(),
            aantal_trajecten=pl.col("traject_id").n_unique(),
        )
    )
    return (
        persons.join(per_person, on="persoon_id", how="left")
        .select(
            "persoon_id", "in_teller", "traject_id", "gemeentecode", "aanmelddatum", "aantal_trajecten",
            terugval_traject_id="s_id", terugval_einddatum="s_eind",
        )
        .sort(["in_teller", "persoon_id"], descending=[True, False])
    )


def _cohort_members(
    eligible: pl.LazyFrame, pairs: pl.LazyFrame, ev: pl.LazyFrame, indicator: str, regio: str, jaar: int,
    dekking: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    entry = registry_entry(indicator)
    flags = covered(UNITS[entry.cohort](eligible, pairs, ev), dekking)
    if entry.gebeurtenissen:
        flags = flags.filter("gedekt")
    units = (
        by_region(flags)
        .filter(in_cell(regio, jaar))
        .select("traject_id", "gemeentecode", "startdatum", "nazorg_startdatum", einddatum="e",
                in_teller=pl.col(indicator))
    )
    clients = pairs.join(units.select("traject_id"), on="traject_id", how="semi")
    persoon_ids = clients.group_by("traject_id").agg(persoon_ids=pl.col("persoon_id").unique().sort())
    evidence, extra = _evidence(indicator, eligible, clients, pairs, ev)
    out = units.join(persoon_ids, on="traject_id", how="left")
    if evidence is not None:
        out = out.join(evidence, on="traject_id", how="left")
    else:  # no EVIDENCE entry (nazorg_gestart, nazorg_tijdig): the aftercare start, when it qualifies
        out = out.with_columns(bewijs_datums=pl.when("in_teller").then(pl.concat_list("nazorg_startdatum")))
    empty = {"bewijs_datums": DATES, "bewijs_traject_ids": IDS, "bewijs_kwartalen": pl.List(pl.Int8)}
    return (
        out.with_columns(pl.col(c).fill_null(pl.lit([], dtype=empty[c])) for c in ["bewijs_datums", *extra])
        .select("traject_id", "persoon_ids", "in_teller", "gemeentecode", "startdatum", "einddatum",
                "nazorg_startdatum", "bewijs_datums", *extra)
        .sort(["in_teller", "traject_id"], descending=[True, False])
    )


# What proves the condition, per trajectory of the cell: (cell clients, pairs, events) ->
# (traject_id, bewijs_datums sorted and distinct, extra columns), and the extra column names.
Evidence = Callable[[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame], tuple[pl.LazyFrame, list[str]]]
_DATUMS = pl.col("datum").unique().sort()


def _later_trajectories(cell_clients: pl.LazyFrame, pairs: pl.LazyFrame, ev: pl.LazyFrame) -> tuple[pl.LazyFrame, list[str]]:
    links = relapse_12m_links(cell_clients, pairs).sort("traject_id", "s_aanmeld", "s_id")
    return links.group_by("traject_id", maintain_order=True).agg(
        bewijs_datums="s_aanmeld", bewijs_traject_ids="s_id"
    ), ["bewijs_traject_ids"]


def _quarters(cell_clients: pl.LazyFrame, pairs: pl.LazyFrame, ev: pl.LazyFrame) -> tuple[pl.LazyFrame, list[str]]:
    """Every contact in one of the four quarters after the end."""
    ev_q = event_hits(cell_clients, ev).filter(pl.col("kwartaal").is_not_null()).group_by("traject_id")
    return ev_q.agg(bewijs_datums=_DATUMS, bewijs_kwartalen=pl.col("kwartaal").unique().sort()), ["bewijs_kwartalen"]


def _events_where(hit: str) -> Evidence:
    """The events for which `event_hits` sets the boolean column `hit`."""
    def evidence(cell_clients: pl.LazyFrame, pairs: pl.LazyFrame, ev: pl.LazyFrame) -> tuple[pl.LazyFrame, list[str]]:
        return event_hits(cell_clients, ev).filter(pl.col(hit)).group_by("traject_id").agg(bewijs_datums=_DATUMS), []
    return evidence


# Indicator code -> its evidence; an indicator without an entry shows its aftercare start
# when it qualifies (nazorg_gestart, nazorg_tijdig: the start date itself is the proof).
EVIDENCE: dict[str, Evidence] = {
    "nazorgtoets_voor_einde": _events_where("toets_voor_einde"),
    "nazorgcontact_6m": _events_where("contact_6m"),
    "warm_contact_12m": _quarters,
    "terugval_12m": _later_trajectories,
}


def _evidence(
    indicator: str, eligible: pl.LazyFrame, clients: pl.LazyFrame, pairs: pl.LazyFrame, ev: pl.LazyFrame
) -> tuple[pl.LazyFrame | None, list[str]]:
    """Per trajectory of the cell: what satisfies the condition (dates sorted, distinct),
    and the names of indicator-specific extra columns; (None, []) without an EVIDENCE entry."""
    assert indicator in COHORT_INDICATORS
    if indicator not in EVIDENCE:
        return None, []
    return EVIDENCE[indicator](cohort_clients(cohort(eligible), clients), pairs, ev)


def member_counts(members: pl.DataFrame) -> tuple[int, int]:
    """(teller, noemer) of a member list: the cell recounted from its units."""
    return int(members["in_teller"].sum()), members.height


def trajectory_records(
    herkomst: pl.LazyFrame, traject_id: str, leveringen: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """The delivered records of one trajectory, authoritative first (gezag_rang 0), then
    the older exports of its legacy dossiers that were superseded (vervangen_door set,
    no traject_id), latest delivery first. With the ledger, each file's sha256.
    """
    own = herkomst.filter(pl.col("traject_id") == traject_id)
    # Superseding is per (gemeentecode, dossiernr) of legacy rows (sources.md §2).
    dossiers = own.filter((pl.col("bron") == "shv_csv") & pl.col("dossiernr").is_not_null()).select(
        "gemeentecode", "dossiernr"
    ).unique()
    superseded = herkomst.filter(pl.col("vervangen_door").is_not_null()).join(
        dossiers, on=["gemeentecode", "dossiernr"], how="semi", nulls_equal=True
    )
    rows = pl.concat([own, superseded]).select(*RECORD_COLUMNS, "levering_index", "record_index")
    if leveringen is not None:
        sha = leveringen.select("bestand", "sha256").unique(subset="bestand", keep="first")
        rows = rows.join(sha, on="bestand", how="left")
    else:
        rows = rows.with_columns(sha256=pl.lit(None, dtype=pl.Utf8))
    return rows.sort(
        ["gezag_rang", "aanlevertijdstip", "bestand", "levering_index", "record_index"],
        descending=[False, True, False, False, False], nulls_last=True,
    ).drop("levering_index", "record_index")
