"""Edge cases of spec/indicators.md, one behaviour per test, on hand-built model tables."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from itertools import count

import dagster as dg
import polars as pl
import pytest

from assets.common import paths
from assets.indicators import compute_indicators, indicator_counts
from assets.indicators.table import finalise, percentage
from assets.indicators.views import indicatoren_breed, read_doelen, terugval_doel
from schemas.indicators import Indicatoren, IndicatorenBreed, TerugvalDoel
from schemas.indicator_registry import codes
from tests.process_builders import with_process_fields

P = dt.date(2025, 6, 30)
G1, G2 = "GM0518", "GM0363"
_ids = count()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def traj(aanmeld, clients=("p",), g=G1, eind=None, reden=None, start=None, ia=False, nazorg=None, tid=None):
    """One harmonised trajectory; dates as ISO text. Returns (row, client rows)."""
    tid = tid or f"t{next(_ids)}"
    row = {
        "traject_id": tid, "gemeentecode": g, "aanmelddatum": d(aanmeld),
        "startdatum": d(start or aanmeld), "einddatum": d(eind) if eind else None,
        "uitstroomreden": reden, "is_informatie_advies": ia,
        "nazorg_startdatum": d(nazorg) if nazorg else None,
    }
    return row, [{"traject_id": tid, "persoon_id": p} for p in clients]


def done(aanmeld, eind, **kw):
    """A successfully ended trajectory."""
    return traj(aanmeld, eind=eind, reden="Afgerond", **kw)


def ev(persoon, datum, soort="contact"):
    return {"persoon_id": persoon, "datum": d(datum), "soort": soort}


T_SCHEMA = {"traject_id": pl.Utf8, "gemeentecode": pl.Utf8, "aanmelddatum": pl.Date, "startdatum": pl.Date,
            "einddatum": pl.Date, "uitstroomreden": pl.Utf8, "is_informatie_advies": pl.Boolean,
            "nazorg_startdatum": pl.Date}
C_SCHEMA = {"traject_id": pl.Utf8, "persoon_id": pl.Utf8}
E_SCHEMA = {"persoon_id": pl.Utf8, "datum": pl.Date, "soort": pl.Utf8}


def frames(trajs, events=()):
    rows = [t for t, _ in trajs]
    clients = [c for _, cs in trajs for c in cs]
    cf = pl.LazyFrame(clients, schema=C_SCHEMA)
    return (with_process_fields(pl.LazyFrame(rows, schema=T_SCHEMA), cf), cf, pl.LazyFrame(list(events), schema=E_SCHEMA))


def counts(trajs, events=()) -> dict:
    """{(indicator, regio, jaar): (teller, noemer)} of the unsuppressed counts."""
    df = indicator_counts(*frames(trajs, events)).collect()
    return {(i, r, j): (t, n) for i, r, j, t, n in df.select("indicator", "regio_code", "jaar", "teller", "noemer").iter_rows()}


def table(trajs, events=(), peildatum=P, **kw) -> pl.DataFrame:
    """The published table; kw: dekking, historie_vanaf (default: none, H from the data)."""
    return Indicatoren.validate(compute_indicators(*frames(trajs, events), peildatum, **kw).collect())


def relapse(trajs, g=G1, jaar=2020):
    return counts(trajs)[("terugval_5j", g, jaar)]


# --- terugval_5j: the window aanmelddatum - 5 years <= einddatum(s) < aanmelddatum -----------

def test_relapse_end_exactly_five_years_before_counts():
    assert relapse([done("2012-01-01", "2015-03-10"), traj("2020-03-10")]) == (1, 1)


def test_relapse_end_one_day_before_the_window_does_not_count():
    assert relapse([done("2012-01-01", "2015-03-09"), traj("2020-03-10")]) == (0, 1)


def test_relapse_end_on_the_aanmelddatum_does_not_count():
    assert relapse([done("2019-01-01", "2020-03-10"), traj("2020-03-10")]) == (0, 1)


def test_relapse_end_the_day_before_the_aanmelddatum_counts():
    assert relapse([done("2019-01-01", "2020-03-09"), traj("2020-03-10")]) == (1, 1)


def test_relapse_leap_day_minus_five_years_is_28_february():
    assert relapse([done("2017-01-01", "2019-02-28"), traj("2024-02-29")], jaar=2024) == (1, 1)
    assert relapse([done("2017-01-01", "2019-02-27"), traj("2024-02-29")], jaar=2024) == (0, 1)


def test_relapse_needs_uitstroomreden_afgerond():
    other = traj("2016-01-01", eind="2018-01-01", reden="Overig")
    no_reason = traj("2016-01-01", eind="2018-01-01", reden=None)
    assert relapse([other, no_reason, traj("2020-03-10")]) == (0, 1)


def test_relapse_s_must_be_another_trajectory():
    # odd but possible: a trajectory ending before its own (earliest) aanmelddatum
    assert relapse([done("2020-03-10", "2020-01-01", start="2019-12-01")]) == (0, 1)


def test_relapse_s_may_be_in_another_municipality():
    assert relapse([done("2016-01-01", "2018-01-01", g=G2), traj("2020-03-10", g=G1)]) == (1, 1)


def test_relapse_counts_distinct_persons_per_row():
    trajs = [done("2016-01-01", "2018-01-01", clients=("a",)),
             traj("2020-02-01", clients=("a",)), traj("2020-09-01", clients=("a",)),
             traj("2020-03-01", clients=("b",)), traj("2020-04-01", clients=("b",))]
    assert relapse(trajs) == (1, 2)


def test_relapse_partner_is_counted_per_person():
    # only q had an earlier successful trajectory: q relapses, partner p does not
    trajs = [done("2016-01-01", "2018-01-01", clients=("q",)), traj("2020-03-10", clients=("p", "q"))]
    assert relapse(trajs) == (1, 2)


def test_relapse_via_an_earlier_household_trajectory_of_either_partner():
    trajs = [done("2016-01-01", "2018-01-01", clients=("p", "q")), traj("2020-03-10", clients=("p", "q"))]
    assert relapse(trajs) == (2, 2)


def test_relapse_onbekend_counts_in_nl_only():
    c = counts([traj("2020-03-10", g=None, clients=("a",)), traj("2020-05-01", g=G1, clients=("b",))])
    assert c[("terugval_5j", "NL", 2020)] == (0, 2)
    assert c[("terugval_5j", G1, 2020)] == (0, 1)
    assert {r for (_, r, _) in c} == {"NL", G1}


def test_gemeentecode_text_onbekend_is_treated_as_unknown():
    c = counts([traj("2020-03-10", g="Onbekend", clients=("a",)), traj("2020-05-01", g=" ", clients=("b",))])
    assert c == {("terugval_5j", "NL", 2020): (0, 2)}


def test_relapse_nl_counts_a_person_once_across_municipalities():
    c = counts([traj("2020-02-01", g=G1, clients=("a",)), traj("2020-08-01", g=G2, clients=("a",))])
    assert c[("terugval_5j", G1, 2020)] == (0, 1)
    assert c[("terugval_5j", G2, 2020)] == (0, 1)
    assert c[("terugval_5j", "NL", 2020)] == (0, 1)


def test_ia_only_trajectory_is_not_an_aanmelder():
    c = counts([traj("2020-03-10", ia=True, clients=("a",)), traj("2021-03-10", clients=("a",))])
    assert ("terugval_5j", G1, 2020) not in c
    assert c[("terugval_5j", G1, 2021)] == (0, 1)


def test_ia_only_trajectory_is_not_an_earlier_success():
    assert relapse([done("2016-01-01", "2018-01-01", ia=True), traj("2020-03-10")]) == (0, 1)


def test_duplicate_client_rows_count_once():
    row, cl = traj("2020-03-10", clients=("a",))
    assert relapse([(row, cl + cl)]) == (0, 1)


# --- cohort indicators: windows around the end date e --------------------------------------

def cohort_flag(indicator, t, events=(), others=()):
    """(teller, noemer) of the gemeente row of a one-trajectory cohort (+ other trajectories)."""
    y = t[0]["einddatum"].year
    return counts([t, *others], events)[(indicator, G1, y)]


def test_cohort_contains_only_afgerond_ends():
    c = counts([done("2020-01-01", "2023-05-01"), traj("2020-01-01", eind="2023-05-01", reden="Overig"),
                traj("2020-01-01")])
    assert c[("nazorg_gestart", G1, 2023)] == (0, 1)


def test_cohort_unit_is_the_trajectory_not_the_person():
    c = counts([done("2020-01-01", "2023-05-01"), done("2023-06-01", "2023-11-01")])
    assert c[("nazorg_tijdig", G1, 2023)] == (0, 2)


def test_cohort_rows_exist_for_all_six_indicators_and_nl():
    c = counts([done("2020-01-01", "2023-05-01", g=None)])
    assert {i for (i, r, y) in c if r == "NL" and y == 2023} == set(codes(cohort="afgerond"))
    assert all(r == "NL" for (_, r, _) in c)


def test_nazorg_gestart_up_to_twelve_months_after_end_month_end_clamps():
    # 28-02-2023 + 12 months = 28-02-2024 (not 29-02): the leap day is outside
    assert cohort_flag("nazorg_gestart", done("2022-01-01", "2023-02-28", nazorg="2024-02-28")) == (1, 1)
    assert cohort_flag("nazorg_gestart", done("2022-01-01", "2023-02-28", nazorg="2024-02-29")) == (0, 1)


def test_nazorg_gestart_before_the_end_counts():
    assert cohort_flag("nazorg_gestart", done("2022-01-01", "2023-02-28", nazorg="2022-06-01")) == (1, 1)


def test_nazorg_tijdig_on_the_end_date_counts_day_after_not():
    assert cohort_flag("nazorg_tijdig", done("2022-01-01", "2023-05-31", nazorg="2023-05-31")) == (1, 1)
    assert cohort_flag("nazorg_tijdig", done("2022-01-01", "2023-05-31", nazorg="2023-06-01")) == (0, 1)
    assert cohort_flag("nazorg_tijdig", done("2022-01-01", "2023-05-31")) == (0, 1)


@pytest.mark.parametrize("datum,hit", [("2022-02-01", True), ("2023-05-31", True),
                                       ("2022-01-31", False), ("2023-06-01", False)])
def test_nazorgtoets_voor_einde_bounds_are_startdatum_and_end_inclusive(datum, hit):
    t = done("2022-01-15", "2023-05-31", start="2022-02-01")
    assert cohort_flag("nazorgtoets_voor_einde", t, [ev("p", datum, "nazorgtoets")]) == (int(hit), 1)


def test_nazorgtoets_voor_einde_ignores_contact_events():
    t = done("2022-01-15", "2023-05-31")
    assert cohort_flag("nazorgtoets_voor_einde", t, [ev("p", "2023-01-01", "contact")]) == (0, 1)


@pytest.mark.parametrize("datum,hit", [("2023-08-31", False), ("2023-09-01", True),
                                       ("2024-02-29", True), ("2024-03-01", False)])
def test_nazorgcontact_6m_after_end_to_end_plus_six_months_clamped(datum, hit):
    # 31-08-2023 + 6 months = 29-02-2024
    t = done("2022-01-15", "2023-08-31")
    assert cohort_flag("nazorgcontact_6m", t, [ev("p", datum)]) == (int(hit), 1)


def test_nazorgcontact_6m_ignores_nazorgtoets_events():
    t = done("2022-01-15", "2023-08-31")
    assert cohort_flag("nazorgcontact_6m", t, [ev("p", "2023-10-01", "nazorgtoets")]) == (0, 1)


WARM = ["2023-11-30", "2024-02-29", "2024-05-31", "2024-08-31"]  # last day of each quarter after 31-08-2023


def test_warm_contact_12m_one_contact_on_each_quarter_end_counts():
    t = done("2022-01-15", "2023-08-31")
    assert cohort_flag("warm_contact_12m", t, [ev("p", x) for x in WARM]) == (1, 1)


def test_warm_contact_12m_missing_first_quarter_does_not_count():
    t = done("2022-01-15", "2023-08-31")
    moved = ["2023-12-01", *WARM[1:]]  # 01-12 is already the second quarter
    assert cohort_flag("warm_contact_12m", t, [ev("p", x) for x in moved]) == (0, 1)


def test_warm_contact_12m_contact_on_end_date_is_not_in_first_quarter():
    t = done("2022-01-15", "2023-08-31")
    assert cohort_flag("warm_contact_12m", t, [ev("p", x) for x in ["2023-08-31", *WARM[1:]]]) == (0, 1)


def test_warm_contact_12m_many_contacts_in_three_quarters_is_not_enough():
    t = done("2022-01-15", "2023-08-31")
    dates = ["2023-09-15", "2023-10-15", "2023-11-15", "2024-01-10", "2024-04-10", "2024-09-01"]
    assert cohort_flag("warm_contact_12m", t, [ev("p", x) for x in dates]) == (0, 1)


def test_warm_contact_12m_partners_share_the_quarters():
    t = done("2022-01-15", "2023-08-31", clients=("p", "q"))
    events = [ev("p", WARM[0]), ev("q", WARM[1]), ev("p", WARM[2]), ev("q", WARM[3])]
    assert cohort_flag("warm_contact_12m", t, events) == (1, 1)


def test_cohort_event_of_either_partner_counts():
    t = done("2022-01-15", "2023-08-31", clients=("p", "q"))
    assert cohort_flag("nazorgcontact_6m", t, [ev("q", "2023-10-01")]) == (1, 1)
    assert cohort_flag("nazorgtoets_voor_einde", t, [ev("q", "2023-01-01", "nazorgtoets")]) == (1, 1)


def test_cohort_event_of_a_stranger_does_not_count():
    t = done("2022-01-15", "2023-08-31", clients=("p",))
    assert cohort_flag("nazorgcontact_6m", t, [ev("x", "2023-10-01")]) == (0, 1)


@pytest.mark.parametrize("aanmeld,hit", [("2023-08-31", False), ("2023-09-01", True),
                                         ("2024-08-31", True), ("2024-09-01", False)])
def test_terugval_12m_window_after_end_to_twelve_months(aanmeld, hit):
    t = done("2022-01-15", "2023-08-31")
    assert cohort_flag("terugval_12m", t, others=[traj(aanmeld)]) == (int(hit), 1)


def test_terugval_12m_via_partner_and_other_municipality():
    t = done("2022-01-15", "2023-08-31", clients=("p", "q"))
    assert cohort_flag("terugval_12m", t, others=[traj("2024-01-01", clients=("q", "z"), g=G2)]) == (1, 1)


def test_terugval_12m_ignores_ia_only_later_trajectory():
    t = done("2022-01-15", "2023-08-31")
    assert cohort_flag("terugval_12m", t, others=[traj("2024-01-01", ia=True)]) == (0, 1)


def test_terugval_12m_ignores_the_trajectory_itself():
    # aanmelddatum after its own end (odd data): still not "another" trajectory
    t = done("2023-09-15", "2023-08-31", start="2023-01-01")
    assert cohort_flag("terugval_12m", t) == (0, 1)


def test_ia_only_trajectory_is_not_in_the_cohort():
    c = counts([done("2022-01-15", "2023-08-31", ia=True)])
    assert c == {}


def test_onbekend_cohort_counts_in_nl_only():
    c = counts([done("2022-01-15", "2023-08-31", g=None), done("2022-01-15", "2023-03-31", g=G1)])
    assert c[("nazorg_gestart", "NL", 2023)] == (0, 2)
    assert c[("nazorg_gestart", G1, 2023)] == (0, 1)


# --- disclosure control, rounding, provisional flags, order ---------------------------------

def _households(n, relapsed, g=G1):
    """n aanmelders in 2020 of whom `relapsed` had a success in 2018."""
    out = []
    for i in range(n):
        out.append(traj("2020-03-10", clients=(f"p{i}",), g=g))
        if i < relapsed:
            out.append(done("2016-01-01", "2018-01-01", clients=(f"p{i}",), g=g))
    return out


def _row(df, indicator="terugval_5j", regio=G1, jaar=2020) -> dict:
    rows = df.filter((pl.col("indicator") == indicator) & (pl.col("regio_code") == regio) & (pl.col("jaar") == jaar))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_noemer_9_is_suppressed():
    row = _row(table(_households(9, 3)))
    assert (row["teller"], row["noemer"], row["waarde"], row["onderdrukt"]) == (None, None, None, True)


def test_noemer_10_is_shown():
    row = _row(table(_households(10, 3)))
    assert (row["teller"], row["noemer"], row["waarde"], row["onderdrukt"]) == (3, 10, 30.0, False)


def test_nl_row_is_suppressed_on_its_own_noemer():
    df = table(_households(6, 1, g=G1) + _households_named(6, "x", g=G2))
    assert _row(df, regio=G1)["onderdrukt"] and _row(df, regio=G2)["onderdrukt"]
    assert _row(df, regio="NL")["noemer"] == 12


def _households_named(n, prefix, g):
    return [traj("2020-03-10", clients=(f"{prefix}{i}",), g=g) for i in range(n)]


@pytest.mark.parametrize("teller,noemer,expected", [(1, 16, 6.3), (3, 16, 18.8), (1, 8, 12.5), (1, 80, 1.3),
                                                    (1, 3, 33.3), (2, 3, 66.7), (0, 10, 0.0), (10, 10, 100.0),
                                                    (1, 400, 0.3), (7, 16, 43.8)])
def test_percentage_rounds_half_away_from_zero(teller, noemer, expected):
    got = pl.select(percentage(pl.lit(teller, pl.Int64), pl.lit(noemer, pl.Int64))).item()
    assert got == expected


def test_percentage_matches_decimal_half_up_for_all_small_fractions():
    pairs = [(t, n) for n in range(10, 201) for t in range(n + 1)]
    df = pl.DataFrame(pairs, schema={"t": pl.Int64, "n": pl.Int64}, orient="row")
    got = df.select(percentage(pl.col("t"), pl.col("n"))).to_series().to_list()
    want = [float((Decimal(100 * t) / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) for t, n in pairs]
    assert got == want


def test_rounding_in_the_table_one_in_sixteen_is_6_3():
    assert _row(table(_households(16, 1)))["waarde"] == 6.3


def _voorlopig(indicator, jaar, peildatum) -> bool:
    raw = pl.LazyFrame({"indicator": [indicator], "regio_code": ["NL"], "jaar": [jaar], "teller": [1], "noemer": [20]})
    return finalise(raw, peildatum).collect()["voorlopig"].item()


@pytest.mark.parametrize("indicator", ["terugval_5j", "nazorg_tijdig", "nazorgtoets_voor_einde"])
def test_voorlopig_from_the_peildatum_year(indicator):
    assert _voorlopig(indicator, 2025, d("2025-01-01")) is True
    assert _voorlopig(indicator, 2024, d("2025-01-01")) is False
    assert _voorlopig(indicator, 2024, d("2024-12-31")) is True


def test_voorlopig_nazorgcontact_6m_until_30_june_of_next_year():
    assert _voorlopig("nazorgcontact_6m", 2024, d("2025-06-29")) is True
    assert _voorlopig("nazorgcontact_6m", 2024, d("2025-06-30")) is False


@pytest.mark.parametrize("indicator", ["nazorg_gestart", "warm_contact_12m", "terugval_12m"])
def test_voorlopig_twelve_month_windows_until_end_of_next_year(indicator):
    assert _voorlopig(indicator, 2024, d("2025-12-30")) is True
    assert _voorlopig(indicator, 2024, d("2025-12-31")) is False


def test_rows_sorted_with_nl_after_the_gemeenten():
    df = table(_households(3, 0, g=G2) + _households_named(3, "x", g=G1) + [traj("2019-01-01", clients=("y",))])
    assert df.select("regio_code", "jaar").rows() == [(G2, 2020), (G1, 2019), (G1, 2020), ("NL", 2019), ("NL", 2020)]


def test_only_rows_with_noemer_at_least_one():
    df = table([traj("2020-03-10")])
    assert df.select("indicator", "regio_code", "jaar").rows() == [("terugval_5j", G1, 2020), ("terugval_5j", "NL", 2020)]


def test_empty_inputs_give_an_empty_valid_table():
    df = table([])
    assert df.height == 0
    assert df.columns[:8] == ["indicator", "regio_code", "jaar", "teller", "noemer", "waarde", "onderdrukt", "voorlopig"]


def test_schema_rejects_an_unsuppressed_small_noemer():
    df = table(_households(10, 3)).with_columns(noemer=pl.lit(9, pl.Int64))
    with pytest.raises(Exception):
        Indicatoren.validate(df)


# --- analyst views ----------------------------------------------------------------------------

def _published(historie_vanaf=d("2010-01-01")):
    trajs = _households(10, 1) + [done("2019-01-01", "2020-06-01", clients=("z",))]
    return table(trajs, historie_vanaf=historie_vanaf).lazy()


def test_breed_has_one_row_per_region_year_and_every_indicator_column():
    wide = IndicatorenBreed.validate(indicatoren_breed(_published()).collect())
    # 2016: aanmelding of the earlier success; 2018: its end; 2019/2020: z's trajectory; 2020: aanmelders
    assert wide.select("regio_code", "jaar").rows() == [(G1, y) for y in (2016, 2018, 2019, 2020)] + [
        ("NL", y) for y in (2016, 2018, 2019, 2020)]
    row = wide.row(3, named=True)
    assert (row["terugval_5j"], row["terugval_5j_teller"], row["terugval_5j_noemer"]) == (10.0, 1, 10)
    assert row["nazorg_gestart_onderdrukt"] is True and row["regio_naam"] == "'s-Gravenhage"
    no_cohort = wide.row(0, named=True)  # 2016: aanmelders only, so no cohort columns
    assert no_cohort["nazorg_gestart_onderdrukt"] is None and no_cohort["terugval_5j_onderdrukt"] is True


def test_terugval_doel_uses_default_and_file_target():
    default = TerugvalDoel.validate(terugval_doel(_published()).collect()).filter(pl.col("jaar") == 2020)
    assert default.select("doel_pct", "doel_bron", "verschil_pp", "doel_gehaald").row(0) == (7.0, "standaard", 3.0, False)
    doelen = pl.DataFrame({"gemeentecode": [G1, "NL"], "doel_pct": [12.5, 9.0]})
    own = terugval_doel(_published(), doelen).collect().filter(pl.col("jaar") == 2020)
    assert own.select("regio_code", "doel_pct", "doel_bron", "verschil_pp", "doel_gehaald").rows() == [
        (G1, 12.5, "doelen.csv", -2.5, True), ("NL", 9.0, "doelen.csv", 1.0, False)]


def test_terugval_doel_gap_is_empty_when_suppressed():
    row = terugval_doel(table(_households(9, 1)).lazy()).collect().row(0, named=True)
    assert (row["verschil_pp"], row["doel_gehaald"], row["doel_pct"]) == (None, None, 7.0)


def test_shipped_doelen_file_is_valid():
    assert set(read_doelen().columns) == {"gemeentecode", "doel_pct"}


def test_doelen_file_with_unknown_code_is_refused(tmp_path):
    f = tmp_path / "doelen.csv"
    f.write_text("gemeentecode,doel_pct\nGM9999,7\n")
    with pytest.raises(ValueError, match="GM9999"):
        read_doelen(f)


# --- Dagster wiring ---------------------------------------------------------------------------

def test_dagster_assets_write_the_three_tables(tmp_path):
    from assets.common.settings import DdasSettings
    from assets.indicators import dagster_assets as da

    from schemas.model import Begeleiding, Schulden

    t, c, e = frames(_households(12, 2))
    c = c.with_columns(leeftijdsklasse=pl.lit("onbekend"), geslacht=pl.lit("onbekend"))  # as the model has them
    for lf, rel in ((t, paths.TRAJECTEN), (c, paths.TRAJECTCLIENTEN), (e, paths.NAZORG_GEBEURTENISSEN),
                    (Begeleiding.empty().lazy(), paths.BEGELEIDING), (Schulden.empty().lazy(), paths.SCHULDEN_MODEL),
                    (_staged_events(), paths.staging("nazorg", "records")), (_staged_books(), paths.staging("nazorg", "leveringen"))):
        paths.out(tmp_path, rel).parent.mkdir(parents=True, exist_ok=True)
        lf.collect().write_parquet(paths.out(tmp_path, rel))
    settings = DdasSettings(output_dir=str(tmp_path), peildatum="2025-06-30", historie_vanaf="2010-01-01")
    from assets.publish.dagster_assets import build_publicatie

    # A run writes into its work folder; `publicatie` swaps the set into the output folder.
    publicatie = build_publicatie([k for a in da.ASSETS for k in a.keys])  # the four tables: one multi-asset
    result = dg.materialize([*da.ASSETS, publicatie], resources={"settings": settings})
    assert result.success
    assert _row(pl.read_parquet(paths.out(tmp_path, paths.INDICATOREN)))["waarde"] == 16.7
    long = pl.read_parquet(paths.out(tmp_path, paths.INDICATOREN))
    wide = pl.read_parquet(paths.out(tmp_path, paths.INDICATOREN_BREED))
    assert wide.height == long.select("regio_code", "jaar").n_unique() == 6
    doel = pl.read_parquet(paths.out(tmp_path, paths.TERUGVAL_DOEL)).filter(pl.col("jaar") == 2020)
    assert doel["verschil_pp"].to_list() == [9.7, 9.7]
    dekking = pl.read_parquet(paths.out(tmp_path, paths.NAZORG_DEKKING))
    assert dekking.select("gemeentecode", "dekking_vanaf", "dekking_tot").rows() == [(G1, 2019, 2025)]
    assert not long["historie_onvolledig"].any()  # H from the setting: 2010-01-01
    from assets.indicators.tabellen import TABLES

    for tab in TABLES:  # process.md §3: written and valid (schulden: no debts in this world, no rows)
        tab.model.validate(pl.read_parquet(paths.out(tmp_path, tab.pad)))


def _staged_events() -> pl.LazyFrame:
    """The nazorg reader's accepted events (only the columns the coverage reads)."""
    return pl.LazyFrame({"bestand": ["nazorg/GM0518_20250115.xlsx"], "datum": [d("2019-03-01")], "gemeentecode": [G1]})


def _staged_books() -> pl.LazyFrame:
    return pl.LazyFrame({"bron": ["nazorg"], "bestand": ["nazorg/GM0518_20250115.xlsx"], "status": ["geladen"],
                         "leverdatum": [d("2025-01-15")]})
