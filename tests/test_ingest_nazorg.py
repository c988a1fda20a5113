"""Aftercare workbooks (sources.md §3, model.md §1-§2): read_nazorg on workbooks built here."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings, strategies as st

from assets.common.bsn import is_valid_bsn, pseudonym
from assets.ingest.inventory import inventory, to_read
from assets.ingest.nazorg_xlsx import RAW_SCHEMA, read_nazorg
from schemas.nazorg_xlsx import NazorgRij
from schemas.quality import Leveringen, Quarantaine
from schemas.records import NazorgEvent
from tests.conftest import TEST_KEY, valid_bsns

KEY = TEST_KEY.encode()
PEIL = dt.date(2025, 6, 30)
HEADER = ["BSN", "Datum", "Soort", "Uitkomst", "Contactvorm", "Uitgevoerd door"]
BSNS = valid_bsns(40, seed=7)
ZERO_BSN = next(b for b in valid_bsns(400, seed=11) if b.startswith("0") and b[1] != "0")


def write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Workbook with typed cells: None = no cell, date/datetime = date-formatted cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path)
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    time_fmt = wb.add_format({"num_format": "hh:mm"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, bool):
                    ws.write_boolean(r, c, cell)
                elif isinstance(cell, (int, float)):
                    ws.write_number(r, c, cell)
                elif isinstance(cell, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, cell, date_fmt)
                elif isinstance(cell, dt.time):
                    ws.write_datetime(r, c, cell, time_fmt)
                else:
                    ws.write_string(r, c, cell)
    wb.close()
    return path


def nazorg_book(landing: Path, rows: list[list], name: str = "GM0518_20240131.xlsx", header=HEADER) -> Path:
    return write_book(landing / "nazorg" / name, {"Nazorg": [header, *rows]})


def run(landing: Path, peildatum: dt.date = PEIL):
    return read_nazorg(to_read(inventory(landing), "nazorg"), peildatum, KEY)


def codes(result) -> dict[int, str]:
    return {int(r["locatie"]): r["reden_code"] for r in result.quarantine.iter_rows(named=True)}


def assert_contract(result):
    Leveringen.validate(result.ledger)
    Quarantaine.validate(result.quarantine)
    NazorgEvent.validate(result.records)
    loaded = result.ledger.filter(pl.col("status") == "geladen")
    for f in loaded.iter_rows(named=True):
        assert f["records_geaccepteerd"] == result.records.filter(pl.col("bestand") == f["bestand"]).height
        assert f["records_gequarantaineerd"] == result.quarantine.filter(pl.col("bestand") == f["bestand"]).height
    other = result.ledger.filter(pl.col("status") != "geladen")
    assert other["records_gelezen"].sum() == 0 and other["reden"].is_not_null().all()


def test_date_cells_and_text_dates(landing):
    b = BSNS[0]
    nazorg_book(
        landing,
        [
            [b, dt.date(2024, 1, 5), "Contact"],
            [b, dt.datetime(2024, 1, 6, 13, 30), "Contact"],  # a datetime cell: the date counts
            [b, " 07-01-2024 ", "Contact"],  # text, trimmed
            [b, "7-1-2024", "Contact"],  # not dd-mm-jjjj
            [b, "31-02-2024", "Contact"],  # not a real date
            [b, "2024-01-07", "Contact"],  # ISO is the DDAS format, not the XLSX one
            [b, 45300, "Contact"],  # a number cell without date format is no date cell
            [b, dt.time(13, 30), "Contact"],
            [b, True, "Contact"],
        ],
    )
    res = run(landing)
    assert_contract(res)
    assert res.records["datum"].to_list() == [dt.date(2024, 1, 5), dt.date(2024, 1, 6), dt.date(2024, 1, 7)]
    assert res.records["locatie"].to_list() == ["2", "3", "4"]
    assert codes(res) == {n: "datum_ongeldig" for n in range(5, 11)}
    assert res.quarantine["reden_tekst"].str.contains("(Datum)", literal=True).all()


def test_bsn_as_number_cell_with_lost_zero_and_as_text(landing):
    spaced = f"{BSNS[1][:4]} {BSNS[1][4:6]}.{BSNS[1][6:]}"
    nazorg_book(
        landing,
        [
            [float(int(ZERO_BSN)), "01-02-2024", "Contact"],  # 12345678.0: lost its leading zero
            [int(ZERO_BSN), "02-02-2024", "Contact"],
            [ZERO_BSN, "03-02-2024", "Contact"],
            [f" {spaced} ", "04-02-2024", "Contact"],
            [float(BSNS[2]) + 0.5, "05-02-2024", "Contact"],  # a fraction is no BSN
            [-float(BSNS[2]), "05-02-2024", "Contact"],  # nor is a negative number
            ["123456789", "05-02-2024", "Contact"],  # fails the elfproef
            [ZERO_BSN[1:], "06-02-2024", "Contact"],  # 8 digits as text: padded as well
        ],
    )
    res = run(landing)
    assert_contract(res)
    ids = res.records["persoon_id"].to_list()
    zero_id = pseudonym(ZERO_BSN, KEY)
    assert ids == [zero_id, zero_id, zero_id, pseudonym(BSNS[1], KEY), zero_id]
    assert res.records["locatie"].to_list() == ["2", "3", "4", "5", "9"]
    assert codes(res) == {6: "bsn_ongeldig", 7: "bsn_ongeldig", 8: "bsn_ongeldig"}


def test_extra_sheets_columns_any_order_trimmed_headers(landing):
    b = BSNS[3]
    write_book(
        landing / "nazorg" / "GM0363_20240301.xlsx",
        {
            "Toelichting": [["BSN", "Datum", "Soort"], ["garbage", "x", "y"]],
            "Nazorg": [
                ["Opmerking", " soort ", "UITGEVOERD DOOR", "Uitkomst", "datum", "Contactvorm", "  Bsn", "Opmerking"],
                [BSNS[4], "Nazorgtoets", "  Gemeente Amsterdam ", " lichte NAZORG ", "01-03-2024", "Huisbezoek", b, "x"],
                ["vrije tekst", "CONTACT", "klant_111222333", "Intensieve nazorg", dt.date(2024, 3, 2), " digitaal ", b],
            ],
            "Nazorg oud": [["niets"]],
        },
    )
    res = run(landing)
    assert_contract(res)
    rec = res.records.to_dicts()
    assert [r["soort"] for r in rec] == ["nazorgtoets", "contact"]
    # Uitkomst on a Contact and Contactvorm on a Nazorgtoets are ignored.
    assert [r["uitkomst"] for r in rec] == ["Lichte nazorg", None]
    assert [r["contactvorm"] for r in rec] == [None, "Digitaal"]
    # Uitgevoerd door through the mapping `uitvoerders`; free text not in it is `overig` (model.md §1)
    assert [r["uitgevoerd_door"] for r in rec] == ["gemeente", "overig"]
    assert {r["gemeentecode"] for r in rec} == {"GM0363"} and {r["leverdatum"] for r in rec} == {dt.date(2024, 3, 1)}
    assert {r["persoon_id"] for r in rec} == {pseudonym(b, KEY)}  # the extra column's BSN is never read


def test_optional_columns_absent(landing):
    nazorg_book(
        landing,
        [[BSNS[5], "01-02-2024", "Contact"], [BSNS[5], "01-02-2024", "Nazorgtoets"]],
        header=["BSN", "Datum", "Soort"],
    )
    res = run(landing)
    assert_contract(res)
    assert res.records.select("soort", "uitkomst", "contactvorm", "uitgevoerd_door").row(0) == ("contact", None, None, None)
    assert codes(res) == {3: "uitkomst_onbekend"}


def test_blank_rows_skipped_and_row_numbers_physical(landing):
    b = BSNS[6]
    # Header starts in column C; blank, whitespace-only and extra-column-only rows in between.
    write_book(
        landing / "nazorg" / "GM0518_20240131.xlsx",
        {
            "Nazorg": [
                [None, None, "BSN", "Datum", "Soort", "Uitkomst", "Opmerking"],
                [],
                [None, None, b, "01-01-2024", "Contact"],
                [None, None, "  ", " ", "   ", None, "alleen een opmerking"],
                ["links", "naast", None, None, None, None, None],
                [],
                [None, None, b, "01-01-2024", "Bezoek"],
                [],
            ]
        },
    )
    res = run(landing)
    assert_contract(res)
    led = res.ledger.row(0, named=True)
    assert (led["records_gelezen"], led["records_geaccepteerd"], led["records_gequarantaineerd"]) == (2, 1, 1)
    assert res.records["locatie"].to_list() == ["3"]
    assert codes(res) == {7: "soort_onbekend"}


REASON_ROWS = [
    # (row, expected code or None for accepted); BSN column first.
    ([BSNS[8], None, "Contact"], "verplicht_veld_ontbreekt"),
    ([BSNS[8], "01-02-2024", "  "], "verplicht_veld_ontbreekt"),
    ([None, None, "Contact"], "verplicht_veld_ontbreekt"),  # Datum empty comes before the BSN
    ([None, "01-02-2024", "Contact"], "bsn_ontbreekt"),
    (["   ", "01-02-2024", "Contact"], "bsn_ontbreekt"),
    (["123456789", "99-99-9999", "Bezoek"], "bsn_ongeldig"),  # BSN comes before the date and Soort
    ([BSNS[8], "01-13-2024", "Bezoek"], "datum_ongeldig"),
    ([BSNS[8], "01-02-2024", "Bezoek"], "soort_onbekend"),
    ([BSNS[8], "01-02-2024", "Nazorgtoets"], "uitkomst_onbekend"),
    ([BSNS[8], "01-02-2024", "nazorgtoets", "Matige nazorg"], "uitkomst_onbekend"),
    ([BSNS[8], "01-02-2024", "Contact", None, "Fax"], "contactvorm_onbekend"),
    ([BSNS[8], "01-07-2025", "Contact", None, "Fax"], "contactvorm_onbekend"),  # before datum_in_toekomst
    ([BSNS[8], "01-07-2025", "Contact"], "datum_in_toekomst"),
    ([BSNS[8], dt.date(2026, 1, 1), "Nazorgtoets", "Lichte nazorg"], "datum_in_toekomst"),
    ([BSNS[8], "30-06-2025", "Contact"], None),  # on the peildatum itself
    ([BSNS[8], "01-02-2024", "Contact", "Onzin"], None),  # Uitkomst on a Contact is ignored
    ([BSNS[8], "01-02-2024", "Nazorgtoets", "GEEN NAZORG NODIG", "Fax"], None),  # Contactvorm ignored
]


def test_each_xlsx_reason_code_in_contract_order(landing):
    nazorg_book(landing, [r for r, _ in REASON_ROWS])
    res = run(landing)
    assert_contract(res)
    expected = {i + 2: c for i, (_, c) in enumerate(REASON_ROWS) if c is not None}
    assert codes(res) == expected
    assert res.records["locatie"].to_list() == [str(i + 2) for i, (_, c) in enumerate(REASON_ROWS) if c is None]
    assert res.records["uitkomst"].to_list() == [None, None, "Geen nazorg nodig"]
    assert res.records["contactvorm"].to_list() == [None, None, None]
    verplicht = res.quarantine.filter(pl.col("reden_code") == "verplicht_veld_ontbreekt")["reden_tekst"].to_list()
    assert verplicht[0].endswith("(Datum)") and verplicht[1].endswith("(Soort)")


def _zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hallo.txt", "geen werkmap")


@pytest.mark.parametrize(
    "make, reden",
    [
        (lambda p: p.write_bytes(b"dit is geen werkmap" * 20), "geen leesbare XLSX-werkmap"),
        (lambda p: p.write_bytes(b""), "leeg bestand"),
        (_zip_without_workbook, "geen leesbare XLSX-werkmap"),
        (lambda p: p.write_bytes(write_book(p, {"Nazorg": [HEADER]}).read_bytes()[:900]), "geen leesbare XLSX-werkmap"),
        (lambda p: write_book(p, {"Blad1": [HEADER, [BSNS[0], "01-01-2024", "Contact"]]}), "geen blad 'Nazorg'"),
        (lambda p: write_book(p, {"nazorg": [HEADER, [BSNS[0], "01-01-2024", "Contact"]]}), "geen blad 'Nazorg'"),
        (lambda p: write_book(p, {" Nazorg ": [HEADER, [BSNS[0], "01-01-2024", "Contact"]]}), "geen blad 'Nazorg'"),
        (lambda p: write_book(p, {"Nazorg": []}), "is leeg"),
        (lambda p: write_book(p, {"Nazorg": [[], HEADER, [BSNS[0], "01-01-2024", "Contact"]]}), "is leeg"),
        (lambda p: write_book(p, {"Nazorg": [["BSN", "Soort", "Uitkomst"]]}), "ontbreekt in rij 1: Datum"),
        (lambda p: write_book(p, {"Nazorg": [["Datum", "Opmerking"]]}), "ontbreekt in rij 1: BSN, Soort"),
        (lambda p: write_book(p, {"Nazorg": [["BSN", "Datum", "Soort", " DATUM "]]}), "meer dan eens in de kopregel: Datum"),
        (lambda p: write_book(p, {"Nazorg": [HEADER + ["Uitkomst"]]}), "meer dan eens in de kopregel: Uitkomst"),
    ],
)
def test_refusals(landing, make, reden):
    path = landing / "nazorg" / "GM0518_20240131.xlsx"
    make(path)
    nazorg_book(landing, [[BSNS[0], "01-01-2024", "Contact"]], name="GM0518_20240229.xlsx")  # a good file after it
    res = run(landing)
    assert_contract(res)
    led = res.ledger.to_dicts()
    assert [r["status"] for r in led] == ["geweigerd", "geladen"]
    assert reden in led[0]["reden"] and led[0]["records_gelezen"] == 0
    assert led[0]["leverdatum"] == dt.date(2024, 1, 31)
    assert res.records["bestand"].to_list() == ["nazorg/GM0518_20240229.xlsx"]


def test_duplicate_extra_column_is_fine(landing):
    write_book(
        landing / "nazorg" / "GM0518_20240131.xlsx",
        {"Nazorg": [["Opmerking", *HEADER, "Opmerking"], ["a", BSNS[0], "01-01-2024", "Contact", None, None, None, "b"]]},
    )
    res = run(landing)
    assert res.ledger["status"].to_list() == ["geladen"] and res.records.height == 1


def test_header_only_sheet_is_loaded_with_no_records(landing):
    nazorg_book(landing, [])
    res = run(landing)
    assert_contract(res)
    assert res.ledger.select("status", "records_gelezen").row(0) == ("geladen", 0)
    assert res.records.columns == list(NazorgEvent.to_schema().columns)


def test_toekomstig_is_not_opened(landing):
    (landing / "nazorg" / "GM0518_20250701.xlsx").write_bytes(b"zelfs geen werkmap")
    nazorg_book(landing, [[BSNS[0], "01-07-2025", "Contact"]], name="GM0518_20250702.xlsx")
    res = run(landing, dt.date(2025, 6, 30))
    assert_contract(res)
    assert res.ledger["status"].to_list() == ["toekomstig", "toekomstig"]
    assert res.records.height == 0 and res.quarantine.height == 0
    # A rerun with a later peildatum loads the file delivered on that day.
    later = run(landing, dt.date(2025, 7, 2))
    assert later.ledger["status"].to_list() == ["geweigerd", "geladen"]


def test_same_event_in_two_files_accepted_in_both(landing):
    row = [BSNS[9], "01-02-2024", "Nazorgtoets", "Lichte nazorg"]
    nazorg_book(landing, [row, row], name="GM0518_20240131.xlsx")
    nazorg_book(landing, [row], name="GM0518_20240229.xlsx")
    res = run(landing)
    assert_contract(res)
    assert res.ledger["records_geaccepteerd"].to_list() == [2, 1]
    assert res.records["persoon_id"].n_unique() == 1 and res.records.height == 3


def test_openpyxl_workbook_with_datetime_cells(landing):
    wb = openpyxl.Workbook()
    wb.active.title = "Samenvatting"
    ws = wb.create_sheet("Nazorg")
    ws.append(["Datum", "BSN", "Soort", "Contactvorm"])
    ws.append([dt.datetime(2024, 4, 1, 9, 15), int(ZERO_BSN), "Contact", "Telefonisch"])
    ws.append([dt.date(2024, 4, 2), ZERO_BSN, "contact", None])
    wb.save(landing / "nazorg" / "GM0599_20240430.xlsx")
    res = run(landing)
    assert_contract(res)
    assert res.records["datum"].to_list() == [dt.date(2024, 4, 1), dt.date(2024, 4, 2)]
    assert res.records["contactvorm"].to_list() == ["Telefonisch", None]
    assert res.records["persoon_id"].unique().to_list() == [pseudonym(ZERO_BSN, KEY)]


def test_no_raw_bsn_in_any_result_frame(landing):
    rows = [[BSNS[i], "01-02-2024", "Contact"] for i in range(5)]
    rows += [[float(int(ZERO_BSN)), "01-02-2024", "Contact"], ["123456789", "01-02-2024", "Contact"]]
    rows += [[BSNS[10], "01-02-2024", "Bezoek"], [BSNS[11], "99-02-2024", "Contact"]]
    nazorg_book(landing, rows, header=HEADER + ["Opmerking"])
    res = run(landing)
    assert_contract(res)
    bsns = set(BSNS[:12]) | {ZERO_BSN, ZERO_BSN[1:], "123456789"}
    for frame in (res.ledger, res.records, res.quarantine, res.schema_findings):
        text = frame.write_csv() + repr(frame.to_dicts())
        assert not any(b in text for b in bsns)
    assert not any("bsn" in c.lower() for f in (res.ledger, res.records, res.quarantine) for c in f.columns)


def test_raw_row_schema_matches_decoder():
    NazorgRij.validate(pl.DataFrame(schema=RAW_SCHEMA))


# --- property: every row is read, accepted or quarantined with the first applying code ---

UITKOMSTEN = {"geen nazorg nodig", "lichte nazorg", "intensieve nazorg"}
CONTACTVORMEN = {"telefonisch", "huisbezoek", "kantoor", "digitaal"}


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def reference_code(row: list, peil: dt.date) -> str | None:
    """model.md §2 for one XLSX row, one rule after the other (`skip` = not a record)."""
    bsn, datum, soort, uitkomst, contactvorm, door = row
    if all(_blank(c) for c in row):
        return "skip"
    if _blank(datum) or _blank(soort):
        return "verplicht_veld_ontbreekt"
    if _blank(bsn):
        return "bsn_ontbreekt"
    if isinstance(bsn, float) and not bsn.is_integer():
        return "bsn_ongeldig"
    digits = re.sub(r"[\s.\-]", "", bsn) if isinstance(bsn, str) else str(int(bsn))
    if not is_valid_bsn("0" + digits if len(digits) == 8 else digits):
        return "bsn_ongeldig"
    if isinstance(datum, dt.date):
        day = datum
    elif isinstance(datum, str) and re.fullmatch(r"[0-9]{2}-[0-9]{2}-[0-9]{4}", datum.strip()):
        try:
            day = dt.datetime.strptime(datum.strip(), "%d-%m-%Y").date()
        except ValueError:
            return "datum_ongeldig"
    else:
        return "datum_ongeldig"
    kind = soort.strip().lower()
    if kind not in ("nazorgtoets", "contact"):
        return "soort_onbekend"
    if kind == "nazorgtoets" and (_blank(uitkomst) or uitkomst.strip().lower() not in UITKOMSTEN):
        return "uitkomst_onbekend"
    if kind == "contact" and not _blank(contactvorm) and contactvorm.strip().lower() not in CONTACTVORMEN:
        return "contactvorm_onbekend"
    if day > peil:
        return "datum_in_toekomst"
    return None


def _bsn_cells():
    good = BSNS[20]
    return st.sampled_from(
        [None, "  ", good, f" {good[:3]} {good[3:6]}-{good[6:]} ", int(ZERO_BSN), float(int(ZERO_BSN)),
         float(good), float(good) + 0.25, "123456789", "000000000", "12345"]
    )


ROWS = st.lists(
    st.tuples(
        _bsn_cells(),
        st.sampled_from([None, " ", dt.date(2024, 5, 1), dt.date(2025, 7, 1), "01-05-2024", " 30-06-2025 ",
                         "01-07-2025", "31-04-2024", "1-5-2024", 45000]),
        st.sampled_from([None, "  ", "Nazorgtoets", " contact ", "CONTACT", "Bezoek"]),
        st.sampled_from([None, "Lichte nazorg", " geen nazorg NODIG ", "Matig"]),
        st.sampled_from([None, "Telefonisch", " digitaal", "Fax", "  "]),
        st.sampled_from([None, "Gemeente", "  "]),
    ).map(list),
    min_size=0,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS)
def test_property_rows_read_equals_accepted_plus_quarantined(rows):
    landing = Path(tempfile.mkdtemp())
    try:
        write_book(landing / "nazorg" / "GM0518_20240131.xlsx", {"Nazorg": [HEADER, *rows]})
        res = run(landing)
        expected = {i + 2: reference_code(r, PEIL) for i, r in enumerate(rows)}
        expected = {n: c for n, c in expected.items() if c != "skip"}
        led = res.ledger.row(0, named=True)
        assert led["status"] == "geladen"
        assert led["records_gelezen"] == len(expected)
        assert led["records_gelezen"] == led["records_geaccepteerd"] + led["records_gequarantaineerd"]
        assert codes(res) == {n: c for n, c in expected.items() if c is not None}
        assert res.records["locatie"].to_list() == [str(n) for n, c in expected.items() if c is None]
    finally:
        shutil.rmtree(landing)


def test_exact_sheet_name_wins_over_a_loose_match(landing):
    write_book(
        landing / "nazorg" / "GM0518_20240131.xlsx",
        {"nazorg ": [HEADER, ["x", "y", "z"]], "Nazorg": [HEADER, [BSNS[0], "01-01-2024", "Contact"]]},
    )
    res = run(landing)
    assert res.records.height == 1 and res.quarantine.height == 0
