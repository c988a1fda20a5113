"""Aftercare coverage (process.md §4) and what it does to the event-based indicators;
the history start H and `historie_onvolledig`; the flags in the two analyst views."""
from __future__ import annotations

import datetime as dt

import polars as pl

from assets.indicators.coverage import nazorg_dekking
from assets.indicators.views import indicatoren_breed, terugval_doel
from schemas.indicators import IndicatorenBreed, NazorgDekking, TerugvalDoel
from tests.test_indicators import G1, G2, done, ev, table, traj

d = dt.date.fromisoformat
EVENT_BASED = ["nazorgtoets_voor_einde", "nazorgcontact_6m", "warm_contact_12m"]


def ledger(*books: tuple[str, str]) -> pl.LazyFrame:
    """(bestand, status) rows of the nazorg ledger; leverdatum from the name."""
    return pl.LazyFrame(
        [{"bron": "nazorg", "bestand": b, "status": s,
          "leverdatum": dt.datetime.strptime(b.rsplit("_", 1)[1][:8], "%Y%m%d").date() if "_" in b else None}
         for b, s in books],
        schema={"bron": pl.Utf8, "bestand": pl.Utf8, "status": pl.Utf8, "leverdatum": pl.Date},
    )


def records(*rows: tuple[str, str]) -> pl.LazyFrame:
    """(bestand, datum) of accepted events."""
    return pl.LazyFrame([{"bestand": b, "datum": d(x)} for b, x in rows], schema={"bestand": pl.Utf8, "datum": pl.Date})


def coverage(recs, books, gemeenten=()) -> pl.DataFrame:
    g = pl.LazyFrame({"gemeentecode": list(gemeenten)}, schema={"gemeentecode": pl.Utf8})
    return NazorgDekking.validate(nazorg_dekking(recs, books, g).collect())


# --- the quality table ---------------------------------------------------------------------------

def test_coverage_runs_from_the_first_event_to_the_last_file_date():
    books = ledger(("nazorg/2019/GM0518_20200115.xlsx", "geladen"), ("nazorg/2021/GM0518_20220115.xlsx", "geladen"))
    recs = records(("nazorg/2019/GM0518_20200115.xlsx", "2019-03-04"), ("nazorg/2021/GM0518_20220115.xlsx", "2021-12-01"))
    row = coverage(recs, books).row(0, named=True)
    assert (row["dekking_vanaf"], row["dekking_tot"], row["werkboeken_geladen"], row["gebeurtenissen_geaccepteerd"]) == (
        2019, 2022, 2, 2)
    assert row["toelichting"] == "nazorg gedekt van 2019 tot en met 2022"


def test_gemeente_without_workbooks_is_listed_without_coverage():
    df = coverage(records(), ledger(), gemeenten=[G2])
    assert df.select("gemeentecode", "werkboeken_geladen", "dekking_vanaf", "dekking_tot").rows() == [(G2, 0, None, None)]
    assert df["toelichting"].item() == "geen nazorgwerkboek aangeleverd"


def test_refused_and_empty_workbooks_give_no_coverage():
    books = ledger(("nazorg/GM0518_20200115.xlsx", "geweigerd"), ("nazorg/GM0363_20200115.xlsx", "geladen"))
    df = coverage(records(), books)
    assert df.select("gemeentecode", "werkboeken_geladen", "werkboeken_niet_geladen", "dekking_vanaf").rows() == [
        (G2, 1, 0, None), (G1, 0, 1, None)]
    assert "niet geladen" in df["toelichting"][1] and "zonder geaccepteerde regel" in df["toelichting"][0]


def test_an_event_of_a_refused_workbook_does_not_count():
    books = ledger(("nazorg/GM0518_20180115.xlsx", "duplicaat"), ("nazorg/GM0518_20230115.xlsx", "geladen"))
    recs = records(("nazorg/GM0518_20180115.xlsx", "2017-05-01"), ("nazorg/GM0518_20230115.xlsx", "2022-05-01"))
    assert coverage(recs, books).select("dekking_vanaf", "dekking_tot").row(0) == (2022, 2023)


# --- geen_gegevens in the indicator table ---------------------------------------------------------

def _cohort(g, year, n, tag, contact=True):
    """n successful ends in `year` in gemeente g, each with a contact a month after the end."""
    trajs, events = [], []
    for i in range(n):
        p = f"{tag}{i}"
        trajs.append(done(f"{year - 1}-03-01", f"{year}-05-01", clients=(p,), g=g))
        if contact:
            events.append(ev(p, f"{year}-06-01"))
    return trajs, events


def _dekking(**spans) -> pl.LazyFrame:
    return pl.LazyFrame([(g, a, b) for g, (a, b) in spans.items()], orient="row",
                        schema={"gemeentecode": pl.Utf8, "dekking_vanaf": pl.Int32, "dekking_tot": pl.Int32})


def _world():
    t1, e1 = _cohort(G1, 2020, 12, "a")
    t2, e2 = _cohort(G2, 2020, 11, "b", contact=False)  # no workbooks: no events either
    t3, e3 = _cohort(G1, 2018, 12, "c")  # GM0518's workbooks start in 2019: 2018 is not covered
    t4, _ = _cohort(None, 2020, 3, "o")  # Onbekend
    return t1 + t2 + t3 + t4, e1 + e2 + e3


def _cells(df, indicator):
    return {(r, y): (row["teller"], row["noemer"], row["geen_gegevens"], row["onderdrukking"])
            for r, y, row in ((row["regio_code"], row["jaar"], row) for row in df.filter(pl.col("indicator") == indicator).iter_rows(named=True))}


def test_event_based_rows_outside_coverage_are_geen_gegevens_and_nl_counts_only_covered():
    trajs, events = _world()
    df = table(trajs, events, dekking=_dekking(GM0518=(2019, 2025)))
    for ind in EVENT_BASED:
        cells = _cells(df, ind)
        assert cells[(G2, 2020)] == (None, None, True, None)  # no workbooks: no data, not 0 of 11
        assert cells[(G1, 2018)] == (None, None, True, None)  # workbooks start late
        assert cells[("NL", 2018)] == (None, None, True, None)  # a year without any covered gemeente
    # NL 2020 counts GM0518's 12 only: not GM0363's 11, not the 3 Onbekend (they have no coverage)
    assert _cells(df, "nazorgcontact_6m")[("NL", 2020)] == (12, 12, False, None)
    assert _cells(df, "nazorgcontact_6m")[(G1, 2020)] == (12, 12, False, None)
    # the other cohort indicators count everything, as before
    assert _cells(df, "nazorg_gestart")[("NL", 2020)][1] == 26
    assert _cells(df, "nazorg_gestart")[(G2, 2020)][2] is False


def test_without_coverage_every_trajectory_counts_as_before():
    trajs, events = _world()
    cells = _cells(table(trajs, events), "nazorgcontact_6m")
    assert cells[("NL", 2020)] == (12, 26, False, None) and cells[(G1, 2020)] == (12, 12, False, None)
    # 26 - 12 - 11 = 3 Onbekend trajectories: GM0363 (the smallest) covers them
    assert cells[(G2, 2020)] == (None, None, False, "secundair")


def test_geen_gegevens_rows_take_no_part_in_secondary_suppression():
    trajs, events = _world()
    more, more_ev = _cohort(G1, 2020, 2, "z")  # GM0518 2020: 14; a small covered gemeente GM0599: 4
    small, small_ev = _cohort("GM0599", 2020, 4, "s")
    df = table(trajs + more + small, events + more_ev + small_ev, dekking=_dekking(GM0518=(2019, 2025), GM0599=(2019, 2025)))
    cells = _cells(df, "nazorgcontact_6m")
    # NL 18 covered: GM0599 (4) primary, D = 18 - 14 = 4 -> GM0518 secondary; GM0363 stays geen_gegevens
    assert cells[("GM0599", 2020)][3] == "primair" and cells[(G1, 2020)][3] == "secundair"
    assert cells[(G2, 2020)] == (None, None, True, None) and cells[("NL", 2020)] == (14 + 4, 18, False, None)


# --- historie_onvolledig ----------------------------------------------------------------------------

def _aanmelders(first: str):
    """An aanmelding on `first` (sets H when no setting) and 10 aanmelders in each of 2019..2023."""
    trajs = [traj(first, clients=("h",))]
    for y in range(2019, 2024):
        trajs += [traj(f"{y}-06-01", clients=(f"p{y}_{i}",)) for i in range(10)]
    return trajs


def _incomplete(df) -> dict:
    rows = df.filter((pl.col("indicator") == "terugval_5j") & (pl.col("regio_code") == "NL"))
    return dict(rows.select("jaar", "historie_onvolledig").iter_rows())


def test_h_on_1_january_makes_exactly_that_year_plus_5_complete():
    df = table(_aanmelders("2016-01-01"))
    # 1 Jan 2015 (x = 2020) < H = 1 Jan 2016; 1 Jan 2016 (x = 2021) is not before H
    assert _incomplete(df) == {2016: True, 2019: True, 2020: True, 2021: False, 2022: False, 2023: False}


def test_h_mid_year_makes_that_year_plus_5_incomplete_too():
    df = table(_aanmelders("2016-07-01"))
    assert _incomplete(df) == {2016: True, 2019: True, 2020: True, 2021: True, 2022: False, 2023: False}


def test_h_from_the_setting_wins_over_the_data():
    df = table(_aanmelders("2016-07-01"), historie_vanaf=d("2010-01-01"))
    assert not any(_incomplete(df).values())
    df = table(_aanmelders("2016-07-01"), historie_vanaf=d("2018-01-01"))
    assert _incomplete(df) == {2016: True, 2019: True, 2020: True, 2021: True, 2022: True, 2023: False}


def test_h_counts_i_and_a_trajectories_and_numbers_stay_published():
    trajs = _aanmelders("2019-06-01") + [traj("2015-02-01", clients=("q",), ia=True)]
    df = table(trajs)
    # H = 1 Feb 2015 (an I&A trajectory): 1 Jan 2015 (x = 2020) is before it, 1 Jan 2016 is not
    assert _incomplete(df) == {2019: True, 2020: True, 2021: False, 2022: False, 2023: False}
    row = df.filter((pl.col("indicator") == "terugval_5j") & (pl.col("regio_code") == "NL") & (pl.col("jaar") == 2020))
    assert row["noemer"].item() == 10 and row["waarde"].item() == 0.0


def test_historie_onvolledig_is_false_on_other_indicators():
    trajs = _aanmelders("2016-07-01") + [done("2016-07-01", "2020-03-01", clients=(f"e{i}",)) for i in range(10)]
    df = table(trajs)
    assert not df.filter(pl.col("indicator") != "terugval_5j")["historie_onvolledig"].any()
    assert df.filter(pl.col("indicator") == "terugval_5j")["historie_onvolledig"].any()


# --- the two views ----------------------------------------------------------------------------------

def test_target_view_never_judges_an_incomplete_history():
    df = table(_aanmelders("2016-07-01")).lazy()
    doel = TerugvalDoel.validate(terugval_doel(df).collect()).filter(pl.col("regio_code") == "NL")
    rows = {r["jaar"]: (r["historie_onvolledig"], r["doel_gehaald"], r["verschil_pp"]) for r in doel.iter_rows(named=True)}
    assert rows[2021] == (True, None, None)  # 0 % relapse, but not observable: not "target met"
    assert rows[2022] == (False, True, -7.0)


def test_wide_view_carries_the_flags_and_no_zero_for_geen_gegevens():
    trajs, events = _world()
    df = table(trajs, events, dekking=_dekking(GM0518=(2019, 2025))).lazy()
    wide = IndicatorenBreed.validate(indicatoren_breed(df).collect())
    row = wide.filter((pl.col("regio_code") == G2) & (pl.col("jaar") == 2020)).row(0, named=True)
    assert row["nazorgcontact_6m_geen_gegevens"] is True and row["nazorgcontact_6m"] is None
    assert row["nazorg_gestart_geen_gegevens"] is False and row["nazorg_gestart_onderdrukking"] == "secundair"
    assert "terugval_5j_historie_onvolledig" in wide.columns and "nazorg_gestart_historie_onvolledig" not in wide.columns


def test_member_lists_follow_the_coverage():
    from assets.indicators import indicator_counts
    from assets.indicators.members import indicator_members, member_counts
    from tests.test_indicators import frames

    trajs, events = _world()
    fr = frames(trajs, events)
    dekking = _dekking(GM0518=(2019, 2025))
    cells = indicator_counts(*fr, dekking=dekking).collect()
    assert cells["noemer"].null_count() > 0  # some geen_gegevens cells: they have no members
    for ind, regio, jaar, teller, noemer in cells.iter_rows():
        m = indicator_members(*fr, ind, regio, jaar, dekking=dekking).collect()
        assert member_counts(m) == ((teller, noemer) if noemer is not None else (0, 0)), (ind, regio, jaar)
