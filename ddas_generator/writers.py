"""Bytes on disk: DDAS JSON (orjson), legacy CSV (Windows-1252, `;`), aftercare XLSX.

Every writer is deterministic: fixed document properties, rows in the order given.
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Iterable

import orjson
import polars as pl
import xlsxwriter

from ddas_generator.fragments import LEVERANCIERS, ORGANISATIES, layout

CSV_HEADER = [
    "Dossiernr", "BSN", "Geboortedatum", "Aanmelddatum", "Datum eerste gesprek", "Product",
    "Startdatum", "Einddatum", "Reden einde", "Nazorg vanaf", "Schuld bij aanvang", "Opmerking",
]
CSV_FIELDS = (  # the columns of a placed legacy row that hold its twelve fields, in header order
    "f_dossiernr", "f_bsn", "f_geb", "f_aanm", "f_eerste", "f_product", "f_start", "f_eind", "f_reden",
    "f_nazorg", "f_schuld", "f_opm",
)
FIXED_CREATED = dt.datetime(2026, 1, 1, 0, 0, 0)  # xlsx core properties: same bytes every run

# Columns of a DDAS record row, in the order `ddas_traject` unpacks them.
DDAS_ROW = (
    "soort", "gem_text", "bsn1", "geb1", "gesl1", "bsn2", "geb2", "gesl2", "d_aanmelding", "d_start",
    "d_ia", "d_ia_einde", "d_intake", "d_fase", "fase", "d_eind", "d_uitstroom", "uit_reden", "d_nazorg",
    "schuld_eur", "d_gesprek", "d_besch", "besch_text", "crisis_flag", "crisis_array", "opl_text", "beg", "sch",
)


def ddas_traject(r: tuple, nulls: bool) -> dict:
    """One schuldhulptraject object; absent values are left out (or null for `nulls` suppliers)."""
    (soort, gem, bsn1, geb1, gesl1, bsn2, geb2, gesl2, aanm, start, ia, ia_eind, intake, fase_d, fase,
     eind, uit_datum, reden, nazorg, schuld, gesprek, besch, besch_soort, crisis_flag, crisis_array, opl, beg, sch) = r
    d: dict = {}
    if eind is not None:
        d["einddatum"] = eind
    elif nulls:
        d["einddatum"] = None
    if start is not None:
        d["startdatum"] = start
    if schuld is not None:
        d["totaalSchuldbedragBijAanvangSchuld"] = schuld
    d["gemeentecode"] = gem
    if aanm is not None:
        d["aanmelding"] = {"startdatum": aanm} if crisis_flag is None else {"startdatum": aanm, "crisisinterventie": crisis_flag}
    clients = [_client(bsn1, geb1, gesl1)]
    if bsn2 is not None:
        clients.append(_client(bsn2, geb2, gesl2))
    d["client"] = clients
    if ia is not None:
        d["informatieEnAdvies"] = {"startdatum": ia} if ia_eind is None else {"startdatum": ia, "einddatum": ia_eind}
    if intake is not None:  # the intake phase: its first conversation and decision (process.md §1)
        d["intake"] = _present({"startdatum": gesprek, "beschikkingsdatum": besch, "beschikkingssoort": besch_soort})
    if crisis_array:
        d["crisisinterventies"] = [{"startdatum": aanm or intake}]
    if fase_d is not None:
        if fase == "MSR":
            d["schuldregeling"] = {"datum": fase_d}
            if opl is not None:
                d["oplossing"] = {"soort": opl}
        elif fase == "SK":
            d["oplossing"] = {"soort": opl, "startdatum": fase_d}
        elif fase == "STAB":
            d["stabilisatie"] = {"startdatum": fase_d}
        else:
            d["begeleiding"] = [_present(b) for b in beg]
    if sch:
        d["schulden"] = [_schuld(x) for x in sch]
    if uit_datum is not None or reden is not None:
        uit = {}
        if uit_datum is not None:
            uit["datum"] = uit_datum
        if reden is not None:
            uit["reden"] = reden
        d["uitstroom"] = uit
    if nazorg is not None:
        d["nazorg"] = {"startdatum": nazorg}
    elif nulls and soort == "main":
        d["nazorg"] = {"startdatum": None}
    return d


def _present(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _client(bsn, geb, gesl) -> dict:
    return _present({"Burgerservicenummer": bsn, "Geboortedatum": geb, "Geslachtsaanduiding": gesl}) | {"Burgerservicenummer": bsn}


def _schuld(x: dict) -> dict:
    """One schulden[] element from proces_records' flat struct: the creditor nested."""
    eiser = _present({x["naam_veld"]: x["naam"], "kvknummer": x["kvknummer"], "postcode": x["postcode"],
                      "privepersoon": x["privepersoon"]})
    return _present({"schuldsoort": x["schuldsoort"], "bedrag": x["bedrag"], "zakelijkeSchuld": x["zakelijk"], "schuldeiser": eiser})


def ddas_document(header: dict, leveringen: list[tuple[dict, list[dict]]]) -> bytes:
    """The Uitwisselmodel: header fields, then one levering per organisation."""
    doc = dict(header)
    doc["leveringen"] = [
        {"teller": i + 1, "aanleverende_organisatie": org, "schuldhulptrajecten": trajecten}
        for i, (org, trajecten) in enumerate(leveringen)
    ]
    return orjson.dumps(doc)


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_csv(path: Path, lines: Iterable[tuple[str, object]], encoding: str = "cp1252") -> None:
    """Lines are ('row', fields) written with csv quoting, or ('raw', text) written as is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=";", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writerow(CSV_HEADER)
        for kind, value in lines:
            if kind == "row":
                w.writerow(value)
            else:
                fh.write(value + "\r\n")


def write_xlsx(
    path: Path,
    headers: list[str],
    rows: Iterable[tuple | None],
    sheet: str = "Nazorg",
    extra_sheet: bool = False,
) -> None:
    """One workbook; each row holds a cell per header (None = empty), a None row is blank.

    Cell values: str -> text, int -> number (a BSN that lost its leading zero),
    date -> date cell shown dd-mm-jjjj.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": FIXED_CREATED, "author": "DDAS generator", "title": "Nazorgregistratie"})
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    head_fmt = wb.add_format({"bold": True})
    if extra_sheet:  # an explanation sheet before the data: the reader must pick by name
        info = wb.add_worksheet("Toelichting")
        info.write_string(0, 0, "Registratie nazorg schuldhulpverlening; één regel per toets of contact.")
        info.write_string(1, 0, "Soort: Nazorgtoets of Contact. Datum: dd-mm-jjjj.")
    ws = wb.add_worksheet(sheet)
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, head_fmt)
    r = 0
    for r, row in enumerate(rows, start=1):
        if row is None:
            continue
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
            else:
                ws.write_number(r, c, v)
    wb.close()


# ---------------------------------------------------------------- one kind at a time, with the expected ledger


def _ledger(bron: str, bestand: str, status: str, gelezen: int = 0, geaccepteerd: int = 0) -> dict:
    return {
        "bron": bron,
        "bestand": bestand,
        "status": status,
        "records_gelezen": gelezen,
        "records_geaccepteerd": geaccepteerd,
        "records_gequarantaineerd": gelezen - geaccepteerd,
    }


def organisatie(key: str) -> dict:
    o = ORGANISATIES[key]
    d = {"(Statutaire) Naam": o.naam, "KvK-nummer": o.kvk, "postcode": o.postcode}
    if o.gemeentecode:
        d["gemeentecode"] = o.gemeentecode
    d["contactpersonen"] = [
        {"email": o.email, "functietitel": "Functioneel beheerder", "naam": "Team Informatievoorziening", "telefoonnummer": "0701234567"}
    ]
    return d


def ddas_header(f: dict, tijd: str | None = None) -> dict:
    return {
        "startdatumLevering": f["start_levering"].isoformat(),
        "einddatumLevering": f["horizon"].isoformat(),
        "aanleverdatumEnTijd": tijd or f["aanlevering"],
        "codeGegevensleverancier": f["leverancier"],
    }


def write_ddas_files(out: Path, files: pl.DataFrame, dd: pl.DataFrame, bad: list, slots: pl.DataFrame) -> list[dict]:
    nulls = {lev.code: lev.nulls for lev in LEVERANCIERS}
    dates = [c for c in DDAS_ROW if c.startswith("d_")]
    dd = dd.sort("bestand", "levering", "positie").with_columns(pl.col(c).dt.strftime("%Y-%m-%d") for c in dates)
    parts = dd.partition_by("bestand", as_dict=True, maintain_order=True)
    bad_slots: dict[str, list[tuple[int, int, int]]] = {}
    for b, lev, slot in slots.filter(pl.col("bidx").is_not_null()).select("bidx", "levering", "slot").iter_rows():
        bad_slots.setdefault(bad[b].bestand, []).append((slot, lev, b))
    ledger = []
    for f in files.iter_rows(named=True):
        per_lev: list[list[dict]] = [[] for _ in f["orgs"]]
        part = parts.get((f["bestand"],))
        n_real = 0
        if part is not None:
            n_real = part.height
            style = nulls[f["leverancier"]]
            for lev, row in zip(part["levering"].to_list(), part.select(DDAS_ROW).iter_rows()):
                per_lev[lev].append(ddas_traject(row, style))
        extra = sorted(bad_slots.get(f["bestand"], []))
        for slot, lev, b in extra:  # ascending slots: each lands at its final index
            per_lev[lev].insert(slot, bad[b].payload)
        data = ddas_document(ddas_header(f), [(organisatie(o), per_lev[i]) for i, o in enumerate(f["orgs"])])
        write_bytes(out / f["bestand"], data)
        ledger.append(_ledger("ddas", f["bestand"], "geladen", n_real + len(extra), n_real))
    return ledger


def write_csv_files(out: Path, cs: pl.DataFrame, bad: list, slots: pl.DataFrame) -> list[dict]:
    ledger = []
    rows = cs.sort("bestand", "positie")
    parts = rows.partition_by("bestand", as_dict=True, maintain_order=True)
    for (bestand,), s in slots.partition_by("bestand", as_dict=True, maintain_order=True).items():
        part = parts.get((bestand,))
        real = iter(part.select(CSV_FIELDS).iter_rows()) if part is not None else iter(())
        lines = []
        n_bad = n_real = 0
        for ridx, bidx in s.select("ridx", "bidx").iter_rows():
            if ridx is not None:
                lines.append(("row", list(next(real))))
                n_real += 1
                continue
            b = bad[bidx]
            if b.code == "leeg":
                lines.append(("raw", b.payload))
                continue
            n_bad += 1
            lines.append(("row", b.payload) if isinstance(b.payload, list) else ("raw", b.payload))
        write_csv(out / bestand, lines)
        n_dubbel = int(part["dubbel"].sum()) if part is not None else 0
        ledger.append(_ledger("shv_csv", bestand, "geladen", n_real + n_bad, n_real - n_dubbel))
    return ledger


def xlsx_cells(kolommen: tuple, bsn, datum, soort, uitkomst, contactvorm, door, extra) -> tuple:
    values = {"bsn": bsn, "datum": datum, "soort": soort, "uitkomst": uitkomst, "contactvorm": contactvorm, "door": door, "extra": extra}
    return tuple(values[k] for k, _ in kolommen)


def write_xlsx_files(out: Path, nz: pl.DataFrame, bad: list, slots: pl.DataFrame) -> list[dict]:
    ledger = []
    rows = nz.sort("bestand", "positie")
    parts = rows.partition_by("bestand", as_dict=True, maintain_order=True)
    cols = ("c_bsn", "c_getal", "c_datum_tekst", "datum", "c_soort", "c_uitkomst", "c_contactvorm", "c_door", "c_extra")
    for (bestand,), s in slots.partition_by("bestand", as_dict=True, maintain_order=True).items():
        part = parts[(bestand,)]
        lay = layout(part["gemeentecode"][0])
        kol = lay["kolommen"]
        has_extra = any(k == "extra" for k, _ in kol)
        real = iter(part.select(cols).iter_rows())
        cells: list[tuple | None] = []
        n_bad = n_real = 0
        for i, (ridx, bidx) in enumerate(s.select("ridx", "bidx").iter_rows()):
            if ridx is not None:
                bsn, getal, tekst, datum, soort, uitkomst, vorm, door, extra = next(real)
                cells.append(xlsx_cells(kol, int(bsn) if getal else bsn, tekst or datum, soort, uitkomst, vorm, door, extra))
                n_real += 1
            elif bad[bidx].code == "leeg":
                # a blank row; with an extra column sometimes only that is filled: still skipped
                cells.append(xlsx_cells(kol, None, None, None, None, None, None, "(leeg)") if has_extra and i % 2 else None)
            else:
                n_bad += 1
                cells.append(xlsx_cells(kol, *bad[bidx].payload, None))
        write_xlsx(out / bestand, [h for _, h in kol], cells, extra_sheet=lay["toelichting"])
        ledger.append(_ledger("nazorg", bestand, "geladen", n_real + n_bad, n_real))
    return ledger
