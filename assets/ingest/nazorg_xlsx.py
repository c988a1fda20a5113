"""Aftercare workbooks `nazorg/GMxxxx_YYYYMMDD.xlsx`: steps 3-5 of sources.md and §3.

Each workbook's sheet `Nazorg` is read with python-calamine, whose cells are typed:
empty cells come back as '', number cells as float, date-formatted cells as
date/datetime (time/duration formats as time/timedelta). `skip_empty_area=False` makes
row 0 of the result the sheet's row 1 even when the data starts lower or further
right, so the row number in the quarantine is the physical 1-based sheet row.

Turning typed cells into columns needs a pass per cell (that is the parsing); all
rules of model.md §2 then run as one vectorised `pl.when` chain over every file.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from pathlib import Path

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook

from assets.common.bsn import bsn_is_valid, normalise_bsn, pseudonymise
from assets.common.dates import is_present, parse_date
from assets.common.memory import without_cyclic_gc
from assets.common.reference import map_code, match_key
from assets.ingest.inventory import UNREADABLE_FILE, open_regular, os_cause
from assets.ingest.reasons import empty_quarantine, quarantine
from assets.ingest.result import IngestResult, count_judged, ledger_frame, ledger_row
from assets.ingest.xlsx_bounds import check_workbook
from schemas.nazorg_xlsx import CONTACTVORMEN, KOLOMMEN, SHEET, SOORTEN, UITKOMSTEN, VERPLICHT, NazorgRij
from schemas.quality import dtypes, empty
from schemas.records import NazorgEvent

BRON = "nazorg"

# Refusal texts name the rule, never a cell's contents.
LEEG_BESTAND = "leeg bestand (0 bytes): geen XLSX-werkmap"
GEEN_WERKMAP = "geen leesbare XLSX-werkmap"
GEEN_BLAD = f"werkmap heeft geen blad '{SHEET}'"
TOEKOMSTIG = "leverdatum in de bestandsnaam ligt na de peildatum"
GEEN_KOPREGEL = f"blad '{SHEET}' is leeg of heeft geen kopregel in rij 1"

RAW_SCHEMA = dtypes(NazorgRij)


def _find_sheet(names: list[str]) -> tuple[str | None, str | None]:
    """(refusal reason, sheet): the sheet named exactly `Nazorg`.

    The contract matches headers and codes case-insensitively but names the sheet
    exactly, so `nazorg` or ` Nazorg` is not the sheet (docs/decisions.md).
    """
    return (None, SHEET) if SHEET in names else (GEEN_BLAD, None)


class _ErrorCell:
    """An error cell (#N/A, #WAARDE!, ...): calamine gives '' for it, the bounds scan
    says where they are. Not empty, and neither text, number nor date, so the rules
    make it an invalid BSN, an invalid Datum or an unknown code by the column it is in."""

    __slots__ = ()

    def __str__(self) -> str:
        return FOUT_TEKST


FOUT_TEKST = "#FOUT"
ERROR_CELL = _ErrorCell()


def _mark_errors(rows: list[list], errors: set[tuple[int, int]]) -> None:
    for r, c in errors:
        if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) and rows[r - 1][c - 1] == "":
            rows[r - 1][c - 1] = ERROR_CELL


def read_sheet(path: Path) -> tuple[str | None, list[list] | None]:
    """(refusal reason, None) or (None, rows of sheet Nazorg from cell A1 on).

    Nothing about a workbook stops the run: the bounds (xlsx_bounds) are checked before
    calamine sees the file, and what calamine or the file system raises is a refusal."""
    try:
        with os.fdopen(open_regular(str(path)), "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return LEEG_BESTAND, None
            reden, scan = check_workbook(fh, SHEET)
            if reden is not None:
                return reden, None
            fh.seek(0)
            with CalamineWorkbook.from_filelike(fh) as wb:
                reden, name = _find_sheet(wb.sheet_names)
                if reden is not None:
                    return reden, None
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except CalamineError:
        # The library's message may quote workbook XML; the ledger gets a fixed text.
        return GEEN_WERKMAP, None
    except OSError as e:
        return UNREADABLE_FILE.format(oorzaak=os_cause(e)), None
    except Exception as e:  # noqa: BLE001 - one workbook's fault is that workbook's refusal
        return f"werkmap kon niet verwerkt worden ({type(e).__name__})", None
    if scan is not None and scan.error_cells:
        _mark_errors(rows, scan.error_cells)
    return None, rows


def header_positions(header: list) -> tuple[str | None, dict[str, int]]:
    """(refusal reason, {contract column: 0-based index}) from row 1."""
    found: dict[str, list[int]] = {}
    for idx, cell in enumerate(header):
        if isinstance(cell, str) and cell.strip().lower() in KOLOMMEN:
            found.setdefault(KOLOMMEN[cell.strip().lower()], []).append(idx)
    if not found and all(_is_empty(c) for c in header):
        return GEEN_KOPREGEL, {}
    missing = [c for c in VERPLICHT if c not in found]
    if missing:
        return f"verplichte kolom ontbreekt in rij 1: {', '.join(missing)}", {}
    twice = [c for c in KOLOMMEN.values() if len(found.get(c, [])) > 1]
    if twice:
        return f"kolom staat meer dan eens in de kopregel: {', '.join(twice)}", {}
    return None, {c: idxs[0] for c, idxs in found.items()}


def _is_empty(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _bsn_cell(cell) -> tuple[str | None, bool]:
    """(text or integer digits, cell is of a kind that cannot hold a BSN)."""
    if _is_empty(cell):
        return None, False
    if isinstance(cell, str):
        return cell, False
    if isinstance(cell, bool):
        return None, True
    if isinstance(cell, int) and cell >= 0:
        return str(cell), False
    if isinstance(cell, float) and cell >= 0 and cell.is_integer():
        return str(int(cell)), False  # a number cell lost its leading zeros
    return None, True  # fraction, negative number, date, time


def _datum_cell(cell) -> tuple[dt.date | None, str | None, bool]:
    """(date of a date cell, text of a text cell, some other non-empty cell)."""
    if _is_empty(cell):
        return None, None, False
    if isinstance(cell, dt.datetime):
        return cell.date(), None, False
    if isinstance(cell, dt.date):
        return cell, None, False
    if isinstance(cell, str):
        return None, cell, False
    return None, None, True  # number without date format, time, duration, boolean


def _text_cell(cell) -> str | None:
    if _is_empty(cell):
        return None
    if isinstance(cell, str):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.date, dt.time)):
        return cell.isoformat()
    return str(cell)


# Decoding runs per cell, so it takes the common cell first (a str: text, or '' for an
# empty cell) without a function call, and leaves every other kind to the rules above.


@functools.cache
def _python_whitespace() -> str:
    """The characters str.strip() removes (polars' strip_chars() alone misses a few, e.g. \\x1c)."""
    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


def _pick(body: list[list], index: int, shortest: int) -> list:
    """Column `index` of the rows; a row too short for it gives None (an empty cell)."""
    if index < shortest:
        return list(map(itemgetter(index), body))
    return [r[index] if index < len(r) else None for r in body]


def _text_and_empty(cells: list) -> tuple[pl.Series | None, pl.Series]:
    """(the cells as text when all are strings or None, else None; which cells are empty
    in the sense of _is_empty)."""
    try:
        text = pl.Series(cells, dtype=pl.Utf8, strict=True)
    except (TypeError, ValueError):  # ValueError: an error cell (ERROR_CELL)
        return None, pl.Series([(not c.strip()) if c.__class__ is str else _is_empty(c) for c in cells], dtype=pl.Boolean)
    return text, text.is_null() | (text.str.strip_chars(_python_whitespace()) == "")


def _text_column(cells: list, text: pl.Series | None, empty: pl.Series) -> pl.Series:
    if text is None:
        text = pl.Series([c if c.__class__ is str else _text_cell(c) for c in cells], dtype=pl.Utf8)
    return text.set(empty, None)


def _bsn_column(cells: list, empty: pl.Series) -> tuple[pl.Series, pl.Series]:
    text, bad = [], []
    for c in cells:
        if c.__class__ is str:
            text.append(c)
            bad.append(False)
        else:
            t, b = _bsn_cell(c)
            text.append(t)
            bad.append(b)
    return pl.Series(text, dtype=pl.Utf8).set(empty, None), pl.Series(bad, dtype=pl.Boolean)


def _datum_column(cells: list, empty: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    day, text, other = [], [], []
    for c in cells:
        k = c.__class__
        if k is str:
            day.append(None)
            text.append(c)
            other.append(False)
        elif k is dt.date:
            day.append(c)
            text.append(None)
            other.append(False)
        else:
            d, t, o = _datum_cell(c)
            day.append(d)
            text.append(t)
            other.append(o)
    return pl.Series(day, dtype=pl.Date), pl.Series(text, dtype=pl.Utf8).set(empty, None), pl.Series(other, dtype=pl.Boolean)


def decode_rows(rows: list[list], positions: dict[str, int], file: dict) -> pl.DataFrame:
    """NazorgRij rows for the data rows whose listed cells are not all empty."""
    body = rows[1:]
    n = len(body)
    shortest = min(map(len, body), default=0)
    picked = {c: _pick(body, i, shortest) for c, i in positions.items()}
    as_text = {c: _text_and_empty(cells) for c, cells in picked.items()}
    blank_row = pl.select(pl.all_horizontal([e for _, e in as_text.values()]) if as_text else pl.repeat(True, n)).to_series()
    absent = (None, pl.repeat(True, n, eager=True))  # a column the sheet does not have: every cell empty

    def column(name: str) -> tuple:
        return picked.get(name, [None] * n), *as_text.get(name, absent)

    def text(name: str) -> pl.Series:
        return _text_column(*column(name))

    cells, _, empty = column("BSN")
    bsn, bsn_bad = _bsn_column(cells, empty)
    cells, _, empty = column("Datum")
    datum_cel, datum_tekst, datum_anders = _datum_column(cells, empty)
    data = pl.DataFrame(
        {
            "bestand": pl.repeat(file["bestand"], n, dtype=pl.Utf8, eager=True),
            "rij": pl.int_range(2, n + 2, dtype=pl.Int64, eager=True),  # body[0] is sheet row 2
            "gemeentecode": pl.repeat(file["gemeentecode_naam"], n, dtype=pl.Utf8, eager=True),
            "leverdatum": pl.repeat(file["leverdatum_naam"], n, dtype=pl.Date, eager=True),
            "bsn": bsn,
            "bsn_cel_ongeldig": bsn_bad,
            "datum_cel": datum_cel,
            "datum_tekst": datum_tekst,
            "datum_anders": datum_anders,
            "soort": text("Soort"),
            "uitkomst": text("Uitkomst"),
            "contactvorm": text("Contactvorm"),
            "uitgevoerd_door": text("Uitgevoerd door"),
        },
        schema=RAW_SCHEMA,
    )
    return data.filter(~blank_row)


def judge(raw: pl.DataFrame, peildatum: dt.date) -> pl.DataFrame:
    """Add the canonical values, the first applying `reden_code` (null = accepted) and
    `detail` (the field behind the code)."""
    datum_given = pl.col("datum_cel").is_not_null() | is_present(pl.col("datum_tekst")) | pl.col("datum_anders")
    soort_given = is_present(pl.col("soort"))
    bsn_given = is_present(pl.col("bsn")) | pl.col("bsn_cel_ongeldig")
    soort = pl.col("soort_std")
    code = (
        pl.when(~datum_given | ~soort_given).then(pl.lit("verplicht_veld_ontbreekt"))
        .when(~bsn_given).then(pl.lit("bsn_ontbreekt"))
        .when(pl.col("bsn_cel_ongeldig") | ~bsn_is_valid(pl.col("bsn_norm"))).then(pl.lit("bsn_ongeldig"))
        .when(pl.col("datum_std").is_null()).then(pl.lit("datum_ongeldig"))
        .when(soort.is_null()).then(pl.lit("soort_onbekend"))
        .when((soort == "nazorgtoets") & pl.col("uitkomst_std").is_null()).then(pl.lit("uitkomst_onbekend"))
        .when((soort == "contact") & is_present(pl.col("contactvorm")) & pl.col("contactvorm_std").is_null())
        .then(pl.lit("contactvorm_onbekend"))
        .when(pl.col("datum_std") > pl.lit(peildatum)).then(pl.lit("datum_in_toekomst"))
        .otherwise(pl.lit(None, pl.Utf8))
    )
    # Which field, for reasons whose text does not name it; never the value.
    detail = (
        pl.when(pl.col("reden_code") == "verplicht_veld_ontbreekt")
        .then(pl.concat_str(pl.when(~datum_given).then(pl.lit("Datum")), pl.when(~soort_given).then(pl.lit("Soort")),
                            separator=", ", ignore_nulls=True))
        .when(pl.col("reden_code").is_in(["datum_ongeldig", "datum_in_toekomst"])).then(pl.lit("Datum"))
        .otherwise(pl.lit(None, pl.Utf8))
    )
    return (
        raw.with_columns(
            bsn_norm=normalise_bsn(pl.col("bsn").str.strip_chars()),
            datum_std=pl.coalesce(pl.col("datum_cel"), parse_date(pl.col("datum_tekst"))),
            soort_std=match_key(pl.col("soort")).replace_strict(SOORTEN, default=None, return_dtype=pl.Utf8),
            uitkomst_std=match_key(pl.col("uitkomst")).replace_strict(UITKOMSTEN, default=None, return_dtype=pl.Utf8),
            contactvorm_std=match_key(pl.col("contactvorm")).replace_strict(
                CONTACTVORMEN, default=None, return_dtype=pl.Utf8
            ),
        )
        .with_columns(reden_code=code)
        .with_columns(detail=detail)
    )


def uitvoerder(text: pl.Expr) -> pl.Expr:
    """`Uitgevoerd door` as a standard name (model.md §1, 2026-12-01): free text is never
    copied, because a BSN can hide in it. Through the mapping `uitvoerders`; `overig`
    when not in it; null when empty or an error cell."""
    mapped = map_code(text, BRON, "Uitgevoerd door")
    return (
        pl.when(~is_present(text) | (text == FOUT_TEKST)).then(pl.lit(None, pl.Utf8))
        .when(mapped.is_not_null()).then(mapped)
        .otherwise(pl.lit("overig"))
    )


def accepted_records(accepted: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """NazorgEvent rows from accepted judged rows; the BSN is replaced by its pseudonym
    here and dropped."""
    soort = pl.col("soort_std")
    ids = pseudonymise(accepted["bsn_norm"], key)
    return (
        accepted.with_columns(persoon_id=ids)
        .select(
            "bestand",
            pl.col("rij").cast(pl.Utf8).alias("locatie"),
            "leverdatum",
            "persoon_id",
            pl.col("datum_std").alias("datum"),
            soort.alias("soort"),
            # Uitkomst belongs to a test, Contactvorm to a contact; the other is ignored.
            pl.when(soort == "nazorgtoets").then(pl.col("uitkomst_std")).alias("uitkomst"),
            pl.when(soort == "contact").then(pl.col("contactvorm_std")).alias("contactvorm"),
            uitvoerder(pl.col("uitgevoerd_door")).alias("uitgevoerd_door"),
            "gemeentecode",
        )
    )


def read_sheets(paths: list[Path]) -> Iterator[tuple[str | None, list[list] | None]]:
    """read_sheet of each path, in order. calamine parses a workbook without holding the
    GIL, so threads read the next workbooks while this thread decodes the current one; a
    few workbooks ahead at most, so memory stays that of a few sheets."""
    threads = len(os.sched_getaffinity(0))
    if threads < 2 or len(paths) < 2:
        yield from map(read_sheet, paths)
        return
    with ThreadPoolExecutor(threads) as pool:
        ahead: deque = deque()
        todo = iter(paths)
        for path in itertools.islice(todo, 2 * threads):
            ahead.append(pool.submit(read_sheet, path))
        while ahead:
            result = ahead.popleft().result()
            path = next(todo, None)
            if path is not None:
                ahead.append(pool.submit(read_sheet, path))
            yield result


def read_nazorg(files: pl.DataFrame, peildatum: dt.date, key: bytes) -> IngestResult:
    """Ledger rows, accepted NazorgEvent rows and quarantine rows for `to_read(inv, "nazorg")`.

    Every accepted row counts, also when the same event came earlier: harmonisation
    builds the deduplicated model table.
    """
    with without_cyclic_gc():  # a workbook's cells are millions of short-lived objects
        return _read(files, peildatum, key)


def _read(files: pl.DataFrame, peildatum: dt.date, key: bytes) -> IngestResult:
    ledger: list[dict] = []
    frames: list[pl.DataFrame] = []
    rows_in_order = list(files.iter_rows(named=True))
    due = [Path(f["pad"]) for f in rows_in_order if f["leverdatum_naam"] <= peildatum]
    sheets = read_sheets(due)
    for file in rows_in_order:
        leverdatum = file["leverdatum_naam"]
        if leverdatum > peildatum:
            ledger.append(ledger_row(file, "toekomstig", TOEKOMSTIG, leverdatum))
            continue
        reden, rows = next(sheets)
        if reden is None:
            reden, positions = header_positions(rows[0] if rows else [])
        if reden is not None:
            ledger.append(ledger_row(file, "geweigerd", reden, leverdatum))
            continue
        frames.append(decode_rows(rows, positions, file))
        ledger.append(ledger_row(file, "geladen", None, leverdatum))

    raw = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=RAW_SCHEMA)
    NazorgRij.validate(raw.lazy())  # names and types only: a value check could quote a BSN
    judged = judge(raw, peildatum).sort("bestand", "rij")
    count_judged(ledger, judged)
    records = accepted_records(judged.filter(pl.col("reden_code").is_null()), key)
    quarantined = quarantine(BRON, judged, pl.col("rij"))
    return IngestResult(
        ledger=ledger_frame(ledger),
        records=records if records.height else empty(NazorgEvent),
        quarantine=quarantined if quarantined.height else empty_quarantine(),
    )
