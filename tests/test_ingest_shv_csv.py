"""Legacy CSV reader: step 3-5 of sources.md, parsing, model.md §2 rule order, TrajectRecord."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from assets.common.bsn import is_valid_bsn, pseudonym
from assets.ingest.inventory import inventory, to_read
from assets.ingest.reasons import REDEN_TEKST
from assets.ingest.shv_csv import decode_export, decode_rows, read_shv_csv
from schemas.quality import Leveringen, Quarantaine
from schemas.records import TrajectRecord
from schemas.shv_csv import CSV_HEADER, ShvCsvRij
from tests.conftest import TEST_KEY, valid_bsns

KEY = TEST_KEY.encode()
PEIL = dt.date(2025, 6, 30)
BSNS = valid_bsns(40, seed=11)
ZERO_BSN = next(b for b in valid_bsns(300, seed=5) if b.startswith("0") and b[1] != "0")
HEADER = ";".join(CSV_HEADER)
NAME = "GM0518_20240131.csv"
BASE = {
    "Dossiernr": "D1",
    "BSN": BSNS[0],
    "Geboortedatum": "01-01-1980",
    "Aanmelddatum": "01-02-2023",
    "Datum eerste gesprek": "",
    "Product": "MSR",
    "Startdatum": "15-02-2023",
    "Einddatum": "",
    "Reden einde": "",
    "Nazorg vanaf": "",
    "Schuld bij aanvang": "",
    "Opmerking": "",
}


def dossier_hash(trimmed: str) -> str:
    """What the reader keeps of a Dossiernr: HMAC-SHA256 with the persoon_id key, UTF-8, hex."""
    return hmac.new(KEY, trimmed.encode("utf-8"), hashlib.sha256).hexdigest()


def line(**over: str) -> str:
    """A data line: BASE with fields replaced (keyword: field name with '_' for ' ')."""
    fields = dict(BASE)
    for k, v in over.items():
        name = k.replace("_", " ")
        assert name in fields, name
        fields[name] = v
    return ";".join(fields[c] for c in CSV_HEADER)


def read(landing, content: str | bytes, name: str = NAME, peildatum: dt.date = PEIL):
    path = landing / "shv_csv" / name
    path.write_bytes(content.encode("cp1252") if isinstance(content, str) else content)
    return read_shv_csv(to_read(inventory(landing), "shv_csv"), peildatum, KEY)


def csv_text(*lines: str) -> str:
    return "\r\n".join((HEADER,) + lines) + "\r\n"


def codes(result) -> dict[int, str]:
    q = result.quarantine
    return dict(zip(q["locatie"].cast(pl.Int64).to_list(), q["reden_code"].to_list()))


def only_ledger(result) -> dict:
    assert result.ledger.height == 1
    return result.ledger.row(0, named=True)


def check_frames(result) -> None:
    Leveringen.validate(result.ledger)
    Quarantaine.validate(result.quarantine)
    TrajectRecord.validate(result.records)
    for r in result.ledger.iter_rows(named=True):
        if r["status"] != "geladen":
            assert r["records_gelezen"] == 0 and r["reden"]


def all_text(result) -> str:
    frames = [result.ledger, result.records, result.quarantine]
    return "\n".join(str(v) for f in frames for c in f.columns for v in f[c].to_list())


# --- step 4: header and encoding ------------------------------------------------------


def test_header_matched_trimmed_and_case_insensitively(landing):
    header = ";".join(f"  {c.upper()} " for c in CSV_HEADER)
    res = read(landing, header + "\r\n" + line() + "\r\n")
    assert only_ledger(res)["status"] == "geladen" and res.records.height == 1


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (HEADER.replace("Dossiernr", "Dossiernummer"), "kolom 1"),
        (HEADER.replace("Reden einde", "Reden_einde"), "kolom 9"),
        (HEADER.replace(";Opmerking", ""), "11 velden"),
        (HEADER.replace(";", ","), "1 velden"),
        (line(), "kolom 1"),  # no header: data on line 1 (the reason must not quote it)
    ],
)
def test_wrong_header_refused_with_reason(landing, header, fragment):
    res = read(landing, header + "\r\n" + line() + "\r\n")
    led = only_ledger(res)
    assert led["status"] == "geweigerd" and fragment in led["reden"]
    assert BSNS[0] not in led["reden"] and res.records.height == 0 and res.quarantine.height == 0
    check_frames(res)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"\xef\xbb\xbf" + csv_text(line()).encode("utf-8"), "UTF-8 BOM"),
        (csv_text(line()).encode("utf-16"), "UTF-16"),
        (csv_text(line()).encode("utf-16-be"), "UTF-16"),
        (csv_text(line(), line(Dossiernr="D2", Opmerking="x\x81y")).encode("latin-1"), "regel 3"),
        (csv_text(line(), line(Dossiernr="D\u0141")).encode("utf-8"), "lijkt UTF-8"),  # Ł = C5 81
    ],
)
def test_wrong_encoding_refused_with_reason(landing, raw, fragment):
    led = only_ledger(read(landing, raw))
    assert led["status"] == "geweigerd" and fragment in led["reden"] and led["records_gelezen"] == 0


def test_cp1252_with_accents_and_euro_loads_and_opmerking_is_not_copied(landing):
    text = csv_text(line(Opmerking="café € 100 — geen BSN 123456782"), line(Dossiernr="D2"))
    raw = text.encode("cp1252")
    assert b"\x80" in raw  # the euro sign is cp1252's 0x80
    res = read(landing, raw)
    assert only_ledger(res)["status"] == "geladen" and res.records.height == 2
    assert "café" not in all_text(res) and "123456782" not in all_text(res)
    check_frames(res)


def test_empty_file_and_blank_first_line_refused(landing):
    assert "leeg bestand" in only_ledger(read(landing, b""))["reden"]
    res = read(landing, "\r\n" + csv_text(line()), name="GM0518_20240201.csv")
    rows = res.ledger.filter(pl.col("bestand").str.ends_with("20240201.csv")).row(0, named=True)
    assert rows["status"] == "geweigerd" and "regel 1" in rows["reden"]


def test_header_only_file_is_loaded_with_zero_records(landing):
    res = read(landing, HEADER)  # no line break at all
    led = only_ledger(res)
    assert (led["status"], led["records_gelezen"], led["reden"]) == ("geladen", 0, None)
    assert res.records.height == 0 and res.quarantine.height == 0
    check_frames(res)


def test_export_date_after_peildatum_is_toekomstig(landing):
    res = read(landing, csv_text(line()), peildatum=dt.date(2024, 1, 30))
    led = only_ledger(res)
    assert led["status"] == "toekomstig" and led["reden"] and led["records_gelezen"] == 0
    assert led["leverdatum"] == dt.date(2024, 1, 31) and res.records.height == 0
    # on the export date itself it is read
    assert only_ledger(read_shv_csv(to_read(inventory(landing), "shv_csv"), dt.date(2024, 1, 31), KEY))["status"] == "geladen"


# --- parsing and line numbers -----------------------------------------------------------


def test_quoted_fields_and_physical_line_numbers(landing):
    text = (
        HEADER + "\r\n"
        + line(Opmerking='"a;b ""c""\r\nregel twee\r\nregel drie"') + "\r\n"  # starts on line 2, ends on 4
        + line(Dossiernr='"D;2"', Product="XX") + "\r\n"  # line 5
        + '"D3";' + BSNS[2] + ';;"01-02-2023";;"Product\nmet regeleinde";;;;;;\r\n'  # line 6-7
        + line(Dossiernr="D4", Aanmelddatum="") + "\r\n"  # line 8
    )
    res = read(landing, text)
    assert codes(res) == {5: "product_onbekend", 6: "product_onbekend", 8: "verplicht_veld_ontbreekt"}
    assert res.records["locatie"].to_list() == ["2"] and res.records["record_index"].to_list() == [2]
    _, rows = decode_rows(decode_export(text.encode("cp1252"))[1])
    ShvCsvRij.validate(rows)
    assert rows["regel"].to_list() == [2, 5, 6, 8]
    assert rows["Opmerking"][0] == 'a;b "c"\r\nregel twee\r\nregel drie' and rows["Dossiernr"][1] == "D;2"


def test_blank_and_whitespace_lines_are_skipped_and_not_counted(landing):
    text = HEADER + "\n\n   \n" + line() + "\n\t \n\n" + line(Dossiernr="D2", Product="?") + "\n\n"
    res = read(landing, text)
    led = only_ledger(res)
    assert (led["records_gelezen"], led["records_geaccepteerd"]) == (2, 1)
    assert res.records["locatie"].to_list() == ["4"] and codes(res) == {7: "product_onbekend"}


def test_lone_cr_line_endings_and_missing_final_newline(landing):
    res = read(landing, HEADER + "\r" + line() + "\r" + line(Dossiernr="D2"))
    assert res.records["record_index"].to_list() == [2, 3]


def test_quote_left_open_at_end_of_file_is_one_unreadable_record(landing):
    res = read(landing, csv_text(line(), line(Dossiernr="D2", Opmerking='"open'), line(Dossiernr="D3")))
    led = only_ledger(res)
    assert (led["records_gelezen"], led["records_geaccepteerd"]) == (2, 1)
    assert codes(res) == {3: "rij_onleesbaar"}


def test_a_quoted_whitespace_line_is_a_record_not_a_blank_line(landing):
    res = read(landing, csv_text(line(), '"   "'))
    assert codes(res) == {3: "rij_onleesbaar"}


# --- one test per reason code ----------------------------------------------------------

REASON_CASES = [
    ("rij_onleesbaar", line() + ";extra", None),
    ("rij_onleesbaar", "D1;" + BSNS[0], None),
    ("verplicht_veld_ontbreekt", line(Dossiernr="  "), "Dossiernr"),
    ("verplicht_veld_ontbreekt", line(Aanmelddatum=""), "Aanmelddatum"),
    ("verplicht_veld_ontbreekt", line(Product=" ", BSN=""), "Product"),
    ("bsn_ontbreekt", line(BSN="   ", Aanmelddatum="99-99-9999"), None),
    ("bsn_ongeldig", line(BSN="123456789", Product="??"), None),
    ("bsn_ongeldig", line(BSN="12345678X"), None),
    ("datum_ongeldig", line(Aanmelddatum="2023-02-01"), "Aanmelddatum"),
    ("datum_ongeldig", line(Datum_eerste_gesprek="31-02-2023", Product="??"), "Datum eerste gesprek"),
    ("datum_ongeldig", line(Startdatum="1-2-2023"), "Startdatum"),
    ("datum_ongeldig", line(Einddatum="01-13-2023", Reden_einde="Verhuisd"), "Einddatum"),
    ("datum_ongeldig", line(Nazorg_vanaf="01-02-23"), "Nazorg vanaf"),
    ("product_onbekend", line(Product="WSNP", Reden_einde="onzin"), None),
    ("reden_onbekend", line(Einddatum="01-03-2024", Reden_einde="Klaar"), "Reden einde"),
    ("reden_zonder_einde", line(Reden_einde=" verhuisd ", Schuld_bij_aanvang="x"), None),
    ("bedrag_ongeldig", line(Schuld_bij_aanvang="1.23,4", Einddatum="01-01-2000"), None),
    ("bedrag_ongeldig", line(Schuld_bij_aanvang="€ 100"), None),
    ("einde_voor_start", line(Einddatum="14-02-2023", Aanmelddatum="20-02-2023", Nazorg_vanaf="01-01-2030"), None),
    ("datum_in_toekomst", line(Nazorg_vanaf="01-07-2025"), "Nazorg vanaf"),
    ("datum_in_toekomst", line(Aanmelddatum="01-07-2025", Startdatum="01-07-2025"), "Aanmelddatum"),
]


@pytest.mark.parametrize(("code", "row", "detail"), REASON_CASES)
def test_each_reason_code_first_rule_wins(landing, code, row, detail):
    res = read(landing, csv_text(row, line(Dossiernr="OK")))
    assert codes(res) == {2: code}
    q = res.quarantine.row(0, named=True)
    assert q["reden_tekst"] == REDEN_TEKST[code] + (f" ({detail})" if detail else "")
    assert res.records["dossiernr"].to_list() == [dossier_hash("OK")]
    check_frames(res)


def test_geboortedatum_is_informational(landing):
    res = read(landing, csv_text(line(Geboortedatum="31-02-1980"), line(Dossiernr="D2", Geboortedatum="01-01-2099")))
    assert res.records.height == 2 and res.quarantine.height == 0


def test_dubbel_dossier_quarantines_every_copy_with_its_own_first_reason(landing):
    res = read(
        landing,
        csv_text(
            line(Dossiernr="D7"),  # 2
            line(Dossiernr=" D7 ", BSN=BSNS[1]),  # 3: trimmed it is the same Dossiernr
            line(Dossiernr="D7", Product="??"),  # 4: another reason comes first
            line(Dossiernr="D7", Opmerking="x") + ";13e veld",  # 5: unreadable, not a copy
            line(Dossiernr="d7"),  # 6: Dossiernr is not a code: case matters
            line(Dossiernr="D8", Opmerking="x") + ";13e veld",  # 7: unreadable ...
            line(Dossiernr="D8"),  # 8: ... so D8 is not duplicated
        ),
    )
    assert codes(res) == {2: "dubbel_dossier", 3: "dubbel_dossier", 4: "product_onbekend", 5: "rij_onleesbaar", 7: "rij_onleesbaar"}
    assert sorted(res.records["dossiernr"].to_list()) == sorted([dossier_hash("D8"), dossier_hash("d7")])


def test_same_dossiernr_in_two_exports_is_not_a_duplicate(landing):
    read(landing, csv_text(line(Opmerking="januari")), name="GM0518_20240101.csv")
    res = read(landing, csv_text(line()))
    assert res.quarantine.height == 0 and res.records["bestand"].to_list() == [
        "shv_csv/GM0518_20240101.csv",
        "shv_csv/GM0518_20240131.csv",
    ]


# --- values of accepted records ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "euros"),
    [
        ("0,5", 1), ("-0,5", -1), ("-2,5", -3), ("2,49999", 2), ("1.234,49", 1234), ("1.234,50", 1235),
        ("12.345,67", 12346), (" 100 ", 100), ("1234,5", 1235), ("0,4", 0), ("-0,4", 0), ("007", 7),
        ("1.000.000", 1000000), ("9.007.199.254.740.993,5", 9007199254740994), ("", None),
    ],
)
def test_amount_rounded_half_away_from_zero_exactly(landing, text, euros):
    res = read(landing, csv_text(line(Schuld_bij_aanvang=text)))
    assert res.records["schuldbedrag_eur"].to_list() == [euros]


def test_accepted_record_fields(landing):
    res = read(
        landing,
        csv_text(
            line(Dossiernr=" A-1 ", Product=" ia ", Startdatum="01-01-2023", Einddatum="01-06-2023",
                 Reden_einde="Schuldenvrij", Nazorg_vanaf="01-07-2023", Schuld_bij_aanvang="12,5"),
            line(Dossiernr="A-2", BSN=BSNS[1], Product="Stab", Startdatum=""),
        ),
    )
    check_frames(res)
    a, b = res.records.iter_rows(named=True)
    assert a["bron"] == "shv_csv" and a["bestand"] == "shv_csv/" + NAME and a["locatie"] == "2"
    assert (a["levering_index"], a["record_index"]) == (0, 2)
    assert a["aanlevertijdstip"] == dt.datetime(2024, 1, 31, tzinfo=dt.timezone.utc)
    assert a["horizon"] == dt.date(2024, 1, 31) and a["gemeentecode"] == "GM0518" and a["dossiernr"] == dossier_hash("A-1")
    assert (a["aanmelddatum"], a["startdatum"], a["einddatum"]) == (dt.date(2023, 2, 1), dt.date(2023, 1, 1), dt.date(2023, 6, 1))
    assert (a["uitstroomreden"], a["is_informatie_advies"], a["nazorg_startdatum"]) == ("Afgerond", True, dt.date(2023, 7, 1))
    assert a["schuldbedrag_eur"] == 13 and a["persoon_ids"] == [pseudonym(BSNS[0], KEY)]
    assert b["startdatum"] == dt.date(2023, 2, 1) and b["einddatum"] is None and b["uitstroomreden"] is None
    assert b["is_informatie_advies"] is False and b["persoon_ids"] == [pseudonym(BSNS[1], KEY)]


def test_lost_leading_zero_bsn_is_accepted_as_the_same_person(landing):
    res = read(landing, csv_text(line(BSN=ZERO_BSN[1:]), line(Dossiernr="D2", BSN=" " + ZERO_BSN + " ")))
    assert res.quarantine.height == 0
    assert res.records["persoon_ids"].to_list() == [[pseudonym(ZERO_BSN, KEY)]] * 2


def test_no_raw_bsn_nor_opmerking_in_any_result_frame(landing):
    rows = [line(Dossiernr=f"D{i}", BSN=b, Opmerking=f"geheim {b} tekst{i}") for i, b in enumerate(BSNS[:6])]
    rows += [line(Dossiernr="Q1", BSN=BSNS[6], Product="??"), line(Dossiernr="Q2", BSN="123456789")]
    res = read(landing, csv_text(*rows))
    assert res.records.height == 6 and res.quarantine.height == 2
    text = all_text(res)
    for b in BSNS[:7] + ["123456789"]:
        assert b not in text and b[1:] not in text
    assert "geheim" not in text and "BSN" not in res.records.columns + res.quarantine.columns


def test_dossiernr_is_kept_only_as_its_keyed_hash(landing):
    """model.md §1 (2026-12-01): a BSN can hide in a Dossiernr without any word boundary."""
    planted = "D" + BSNS[7]
    res = read(landing, csv_text(line(Dossiernr=f" {planted} "), line(Dossiernr="Café-1", BSN=BSNS[1]),
                                 line(Dossiernr=BSNS[8], BSN=BSNS[2])))
    check_frames(res)
    assert res.records["dossiernr"].to_list() == [dossier_hash(planted), dossier_hash("Café-1"), dossier_hash(BSNS[8])]
    text = all_text(res)
    assert BSNS[7] not in text and BSNS[8] not in text and "Caf" not in text


def test_outputs_sorted_by_file_and_line(landing):
    read(landing, csv_text(line(Product="?"), line(Dossiernr="D3")), name="GM0518_20240201.csv")
    res = read(landing, csv_text(line(Product="?"), line(Dossiernr="D2")))
    assert res.ledger["bestand"].is_sorted() and res.records["bestand"].is_sorted()
    assert res.quarantine["bestand"].to_list() == ["shv_csv/GM0518_20240131.csv", "shv_csv/GM0518_20240201.csv"]


# --- property: counts reconcile and codes match a scalar reference --------------------------

_DATES = ["01-02-2023", " 15-06-2020 ", "", "2024-01-01", "31-02-2024", "1-2-2024", "01-01-2030", "29-02-2024", "28-02-2023"]
POOLS = {
    "Dossiernr": ["D1", " D1 ", "D2", "", "  ", "d1"],
    "BSN": BSNS[:3] + [ZERO_BSN[1:], "123456789", "", " ", "111 222 333", "12a"],
    "Geboortedatum": ["", "01-01-1980", "99-99-1999"],
    "Aanmelddatum": _DATES,
    "Datum eerste gesprek": _DATES,
    "Product": ["MSR", " ia ", "Sk", "XYZ", ""],
    "Startdatum": _DATES,
    "Einddatum": _DATES,
    "Reden einde": ["", "", "Schuldenvrij", "anders ", "Onzin"],
    "Nazorg vanaf": _DATES,
    "Schuld bij aanvang": ["", "1.234,56", "12,5", "-0,5", "1,234", "abc", "1.23,4", "1234.567"],
    "Opmerking": ["", 'vrij; met "quote"', "regel1\nregel2", BSNS[3]],
}
_PRODUCTS = {"ia", "msr", "sk", "bbh", "bbg", "stab"}
_REDENEN = {"schuldenvrij", "regeling afgerond", "doel bereikt", "niet verschenen", "ingetrokken door klant",
            "niet passend", "voldoet niet aan voorwaarden", "zelf opgelost", "verhuisd", "overleden", "anders"}


def ref_date(s: str) -> dt.date | None:
    if not re.fullmatch(r"[0-9]{2}-[0-9]{2}-[0-9]{4}", s):
        return None
    try:
        return dt.datetime.strptime(s, "%d-%m-%Y").date()
    except ValueError:
        return None


def ref_code(fields: list[str], copies: int, peil: dt.date) -> str | None:
    """model.md §2 for one CSV row, written out plainly."""
    if len(fields) != 12:
        return "rij_onleesbaar"
    f = {k: v.strip() for k, v in zip(CSV_HEADER, fields)}
    if not (f["Dossiernr"] and f["Aanmelddatum"] and f["Product"]):
        return "verplicht_veld_ontbreekt"
    if not f["BSN"]:
        return "bsn_ontbreekt"
    bsn = re.sub(r"[\s.\-]", "", f["BSN"])
    if not is_valid_bsn("0" + bsn if len(bsn) == 8 else bsn):
        return "bsn_ongeldig"
    names = ["Aanmelddatum", "Datum eerste gesprek", "Startdatum", "Einddatum", "Nazorg vanaf"]
    dates = {k: ref_date(f[k]) for k in names}
    if any(f[k] and dates[k] is None for k in names):
        return "datum_ongeldig"
    if f["Product"].lower() not in _PRODUCTS:
        return "product_onbekend"
    if f["Reden einde"] and f["Reden einde"].lower() not in _REDENEN:
        return "reden_onbekend"
    if f["Reden einde"] and not f["Einddatum"]:
        return "reden_zonder_einde"
    amount = f["Schuld bij aanvang"]
    if amount and not re.fullmatch(r"-?[0-9]{1,3}(\.[0-9]{3})*(,[0-9]+)?|-?[0-9]+(,[0-9]+)?", amount):
        return "bedrag_ongeldig"
    start = min(d for d in (dates["Aanmelddatum"], dates["Startdatum"]) if d)
    if dates["Einddatum"] and dates["Einddatum"] < start:
        return "einde_voor_start"
    if any(d and d > peil for d in dates.values()):
        return "datum_in_toekomst"
    return "dubbel_dossier" if copies > 1 else None


def ref_euros(amount: str) -> int | None:
    a = amount.strip()
    if not a:
        return None
    return int(Decimal(a.replace(".", "").replace(",", ".")).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _quote(value: str, force: bool) -> str:
    if force or any(c in value for c in ';"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


record_st = st.one_of(
    st.tuples(*(st.sampled_from(POOLS[c]) for c in CSV_HEADER)).map(list),
    st.lists(st.sampled_from(["x", "D9", BSNS[4], ""]), min_size=2, max_size=13).filter(lambda r: len(r) != 12),
)
row_st = st.tuples(record_st, st.lists(st.booleans(), min_size=13, max_size=13), st.sampled_from(["", "", "", "  "]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(row_st, max_size=25), st.sampled_from(["\r\n", "\n"]))
def test_property_counts_and_codes_match_scalar_reference(tmp_path_factory, rows, eol):
    landing = tmp_path_factory.mktemp("landing")
    (landing / "shv_csv").mkdir()
    parts, starts, line_no = [HEADER + eol], [], 1
    for fields, quoted, blank in rows:
        text = ";".join(_quote(v, q) for v, q in zip(fields, quoted)) + eol
        starts.append(line_no + 1)
        line_no += text.count("\n")
        parts.append(text)
        if blank:
            parts.append(blank + eol)
            line_no += 1
    res = read(landing, "".join(parts))
    led = only_ledger(res)
    assert led["records_gelezen"] == len(rows) == led["records_geaccepteerd"] + led["records_gequarantaineerd"]
    keys = [r[0][0].strip() if len(r[0]) == 12 and r[0][0].strip() else None for r in rows]
    expected = {s: ref_code(r[0], keys.count(k) if k else 0, PEIL) for s, r, k in zip(starts, rows, keys)}
    assert codes(res) == {s: c for s, c in expected.items() if c is not None}
    accepted = [(s, r[0]) for s, r in zip(starts, rows) if expected[s] is None]
    assert res.records["record_index"].to_list() == [s for s, _ in accepted]
    assert res.records["schuldbedrag_eur"].to_list() == [ref_euros(r[10]) for _, r in accepted]
    assert res.records["dossiernr"].to_list() == [dossier_hash(r[0].strip()) for _, r in accepted]
    check_frames(res)


def test_field_over_csv_size_limit_is_one_unreadable_record_and_reading_goes_on(landing):
    res = read(landing, csv_text(line(), line(Dossiernr="D2", Opmerking="x" * 200_000), line(Dossiernr="D3")))
    assert codes(res) == {3: "rij_onleesbaar"} and res.records["record_index"].to_list() == [2, 4]


def test_no_files_gives_empty_frames_with_the_right_schemas():
    res = read_shv_csv(to_read(inventory("/nonexistent"), "shv_csv"), PEIL, KEY)
    assert res.ledger.height == res.records.height == res.quarantine.height == 0
    check_frames(res)
