"""Legacy registration exports `shv_csv/GMxxxx_YYYYMMDD.csv` (sources.md intro + §2, model.md §1-§3).

Per file: step 3 (export date after the peildatum: `toekomstig`), step 4 (not readable
as a Windows-1252 `;` CSV with exactly the contract header: `geweigerd`), else `geladen`
with every non-blank data row accepted as a TrajectRecord or quarantined with the first
reason code of model.md §2 that applies. Raw BSNs are pseudonymised here and dropped;
`Dossiernr` leaves this module only as its keyed hash (model.md §1: a BSN can hide in
it, `D123456782`); `Opmerking` is never copied anywhere.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re

import polars as pl

from assets.common.bsn import bsn_is_valid, hash_texts, normalise_bsn, pseudonymise_with
from assets.common.dates import date_invalid, earliest, is_present, parse_date
from assets.common.reference import map_code, mapping
from assets.ingest.ddas_process import per_record_lists
from assets.ingest.inventory import UNREADABLE_FILE, os_cause, read_regular
from assets.ingest.reasons import empty_quarantine, quarantine
from assets.ingest.result import IngestResult, count_judged, ledger_frame, ledger_row
from schemas.quality import empty
from assets.common.birth_mask import mask, pads
from schemas.records import BEGELEIDING_STRUCT, SCHULD_STRUCT, TrajectRecord
from schemas.shv_csv import CSV_HEADER

BRON = "shv_csv"
# process.md §1: Product -> oplossing_soort, and -> the one begeleiding row of the record
OPLOSSING = {"SK": "Saneringskrediet", "MSR": "Schuldbemiddeling"}
BEGELEIDING = {"BBH": "Budgetbeheer", "BBG": "Budgetbegeleiding"}
BEGELEIDING_LIST = pl.List(BEGELEIDING_STRUCT)
SCHULDEN_LIST = pl.List(SCHULD_STRUCT)
REQUIRED_FIELDS = ("Dossiernr", "Aanmelddatum", "Product")
DATE_FIELDS = ("Aanmelddatum", "Datum eerste gesprek", "Startdatum", "Einddatum", "Nazorg vanaf")
# -?\d{1,3}(\.\d{3})*(,\d+)?  or  -?\d+(,\d+)?  ([0-9], not \d: Rust's \d also matches non-ASCII digits)
AMOUNT_PATTERN = r"^-?([0-9]{1,3}(\.[0-9]{3})*|[0-9]+)(,[0-9]+)?$"

# cp1252 never decodes to U+FFFF, so this extra last "line" tells whether the csv
# reader was still inside a quoted field at the end of the file (it swallows it).
_END = "\uffff"
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


# --- step 4: bytes -> text -> header ---------------------------------------------------


def decode_export(raw: bytes) -> tuple[str | None, str | None]:
    """(reason of refusal, None) or (None, text). Reasons name the problem, never content."""
    if not raw:
        return "leeg bestand (0 bytes): geen kopregel", None
    if raw.startswith(b"\xef\xbb\xbf"):
        return "bestand begint met een UTF-8 BOM: het is als UTF-8 opgeslagen, verwacht is Windows-1252", None
    first = _LINE_BREAK.search(raw)
    first_line = raw[: first.start()] if first else raw
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in first_line:
        return "bestand lijkt UTF-16 gecodeerd (BOM of NUL-bytes in de kopregel), verwacht is Windows-1252", None
    try:
        return None, raw.decode("cp1252")
    except UnicodeDecodeError as e:
        line = len(_LINE_BREAK.findall(raw, 0, e.start)) + 1
        hint = " (het bestand lijkt UTF-8)" if _is_utf8(raw) else ""
        return f"regel {line} bevat een byte die in Windows-1252 niet bestaat{hint}: verwacht is Windows-1252", None


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def header_problem(fields: list[str]) -> str | None:
    """Why a parsed first line is not the contract header (trimmed, any case), or None."""
    if len(fields) != len(CSV_HEADER):
        return f"kopregel heeft {len(fields)} velden gescheiden door ';', verwacht {len(CSV_HEADER)}"
    for i, (got, want) in enumerate(zip(fields, CSV_HEADER), start=1):
        if got.strip().lower() != want.lower():
            return f"kopregel wijkt af van het contract: kolom {i} moet '{want}' heten"
    return None


# --- parsing with physical line numbers --------------------------------------------------


def decode_rows(text: str) -> tuple[str | None, pl.DataFrame | None]:
    """(reason of refusal, None) or (None, raw rows as schemas.shv_csv.ShvCsvRij).

    The C csv reader does the field work; the only Python work per row is the line
    bookkeeping: a record starts on the line after the last one the reader consumed.
    """
    lines = itertools.chain(io.StringIO(text, newline=""), (_END,))
    reader = csv.reader(lines, delimiter=";", quotechar='"', doublequote=True, strict=False)
    try:
        header = next(reader)
    except csv.Error:
        return "kopregel (regel 1) is geen leesbare CSV-regel", None
    if header == [_END] or not "".join(header).strip():
        return "regel 1 is leeg: de eerste regel moet de kopregel zijn", None
    if reader.line_num != 1:
        return "kopregel loopt door over meer dan één regel (aanhalingsteken niet gesloten?)", None
    problem = header_problem(header)
    if problem:
        return problem, None

    n = len(CSV_HEADER)
    join = _END.join  # a complete row travels as one string; polars splits it (no per-field Python work)
    complete: list[str] = []
    complete_lines: list[int] = []
    other_lines: list[int] = []
    other_counts: list[int | None] = []
    physical: list[str] | None = None  # built only to tell a '  ' line from a '"  "' record
    prev, ended_cleanly = 1, False
    while True:
        try:
            for row in reader:
                start, prev = prev + 1, reader.line_num
                if len(row) == n:
                    complete.append(join(row))
                    complete_lines.append(start)
                    continue
                if not row:
                    continue  # empty line
                if len(row) == 1:
                    if row[0] == _END:
                        ended_cleanly = True
                        continue
                    if start == prev and not row[0].strip():
                        physical = physical or io.StringIO(text, newline="").readlines()
                        if not physical[start - 1].strip():
                            continue  # whitespace-only line
                other_lines.append(start)
                other_counts.append(len(row))
            break
        except csv.Error:  # e.g. a field over the csv size limit: this record is unreadable
            other_lines.append(prev + 1)
            other_counts.append(None)
            prev = reader.line_num
    if not ended_cleanly:  # the last record ran into the end of the file inside quotes
        if complete_lines and (not other_lines or complete_lines[-1] > other_lines[-1]):
            other_lines.append(complete_lines.pop())
            other_counts.append(None)
            complete.pop()
        elif other_lines:
            other_counts[-1] = None
    return None, _rows_frame(complete, complete_lines, other_lines, other_counts)


def _rows_frame(complete, complete_lines, other_lines, other_counts) -> pl.DataFrame:
    n = len(CSV_HEADER)
    fields = pl.Series("rij", complete, pl.Utf8).str.split_exact(_END, n - 1).struct.rename_fields(list(CSV_HEADER))
    good = pl.DataFrame(
        [pl.Series("regel", complete_lines, pl.Int64), pl.Series("aantal_velden", [n] * len(complete), pl.Int64)]
    ).hstack(fields.struct.unnest())
    bad = pl.DataFrame(
        {"regel": other_lines, "aantal_velden": other_counts}, schema={"regel": pl.Int64, "aantal_velden": pl.Int64}
    ).with_columns(pl.lit(None, pl.Utf8).alias(name) for name in CSV_HEADER)
    return pl.concat([good, bad]).sort("regel")


# --- validation ------------------------------------------------------------------------


def rounded_euros(text: pl.Expr) -> pl.Expr:
    """Whole euros, half away from zero, decided on the digits (no float); null if not an amount.

    Null too when the value does not fit a 64-bit integer.
    """
    t = text.str.strip_chars()
    whole = t.str.extract(r"^-?([0-9.]+)", 1).str.replace_all(".", "", literal=True).cast(pl.Int128, strict=False)
    round_up = (t.str.extract(r",([0-9])", 1) >= "5").fill_null(False).cast(pl.Int128)
    magnitude = (whole + round_up).cast(pl.Int64, strict=False)  # Int128 so that '+ 1' cannot overflow
    signed = pl.when(t.str.starts_with("-")).then(-magnitude).otherwise(magnitude)
    return pl.when(t.str.contains(AMOUNT_PATTERN)).then(signed)


def _d(field: str) -> str:
    return f"_datum {field}"


def _first_field(conditions: list[tuple[str, pl.Expr]]) -> pl.Expr:
    out = pl.when(conditions[0][1]).then(pl.lit(conditions[0][0]))
    for name, cond in conditions[1:]:
        out = out.when(cond).then(pl.lit(name))
    return out.otherwise(pl.lit(None, pl.Utf8))


def judge(rows: pl.LazyFrame, peildatum: dt.date) -> pl.LazyFrame:
    """Adds the parsed values, `reden_code` (null = accepted) and `detail` (the field
    behind the code).

    `rows` may hold several exports: with a `bestand` column, Dossiernr duplicates are
    counted per file."""
    col = pl.col
    per_file = [col("bestand")] if "bestand" in rows.collect_schema().names() else []
    whole_row = (col("aantal_velden") == len(CSV_HEADER)).fill_null(False)
    dossier = col("Dossiernr").str.strip_chars()
    dup_key = pl.when(whole_row & is_present(col("Dossiernr"))).then(dossier)
    derived = rows.with_columns(
        _dossier=dossier,
        _bsn=normalise_bsn(col("BSN").str.strip_chars()),
        _product=map_code(col("Product"), BRON, "Product"),
        _reden=map_code(col("Reden einde"), BRON, "Reden einde"),
        _bedrag=rounded_euros(col("Schuld bij aanvang")),
        _kopieen=pl.when(dup_key.is_not_null()).then(pl.len().over(*per_file, dup_key)),
        **{_d(f): parse_date(col(f)) for f in DATE_FIELDS},
    ).with_columns(_start=earliest(_d("Aanmelddatum"), _d("Startdatum")))

    missing = [(f, ~is_present(col(f))) for f in REQUIRED_FIELDS]
    bad_date = [(f, date_invalid(col(f))) for f in DATE_FIELDS]
    future = [(f, col(_d(f)) > pl.lit(peildatum)) for f in DATE_FIELDS]
    reden_given = is_present(col("Reden einde"))
    # model.md §2 order, CSV rows only; the first rule that holds wins.
    rules = [
        ("rij_onleesbaar", ~whole_row, None),
        ("verplicht_veld_ontbreekt", pl.any_horizontal(c for _, c in missing), _first_field(missing)),
        ("bsn_ontbreekt", ~is_present(col("BSN")), None),
        ("bsn_ongeldig", ~bsn_is_valid(col("_bsn")), None),
        ("datum_ongeldig", pl.any_horizontal(c for _, c in bad_date), _first_field(bad_date)),
        ("product_onbekend", col("_product").is_null(), None),
        ("reden_onbekend", reden_given & col("_reden").is_null(), pl.lit("Reden einde")),
        ("reden_zonder_einde", reden_given & ~is_present(col("Einddatum")), None),
        ("bedrag_ongeldig", is_present(col("Schuld bij aanvang")) & col("_bedrag").is_null(), None),
        ("einde_voor_start", col(_d("Einddatum")) < col("_start"), None),
        ("datum_in_toekomst", pl.any_horizontal(c for _, c in future).fill_null(False), _first_field(future)),
        ("dubbel_dossier", col("_kopieen") > 1, None),
    ]
    code = pl.when(rules[0][1]).then(pl.lit(rules[0][0]))
    detail = pl.when(rules[0][1]).then(pl.lit(None, pl.Utf8))
    for name, cond, why in rules[1:]:
        code = code.when(cond).then(pl.lit(name))
        detail = detail.when(cond).then(why if why is not None else pl.lit(None, pl.Utf8))
    return derived.with_columns(
        reden_code=code.otherwise(pl.lit(None, pl.Utf8)), detail=detail.otherwise(pl.lit(None, pl.Utf8))
    )


# --- accepted rows -> TrajectRecord ----------------------------------------------------


def accepted_records(accepted: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """TrajectRecord rows from accepted judged rows of one or more exports, each with its file's
    `bestand`, `_export` (date in the name) and `_gemeente` (code in the name); the BSN
    becomes a persoon_id here (once per distinct BSN) and goes no further, and so does the
    trimmed Dossiernr: only its keyed hash is kept. Hashing the trimmed value keeps
    equality, so superseding (per municipality and Dossiernr) works on the hashes; the
    within-export duplicate check (`dubbel_dossier`) ran on the trimmed values before."""
    products = mapping(BRON, "Product")  # keys are match keys: trimmed, lower case
    ia_value = products.get("ia")
    col = pl.col
    # the pads of the birth-date mask come with the persoon_ids: once per distinct BSN
    ids = pseudonymise_with(accepted["_bsn"], key, per_person=pads)
    persoon = ids["persoon_id"]
    geboren = accepted.select(parse_date(col("Geboortedatum"))).to_series()  # informational: not a real date = unknown
    return accepted.with_columns(
        _persoon=persoon, _dossier=hash_texts(accepted["_dossier"], key),
        _geb=mask(persoon, geboren, key, known_pads=ids["extra"]), _begeleiding=_begeleiding(accepted, products),
    ).select(
        bron=pl.lit(BRON),
        bestand=col("bestand"),
        locatie=col("regel").cast(pl.Utf8),
        levering_index=pl.lit(0, pl.Int64),
        record_index=col("regel").cast(pl.Int64),
        aanlevertijdstip=col("_export").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),  # midnight UTC
        horizon=col("_export"),
        dossiernr=col("_dossier"),
        gemeentecode=col("_gemeente"),
        aanmelddatum=col(_d("Aanmelddatum")),
        startdatum=col("_start"),
        einddatum=col(_d("Einddatum")),
        uitstroomreden=col("_reden"),
        is_informatie_advies=(col("_product") == ia_value).fill_null(False),
        nazorg_startdatum=col(_d("Nazorg vanaf")),
        schuldbedrag_eur=col("_bedrag"),
        persoon_ids=pl.concat_list(col("_persoon")),
        # process.md §1: a row has one client; the export has no sex column
        geslachten=pl.concat_list(pl.lit(None, pl.Utf8)),
        geboortedata_gemaskeerd=pl.concat_list(col("_geb")),
        eerste_gesprek_datum=col(_d("Datum eerste gesprek")),
        crisis=pl.lit(None, pl.Boolean),
        beschikkingsdatum=pl.lit(None, pl.Date),
        beschikkingssoort=pl.lit(None, pl.Utf8),
        oplossing_soort=product_field(col("_product"), products, OPLOSSING),
        begeleiding=col("_begeleiding"),
        schulden=pl.lit([], SCHULDEN_LIST),
    )


def _begeleiding(accepted: pl.DataFrame, products: dict[str, str]) -> pl.Series:
    """Per row: [its begeleiding] when its Product stands for one (soort, Startdatum,
    Einddatum), else []. Cut by offsets (per_record_lists): a when/then with a list
    literal cost fifteen times as much."""
    soort = product_field(pl.col("_product"), products, BEGELEIDING)
    rows = accepted.select(rij=pl.int_range(pl.len(), dtype=pl.Int64), soort=soort, startdatum=pl.col(_d("Startdatum")),
                           einddatum=pl.col(_d("Einddatum")))
    return per_record_lists(rows.filter(pl.col("soort").is_not_null()), rows["rij"], "_begeleiding", BEGELEIDING_LIST)


def product_field(product: pl.Expr, products: dict[str, str], table: dict[str, str]) -> pl.Expr:
    """The model value that a mapped Product stands for (process.md §1), else null.
    `table` is keyed by the contract's codes; a code extended in the mapping file follows
    its standard value."""
    by_standard = {products[code.lower()]: value for code, value in table.items() if code.lower() in products}
    return product.replace_strict(by_standard, default=None, return_dtype=pl.Utf8)


# --- the reader ------------------------------------------------------------------------


def read_shv_csv(files: pl.DataFrame, peildatum: dt.date, key: bytes) -> IngestResult:
    """Steps 3-5 of sources.md for the files of `inventory.to_read(inv, "shv_csv")`, in order.

    Files are parsed one by one; the rules then run once over the rows of all loaded
    files (one query instead of one per file)."""
    ledger, parts = [], []
    for file in files.iter_rows(named=True):
        export = file["leverdatum_naam"]
        if export > peildatum:
            ledger.append(ledger_row(file, "toekomstig", "exportdatum in de bestandsnaam ligt na de peildatum", export))
            continue
        try:  # never through a link; a file unreadable since the inventory is refused (docs/robustness.md)
            raw = read_regular(file["pad"])
        except OSError as e:
            ledger.append(ledger_row(file, "geweigerd", UNREADABLE_FILE.format(oorzaak=os_cause(e)), export))
            continue
        refusal, text = decode_export(raw)
        rows = None
        if refusal is None:
            refusal, rows = decode_rows(text)
        if refusal is not None:
            ledger.append(ledger_row(file, "geweigerd", refusal, export))
            continue
        parts.append(rows.with_columns(
            bestand=pl.lit(file["bestand"], pl.Utf8),
            _export=pl.lit(export, pl.Date),
            _gemeente=pl.lit(file["gemeentecode_naam"], pl.Utf8),
        ))
        ledger.append(ledger_row(file, "geladen", None, export))
    if not parts:
        return IngestResult(ledger=ledger_frame(ledger).sort("bestand", maintain_order=True),
                            records=empty(TrajectRecord), quarantine=empty_quarantine())

    judged = judge(pl.concat(parts).lazy(), peildatum).collect()
    count_judged(ledger, judged)
    accepted = accepted_records(judged.filter(pl.col("reden_code").is_null()), key)
    by_line = pl.col("locatie").cast(pl.Int64)
    return IngestResult(
        ledger=ledger_frame(ledger).sort("bestand", maintain_order=True),
        records=pl.concat([empty(TrajectRecord), accepted]).sort("bestand", "record_index"),
        quarantine=pl.concat([empty_quarantine(), quarantine(BRON, judged, pl.col("regel"))]).sort(pl.col("bestand"), by_line),
    )
