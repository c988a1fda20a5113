"""The report pages (assets/report): flags labelled and never drawn, offline, Dutch
numbers, deterministic; the supplier page; the described Dagster column schema."""
from __future__ import annotations

import datetime as dt
import re

import dagster as dg
import polars as pl
import pytest

from assets.common.metadata import model_for, table_metadata
from assets.report import national
from assets.report.build import INDEX, LEVERANCIERS, build_report, gemeente_path
from assets.report.data import ReportData
from assets.report.fmt import decimaal, getal, pct, pp
from assets.report.suppliers import schema_rules
from assets.report.write import write_pages
from schemas.indicators import INDICATOR_CODES, Indicatoren

YEARS = list(range(2018, 2024))
GMS = ["GM0344", "GM0518", "GM0599"]
# (indicator, regio, jaar) -> the flagged state of that cell; every other cell is published
FLAGGED = {
    ("terugval_5j", "GM0518", 2018): "historie",   # published, history incomplete
    ("terugval_5j", "GM0518", 2019): "primair",
    ("terugval_5j", "GM0518", 2020): "secundair",
    ("terugval_5j", "GM0518", 2021): "absent",     # no row at all: noemer 0
    ("terugval_5j", "GM0518", 2023): "voorlopig",
    ("nazorgcontact_6m", "GM0518", 2022): "geen_gegevens",
}


def _value(ind: str, regio: str, jaar: int) -> tuple[int, int]:
    """A teller / noemer that differs per cell (and never gives a waarde of 0)."""
    noemer = 40 + 7 * INDICATOR_CODES.index(ind) + 3 * (jaar - 2018) + (GMS + ["NL"]).index(regio) * 11
    return 1 + (jaar + len(ind) + len(regio)) % 9, noemer


def indicator_frame(with_flags: bool = True) -> pl.DataFrame:
    rows = []
    for ind in INDICATOR_CODES:
        for regio in GMS + ["NL"]:
            for jaar in YEARS:
                state = FLAGGED.get((ind, regio, jaar), "gepubliceerd")
                if state == "absent":
                    continue
                teller, noemer = _value(ind, regio, jaar)
                hidden = state in ("primair", "secundair", "geen_gegevens")
                rows.append({
                    "indicator": ind, "regio_code": regio, "jaar": jaar,
                    "teller": None if hidden else teller, "noemer": None if hidden else noemer,
                    "waarde": None if hidden else round(100 * teller / noemer, 1),
                    "onderdrukt": state in ("primair", "secundair"),
                    "voorlopig": state == "voorlopig" or (jaar == 2023 and ind == "terugval_5j"),
                    "onderdrukking": state if state in ("primair", "secundair") else None,
                    "geen_gegevens": state == "geen_gegevens",
                    "historie_onvolledig": state == "historie",
                    "definitie_versie": "2026.1", "peildatum": dt.date(2024, 6, 30),
                })
    df = pl.DataFrame(rows, schema_overrides={"jaar": pl.Int32})
    if not with_flags:
        df = df.drop("onderdrukking", "geen_gegevens", "historie_onvolledig")
    return df


def test_the_test_world_is_a_valid_indicator_table():
    df = indicator_frame()
    Indicatoren.validate(df.select([c for c in Indicatoren.to_schema().columns if c in df.columns]))


def doel_frame(ind: pl.DataFrame) -> pl.DataFrame:
    t = ind.filter(pl.col("indicator") == "terugval_5j").drop("indicator", "definitie_versie", "peildatum")
    return t.with_columns(
        regio_naam=pl.col("regio_code").replace({"GM0344": "Utrecht", "GM0518": "'s-Gravenhage", "GM0599": "Rotterdam", "NL": "Nederland"}),
        doel_pct=pl.lit(7.0), doel_bron=pl.lit("standaard"),
        verschil_pp=pl.col("waarde") - 7.0, doel_gehaald=pl.col("waarde") <= 7.0,
    )


def quality_frames() -> dict[str, pl.DataFrame]:
    leveringen = pl.DataFrame({
        "bron": ["ddas", "ddas", "shv_csv", "nazorg"],
        "bestand": ["ddas/2023/a.json", "ddas/2023/b.json", "shv_csv/GM0518_20230101.csv", "nazorg/2023/GM0518_20240101.xlsx"],
        "sha256": ["0" * 64] * 4, "status": ["geladen", "geweigerd", "geladen", "geladen"],
        "reden": [None, "geen geldig JSON-document", None, None],
        "records_gelezen": [120, 0, 40, 1234], "records_geaccepteerd": [115, 0, 40, 1230],
        "records_gequarantaineerd": [5, 0, 0, 4], "leverdatum": [dt.date(2024, 1, 5), None, dt.date(2023, 1, 1), dt.date(2024, 1, 1)],
        "bytes": [1000, 10, 500, 800],
    })
    quarantaine = pl.DataFrame({
        "bron": ["ddas"] * 5 + ["nazorg"] * 4,
        "bestand": ["ddas/2023/a.json"] * 5 + ["nazorg/2023/GM0518_20240101.xlsx"] * 4,
        "locatie": [f"leveringen[0].schuldhulptrajecten[{i}]" for i in range(5)] + [str(i) for i in range(2, 6)],
        "reden_code": ["bsn_ongeldig", "bsn_ongeldig", "datum_ongeldig", "einde_voor_start", "bsn_ongeldig"]
                      + ["soort_onbekend"] * 4,
        "reden_tekst": ["x"] * 9,
    })
    findings = pl.DataFrame({
        "bestand": ["ddas/2023/a.json"] * 3,
        "json_pad": ["$.leveringen[0].schuldhulptrajecten[1].einddatum", "$.leveringen[0].schuldhulptrajecten[7].einddatum",
                     "$.leveringen[0].codeGegevensleverancier"],
        "melding": ["type: verwacht string", "type: verwacht string", "required: eigenschap ontbreekt"],
    })
    return {"leveringen": leveringen, "quarantaine": quarantaine, "schema_afwijkingen": findings}


def report_data(with_flags: bool = True, **extra) -> ReportData:
    ind = indicator_frame(with_flags)
    return ReportData(ind, terugval_doel=doel_frame(ind), **quality_frames(), **extra)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return build_report(report_data())


def _ids(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', html))


def test_dutch_number_format():
    assert pct(7.25 - 0.05) == "7,2 %" and pct(7.3) == "7,3 %" and pct(100.0) == "100,0 %"
    assert getal(1234567) == "1.234.567" and decimaal(1234.5) == "1.234,5"
    assert pp(1.2) == "+1,2 pp" and pp(-0.4) == "-0,4 pp"


def test_every_page_is_written(pages):
    assert set(pages) == {INDEX, LEVERANCIERS, *(gemeente_path(g) for g in GMS)}
    assert pages[INDEX].count("<svg") >= 4
    assert all(pages[gemeente_path(g)].count("<svg") >= 2 for g in GMS)


def test_flagged_cells_are_labelled_and_not_drawn(pages):
    html = pages[gemeente_path("GM0518")]
    for label in ("onderdrukt", "onderdrukt (secundair)", "geen gegevens", "geen trajecten", "voorlopig", "historie onvolledig"):
        assert f">{label}</span>" in html, label
    ids = _ids(html)
    chart = "GM0518-terugval"
    assert f"{chart}-punt-gm-2022" in ids and f"{chart}-punt-gm-2018" in ids  # published years are drawn
    for jaar in (2019, 2020, 2021):  # primary, secondary, absent: no point, but a note saying why
        assert f"{chart}-punt-gm-{jaar}" not in ids
        assert f"{chart}-noot-gm-{jaar}" in ids
    notes = dict(re.findall(rf'id="{chart}-noot-gm-(\d+)".*?<text[^>]*>([^<]+)</text>', html, flags=re.S))
    assert notes["2019"].strip() == "onderdrukt" and notes["2020"].strip() == "onderdrukt (secundair)"
    assert notes["2021"].strip() == "geen trajecten"


def test_no_data_stage_of_the_funnel_is_not_a_zero_bar():
    from assets.report.gemeente import gemeente_page

    d = report_data()
    # the funnel shows the last final year of the gemeente: cut the world at 2022, the no-data year
    stage = national.FUNNEL.index("nazorgcontact_6m")
    d2 = ReportData(d.indicatoren.filter(pl.col("jaar") <= 2022), terugval_doel=d.terugval_doel)
    html = gemeente_page(d2, "GM0518")
    ids = _ids(html)
    assert f"GM0518-nazorg-noot-gm-{stage}" in ids and f"GM0518-nazorg-balk-gm-{stage}" not in ids
    assert f"GM0518-nazorg-balk-nl-{stage}" in ids


def test_no_zero_is_shown_for_a_hidden_value(pages):
    # no published cell of the test world is 0, so any '0,0 %' would be a hidden cell shown as zero
    for rel, html in pages.items():
        if rel != LEVERANCIERS:  # there 0,0 % is a real share of quarantined records
            assert not re.search(r"(?<![0-9.])0,0 %", html), rel


def test_older_tables_without_flag_columns_still_label_suppression():
    html = build_report(report_data(with_flags=False))[gemeente_path("GM0518")]
    assert ">onderdrukt</span>" in html
    assert "GM0518-terugval-punt-gm-2020" not in _ids(html)


def test_pages_load_nothing_from_the_network(pages):
    for rel, html in pages.items():
        assert "Content-Security-Policy" in html and "default-src 'none'" in html
        assert "<script" not in html.lower() and "@import" not in html and "<link" not in html.lower()
        assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, flags=re.I), rel
        assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, flags=re.I), rel
        assert "<!DOCTYPE svg" not in html  # the SVG prolog names a DTD on the web


def test_pages_are_deterministic():
    assert build_report(report_data()) == build_report(report_data())


def test_history_incomplete_is_not_judged_against_the_target(pages):
    html = pages[gemeente_path("GM0518")]
    row = re.search(r"<tr><td class=\"tekst\">2018</td>.*?</tr>", html).group(0)
    assert "geen oordeel (historie onvolledig)" in row and "niet gehaald" not in row


def test_supplier_page_groups_by_source_without_supplier_code(pages):
    html = pages[LEVERANCIERS]
    assert "codeGegevensleverancier" in html and "Overzicht per bron" in html
    assert "geen geldig JSON-document" in html  # a refused file and why
    assert "1.234" in html and "bsn_ongeldig: 3" in html  # records in Dutch format; quarantine by reason per file
    assert "type op $.leveringen[*].schuldhulptrajecten[*].einddatum: 2" in html


def test_supplier_page_uses_the_supplier_code_when_the_ledger_has_it():
    q = quality_frames()
    q["leveringen"] = q["leveringen"].with_columns(leverancier=pl.Series(["GL000001", "GL000002", None, None]))
    d = ReportData(indicator_frame(), leveringen=q["leveringen"], quarantaine=q["quarantaine"])
    html = build_report(d)[LEVERANCIERS]
    assert "Overzicht per leverancier" in html and "GL000001" in html
    assert "shv_csv (zonder leverancierscode)" in html  # files without a code: per kind, never "onbekend"
    assert ">onbekend<" not in html


def test_schema_rules_generalise_positions():
    rules = schema_rules(quality_frames()["schema_afwijkingen"])
    assert rules["regel"].unique().sort().to_list() == [
        "required op $.leveringen[*].codeGegevensleverancier", "type op $.leveringen[*].schuldhulptrajecten[*].einddatum"]


def test_a_new_section_is_one_entry(monkeypatch):
    extra = national.Section("proef", "Een nieuwe sectie", lambda d: "<p>nieuw</p>")
    monkeypatch.setattr(national, "SECTIONS", [*national.SECTIONS, extra])
    html = national.national_page(report_data())
    assert '<section id="proef"><h2>Een nieuwe sectie</h2>' in html
    # a section whose table is absent is left out
    assert 'id="uitstroom"' not in html


def test_optional_tables_add_their_sections():
    uit = pl.DataFrame({"regio_code": ["NL", "NL"], "jaar": [2022, 2022], "uitstroomreden": ["Afgerond", "Uitval"],
                        "aantal": [30, 10], "noemer": [40, 40], "aandeel": [75.0, 25.0], "onderdrukt": [False, False],
                        "voorlopig": [False, False]})
    html = national.national_page(report_data(tables={"uitstroom": uit}))
    assert 'id="uitstroom"' in html and "75,0 %" in html


def test_write_pages_is_atomic_and_drops_pages_of_gone_gemeenten(tmp_path, pages):
    write_pages(tmp_path, pages)
    (tmp_path / "rapport/gemeenten/GM9999.html").write_text("old")
    write_pages(tmp_path, pages)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(pages)
    assert (tmp_path / INDEX).read_text(encoding="utf-8") == pages[INDEX]


def test_column_schema_carries_the_model_descriptions(tmp_path):
    df = indicator_frame()
    meta = table_metadata(df, tmp_path / "work" / "indicatoren/indicatoren.parquet")
    cols = {c.name: c for c in meta["dagster/column_schema"].columns}
    described = Indicatoren.to_schema().columns
    for name in df.columns:
        if name in described:
            assert cols[name].description == described[name].description and cols[name].description
    assert cols["noemer"].constraints.nullable and "≥ 10" in cols["noemer"].constraints.other


def test_model_lookup_by_path():
    assert model_for("/data/out/indicatoren/indicatoren.parquet").__name__ == "Indicatoren"
    assert model_for("/x/staging/nazorg/records.parquet").__name__ == "NazorgEvent"  # the specific one wins
    assert model_for("/x/staging/ddas/records.parquet").__name__ == "TrajectRecord"
    assert model_for("/x/staging/shv_csv/quarantaine.parquet").__name__ == "Quarantaine"
    assert model_for("/x/something/else.parquet") is None
    meta = table_metadata(pl.DataFrame({"a": [1]}), "/x/something/else.parquet")
    assert meta["dagster/column_schema"].columns[0] == dg.TableColumn(name="a", type="Int64")


def test_the_asset_links_its_pages(tmp_path, monkeypatch):
    from assets.common import paths
    from assets.common.parquet_io import write_parquet_atomic
    from assets.common.settings import DdasSettings
    from assets.report.dagster_assets import rapport

    out = tmp_path / "out"
    ind = indicator_frame()
    q = quality_frames()
    for rel, df in {paths.INDICATOREN: ind, paths.TERUGVAL_DOEL: doel_frame(ind), paths.LEVERINGEN: q["leveringen"],
                    paths.QUARANTAINE: q["quarantaine"], paths.SCHEMA_AFWIJKINGEN: q["schema_afwijkingen"]}.items():
        write_parquet_atomic(df, paths.out(out, rel))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    result = dg.materialize([rapport], resources={"settings": DdasSettings(output_dir=str(out))},
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    meta = result.asset_materializations_for_node("rapport")[0].metadata
    assert meta["landelijk"].value == str(out / INDEX)
    assert meta["landelijk_url"].value == (out / INDEX).resolve().as_uri()
    assert meta["gemeentepaginas"].value == len(GMS) and meta["grafieken_landelijk"].value >= 4


def test_worker_processes_build_the_same_pages(monkeypatch):
    from assets.report import build

    monkeypatch.setattr(build, "PARALLEL_FROM", 2)
    d = report_data()
    assert build.build_all(d, workers=2) == build_report(d)
