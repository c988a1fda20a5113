"""Small writers for hand-made deliveries used by end-to-end tests."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import xlsxwriter

CSV_HEADER = ("Dossiernr;BSN;Geboortedatum;Aanmelddatum;Datum eerste gesprek;Product;Startdatum;"
              "Einddatum;Reden einde;Nazorg vanaf;Schuld bij aanvang;Opmerking").split(";")


def ddas_file(path: Path, trajecten: list[dict], aanlever="2025-01-15T09:00:00+01:00",
              periode=("2024-01-01", "2024-12-31")) -> Path:
    doc = {
        "startdatumLevering": periode[0],
        "einddatumLevering": periode[1],
        "aanleverdatumEnTijd": aanlever,
        "codeGegevensleverancier": "GL000001",
        "leveringen": [{"teller": 1, "aanleverende_organisatie": {"(Statutaire) Naam": "Test"},
                        "schuldhulptrajecten": trajecten}],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


def traject(bsns: list[str], gemeente="GM0518", aanmelding="2024-01-10", start=None, eind=None,
            reden=None, nazorg=None, ia_only=False) -> dict:
    t: dict = {"gemeentecode": gemeente, "client": [{"Burgerservicenummer": b} for b in bsns],
               "aanmelding": {"startdatum": aanmelding}}
    if start:
        t["startdatum"] = start
    if eind:
        t["einddatum"] = eind
    if reden:
        t["uitstroom"] = {"datum": eind, "reden": reden}
    if nazorg:
        t["nazorg"] = {"startdatum": nazorg}
    if ia_only:
        t["informatieEnAdvies"] = {"startdatum": aanmelding}
    else:
        t["schuldregeling"] = {"datum": aanmelding}
    return t


def csv_file(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=";", quotechar='"', lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("cp1252"))
    return path


def xlsx_file(path: Path, rows: list[list], header=("BSN", "Datum", "Soort", "Uitkomst", "Contactvorm", "Uitgevoerd door")) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Nazorg")
    datefmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    ws.write_row(0, 0, list(header))
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if hasattr(v, "year"):
                import datetime as dt
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), datefmt)
            else:
                ws.write(r, c, v)
    wb.close()
    return path
