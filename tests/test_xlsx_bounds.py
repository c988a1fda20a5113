"""Hostile aftercare workbooks (issue 12): refused with a reden before calamine sees them,
error cells counted as records, `Uitgevoerd door` never copied verbatim.

Workbooks are written here as zips of hand-made XML parts, so a cell can sit anywhere
and a part can hold anything. Limits are lowered with monkeypatch instead of writing
gigabytes."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

import assets.ingest.xlsx_bounds as bounds
from assets.ingest.inventory import inventory, to_read
from assets.ingest.nazorg_xlsx import ERROR_CELL, GEEN_WERKMAP, read_nazorg, read_sheet
from schemas.quality import Leveringen, Quarantaine
from tests.conftest import TEST_KEY, valid_bsns

KEY = TEST_KEY.encode()
PEIL = dt.date(2025, 6, 30)
BSNS = valid_bsns(10, seed=12)

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
       '<sheet name="Nazorg" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/>'
            '</Relationships>')
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def error(ref: str, value: str = "#N/A") -> str:
    return f'<c r="{ref}" t="e"><v>{value}</v></c>'


HEADER = '<row r="1">' + "".join(text(f"{c}1", h) for c, h in zip("ABCDEF", ["BSN", "Datum", "Soort", "Uitkomst", "Contactvorm", "Uitgevoerd door"])) + "</row>"


def row(n: int, *cells: str) -> str:
    return f'<row r="{n}">' + "".join(cells) + "</row>"


def good_row(n: int, bsn: str, door: str | None = None) -> str:
    cells = [text(f"A{n}", bsn), text(f"B{n}", "01-03-2024"), text(f"C{n}", "Contact")]
    if door is not None:
        cells.append(text(f"F{n}", door))
    return row(n, *cells)


def sheet_xml(rows: str, dimension: str | None = None, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    body = rows if not prefix else rows.replace("<row", f"<{p}row").replace("</row", f"</{p}row").replace(
        "<c ", f"<{p}c ").replace("</c>", f"</{p}c>").replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>").replace(
        "<is>", f"<{p}is>").replace("</is>", f"</{p}is>").replace("<t>", f"<{p}t>").replace("</t>", f"</{p}t>")
    return f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns}>{dim}<{p}sheetData>{body}</{p}sheetData></{p}worksheet>'


def workbook(path: Path, sheet: str, target: str = "worksheets/sheet1.xml", extra: dict[str, str | bytes] | None = None) -> Path:
    """A minimal XLSX: the sheet `Nazorg` at `target` (relative to xl/ or absolute)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT.replace("/xl/worksheets/sheet1.xml", "/" + part))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(target=target))
        z.writestr(part, sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def read_all(landing: Path):
    res = read_nazorg(to_read(inventory(landing), "nazorg"), PEIL, KEY)
    Leveringen.validate(res.ledger)
    Quarantaine.validate(res.quarantine)
    led = res.ledger
    assert (led["records_gelezen"] == led["records_geaccepteerd"] + led["records_gequarantaineerd"]).all()
    return res


def status(res) -> dict[str, tuple[str, str | None]]:
    return {r["bestand"]: (r["status"], r["reden"]) for r in res.ledger.iter_rows(named=True)}


def _refusal_in_a_child(path: Path) -> subprocess.CompletedProcess:
    """read_sheet in a fresh interpreter: were a bound to fail, calamine would abort the
    process (exit 134) and must not take the test run down with it."""
    code = "import sys; from pathlib import Path; from assets.ingest.nazorg_xlsx import read_sheet; print(read_sheet(Path(sys.argv[1]))[0])"
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)


@pytest.mark.parametrize("cell, reden", [
    ('<c r="XFD1048576"><v>1</v></c>', bounds.TE_VEEL_KOLOMMEN),  # 2^34 cells: 512 GiB in calamine
    ('<c r="IV1048576"><v>1</v></c>', bounds.TE_VEEL_CELLEN),  # within rows and columns, not their product
    ('<c r="A1048577"><v>1</v></c>', bounds.TE_VEEL_RIJEN),
    ('<c r="A99999999"><v>1</v></c>', bounds.TE_VEEL_RIJEN),  # more digits than any allowed row
])
def test_a_far_away_cell_is_refused_before_calamine(tmp_path, cell, reden):
    book = workbook(tmp_path / "GM0518_20240131.xlsx", sheet_xml(HEADER + f'<row r="2">{cell}</row>', dimension="A1:F2"))
    assert book.stat().st_size < 6000  # the 5.6 KB workbook of the issue
    r = _refusal_in_a_child(book)
    assert r.returncode == 0, r.stderr[-1000:]
    assert r.stdout.strip() == reden


def test_a_namespace_prefix_does_not_hide_the_extent(tmp_path):
    book = workbook(tmp_path / "b.xlsx", sheet_xml(HEADER + '<row r="2"><c r="XFD2"><v>1</v></c></row>', prefix="x"))
    assert _refusal_in_a_child(book).stdout.strip() == bounds.TE_VEEL_KOLOMMEN


def test_cells_without_references_count_by_position(tmp_path):
    """calamine places a cell without `r` after the previous one: 300 of them in a row
    reach column 300."""
    wide = "<row>" + "<c><v>1</v></c>" * 300 + "</row>"
    assert read_sheet(workbook(tmp_path / "w.xlsx", sheet_xml(HEADER + wide)))[0] == bounds.TE_VEEL_KOLOMMEN
    narrow = "<row>" + "<c><v>1</v></c>" * 6 + "</row>"
    reden, rows = read_sheet(workbook(tmp_path / "n.xlsx", sheet_xml(HEADER + narrow)))
    assert reden is None and len(rows) == 2


def test_a_lying_dimension_is_not_trusted(tmp_path):
    reden, rows = read_sheet(workbook(tmp_path / "d.xlsx", sheet_xml(HEADER + good_row(2, BSNS[0]), dimension="A1:XFD1048576")))
    assert reden is None and len(rows) == 2


def test_the_sheet_is_found_where_the_relationships_say(tmp_path):
    far = '<row r="2"><c r="XFD2"><v>1</v></c></row>'
    for target in ("/xl/elders/blad.xml", "../xl/data/nazorg.xml", "worksheets/sheet1.dat"):
        book = workbook(tmp_path / f"{len(target)}.xlsx", sheet_xml(HEADER + far), target=target)
        assert _refusal_in_a_child(book).stdout.strip() == bounds.TE_VEEL_KOLOMMEN, target


def test_zip_bomb_is_refused_while_it_inflates(tmp_path, monkeypatch):
    """The issue's bomb is 7 MB of zip and 2 GiB of sheet; here 40 KB of zip and 4 MiB
    of sheet against a limit lowered to 1 MiB. The size is counted while streaming."""
    monkeypatch.setattr(bounds, "MAX_PART_BYTES", 1024**2)
    filler = row(2, text("A2", BSNS[0])) * 40_000
    book = workbook(tmp_path / "bom.xlsx", sheet_xml(HEADER + filler))
    assert book.stat().st_size < 100_000
    assert read_sheet(book)[0] == bounds.DEEL_TE_GROOT


def test_declared_sizes_and_member_count(tmp_path, monkeypatch):
    book = workbook(tmp_path / "m.xlsx", sheet_xml(HEADER + good_row(2, BSNS[0])),
                    extra={f"xl/extra/{i}.xml": "<x/>" for i in range(8)})
    assert read_sheet(book)[0] is None
    monkeypatch.setattr(bounds, "MAX_MEMBERS", 5)
    assert read_sheet(book)[0] == bounds.TE_VEEL_DELEN
    monkeypatch.setattr(bounds, "MAX_MEMBERS", 1000)
    monkeypatch.setattr(bounds, "MAX_TOTAL_BYTES", 1000)
    assert read_sheet(book)[0] == bounds.TOTAAL_TE_GROOT


def test_size_that_lies_in_the_zip_directory_is_a_damaged_workbook(tmp_path):
    book = workbook(tmp_path / "lie.xlsx", sheet_xml(HEADER + good_row(2, BSNS[0]) * 200))
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    # the uncompressed size in the sheet's central directory entry (offset 24): claim 100 bytes
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + name_len] == info.filename.encode():
            break
        pos += 4
    data[pos + 24:pos + 28] = (100).to_bytes(4, "little")
    book.write_bytes(bytes(data))
    assert read_sheet(book)[0] == bounds.BESCHADIGD


def test_a_huge_cell_is_refused(tmp_path, monkeypatch):
    """The issue's cell is 1 GB; the limit (32,767 characters, escaped at most 10 bytes
    each) is lowered here. A shared string is checked as much as an inline one."""
    at_limit = "a" * 32_767  # Excel's own maximum: taken
    book = workbook(tmp_path / "ok.xlsx", sheet_xml(HEADER + row(2, text("A2", BSNS[0]), text("F2", at_limit))))
    assert read_sheet(book)[0] is None
    monkeypatch.setattr(bounds, "MAX_TEXT_BYTES", 1000)
    assert read_sheet(book)[0] == bounds.TEKST_TE_LANG
    shared = ('<?xml version="1.0"?><sst xmlns="' + NS + '" count="1" uniqueCount="1"><si><t>' + "b" * 5000 + "</t></si></sst>")
    book = workbook(tmp_path / "sst.xlsx", sheet_xml(HEADER + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
                    extra={"xl/sharedStrings.xml": shared})
    assert read_sheet(book)[0] == bounds.TEKST_TE_LANG


def test_the_scan_is_the_same_in_small_chunks(tmp_path, monkeypatch):
    rows = HEADER + "".join(good_row(n, BSNS[n % 10]) for n in range(2, 400)) + row(400, error("A400"), error("C400", "#REF!"))
    book = workbook(tmp_path / "c.xlsx", sheet_xml(rows))
    _, whole = bounds.check_workbook(book)
    monkeypatch.setattr(bounds, "CHUNK", 97)
    _, pieces = bounds.check_workbook(book)
    assert (whole.extent(), whole.error_cells, whole.widest_row) == (pieces.extent(), pieces.error_cells, pieces.widest_row)
    assert whole.extent() == (400, 6) and whole.error_cells == {(400, 1), (400, 3)}


def test_not_a_zip_stays_geen_werkmap(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"dit is geen werkmap")
    assert read_sheet(bad)[0] == GEEN_WERKMAP


def test_error_cells_are_records_and_quarantined(landing):
    """calamine hands an error cell over as ''. A row of them must not vanish uncounted:
    its invalid BSN, Datum or Soort quarantines it like any other value would."""
    rows = HEADER + "".join([
        good_row(2, BSNS[0], door="Gemeente Utrecht"),
        row(3, error("A3"), error("B3", "#VALUE!"), error("C3", "#REF!")),  # all listed cells errors
        row(4, text("A4", BSNS[1]), error("B4"), text("C4", "Contact")),  # Datum
        row(5, text("A5", BSNS[2]), text("B5", "01-03-2024"), error("C5", "#NAME?")),  # Soort
        row(6, error("F6", "#DIV/0!")),  # only Uitgevoerd door, an optional column
        row(7, text("A7", BSNS[3]), text("B7", "01-03-2024"), text("C7", "Contact"), error("F7")),  # door: null
    ])
    workbook(landing / "nazorg/GM0518_20240131.xlsx", sheet_xml(rows))
    res = read_all(landing)
    led = res.ledger.row(0, named=True)
    assert (led["status"], led["records_gelezen"], led["records_geaccepteerd"]) == ("geladen", 6, 2)
    got = {int(r["locatie"]): r["reden_code"] for r in res.quarantine.iter_rows(named=True)}
    assert got == {3: "bsn_ongeldig", 4: "datum_ongeldig", 5: "soort_onbekend", 6: "verplicht_veld_ontbreekt"}
    assert res.records.sort("locatie")["uitgevoerd_door"].to_list() == ["gemeente", None]


def test_read_sheet_marks_error_cells(tmp_path):
    reden, rows = read_sheet(workbook(tmp_path / "e.xlsx", sheet_xml(HEADER + row(2, error("B2")))))
    assert reden is None and rows[1][:2] == ["", ERROR_CELL]


def test_uitgevoerd_door_goes_through_the_mapping(landing):
    doors = ["  gemeente AMSTERDAM ", "SchuldHulpMaatje", "klant_111222333", "D123456782", "", "humanitas thuisadministratie"]
    rows = HEADER + "".join(good_row(n + 2, BSNS[n], door=d) for n, d in enumerate(doors))
    workbook(landing / "nazorg/GM0518_20240131.xlsx", sheet_xml(rows))
    res = read_all(landing)
    assert res.records.sort("locatie")["uitgevoerd_door"].to_list() == [
        "gemeente", "SchuldHulpMaatje", "overig", "overig", None, "Humanitas"]


def test_a_refused_workbook_does_not_stop_the_others(landing, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_PART_BYTES", 64 * 1024)
    workbook(landing / "nazorg/GM0518_20240131.xlsx", sheet_xml(HEADER + row(2, text("A2", BSNS[0])) * 5000))
    workbook(landing / "nazorg/GM0518_20240201.xlsx", sheet_xml(HEADER + good_row(2, BSNS[1])))
    workbook(landing / "nazorg/GM0518_20240301.xlsx", sheet_xml(HEADER + '<row r="2"><c r="XFD2"><v>1</v></c></row>'))
    res = read_all(landing)
    assert status(res) == {
        "nazorg/GM0518_20240131.xlsx": ("geweigerd", bounds.DEEL_TE_GROOT),
        "nazorg/GM0518_20240201.xlsx": ("geladen", None),
        "nazorg/GM0518_20240301.xlsx": ("geweigerd", bounds.TE_VEEL_KOLOMMEN),
    }
    assert res.records.height == 1
    assert res.ledger.filter(pl.col("status") == "geweigerd")["records_gelezen"].to_list() == [0, 0]


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def test_the_extent_equals_the_largest_reference(monkeypatch):
    """The numpy scan against plain arithmetic, on random references and chunk sizes."""
    import random

    rng = random.Random(5)
    for trial in range(40):
        cells = [(rng.randint(1, 1_048_576), rng.randint(1, 16_384)) for _ in range(rng.randint(1, 60))]
        by_row: dict[int, list[int]] = {}
        for r, c in cells:
            by_row.setdefault(r, []).append(c)
        body = "".join(f'<row r="{r}">' + "".join(f'<c r="{_column(c)}{r}" s="1"><v>{c}</v></c>' for c in cs) + "</row>"
                       for r, cs in sorted(by_row.items()))
        data = sheet_xml(body).encode()
        monkeypatch.setattr(bounds, "CHUNK", rng.choice([50, 333, 4096, 1 << 20]))
        scan = bounds.SheetScan()
        carry = b""
        for i in range(0, len(data) + 1, bounds.CHUNK):
            chunk = data[i:i + bounds.CHUNK]
            buf = carry + chunk
            carry = buf[bounds._scan_sheet_chunk(buf, scan, final=not chunk):]
            if not chunk:
                break
        else:
            bounds._scan_sheet_chunk(carry, scan, final=True)
        assert (scan.max_row, scan.max_col) == (max(r for r, _ in cells), max(c for _, c in cells)), trial
        assert scan.cells == scan.cell_refs == len(cells) and scan.rows == scan.row_refs == len(by_row)
        assert scan.widest_row == max(len(cs) for cs in by_row.values())
