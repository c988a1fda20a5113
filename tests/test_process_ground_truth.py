"""A whole run on the generator's world (crisis requests around the working-day bounds,
Easter, Ascension, King's Day, Christmas; decisions around 56 days; guidance sequences;
debts): the three Wgs indicators and the four tables as published equal the plain-Python
reference (tests/reference_process.py), computed from the generator's ground truth where
it holds the fields, and from the run's own model for the debts (the truth has no
schuldbedrag_eur; the model is compared with the truth in test_ground_truth.py)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl
import pytest

from assets.common import paths
from assets.indicators.table_checks import tabel_recoverable
from assets.indicators.tabellen import BY_NAME, TABLES
from tests import reference_process as ref
from tests.conftest import TEST_KEY

PEIL = "2026-06-30"
WGS = ["eerste_gesprek_tijdig", "beschikking_tijdig", "beheer_naar_begeleiding"]


@pytest.fixture(scope="module")
def run(generated_run):
    made = generated_run(3, 2500, PEIL)  # one of test_ground_truth's worlds: one run for both
    return {"land": made["land"], "out": made["out"]}


def _worlds(t: pl.DataFrame, c: pl.DataFrame, b: pl.DataFrame, s: pl.DataFrame, person: str) -> list[ref.PT]:
    """Model-shaped frames -> the reference's plain trajectories."""
    clients, beg, debts = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in c.iter_rows(named=True):
        clients[r["traject_id"]].append(ref.Client(r[person], r["leeftijdsklasse"], r["geslacht"]))
    for r in b.iter_rows(named=True):
        beg[r["traject_id"]].append((r["soort"], r["startdatum"], r["einddatum"]))
    for r in s.iter_rows(named=True):
        debts[r["traject_id"]].append((r["schuldsoort"], r["bedrag_eur"], r["zakelijk"], r["schuldeiser_id"]))
    return [
        ref.PT(r["traject_id"], r["gemeentecode"], r["aanmelddatum"], tuple(clients[r["traject_id"]]), eind=r["einddatum"],
               reden=r["uitstroomreden"], ia=r["is_informatie_advies"], gesprek=r["eerste_gesprek_datum"], crisis=r["crisis"],
               beschikking=r["beschikkingsdatum"], schuldbedrag=r.get("schuldbedrag_eur"), start=r["startdatum"],
               begeleiding=tuple(beg[r["traject_id"]]), schulden=tuple(debts[r["traject_id"]]))
        for r in t.iter_rows(named=True)
    ]


def _truth(run) -> list[ref.PT]:
    from ddas_generator.proces_records import schuldeiser_ids

    gt = run["land"] / "ground_truth"
    read = lambda n: pl.read_parquet(gt / f"{n}.parquet")  # noqa: E731
    t = read("trajecten").with_columns(pl.col("traject_id").cast(pl.Utf8))
    c = read("trajectclienten").with_columns(pl.col("traject_id").cast(pl.Utf8))
    b = read("begeleiding").with_columns(pl.col("traject_id").cast(pl.Utf8))
    s = schuldeiser_ids(read("schulden"), TEST_KEY.encode()).with_columns(pl.col("traject_id").cast(pl.Utf8))
    return _worlds(t, c, b, s, "bsn")


def _model(run) -> list[ref.PT]:
    read = lambda rel: pl.read_parquet(run["out"] / rel)  # noqa: E731
    return _worlds(read(paths.TRAJECTEN), read(paths.TRAJECTCLIENTEN), read(paths.BEGELEIDING),
                   read(paths.SCHULDEN_MODEL), "persoon_id")


def _table(run, naam: str) -> list[tuple]:
    return pl.read_parquet(run["out"] / BY_NAME[naam].pad).drop("peildatum").rows()


def test_the_world_reaches_the_edge_cases(run):
    trajs = _truth(run)
    crisis = [t for t in trajs if t.crisis and t.gesprek]
    assert any(t.gesprek == ref.werkdag_na(t.aanmeld, 3) for t in crisis)
    assert any(t.gesprek == ref.werkdag_na(t.aanmeld, 3) + dt.timedelta(days=1) for t in crisis)
    assert any(t.beschikking and t.gesprek and (t.beschikking - t.gesprek).days == 56 for t in trajs)
    assert any(len([r for r in t.begeleiding if r[0] == "Budgetbeheer"]) for t in trajs)


def test_wgs_indicators_equal_the_reference_on_the_truth(run):
    got = pl.read_parquet(run["out"] / paths.INDICATOREN).filter(pl.col("indicator").is_in(WGS)).select(
        "indicator", "regio_code", "jaar", "teller", "noemer", "waarde", "onderdrukt", "voorlopig", "onderdrukking",
        "geen_gegevens", "historie_onvolledig")
    assert got.height and got.rows() == ref.wgs_rows(_truth(run), dt.date.fromisoformat(PEIL))


@pytest.mark.parametrize("naam", ["doorlooptijden", "uitstroom", "terugval_uitsplitsing", "schulden"])
def test_tables_equal_the_reference(run, naam):
    peil = dt.date.fromisoformat(PEIL)
    trajs = _model(run) if naam == "schulden" else _truth(run)
    if naam == "doorlooptijden":
        expected = ref.doorlooptijden(trajs, peil)
    elif naam == "uitstroom":
        expected = ref.uitstroom(trajs, peil)
    elif naam == "schulden":
        expected = ref.schulden(trajs, peil)
    else:
        ind = pl.read_parquet(run["out"] / paths.INDICATOREN).filter(pl.col("indicator") == "terugval_5j")
        totals = {(r, y): n for r, y, n in ind.select("regio_code", "jaar", "noemer").iter_rows()}
        h = min(t.aanmeld for t in trajs)
        expected = [("terugval_5j", *r) for r in ref.uitsplitsing(trajs, peil, totals, h)]
    got = _table(run, naam)
    assert got and got == expected
    published = pl.read_parquet(run["out"] / BY_NAME[naam].pad)
    assert tabel_recoverable(naam, published, pl.read_parquet(run["out"] / paths.INDICATOREN)).height == 0


def test_every_table_is_published_with_its_model(run):
    for t in TABLES:
        t.model.validate(pl.read_parquet(run["out"] / t.pad))


def _trace(run, *args):
    from click.testing import CliRunner

    from pipelines.cli import main

    return CliRunner().invoke(main, ["trace", "--output", str(run["out"]), "--format", "csv", "--limit", "0", *args])


def test_ddas_trace_recounts_a_published_cell_of_every_new_indicator_and_table(run):
    import io

    ind = pl.read_parquet(run["out"] / paths.INDICATOREN)
    for code in WGS:
        row = ind.filter((pl.col("indicator") == code) & ~pl.col("onderdrukt") & (pl.col("regio_code") != "NL")).row(0, named=True)
        r = _trace(run, "--indicator", code, "--regio", row["regio_code"], "--jaar", str(row["jaar"]))
        assert r.exit_code == 0, r.output
        members = pl.read_csv(io.StringIO(r.stdout))
        assert (members.height, int(members["in_teller"].sum())) == (row["noemer"], row["teller"]), code
    for t, (col, count) in {"doorlooptijden": ("maat", "n"), "uitstroom": ("uitstroomreden", "aantal"),
                            "schulden": (None, "n"), "terugval_uitsplitsing": ("categorie", "noemer")}.items():
        df = pl.read_parquet(run["out"] / BY_NAME[t].pad)
        row = df.filter(~pl.col("onderdrukt") & (pl.col(count) > 0)).row(0, named=True)
        extra = (["--categorie", row[col]] if col else []) + (["--dimensie", row["dimensie"]] if "dimensie" in row else [])
        r = _trace(run, "--tabel", t, "--regio", row["regio_code"], "--jaar", str(row["jaar"]), *extra)
        assert r.exit_code == 0, r.output
        assert pl.read_csv(io.StringIO(r.stdout)).height == row[count], t
