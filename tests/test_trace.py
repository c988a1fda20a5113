"""The auditor's path: indicator cell -> members, trajectory -> delivered records
(assets/indicators/members.py, `ddas trace`, docs/audit.md and its DuckDB SQL)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from assets.common import paths
from assets.indicators import compute_indicators, indicator_counts
from assets.indicators.members import indicator_members, member_counts, trajectory_records
from pipelines.cli import main
from schemas.model import NazorgGebeurtenissen, TrajectClienten, Trajecten, TrajectHerkomst
from schemas.quality import Leveringen
from tests.conftest import TEST_KEY
from tests.test_indicators_reference import to_frames, world

DOCS = Path(__file__).resolve().parents[1] / "docs"
D = dt.date.fromisoformat
UTC = dt.timezone.utc

# --- a small known world -------------------------------------------------------------------

A, B, C, Dp, E, F, G, H = ("a" * 64, "b" * 64, "c" * 64, "d" * 64, "e" * 64, "f" * 64, "1" * 64, "2" * 64)
T = {n: f"00000000000000{n}" for n in ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "b0", "b1", "b2")}
# 12 aanmelders in GM0599 in 2021 (one relapses): a cell that is published (noemer >= 10)
BIG = [f"{i:064x}" for i in range(1, 13)]

# traject: (gemeente, clients, aanmeld, eind, reden, nazorg, I&A only)
TRAJECTS = {
    T["a1"]: ("GM0518", [A], "2016-01-01", "2019-06-30", "Afgerond", None, False),
    T["a2"]: ("GM0518", [A, B], "2023-03-01", None, None, None, False),
    T["a3"]: ("GM0518", [C], "2023-05-01", None, None, None, False),
    T["a4"]: ("GM0363", [C], "2017-01-01", "2019-01-31", "Afgerond", None, False),
    T["a5"]: ("GM0363", [C], "2019-03-01", "2020-02-01", "Afgerond", None, False),
    T["a6"]: ("GM0518", [Dp], "2023-02-01", None, None, None, False),
    T["a7"]: ("GM0518", [Dp], "2023-09-01", None, None, None, False),
    T["a8"]: ("GM0518", [Dp], "2020-12-01", "2023-06-30", "Afgerond", None, False),  # 2020: GM0599 is the only gemeente of 2021, so no secondary suppression hides its cell
    T["a9"]: ("GM0518", [E], "2023-07-01", None, None, None, True),
    T["b0"]: (None, [E], "2023-08-01", None, None, None, False),
    T["b1"]: ("GM0518", [F], "2018-01-01", "2019-03-31", "Afgerond", "2019-03-01", False),
    T["b2"]: ("GM0518", [G, H], "2018-06-01", "2019-08-31", "Afgerond", "2020-09-30", False),
    **{f"c0000000000000{i:02d}": ("GM0599", [p], f"2021-{i:02d}-01", None, None, None, False)
       for i, p in enumerate(BIG, start=1)},
    "c000000000000099": ("GM0599", [BIG[0]], "2019-01-01", "2020-01-01", "Afgerond", None, False),
}
EVENTS = [
    (A, "2019-06-01", "nazorgtoets"), (A, "2019-06-30", "contact"), (A, "2019-12-30", "contact"),
    (F, "2019-10-01", "contact"), (Dp, "2023-07-15", "contact"),
    (H, "2019-11-30", "contact"), (H, "2020-02-29", "contact"), (H, "2020-05-31", "contact"), (H, "2020-08-31", "contact"),
]

def dos(dossiernr: str) -> str:
    """A Dossiernr as the outputs keep it: HMAC-SHA256 with the run's key (model.md §1)."""
    return hmac.new(TEST_KEY.encode(), dossiernr.encode(), hashlib.sha256).hexdigest()


F18, F17, F17B = "shv_csv/GM0518_20180630.csv", "shv_csv/GM0518_20171231.csv", "shv_csv/GM0363_20171231.csv"
F18B = "shv_csv/GM0363_20180630.csv"
J19, J18, J24 = "ddas/2019/GM0518_2019.json", "ddas/2018/GM0518_2018.json", "ddas/2024/GM0518_2024.json"
# (bestand, lev, rec, delivered, dossiernr, gemeente, eind, reden, koppel_einde, traject, gezag_rang, vervangen_door)
RECORDS = [
    (F17, 0, 9, "2017-12-31T00:00", dos("D-17"), "GM0518", None, None, None, None, None, F18),
    (F17, 0, 10, "2017-12-31T00:00", dos("D-99"), "GM0518", None, None, None, None, None, F18),  # another dossier
    (F17B, 0, 9, "2017-12-31T00:00", dos("D-17"), "GM0363", None, None, None, None, None, "shv_csv/GM0363_20180630.csv"),
    (F18, 0, 4, "2018-06-30T00:00", dos("D-17"), "GM0518", None, None, "2018-06-30", T["a1"], 2, None),
    (F18, 0, 5, "2018-06-30T00:00", dos("D-5"), "GM0518", None, None, "2018-06-30", T["a3"], 0, None),
    (F18B, 0, 2, "2018-06-30T00:00", dos("D-5"), "GM0363", None, None, "2018-06-30", T["a4"], 0, None),
    (J18, 0, 2, "2019-01-15T09:00", None, "GM0518", None, None, "2018-12-31", T["a1"], 1, None),
    (J19, 0, 0, "2020-01-15T09:00", None, "GM0518", "2019-06-30", "Afgerond", "2019-06-30", T["a1"], 0, None),
    (J24, 0, 1, "2025-01-15T08:00", None, "GM0518", None, None, "2024-12-31", T["a2"], 0, None),
]


def sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def model_tables() -> dict[str, pl.DataFrame]:
    t = pl.DataFrame(
        [{"traject_id": tid, "gemeentecode": g, "aanmelddatum": D(a), "startdatum": D(a), "einddatum": e and D(e),
          "uitstroomreden": r, "is_informatie_advies": ia, "nazorg_startdatum": n and D(n), "schuldbedrag_eur": None,
          "aantal_bronrecords": 1, "bronnen": "ddas", "laatste_levering": dt.datetime(2025, 1, 15, tzinfo=UTC),
          "eerste_gesprek_datum": None, "crisis": None, "beschikkingsdatum": None, "beschikkingssoort": None,
          "oplossing_soort": None, "aantal_clienten": len(set(cs))}
         for tid, (g, cs, a, e, r, n, ia) in TRAJECTS.items()],
        schema={
            "traject_id": pl.Utf8, "gemeentecode": pl.Utf8, "aanmelddatum": pl.Date, "startdatum": pl.Date,
            "einddatum": pl.Date, "uitstroomreden": pl.Utf8, "is_informatie_advies": pl.Boolean,
            "nazorg_startdatum": pl.Date, "schuldbedrag_eur": pl.Int64, "aantal_bronrecords": pl.Int64,
            "bronnen": pl.Utf8, "laatste_levering": pl.Datetime("us", "UTC"), "eerste_gesprek_datum": pl.Date,
            "crisis": pl.Boolean, "beschikkingsdatum": pl.Date, "beschikkingssoort": pl.Utf8, "oplossing_soort": pl.Utf8,
            "aantal_clienten": pl.Int64},
    )
    c = pl.DataFrame([(tid, p, "onbekend", "onbekend") for tid, v in TRAJECTS.items() for p in v[1]],
                     schema={"traject_id": pl.Utf8, "persoon_id": pl.Utf8, "leeftijdsklasse": pl.Utf8,
                             "geslacht": pl.Utf8}, orient="row")
    ev = pl.DataFrame(
        [{"persoon_id": p, "datum": D(d), "soort": s, "uitkomst": "Lichte nazorg" if s == "nazorgtoets" else None,
          "contactvorm": None, "uitgevoerd_door": None, "gemeentecode": "GM0518", "bestand": "nazorg/GM0518_20240101.xlsx",
          "locatie": str(i + 2), "aantal_kopieen": 1} for i, (p, d, s) in enumerate(EVENTS)],
        schema={"persoon_id": pl.Utf8, "datum": pl.Date, "soort": pl.Utf8, "uitkomst": pl.Utf8, "contactvorm": pl.Utf8,
                "uitgevoerd_door": pl.Utf8, "gemeentecode": pl.Utf8, "bestand": pl.Utf8, "locatie": pl.Utf8,
                "aantal_kopieen": pl.Int64},
    ).sort("persoon_id", "datum", "soort")
    h = pl.DataFrame(
        [{"bron": "shv_csv" if f.startswith("shv") else "ddas", "bestand": f,
          "locatie": str(rec) if f.startswith("shv") else f"leveringen[{lev}].schuldhulptrajecten[{rec}]",
          "levering_index": lev, "record_index": rec, "aanlevertijdstip": dt.datetime.fromisoformat(ts).replace(tzinfo=UTC),
          "horizon": D(ts[:10]), "dossiernr": dos, "gemeentecode": g, "aanmelddatum": D("2016-01-01"),
          "startdatum": D("2016-01-01"), "einddatum": e and D(e), "uitstroomreden": r, "is_informatie_advies": False,
          "nazorg_startdatum": None, "schuldbedrag_eur": None, "koppel_einde": k and D(k), "traject_id": tid,
          "is_gezaghebbend": rang == 0, "gezag_rang": rang, "vervangen_door": vd}
         for f, lev, rec, ts, dos, g, e, r, k, tid, rang, vd in RECORDS],
        schema={"bron": pl.Utf8, "bestand": pl.Utf8, "locatie": pl.Utf8, "levering_index": pl.Int64,
                "record_index": pl.Int64, "aanlevertijdstip": pl.Datetime("us", "UTC"), "horizon": pl.Date,
                "dossiernr": pl.Utf8, "gemeentecode": pl.Utf8, "aanmelddatum": pl.Date, "startdatum": pl.Date,
                "einddatum": pl.Date, "uitstroomreden": pl.Utf8, "is_informatie_advies": pl.Boolean,
                "nazorg_startdatum": pl.Date, "schuldbedrag_eur": pl.Int64, "koppel_einde": pl.Date,
                "traject_id": pl.Utf8, "is_gezaghebbend": pl.Boolean, "gezag_rang": pl.Int64, "vervangen_door": pl.Utf8},
    )
    files = sorted({r[0] for r in RECORDS}) + ["nazorg/GM0518_20240101.xlsx"]
    lev = pl.DataFrame(
        [{"bron": f.split("/")[0], "bestand": f, "sha256": sha(f), "status": "geladen", "reden": None,
          "records_gelezen": 1, "records_geaccepteerd": 1, "records_gequarantaineerd": 0, "leverdatum": None, "bytes": 10}
         for f in files],
        schema={"bron": pl.Utf8, "bestand": pl.Utf8, "sha256": pl.Utf8, "status": pl.Utf8, "reden": pl.Utf8,
                "records_gelezen": pl.Int64, "records_geaccepteerd": pl.Int64, "records_gequarantaineerd": pl.Int64,
                "leverdatum": pl.Date, "bytes": pl.Int64},
    )
    # The hand-made world has the real model's format, or the DuckDB check below means little.
    return {paths.TRAJECTEN: Trajecten.validate(t), paths.TRAJECTCLIENTEN: TrajectClienten.validate(c),
            paths.NAZORG_GEBEURTENISSEN: NazorgGebeurtenissen.validate(ev), paths.HERKOMST: TrajectHerkomst.validate(h),
            paths.LEVERINGEN: Leveringen.validate(lev)}


def write_output(root: Path, tables: dict[str, pl.DataFrame], indicatoren: bool = True) -> Path:
    out = root / "output"
    for rel, df in tables.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        df.write_parquet(out / rel)
    if indicatoren:
        table = compute_indicators(*frames(tables), dt.date(2025, 6, 30)).collect()
        (out / paths.INDICATOREN).parent.mkdir(parents=True, exist_ok=True)
        table.write_parquet(out / paths.INDICATOREN)
    return out


def frames(tables):
    return tuple(tables[p].lazy() for p in (paths.TRAJECTEN, paths.TRAJECTCLIENTEN, paths.NAZORG_GEBEURTENISSEN))


@pytest.fixture(scope="module")
def tables():
    return model_tables()


@pytest.fixture
def output(tmp_path, tables):
    return write_output(tmp_path, tables)


def members(tables, indicator, regio, jaar) -> pl.DataFrame:
    return indicator_members(*frames(tables), indicator, regio, jaar).collect()


# --- members of the known world --------------------------------------------------------------

def test_terugval_5j_members_one_row_per_person_with_t_and_s(tables):
    got = members(tables, "terugval_5j", "GM0518", 2023)
    assert got.columns == ["persoon_id", "in_teller", "traject_id", "gemeentecode", "aanmelddatum", "aantal_trajecten",
                           "terugval_traject_id", "terugval_einddatum"]
    assert got.rows() == [
        (A, True, T["a2"], "GM0518", D("2023-03-01"), 1, T["a1"], D("2019-06-30")),
        # two earlier successful ends in the window (one in another gemeente): the most recent one is shown
        (C, True, T["a3"], "GM0518", D("2023-05-01"), 1, T["a5"], D("2020-02-01")),
        # two trajectories in the cell: the relapsing one, although the other is earlier
        (Dp, True, T["a7"], "GM0518", D("2023-09-01"), 2, T["a8"], D("2023-06-30")),
        (B, False, T["a2"], "GM0518", D("2023-03-01"), 1, None, None),  # partner without an earlier end
    ]


def test_terugval_5j_nl_cell_adds_onbekend_and_skips_informatie_advies(tables):
    got = members(tables, "terugval_5j", "NL", 2023)
    assert got["persoon_id"].to_list() == [A, C, Dp, B, E]
    assert got.row(4) == (E, False, T["b0"], None, D("2023-08-01"), 1, None, None)  # T a9 is I&A only


def test_cohort_members_with_event_evidence(tables):
    got = members(tables, "nazorgcontact_6m", "GM0518", 2019)
    assert got.columns == ["traject_id", "persoon_ids", "in_teller", "gemeentecode", "startdatum", "einddatum",
                           "nazorg_startdatum", "bewijs_datums"]
    assert got.select("traject_id", "persoon_ids", "in_teller", "bewijs_datums").rows() == [
        (T["a1"], [A], True, [D("2019-12-30")]),  # exactly e + 6 months counts; the contact on e itself does not
        (T["b2"], [G, H], True, [D("2019-11-30"), D("2020-02-29")]),  # partner's contact; 31-08 + 6 months = 29-02
        (T["b1"], [F], False, []),  # 01-10 is a day past 31-03 + 6 months
    ]


def test_cohort_members_for_the_other_indicators(tables):
    def rows(ind, regio="GM0518", jaar=2019, extra=()):
        return members(tables, ind, regio, jaar).select("traject_id", "in_teller", "bewijs_datums", *extra).rows()

    assert rows("nazorg_gestart") == [(T["b1"], True, [D("2019-03-01")]), (T["a1"], False, []), (T["b2"], False, [])]
    assert rows("nazorg_tijdig") == [(T["b1"], True, [D("2019-03-01")]), (T["a1"], False, []), (T["b2"], False, [])]
    assert rows("nazorgtoets_voor_einde") == [(T["a1"], True, [D("2019-06-01")]), (T["b1"], False, []), (T["b2"], False, [])]
    assert rows("warm_contact_12m", extra=["bewijs_kwartalen"]) == [
        (T["b2"], True, [D("2019-11-30"), D("2020-02-29"), D("2020-05-31"), D("2020-08-31")], [1, 2, 3, 4]),
        (T["a1"], False, [D("2019-12-30")], [2]),
        (T["b1"], False, [D("2019-10-01")], [3]),
    ]
    assert rows("terugval_12m", jaar=2023, extra=["bewijs_traject_ids"]) == [(T["a8"], True, [D("2023-09-01")], [T["a7"]])]
    assert rows("terugval_12m", regio="GM0363", extra=["bewijs_traject_ids"]) == [(T["a4"], True, [D("2019-03-01")], [T["a5"]])]


def test_members_of_a_cell_without_units_are_empty_and_unknown_indicator_is_refused(tables):
    assert members(tables, "terugval_5j", "GM0518", 1999).height == 0
    assert members(tables, "warm_contact_12m", "GM9999", 2019).height == 0
    with pytest.raises(ValueError, match="unknown indicator"):
        members(tables, "terugval_6j", "NL", 2019)


def test_member_counts_equal_the_counts_of_every_cell_of_the_known_world(tables):
    counts = indicator_counts(*frames(tables)).collect()
    for ind, regio, jaar, teller, noemer in counts.select("indicator", "regio_code", "jaar", "teller", "noemer").iter_rows():
        assert member_counts(members(tables, ind, regio, jaar)) == (teller, noemer), (ind, regio, jaar)


def test_trajectory_records_authoritative_first_then_superseded_with_sha(tables):
    got = trajectory_records(tables[paths.HERKOMST].lazy(), T["a1"], tables[paths.LEVERINGEN].lazy()).collect()
    assert got.select("bestand", "locatie", "einddatum", "uitstroomreden", "is_gezaghebbend", "gezag_rang",
                      "vervangen_door", "sha256").rows() == [
        (J19, "leveringen[0].schuldhulptrajecten[0]", D("2019-06-30"), "Afgerond", True, 0, None, sha(J19)),
        (J18, "leveringen[0].schuldhulptrajecten[2]", None, None, False, 1, None, sha(J18)),
        (F18, "4", None, None, False, 2, None, sha(F18)),
        # the older export of the same dossier; not D-99, not GM0363's own D-17
        (F17, "9", None, None, False, None, F18, sha(F17)),
    ]
    assert trajectory_records(tables[paths.HERKOMST].lazy(), "ffffffffffffffff").collect().height == 0


# --- the command --------------------------------------------------------------------------------

def run(output: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["trace", *args], env={"DDAS_OUTPUT_DIR": str(output), **(env or {})})


def test_cli_prints_cell_and_members_and_warns_that_a_small_cell_must_not_be_published(output):
    r = run(output, "--indicator", "terugval_5j", "--regio", "gm0518", "--jaar", "2023")
    assert r.exit_code == 0, r.output
    assert "suppressed (noemer < 10)" in r.stdout
    assert "members    4 persons, 3 in teller" in r.stdout
    assert "small numbers" in r.stderr and "do not publish" in r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("persoon_id"))
    assert [line.split()[0] for line in lines[header + 2:]] == [A, C, Dp, B]
    assert lines[header + 2].split()[:3] == [A, "True", T["a2"]]


def test_cli_published_cell_has_no_warning_and_matches_the_recount(output):
    r = run(output, "--indicator", "terugval_5j", "--regio", "GM0599", "--jaar", "2021", "--limit", "3")
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    assert "published  teller 1, noemer 12, waarde 8.3%; voorlopig: False" in r.stdout
    assert "members    12 persons, 1 in teller" in r.stdout
    assert "... 9 more rows" in r.stdout


def test_cli_warns_when_the_indicator_table_is_from_another_run(output):
    ind = pl.read_parquet(output / paths.INDICATOREN)
    ind.with_columns(teller=pl.when(pl.col("regio_code") == "GM0599").then(pl.col("teller") + 1).otherwise("teller")) \
        .write_parquet(output / paths.INDICATOREN)
    r = run(output, "--indicator", "terugval_5j", "--regio", "GM0599", "--jaar", "2021")
    assert r.exit_code == 0 and "differs from the recount" in r.stderr


def test_cli_without_indicator_table_recounts_from_the_model(tmp_path, tables):
    out = write_output(tmp_path, tables, indicatoren=False)
    r = run(out, "--indicator", "nazorgcontact_6m", "--regio", "GM0518", "--jaar", "2019")
    assert r.exit_code == 0, r.output
    assert "no row in indicatoren/indicatoren.parquet" in r.stdout
    assert "members    3 trajectories, 2 in teller" in r.stdout
    assert "small numbers" in r.stderr  # 3 < 10: still a small cell


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_cli_writes_members_to_a_file(output, tables, tmp_path, fmt):
    target = tmp_path / f"leden.{fmt}"
    r = run(output, "--indicator", "warm_contact_12m", "--regio", "GM0518", "--jaar", "2019", "--format", fmt, "--to", str(target))
    assert r.exit_code == 0, r.output
    assert f"3 trajectories written to {target}" in r.stderr
    expected = members(tables, "warm_contact_12m", "GM0518", 2019)
    if fmt == "parquet":
        assert pl.read_parquet(target).equals(expected)
    else:
        got = pl.read_csv(target, infer_schema=False)
        assert got["traject_id"].to_list() == [T["b2"], T["a1"], T["b1"]]
        assert got.row(0)[got.columns.index("persoon_ids")] == f"{G};{H}"
        assert got.row(0)[got.columns.index("bewijs_kwartalen")] == "1;2;3;4"


def test_cli_csv_to_stdout_keeps_the_cell_lines_on_stderr(output):
    r = run(output, "--indicator", "terugval_12m", "--regio", "GM0518", "--jaar", "2023", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].startswith("traject_id,persoon_ids,in_teller")
    assert r.stdout.splitlines()[1].startswith(f"{T['a8']},{Dp},true")
    assert "cell       terugval_12m" in r.stderr


def test_cli_traject_shows_records_and_why_it_is_closed(output):
    r = run(output, "--traject", T["a1"].upper())
    assert r.exit_code == 0, r.output
    assert (f"authority  {J19} leveringen[0].schuldhulptrajecten[0] (delivered 2020-01-15 09:00:00+00:00): "
            "says the trajectory ends 2019-06-30 (Afgerond)") in r.stdout
    assert "records    3 that make it, 1 superseded" in r.stdout
    assert f"clients    {A}" in r.stdout
    rows = [line for line in r.stdout.splitlines() if line.startswith(("ddas ", "shv_csv "))]
    assert [row.split()[1] for row in rows] == [J19, J18, F18, F17]
    assert sha(J19) in rows[0]


def test_cli_dossier_finds_the_trajectory_of_a_hashed_dossiernr(output):
    """The outputs hold only the keyed hash of a Dossiernr; an auditor who has the number
    finds its trajectory with the run's key, and the number is never echoed."""
    env = {"DDAS_PSEUDONYM_KEY": TEST_KEY}
    r = run(output, "--dossier", " D-17 ", "--gemeente", "gm0518", env=env)
    assert r.exit_code == 0, r.output
    assert f"trajectory {T['a1']}" in r.stdout and "records    3 that make it, 1 superseded" in r.stdout
    assert "D-17" not in r.output
    r = run(output, "--dossier", "D-5", "--gemeente", "GM0363", env=env)
    assert r.exit_code == 0 and f"trajectory {T['a4']}" in r.stdout
    # D-17's copy in GM0363 was superseded by an export that is not in this world: only GM0518 has a trajectory
    r = run(output, "--dossier", "D-17", env=env)
    assert r.exit_code == 0 and f"trajectory {T['a1']}" in r.stdout


@pytest.mark.parametrize("args, env, message", [
    (["--dossier", "D-5"], {"DDAS_PSEUDONYM_KEY": TEST_KEY}, "occurs in GM0363, GM0518: add --gemeente"),
    (["--dossier", "D-17", "--gemeente", "GM0363"], {"DDAS_PSEUDONYM_KEY": TEST_KEY}, "no legacy record with this Dossiernr in GM0363"),
    (["--dossier", "D795822698"], {"DDAS_PSEUDONYM_KEY": TEST_KEY}, "no legacy record with this Dossiernr"),
    (["--dossier", "D-17"], {"DDAS_PSEUDONYM_KEY": "x" * 40}, "is it the key of the run?"),
    (["--dossier", "D-17"], {"DDAS_PSEUDONYM_KEY": None}, "--dossier needs the run's key: DDAS_PSEUDONYM_KEY is not set"),
    (["--dossier", "D-17", "--traject", T["a1"]], {}, "either --traject or --dossier"),
    (["--dossier", "D-17", "--jaar", "2023"], {}, "either --dossier or --indicator"),
    (["--gemeente", "GM0518", "--traject", T["a1"]], {}, "--gemeente goes with --dossier"),
    (["--dossier", "D-17", "--gemeente", "Utrecht"], {}, "--gemeente must be GMxxxx"),
])
def test_cli_dossier_refusals_are_one_line_and_never_echo_the_number(output, args, env, message):
    r = run(output, *args, env=env)
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and message in r.stderr, r.stderr
    assert "D-17" not in r.stderr and "795822698" not in r.stderr and "x" * 40 not in r.stderr


@pytest.mark.parametrize("args, message", [
    (["--indicator", "terugval_5j", "--regio", "GM0518"], "missing --jaar"),
    (["--traject", T["a1"], "--jaar", "2023"], "not both"),
    (["--indicator", "terugval_5j", "--regio", "Den Haag", "--jaar", "2023"], "--regio must be GMxxxx"),
    (["--indicator", "terugval_5j", "--regio", "GM0518", "--jaar", "1999"], "the cell does not exist"),
    (["--traject", "ffffffffffffffff"], "no trajectory ffffffffffffffff"),
    (["--traject", T["a1"], "--format", "parquet"], "needs --to"),
    (["--traject", T["a1"], "--to", "x.txt"], "--to needs --format"),
    ([], "a cell needs --indicator"),
])
def test_cli_refusals_are_one_line_and_exit_2(output, args, message):
    r = run(output, *args)
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and message in r.stderr and r.stderr.startswith("ddas trace: ")


def test_cli_refuses_without_output_folder_or_model(tmp_path):
    r = CliRunner().invoke(main, ["trace", "--traject", T["a1"]], env={"DDAS_OUTPUT_DIR": None})
    assert r.exit_code == 2 and "no output folder" in r.stderr
    r = run(tmp_path, "--traject", T["a1"])
    assert r.exit_code == 2 and "model/trajecten.parquet not found" in r.stderr


# --- members equal the counts on random worlds ------------------------------------------------

@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(world())
def test_member_counts_equal_indicator_counts_on_random_worlds(w):
    trajs, events, _ = w
    fr = [f.collect().lazy() for f in to_frames(trajs, events)]
    counts = indicator_counts(*fr).collect()
    for ind, regio, jaar, teller, noemer in counts.iter_rows():
        m = indicator_members(*fr, ind, regio, jaar).collect()
        assert member_counts(m) == (teller, noemer), (ind, regio, jaar)
        unit = "persoon_id" if ind == "terugval_5j" else "traject_id"
        assert m[unit].n_unique() == m.height


# --- docs/audit.md and its DuckDB queries --------------------------------------------------

SQL_FILES = {"terugval_5j": "terugval_5j_members.sql", "nazorgcontact_6m": "nazorgcontact_6m_members.sql"}


def doc_blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", (DOCS / "audit.md").read_text(encoding="utf-8"), flags=re.S)


def test_the_doc_shows_the_tested_sql_files_verbatim():
    blocks = doc_blocks("sql")
    for name in [*SQL_FILES.values(), "traject_records.sql"]:
        assert (DOCS / "sql" / name).read_text(encoding="utf-8") in blocks, name


def test_the_polars_example_of_the_doc_runs(output, monkeypatch, capsys):
    monkeypatch.chdir(output.parent)
    for block in doc_blocks("python"):
        exec(compile(block, "docs/audit.md", "exec"), {})
    assert T["a2"] in capsys.readouterr().out  # the example traces GM0518 2023 and prints its members


def duckdb_query(output: Path, sql_file: str, con=None, **variables):
    duckdb = pytest.importorskip("duckdb")
    sql = (DOCS / "sql" / sql_file).read_text(encoding="utf-8").replace("'output/", f"'{output}/")
    con = con or duckdb.connect()
    for name, value in variables.items():
        con.execute(f"SET VARIABLE {name} = ?", [value])
    return con.sql(sql).pl()


def same(sql_result: pl.DataFrame, expected: pl.DataFrame) -> bool:
    tz = [c for c, t in sql_result.schema.items() if isinstance(t, pl.Datetime)]
    got = sql_result.with_columns(pl.col(tz).dt.convert_time_zone("UTC")).cast(expected.schema)
    return got.columns == expected.columns and got.equals(expected)


def test_documented_duckdb_queries_equal_the_members_on_the_known_world(output, tables):
    counts = indicator_counts(*frames(tables)).collect()
    cells = counts.filter(pl.col("indicator").is_in(list(SQL_FILES))).select("indicator", "regio_code", "jaar").rows()
    assert len(cells) > 10
    for ind, regio, jaar in cells + [("terugval_5j", "GM0518", 1999)]:
        expected = members(tables, ind, regio, jaar)
        assert same(duckdb_query(output, SQL_FILES[ind], regio=regio, jaar=jaar), expected), (ind, regio, jaar)
    for tid in TRAJECTS:
        expected = trajectory_records(tables[paths.HERKOMST].lazy(), tid, tables[paths.LEVERINGEN].lazy()).collect()
        assert same(duckdb_query(output, "traject_records.sql", traject_id=tid), expected), tid


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(w=world())
def test_documented_duckdb_queries_equal_the_members_on_random_worlds(w, tmp_path_factory):
    duckdb = pytest.importorskip("duckdb")
    trajs, events, _ = w
    fr = [f.collect() for f in to_frames(trajs, events)]
    out = tmp_path_factory.mktemp("w") / "output"
    for rel, df in zip((paths.TRAJECTEN, paths.TRAJECTCLIENTEN, paths.NAZORG_GEBEURTENISSEN), fr):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        df.write_parquet(out / rel)
    counts = indicator_counts(*[f.lazy() for f in fr]).collect().filter(pl.col("indicator").is_in(list(SQL_FILES)))
    cells = counts.select("indicator", "regio_code", "jaar").sort(pl.all()).rows()
    con = duckdb.connect()
    for ind, regio, jaar in cells[:: max(1, len(cells) // 12)]:  # a spread of cells keeps the test fast
        expected = indicator_members(*[f.lazy() for f in fr], ind, regio, jaar).collect()
        assert same(duckdb_query(out, SQL_FILES[ind], con, regio=regio, jaar=jaar), expected), (ind, regio, jaar)


def test_no_member_list_or_printout_holds_anything_but_pseudonyms(output):
    """Persons appear only as 64-hex pseudonyms: there is no column a BSN could be in."""
    r = run(output, "--indicator", "terugval_5j", "--regio", "NL", "--jaar", "2023", "--limit", "0")
    assert not re.search(r"(?<![0-9a-f])[0-9]{9}(?![0-9a-f])", r.stdout)
