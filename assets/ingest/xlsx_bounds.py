"""Bounds on an aftercare workbook, checked before calamine opens it (docs/robustness.md).

calamine builds the whole used range of a sheet as one grid of 32-byte cells, from A1
(the reader asks for `skip_empty_area=False`), and python-calamine then turns every
cell into a Python object. One cell at XFD1048576 in a 5 KB file is a grid of 2^34
cells (512 GiB, the process aborts); a zip bomb or a 1 GB cell runs out of memory.
So the zip is inspected first with `zipfile`, and every XML part is streamed through
once, counting what it really holds (the sizes in the zip directory and a sheet's
`<dimension ref>` can lie; neither is trusted):

- members, declared and real uncompressed size per part and in total;
- the longest text between two tags (a cell's text, escaped: at most 10 bytes per
  character, so 32,767 characters are at most 327,670 bytes);
- in the sheet `Nazorg`: the extent (largest row and column number of any `r="..."`,
  and rows or cells written without `r`, which calamine places after the previous one),
  and where the error cells (`t="e"`, `#N/A` ...) are: calamine hands them over as
  empty strings, and a row of error cells must still count as a record.

The limits are far above any real delivery (an aftercare workbook holds thousands of
rows in six columns) and far below what hurts: the grid of the largest allowed sheet
is 2^24 cells, 0.5 GiB in calamine plus its Python objects.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np

MAX_MEMBERS = 1_000
MAX_PART_BYTES = 256 * 1024**2  # one XML part, uncompressed
MAX_TOTAL_BYTES = 512 * 1024**2  # all parts together, uncompressed
MAX_ROWS = 1_048_576  # as Excel
MAX_COLUMNS = 256  # column IV; the contract has six
MAX_CELLS = 2**24  # rows x columns of the grid from A1
MAX_CELL_CHARS = 32_767  # as Excel
MAX_TEXT_BYTES = MAX_CELL_CHARS * 10  # `&#1114111;` is 10 bytes for one character

CHUNK = 8 * 1024**2


def _mib(n: int) -> str:
    return f"{n // 1024**2} MiB"


TE_VEEL_DELEN = f"werkmap heeft meer dan {MAX_MEMBERS} onderdelen"
DEEL_TE_GROOT = f"een onderdeel van de werkmap is uitgepakt groter dan {_mib(MAX_PART_BYTES)}"
TOTAAL_TE_GROOT = f"de werkmap is uitgepakt groter dan {_mib(MAX_TOTAL_BYTES)}"
BESCHADIGD = "werkmap is beschadigd (zip-onderdeel niet te lezen)"
TEKST_TE_LANG = f"een cel bevat meer dan {MAX_CELL_CHARS} tekens"
TE_VEEL_RIJEN = f"blad 'Nazorg' gaat verder dan rij {MAX_ROWS}"
TE_VEEL_KOLOMMEN = f"blad 'Nazorg' gaat verder dan kolom {MAX_COLUMNS} (IV)"
TE_VEEL_CELLEN = f"blad 'Nazorg' beslaat meer dan {MAX_CELLS} cellen (rijen x kolommen vanaf A1)"


@dataclass
class SheetScan:
    """What the stream of one sheet part holds (exact when every row and cell has `r`)."""

    max_row: int = 0  # largest row number of a row or cell reference
    max_col: int = 0  # largest column number of a cell reference
    rows: int = 0  # <row> elements
    row_refs: int = 0  # <row> elements with r
    cells: int = 0  # <c> elements
    cell_refs: int = 0  # cell references r="A1"
    widest_row: int = 0  # most <c> elements in one <row>
    error_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 1-based
    error_cells_without_ref: int = 0
    _open_row_cells: int = 0

    def extent(self) -> tuple[int, int]:
        """(rows, columns) of the grid calamine builds, an upper bound: an element
        without `r` is placed after the previous one, so it may add one more."""
        rows = self.max_row if self.row_refs == self.rows else self.max_row + self.rows
        cols = self.max_col if self.cell_refs >= self.cells else self.max_col + self.widest_row
        return max(rows, 1), max(cols, 1)


_WS = np.zeros(256, bool)
_WS[[0x20, 0x09, 0x0A, 0x0D]] = True
_QUOTE = np.zeros(256, bool)
_QUOTE[[0x22, 0x27]] = True
_TAG_END = np.zeros(256, bool)  # what may follow an element name: space, '>' or '/'
_TAG_END[[0x20, 0x09, 0x0A, 0x0D, 0x3E, 0x2F]] = True
_NAME_START = np.zeros(256, bool)  # '<c' or, with a namespace prefix, '...:c'
_NAME_START[[0x3C, 0x3A]] = True
_WINDOW = 12  # letters (<=3) and digits (<=7) of a reference, and one byte to see it end
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")


def _element_starts(a: np.ndarray, lt: np.ndarray, colon: np.ndarray, name: bytes) -> np.ndarray:
    """Positions of `<name` / `<prefix:name` followed by space, '>' or '/' (a start tag),
    from the positions of '<' and ':' (few compared with all bytes)."""
    k = len(name)
    found = []
    for marks in (lt, colon):
        marks = marks[marks + k + 1 < len(a)]
        hit = _TAG_END[a[marks + k + 1]]
        for i, ch in enumerate(name):
            hit &= a[marks + 1 + i] == ch
        found.append(marks[hit])
    if not len(found[1]):
        return found[0]  # no namespace prefix: already sorted
    return np.sort(np.concatenate(found))


def _references(a: np.ndarray, cut: int) -> tuple[int, int, int, int]:
    """(cell references, row references, largest row, largest column) of the ` r="..."`
    attributes that start before `cut`. A column of more than 3 letters or a row of more
    than 7 digits counts as beyond every limit. Only the references with the most digits
    (letters) are turned into numbers: one of them holds the largest row (column)."""
    n = len(a)
    eq = np.flatnonzero(a[:cut] == 0x3D)  # '=': each attribute has one
    eq = eq[(eq >= 2) & (eq < n - 1)]
    eq = eq[(a[eq - 1] == 0x72) & _WS[a[eq - 2]] & _QUOTE[a[eq + 1]]]
    if not len(eq):
        return 0, 0, 0, 0
    start = eq + 2
    # a reference near the end reads zeros after it (padding copies only then)
    padded = np.concatenate([a, np.zeros(_WINDOW, np.uint8)]) if start[-1] + _WINDOW > n else a
    w = padded[start[:, None] + np.arange(_WINDOW)]
    upper = w & 0xDF
    letter = (upper >= 0x41) & (upper <= 0x5A)
    n_letters = np.where(letter.all(1), _WINDOW, np.argmin(letter, axis=1))
    digit = (w >= 0x30) & (w <= 0x39)
    run = digit | (np.arange(_WINDOW) < n_letters[:, None])
    n_digits = np.where(run.all(1), _WINDOW, np.argmin(run, axis=1)) - n_letters
    cells = int(np.count_nonzero(n_letters))
    rows = len(start) - cells
    if n_letters.max() > 3 or n_digits.max() > 7 or n_digits.min() == 0:
        return cells, rows, MAX_ROWS + 1, MAX_COLUMNS + 1
    most = n_letters.max()
    col = 0
    if most:
        wide = upper[n_letters == most, :most].astype(np.int64) - 0x40
        col = int((wide @ (26 ** np.arange(most - 1, -1, -1))).max())
    most = n_digits.max()
    pick = n_digits == most
    at = n_letters[pick][:, None] + np.arange(most)
    digits = np.take_along_axis(w[pick], at, axis=1).astype(np.int64) - 0x30
    row = int((digits @ (10 ** np.arange(most - 1, -1, -1))).max())
    return cells, rows, row, col


def _error_cells(buf: bytes, cut: int, scan: SheetScan) -> None:
    """Error cells are rare: found with bytes.find, their reference read from their own tag."""
    for needle in (b' t="e"', b" t='e'"):
        at = buf.find(needle, 0, cut)
        while at >= 0:
            tag_start = buf.rfind(b"<", 0, at)
            tag_end = buf.find(b">", at)
            ref = _REF.search(buf, tag_start, tag_end if tag_end >= 0 else len(buf)) if tag_start >= 0 else None
            if ref is None:
                scan.error_cells_without_ref += 1
            else:
                c = 0
                for ch in ref.group(1).upper():
                    c = c * 26 + ch - 0x40
                scan.error_cells.add((int(ref.group(2)), c))
            at = buf.find(needle, at + 1, cut)


def _scan_sheet_chunk(buf: bytes, scan: SheetScan, final: bool) -> int:
    """Add what `buf[:cut]` holds to `scan`; returns `cut` (the rest is carried over)."""
    # up to the last '<': every tag before it is whole (an attribute value holds no '<')
    last = buf.rfind(b"<")
    cut = len(buf) if final or last < 0 else last
    a = np.frombuffer(buf, np.uint8)
    cell_refs, row_refs, max_row, max_col = _references(a, cut)
    scan.max_row = max(scan.max_row, max_row)
    scan.max_col = max(scan.max_col, max_col)
    scan.cell_refs += cell_refs
    scan.row_refs += row_refs
    lt, colon = np.flatnonzero(a == 0x3C), np.flatnonzero(a == 0x3A)
    rows = _element_starts(a, lt, colon, b"row")
    rows = rows[rows < cut]
    cells = _element_starts(a, lt, colon, b"c")
    cells = cells[cells < cut]
    scan.rows += len(rows)
    scan.cells += len(cells)
    # cells per row: a cell belongs to the last row started before it (or the one still open)
    per_row = np.bincount(np.searchsorted(rows, cells, side="right"), minlength=len(rows) + 1)
    per_row[0] += scan._open_row_cells
    scan.widest_row = max(scan.widest_row, int(per_row.max()))
    scan._open_row_cells = int(per_row[-1])
    _error_cells(buf, cut, scan)
    return cut


def _longest_text(a: np.ndarray, carry: int) -> tuple[int, int]:
    """(longest run between '<'/'>' in `a`, counting `carry` bytes before it; the run
    open at the end, carried to the next chunk)."""
    marks = np.flatnonzero((a == 0x3C) | (a == 0x3E))
    if not len(marks):
        return carry + len(a), carry + len(a)
    longest = max(carry + int(marks[0]), int(np.diff(marks).max(initial=1)) - 1, len(a) - int(marks[-1]) - 1)
    return longest, len(a) - int(marks[-1]) - 1


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> set[str]:
    """The part names the sheet called `sheet` may have (workbook.xml and its
    relationships; the target as written under xl/ and normalised); empty when it
    cannot be found (then calamine does not find it either). Only for error cells."""
    names = set(zf.namelist())
    try:
        workbook = zf.read("xl/workbook.xml") if "xl/workbook.xml" in names else b""
        rels = zf.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return set()
    if len(workbook) > MAX_PART_BYTES or len(rels) > MAX_PART_BYTES:
        return set()
    for tag in re.finditer(rb"<(?:[\w.-]+:)?sheet\s[^>]*>", workbook):
        name = re.search(rb"""\sname\s*=\s*["']([^"']*)["']""", tag.group())
        rid = re.search(rb"""\s[\w.-]*:?id\s*=\s*["']([^"']*)["']""", tag.group())
        if name and rid and _unescape(name.group(1)) == sheet.encode():
            for rel in re.finditer(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>", rels):
                if re.search(rb"""\sId\s*=\s*["']""" + re.escape(rid.group(1)) + rb"""["']""", rel.group()):
                    target = re.search(rb"""\sTarget\s*=\s*["']([^"']*)["']""", rel.group())
                    if target:
                        t = _unescape(target.group(1)).decode("utf-8", "replace")
                        if t.startswith("/"):
                            return {t.lstrip("/")}
                        return {f"xl/{t}", posixpath.normpath(posixpath.join("xl", t))}
    return set()


def _unescape(b: bytes) -> bytes:
    return b.replace(b"&lt;", b"<").replace(b"&gt;", b">").replace(b"&quot;", b'"').replace(b"&apos;", b"'").replace(b"&amp;", b"&")


def check_workbook(file, sheet: str = "Nazorg") -> tuple[str | None, SheetScan | None]:
    """(reden of refusal or None, what the sheet holds) of a workbook (a path or a binary
    file object). A file that is not a zip at all is not refused here: calamine says
    what it is (GEEN_WERKMAP)."""
    try:
        zf = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            return TE_VEEL_DELEN, None
        if any(i.file_size > MAX_PART_BYTES for i in infos):
            return DEEL_TE_GROOT, None
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            return TOTAAL_TE_GROOT, None
        part = _sheet_part(zf, sheet)
        nazorg = None
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            # every part, whatever its name: calamine reads the sheet wherever the
            # relationships point, also at `sheet1.dat`
            scan = SheetScan()
            text = info.filename in part or info.filename.lower().endswith((".xml", ".rels", ".vml"))
            try:
                reden, size = _stream_part(zf, info, scan, text, MAX_TOTAL_BYTES - total)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
                # bad CRC, a size that lies, an unknown compression or encryption
                return BESCHADIGD, None
            if reden is None and (scan.rows or scan.cells):
                # Every part with rows or cells is held to the sheet limits: whether calamine
                # takes it for `Nazorg` must not decide whether it is bounded.
                reden = _extent_refusal(scan)
            if reden is not None:
                return reden, None
            total += size
            if info.filename in part:
                nazorg = scan
    return None, nazorg


def _extent_refusal(scan: SheetScan) -> str | None:
    rows, cols = scan.extent()
    if rows > MAX_ROWS:
        return TE_VEEL_RIJEN
    if cols > MAX_COLUMNS:
        return TE_VEEL_KOLOMMEN
    if rows * cols > MAX_CELLS:
        return TE_VEEL_CELLEN
    return None


def _stream_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, scan: SheetScan, xml: bool, room: int) -> tuple[str | None, int]:
    """(reden or None, bytes) of one part, read in chunks and counted as it inflates;
    in an XML part (`xml`) the longest text between two tags is bounded too."""
    size = 0
    carry_text = 0
    carry = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            size += len(chunk)
            if size > MAX_PART_BYTES:
                return DEEL_TE_GROOT, size
            if size > room:
                return TOTAAL_TE_GROOT, size
            if xml:
                longest, carry_text = _longest_text(np.frombuffer(chunk, np.uint8), carry_text)
                if longest > MAX_TEXT_BYTES:
                    return TEKST_TE_LANG, size
            buf = carry + chunk
            carry = buf[_scan_sheet_chunk(buf, scan, final=not chunk):]
            if not chunk:
                return None, size
