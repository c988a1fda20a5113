"""Bad records and bad files, each with the outcome the contract prescribes.

Every bad record has exactly one defect, so its expected reason code is the code it was
built for (model.md §2). Bad records use BSNs of nobody, so they can never touch the
truth even if a reader accepted them by mistake. Bad files never contribute records.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import orjson
import polars as pl

from ddas_generator.writers import CSV_FIELDS, CSV_HEADER, ddas_document, organisatie, write_bytes, write_csv, write_xlsx

NOISE_SHARE = 0.015  # bad records per delivered record, per kind
FUTURE = dt.date(2099, 3, 31)  # after any plausible peildatum

DDAS_CODES = (
    "bsn_ontbreekt", "clienten_ongeldig", "bsn_ongeldig", "gemeente_onbekend", "datum_ongeldig",
    "geen_startdatum", "reden_onbekend", "reden_zonder_einde", "einde_voor_start", "datum_in_toekomst",
)
CSV_CODES = (
    "rij_onleesbaar", "verplicht_veld_ontbreekt", "bsn_ontbreekt", "bsn_ongeldig", "datum_ongeldig",
    "product_onbekend", "reden_onbekend", "reden_zonder_einde", "bedrag_ongeldig", "einde_voor_start",
    "datum_in_toekomst",
)
XLSX_CODES = (
    "verplicht_veld_ontbreekt", "bsn_ontbreekt", "bsn_ongeldig", "datum_ongeldig", "soort_onbekend",
    "uitkomst_onbekend", "contactvorm_onbekend", "datum_in_toekomst",
)


@dataclass
class Bad:
    """One bad record: where it goes, what it holds, which reason code it must get."""

    bestand: str
    levering: int
    key: float  # sort key among the file's records
    code: str
    payload: object  # DDAS: dict; CSV: list of 12 fields or a raw line; XLSX: cells tuple


def counts(rng: np.random.Generator, sizes: list[int], minimum: int) -> np.ndarray:
    """Bad records per file: NOISE_SHARE of its size, rounded stochastically.

    At least `minimum` in all (one of every reason code, even in a small test world),
    topped up on the largest files.
    """
    s = np.asarray(sizes, dtype=float) * NOISE_SHARE
    n = (np.floor(s) + (rng.random(len(sizes)) < s - np.floor(s))).astype(int)
    order = np.argsort(-np.asarray(sizes), kind="stable")
    i = 0
    while len(sizes) and n.sum() < minimum:
        n[order[i % len(order)]] += 1
        i += 1
    return n


def invalid_bsn(valid: str, k: int) -> str:
    """Not valid after normalisation: a changed check digit breaks the elfproef (11 is prime)."""
    variants = (
        valid[:-1] + str((int(valid[-1]) + 1 + k % 8) % 10),
        "123456789",
        valid + "0",
        "000000000",
    )
    return variants[k % len(variants)]


def _iso(d: dt.date) -> str:
    return d.isoformat()


def _nl(d: dt.date) -> str:
    return d.strftime("%d-%m-%Y")


def ddas_bad(code: str, k: int, bsns: list[str], gem: str, a: dt.date) -> dict:
    """A DDAS schuldhulptraject with exactly the defect `code`."""
    rec: dict = {
        "startdatum": _iso(a + dt.timedelta(days=21)),
        "gemeentecode": gem,
        "aanmelding": {"startdatum": _iso(a)},
        "client": [{"Burgerservicenummer": bsns[0], "Geboortedatum": "1984-04-12", "Geslachtsaanduiding": "Vrouw"}],
        "intake": {"startdatum": _iso(a + dt.timedelta(days=21))},
    }
    end = a + dt.timedelta(days=200)
    v = k // len(DDAS_CODES)  # variant: cycles as the same code comes round again
    if code == "bsn_ontbreekt":
        choice = v % 4
        if choice == 0:
            del rec["client"]
        elif choice == 1:
            rec["client"] = []
        elif choice == 2:
            rec["client"] = [{"Burgerservicenummer": "   ", "Geboortedatum": "1984-04-12"}]
        else:
            rec["client"] = [{"Burgerservicenummer": bsns[0]}, {"Burgerservicenummer": None}]
    elif code == "clienten_ongeldig":
        rec["client"] = [{"Burgerservicenummer": b} for b in bsns[:3]]
    elif code == "bsn_ongeldig":
        rec["client"][0]["Burgerservicenummer"] = invalid_bsn(bsns[0], v)
    elif code == "gemeente_onbekend":
        if v % 3 == 0:
            del rec["gemeentecode"]
        else:
            rec["gemeentecode"] = ("GM9999", "Den Haag")[v % 2]
    elif code == "datum_ongeldig":
        choice = v % 4
        if choice == 0:
            rec["aanmelding"]["startdatum"] = f"{a.year}-02-30"
        elif choice == 1:
            rec["startdatum"] = _nl(a)
        elif choice == 2:
            rec["einddatum"] = f"{a.year}-13-01"
        else:
            rec["nazorg"] = {"startdatum": f"{a.year}-6-1"}
    elif code == "geen_startdatum":
        del rec["aanmelding"], rec["startdatum"]
    elif code == "reden_onbekend":
        rec["einddatum"] = _iso(end)
        rec["uitstroom"] = {"datum": _iso(end), "reden": ("Zelfstandig verder", "Schuldenvrij")[v % 2]}
    elif code == "reden_zonder_einde":
        rec["uitstroom"] = {"reden": "Afgerond"}
    elif code == "einde_voor_start":
        before = a - dt.timedelta(days=40)
        rec["einddatum"] = _iso(before)
        rec["uitstroom"] = {"datum": _iso(before), "reden": "Afgerond"}
    elif code == "datum_in_toekomst":
        if v % 2 == 0:
            rec["einddatum"] = _iso(FUTURE)
            rec["uitstroom"] = {"datum": _iso(FUTURE), "reden": "Afgerond"}
        else:
            rec["nazorg"] = {"startdatum": _iso(FUTURE)}
    else:
        raise ValueError(code)
    return rec


def csv_bad(code: str, k: int, bsns: list[str], dossiernr: str, a: dt.date) -> list[str] | str:
    """A legacy row with exactly the defect `code` (a raw line for rij_onleesbaar)."""
    start = a + dt.timedelta(days=30)
    end = a + dt.timedelta(days=300)
    row = [dossiernr, bsns[0], "12-04-1984", _nl(a), _nl(start), "MSR", _nl(start), "", "", "", "4.321,00", ""]
    v = k // len(CSV_CODES)
    if code == "rij_onleesbaar":
        if v % 2 == 0:  # an unquoted ';' in the remark: 13 fields
            return ";".join(row[:11] + ["bellen na 17u; klant werkt overdag"])
        return ";".join(row[:11])  # the last field is missing: 11 fields
    if code == "verplicht_veld_ontbreekt":
        row[(0, 3, 5)[v % 3]] = ("", "   ")[v % 2]
    elif code == "bsn_ontbreekt":
        row[1] = ("", "  ")[v % 2]
    elif code == "bsn_ongeldig":
        row[1] = invalid_bsn(bsns[0], v) if v % 3 else "1234567"
    elif code == "datum_ongeldig":
        choice = v % 4
        if choice == 0:
            row[3] = a.isoformat()
        elif choice == 1:
            row[7], row[8] = f"31-06-{a.year}", "Schuldenvrij"
        elif choice == 2:
            row[4] = a.strftime("%d-%m-%y")  # two-digit year
        else:
            row[9] = f"32-01-{a.year}"
    elif code == "product_onbekend":
        row[5] = ("WSNP", "Budgetcursus")[v % 2]
    elif code == "reden_onbekend":
        row[7], row[8] = _nl(end), ("Afgerond", "Klant tevreden")[v % 2]
    elif code == "reden_zonder_einde":
        row[8] = "Schuldenvrij"
    elif code == "bedrag_ongeldig":
        row[10] = ("12,345.67", "€ 1.234,00", "1.23,4", "ca. 5000")[v % 4]
    elif code == "einde_voor_start":
        row[7], row[8] = _nl(a - dt.timedelta(days=10)), "Niet verschenen"
    elif code == "datum_in_toekomst":
        if v % 2 == 0:
            row[7], row[8] = _nl(FUTURE), "Schuldenvrij"
        else:
            row[9] = _nl(FUTURE)
    else:
        raise ValueError(code)
    return row


def xlsx_bad(code: str, k: int, bsn: str, d: dt.date) -> tuple:
    """Aftercare cells (bsn, datum, soort, uitkomst, contactvorm, door) with the defect `code`."""
    cells = [bsn, d, "Contact", None, "Telefonisch", "SchuldHulpMaatje"]
    v = k // len(XLSX_CODES)
    if code == "verplicht_veld_ontbreekt":
        cells[1 + v % 2] = None
    elif code == "bsn_ontbreekt":
        cells[0] = None if v % 2 == 0 else "  "
    elif code == "bsn_ongeldig":
        cells[0] = invalid_bsn(bsn, v) if v % 2 == 0 else 1234567  # a number cell of 7 digits
    elif code == "datum_ongeldig":
        cells[1] = (d.isoformat(), f"31-04-{d.year}", d.strftime("%d-%m-%y"))[v % 3]
    elif code == "soort_onbekend":
        cells[2] = ("Evaluatie", "Huisbezoek")[v % 2]
    elif code == "uitkomst_onbekend":
        cells[2], cells[3], cells[4] = "Nazorgtoets", (None, "Onbekend")[v % 2], None
    elif code == "contactvorm_onbekend":
        cells[4] = ("Brief", "WhatsApp")[v % 2]
    elif code == "datum_in_toekomst":
        cells[1] = FUTURE
    else:
        raise ValueError(code)
    return tuple(cells)


# ---------------------------------------------------------------- placement among real records


def _place(real: pl.DataFrame, bad: list[Bad], group: list[str]) -> pl.DataFrame:
    """Interleave real rows (`key`) and bad ones by key within each group.

    Returns one row per slot: the group columns, `slot` (0-based), `ridx` (row of `real`)
    or `bidx` (index into `bad`), and `kind`.
    """
    r = real.select(*group, "key", pl.int_range(pl.len(), dtype=pl.Int64).alias("ridx"), kind=pl.lit("real"))
    b = pl.DataFrame(
        {
            **{g: [getattr(x, g) for x in bad] for g in group},
            "key": [float(x.key) for x in bad],
            "bidx": list(range(len(bad))),
            "kind": [x.code for x in bad],
        },
        schema={**{g: r.schema[g] for g in group}, "key": pl.Float64, "bidx": pl.Int64, "kind": pl.Utf8},
    )
    slots = pl.concat([r.with_columns(bidx=pl.lit(None, pl.Int64)), b.with_columns(ridx=pl.lit(None, pl.Int64)).select(r.columns + ["bidx"])], how="vertical")
    slots = slots.sort(*group, "key", "kind", pl.col("ridx").fill_null(-1), pl.col("bidx").fill_null(-1))
    return slots.with_columns(slot=pl.int_range(pl.len(), dtype=pl.Int64).over(group))


def place_ddas(dd: pl.DataFrame, files: pl.DataFrame, rng: np.random.Generator, spare: Iterator[str]) -> tuple[pl.DataFrame, list[Bad], pl.DataFrame]:
    """Bad records among each DDAS file's records: (records with `positie`, bad, slots)."""
    sizes = files.join(dd.group_by("bestand").len(), on="bestand", how="left").sort("bestand")
    n_bad = counts(rng, sizes["len"].fill_null(0).to_list(), len(DDAS_CODES))
    gems = sorted(dd["gemeentecode"].unique().to_list()) or ["GM0518"]
    bad: list[Bad] = []
    k = 0
    for f, m in zip(sizes.iter_rows(named=True), n_bad):
        span = max((f["horizon"] - f["start_levering"]).days, 1)
        for _ in range(int(m)):
            code = DDAS_CODES[k % len(DDAS_CODES)]
            a = f["start_levering"] + dt.timedelta(days=int(rng.integers(0, span)))
            gem = gems[int(rng.integers(0, len(gems)))]
            payload = ddas_bad(code, k, [next(spare) for _ in range(3)], gem, a)
            bad.append(Bad(f["bestand"], int(rng.integers(0, len(f["orgs"]))), float(rng.random()), code, payload))
            k += 1
    real = dd.with_columns(key=pl.col("volgorde").cast(pl.Float64) / 2.0**62)
    slots = _place(real, bad, ["bestand", "levering"])
    pos = slots.filter(pl.col("ridx").is_not_null()).sort("ridx")["slot"]
    return dd.with_columns(positie=pos), bad, slots


def place_csv(cs: pl.DataFrame, rng: np.random.Generator, spare: Iterator[str]) -> tuple[pl.DataFrame, list[Bad], pl.DataFrame]:
    """Bad rows, one duplicated Dossiernr and blank lines among each export's rows.

    Returns (rows with `positie` = physical start line and `dubbel`, bad, slots with `line`).
    """
    files = cs.group_by("bestand", "gemeentecode", "export", maintain_order=True).len().sort("bestand")
    n_bad = counts(rng, files["len"].to_list(), len(CSV_CODES))
    bad: list[Bad] = []
    k = 0
    for f, m in zip(files.iter_rows(named=True), n_bad):
        prefix = f["bestand"].split("/")[-1][:6]
        for i in range(int(m)):
            code = CSV_CODES[k % len(CSV_CODES)]
            a = f["export"] - dt.timedelta(days=int(rng.integers(30, 700)))
            nr = f"X{prefix[2:]}-{f['export']:%y%m}-{i:04d}"
            payload = csv_bad(code, k, [next(spare)], nr, a)
            bad.append(Bad(f["bestand"], 0, float(rng.uniform(-0.5, f["len"] - 0.5)), code, payload))
            k += 1
        if f["len"] >= 40 and rng.random() < 0.5:  # a blank or whitespace-only line: skipped, not counted
            bad.append(Bad(f["bestand"], 0, float(rng.uniform(0, f["len"])), "leeg", ("", "   ")[int(rng.integers(0, 2))]))
    # one Dossiernr twice in an export that a later export supersedes: both rows quarantined
    dubbel = np.zeros(cs.height, dtype=bool)
    for gem in files["gemeentecode"].unique().sort().to_list():
        exports = files.filter(pl.col("gemeentecode") == gem)
        if exports.height < 2:
            continue
        target = exports.row(exports.height // 2, named=True)
        in_export = cs.with_row_index("i").filter(pl.col("bestand") == target["bestand"])
        multi = in_export.filter(pl.col("lines") > 1)  # prefer a row with a quoted line break
        idx = (multi if multi.height else in_export)["i"]
        if idx.len() == 0:
            continue
        i = int(idx[int(rng.integers(0, idx.len()))])
        row = cs.row(i, named=True)
        bad.append(Bad(target["bestand"], 0, float(row["volgorde"]) + 0.5, "dubbel_dossier", [row[c] for c in CSV_FIELDS]))
        dubbel[i] = True
    real = cs.with_columns(key=pl.col("volgorde"))
    slots = _place(real, bad, ["bestand"])
    lines = cs.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("ridx"), pl.col("lines").cast(pl.Int64).alias("n_lines"))
    bad_lines = pl.DataFrame(
        {"bidx": range(len(bad)), "n_bad_lines": [1 + sum(f.count("\n") for f in b.payload) if isinstance(b.payload, list) else 1 for b in bad]},
        schema={"bidx": pl.Int64, "n_bad_lines": pl.Int64},
    )
    slots = (
        slots.join(lines, on="ridx", how="left", maintain_order="left")
        .join(bad_lines, on="bidx", how="left", maintain_order="left")
        .with_columns(n_lines=pl.coalesce("n_lines", "n_bad_lines", pl.lit(1, pl.Int64)))
    )
    # a row's location is the physical line on which it starts; quoted line breaks push the next rows down
    slots = slots.with_columns(line=2 + pl.col("n_lines").cum_sum().over("bestand") - pl.col("n_lines"))
    pos = slots.filter(pl.col("ridx").is_not_null()).sort("ridx")["line"]
    return cs.with_columns(positie=pos, dubbel=pl.Series(dubbel)), bad, slots


def place_xlsx(nz: pl.DataFrame, rng: np.random.Generator, spare: Iterator[str]) -> tuple[pl.DataFrame, list[Bad], pl.DataFrame]:
    """Repeated events, bad rows and blank rows among each workbook's rows.

    Returns (rows incl. repeats, with `positie` = 1-based sheet row; bad; slots with `row`).
    """
    files = nz.group_by("bestand", "gemeentecode", "jaar", "leverdatum", maintain_order=True).len().sort("bestand")
    # the same event twice in one workbook (two workbooks), and again in next year's workbook
    big = files.filter(pl.col("len") >= 20)["bestand"].to_list()
    twice = set(rng.choice(np.array(big), size=min(2, len(big)), replace=False).tolist()) if big else set()
    u = rng.random(nz.height)
    in_file = nz.filter(pl.col("bestand").is_in(sorted(twice)) & pl.lit(pl.Series(u < 0.02))).with_columns(
        key=pl.col("key") + 0.5
    )
    nxt = files.select(
        "gemeentecode", jaar=pl.col("jaar") - 1, bestand_volgend="bestand", leverdatum_volgend="leverdatum", len_volgend="len"
    )
    late = (
        nz.filter((pl.col("datum").dt.month() == 12) & pl.lit(pl.Series(u > 0.97)))
        .join(nxt, on=["gemeentecode", "jaar"], how="inner", maintain_order="left")
    )
    late = late.with_columns(
        bestand=pl.col("bestand_volgend"),
        leverdatum=pl.col("leverdatum_volgend"),
        key=pl.lit(pl.Series(rng.random(late.height))) * pl.col("len_volgend"),
    ).select(nz.columns)
    rows = pl.concat([nz, in_file, late]).sort("bestand", "key", "bsn", "datum", "soort", maintain_order=True)
    bad: list[Bad] = []
    k = 0
    for f, m in zip(files.iter_rows(named=True), counts(rng, files["len"].to_list(), len(XLSX_CODES))):
        for _ in range(int(m)):
            code = XLSX_CODES[k % len(XLSX_CODES)]
            d = dt.date(f["jaar"], 1, 1) + dt.timedelta(days=int(rng.integers(0, 360)))
            bad.append(Bad(f["bestand"], 0, float(rng.uniform(-0.5, f["len"])), code, xlsx_bad(code, k, next(spare), min(d, f["leverdatum"]))))
            k += 1
        for _ in range(f["len"] // 150):  # blank rows: skipped, not counted
            bad.append(Bad(f["bestand"], 0, float(rng.uniform(0, f["len"])), "leeg", None))
    slots = _place(rows, bad, ["bestand"]).with_columns(row=pl.col("slot") + 2)
    pos = slots.filter(pl.col("ridx").is_not_null()).sort("ridx")["row"]
    return rows.with_columns(positie=pos), bad, slots


# ---------------------------------------------------------------- bad files


def _refused(bron: str, bestand: str, status: str) -> dict:
    return {"bron": bron, "bestand": bestand, "status": status, "records_gelezen": 0, "records_geaccepteerd": 0, "records_gequarantaineerd": 0}


def _small_ddas(header: dict, bsns: list[str], gem: str, a: dt.date) -> bytes:
    trajecten = [_clean_ddas(b, gem, a) for b in bsns]
    return ddas_document(header, [(organisatie("kredietbank"), trajecten)])


def _clean_ddas(bsn: str, gem: str, a: dt.date) -> dict:
    return {
        "startdatum": _iso(a),
        "gemeentecode": gem,
        "aanmelding": {"startdatum": _iso(a)},
        "client": [{"Burgerservicenummer": bsn}],
        "oplossing": {"soort": "Saneringskrediet", "startdatum": _iso(a)},
    }


def bad_files(out, until: dt.date, ddas: list[str], csv_files: list[str], xlsx: list[str], spare: Iterator[str]) -> list[dict]:
    """Files that contribute nothing, each with the status steps 1-4 of sources.md give it."""
    out = Path(out)
    rows: list[dict] = []
    taken = set(ddas) | set(csv_files) | set(xlsx)

    def put(rel: str, data: bytes, bron: str, status: str) -> None:
        assert rel not in taken, rel
        taken.add(rel)
        write_bytes(out / rel, data)
        rows.append(_refused(bron, rel, status))

    a = until - dt.timedelta(days=400)
    if ddas:
        mid = ddas[len(ddas) // 2]
        src = (out / mid).read_bytes()
        put(mid[: -len(".json")] + "_kopie.json", src, "ddas", "duplicaat")  # sorts after its original
        put(ddas[0][: -len(".json")] + ".JSON", (out / ddas[0]).read_bytes(), "ddas", "geweigerd")
        put(mid[: -len(".json")] + "_afgebroken.json", src[: max(1, len(src) * 3 // 5)], "ddas", "geweigerd")
    put("ddas/LEESMIJ.txt", "Aanleveringen DDAS; zie handleiding.\n".encode(), "ddas", "geweigerd")
    put("ddas/leeg.json", b"", "ddas", "geweigerd")
    head = {
        "startdatumLevering": f"{a.year}-01-01",
        "einddatumLevering": f"{a.year}-12-31",
        "aanleverdatumEnTijd": f"{until - dt.timedelta(days=30):%Y-%m-%d}T10:00:00",  # no offset: not usable
        "codeGegevensleverancier": "KB000001",
    }
    put("ddas/herlevering_zonder_tijdzone.json", _small_ddas(head, [next(spare)], "GM0518", a), "ddas", "geweigerd")
    no_lev = dict(head, aanleverdatumEnTijd=f"{until - dt.timedelta(days=30):%Y-%m-%d}T10:00:00Z", schuldhulptrajecten=[])
    put("ddas/zonder_leveringen.json", orjson.dumps(no_lev), "ddas", "geweigerd")
    future = dict(head, startdatumLevering="2098-01-01", einddatumLevering="2098-12-31", aanleverdatumEnTijd="2099-01-05T05:00:00Z")
    put("ddas/2099/KB000001_kredietbank_2098.json", _small_ddas(future, [next(spare), next(spare)], "GM0518", a), "ddas", "toekomstig")

    if csv_files:
        first = csv_files[0]
        gem, ymd = Path(first).stem.split("_")
        day = dt.datetime.strptime(ymd, "%Y%m%d").date()
        put(f"shv_csv/kopie/{Path(first).name}", (out / first).read_bytes(), "shv_csv", "duplicaat")
        sample = [("row", [f"X{gem[2:]}-BOM-{i}", next(spare), "01-01-1980", day.strftime("%d-%m-%Y"), "", "IA", "", "", "", "", "", "Geëxporteerd"]) for i in range(3)]
        bom = out / f"shv_csv/{gem}_{(day + dt.timedelta(days=1)):%Y%m%d}.csv"
        write_csv(bom, sample, encoding="utf-8-sig")  # refused: the header check sees the BOM
        rel = bom.relative_to(out).as_posix()
        assert rel not in taken
        taken.add(rel)
        rows.append(_refused("shv_csv", rel, "geweigerd"))
        put(f"shv_csv/{gem}_{day:%Y-%m-%d}.csv", (out / first).read_bytes(), "shv_csv", "geweigerd")
        put("shv_csv/GM9999_20200101.csv", (";".join(CSV_HEADER) + "\r\n").encode("cp1252"), "shv_csv", "geweigerd")
        fut = out / f"shv_csv/{gem}_20990101.csv"
        write_csv(fut, sample[:1])
        taken.add(fut.relative_to(out).as_posix())
        rows.append(_refused("shv_csv", fut.relative_to(out).as_posix(), "toekomstig"))

    if xlsx:
        first = xlsx[0]
        gem, ymd = Path(first).stem.split("_")
        day = dt.datetime.strptime(ymd, "%Y%m%d").date()
        folder = Path(first).parent.as_posix()
        put(f"nazorg/kopie/{Path(first).name}", (out / first).read_bytes(), "nazorg", "duplicaat")
        cells = [(next(spare), day - dt.timedelta(days=20), "Contact", None, "Telefonisch")]
        for offset, headers, sheet in (
            (1, ["BSN", "Datum", "Soort", "Uitkomst", "Contactvorm"], "Blad1"),  # no sheet Nazorg
            (2, ["BSN", "Datum", "Soort", "Uitkomst", "Datum"], "Nazorg"),  # a listed column twice
        ):
            rel = f"{folder}/{gem}_{(day + dt.timedelta(days=offset)):%Y%m%d}.xlsx"
            if rel in taken or day + dt.timedelta(days=offset) > until:
                continue
            write_xlsx(out / rel, headers, cells, sheet=sheet)
            taken.add(rel)
            rows.append(_refused("nazorg", rel, "geweigerd"))
        rel = f"{folder}/{gem}_{(day + dt.timedelta(days=3)):%Y%m%d}.xlsx"
        if rel not in taken and day + dt.timedelta(days=3) <= until:
            put(rel, (";".join(CSV_HEADER) + "\r\n").encode("cp1252"), "nazorg", "geweigerd")  # not a workbook
        put(f"nazorg/Nazorg {gem} {day.year}.xlsx", (out / first).read_bytes(), "nazorg", "geweigerd")
    return rows
