"""Synthetic early-warning deliveries (`vroegsignalering/*.json`) with their exact ground truth.

Signals are drawn for persons of the world (their BSN, the gemeente of their first
harmonised trajectory) and for addresses without a BSN; cases group one or two signals
of a household. Every month's signals are delivered in a file dated the 1st of the next
month; a signal or case that progresses is delivered again in a later file (a new
status, contact attempts, a result), and one correction file per year carries the same
timestamp as its month's file (the later path wins). A few bad records of each reason
code are mixed in. What the pipeline must recover is returned and written to
`ground_truth/`: vroegsignalen, vroegsignaalzaken (keyed by BSN and address text, which
the test hashes), and the ledger and quarantine rows of these files.

Required situations: re-delivered signals, cases with and without reached contact,
households with several partners in one month, signals without BSN (address only), and
persons who come into debt assistance 0, 364, 365 and 366 days after their first signal.
"""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import polars as pl

from assets.common.dates import add_months_py
from schemas.vroegsignalering import EINDRESULTATEN, SIGNAALPARTNERS

FOLDER = "vroegsignalering"
FIRST_YEAR_OFFSET = 3  # signals from 1 January of until.year - 3
LINK_DAYS = (0, 364, 365, 366)  # days from the first signal to an aanmelding, each for some persons
SIGNAL_SHARE = 0.25  # persons with signals
NO_BSN_SHARE = 0.05  # extra signals of addresses without a BSN (relative to persons with signals)
_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))
_BAD = ("signaal_id_ontbreekt", "bsn_ongeldig", "datum_ongeldig", "geen_signaaldatum", "datum_in_toekomst",
        "zaak_zonder_signaal", "gemeente_onbekend")


@dataclass
class VsTruth:
    ledger: list[dict]  # rows like writers' ledger rows (bron, bestand, status, counts)
    quarantine: pl.DataFrame  # bron, bestand, locatie, reden_code
    signalen: pl.DataFrame
    zaken: pl.DataFrame


def _token(rng: np.random.Generator, prefix: str) -> str:
    """A distinctive synthetic word (for the leak test: it can only appear by copying)."""
    return prefix + "".join(rng.choice(_LETTERS, 7))


def _person(rng: np.random.Generator, bsn: str | None) -> dict:
    """A client object with every personal field the VS model has."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=int(rng.integers(0, 23000)))
    c = {
        "Voorletters": "".join(rng.choice(_LETTERS, 2)).upper() + ".",
        "Achternaam": _token(rng, "Vsnaam").capitalize(),
        "Geboortedatum": born.isoformat(),
        "Straatnaam": _token(rng, "Vsstraat").capitalize(),
        "Postcode": f"{rng.integers(1000, 9999)} {''.join(rng.choice(_LETTERS, 2)).upper()}",
        "Huisnummer": str(int(rng.integers(1, 300))),
        "Plaatsnaam": _token(rng, "Vsplaats").capitalize(),
    }
    if rng.random() < 0.3:
        c["Huisnummertoevoeging"] = str(rng.choice(["a", "B", "2", "bis"]))
    if bsn is not None:
        c["Burgerservicenummer"] = bsn
    return c


def _adres(c: dict) -> str:
    return "|".join([c["Postcode"].replace(" ", "").upper(), c["Huisnummer"].strip().upper(),
                     c.get("Huisnummertoevoeging", "").strip().upper()])


def _month_file(d: dt.date) -> tuple[str, dt.date]:
    """The monthly file of a signal dated d: its name and delivery date (the 1st of next month)."""
    nxt = add_months_py(d.replace(day=1), 1)
    return f"{FOLDER}/{d.year}/VS_{d.year}-{d.month:02d}.json", nxt


def _update_file(later: dt.date) -> str:
    """The file of a re-delivery dated `later` (a 1st of a month): named after the month
    before, so it has the same timestamp as that month's file and sorts after it."""
    prev = add_months_py(later, -1)
    return f"{FOLDER}/{prev.year}/VS_{prev.year}-{prev.month:02d}_bijwerking.json"


def _persons(world, trajecten: pl.DataFrame, clienten: pl.DataFrame, rng: np.random.Generator, start: dt.date,
             last: dt.date) -> list[dict]:
    """(bsn, gemeentecode, first signal date) for the persons with signals; some placed
    LINK_DAYS before their first aanmelding."""
    first = (clienten.join(trajecten.select("traject_id", "aanmelddatum", "gemeentecode"), on="traject_id")
             .sort("aanmelddatum", "traject_id").group_by("bsn", maintain_order=True).first().sort("bsn"))
    codes = [g.code for g in world.gemeenten]
    out = []
    linked = 0
    for bsn, aanmeld, gem in first.select("bsn", "aanmelddatum", "gemeentecode").iter_rows():
        if rng.random() >= SIGNAL_SHARE:
            continue
        gem = gem or codes[int(rng.integers(len(codes)))]
        d = aanmeld - dt.timedelta(days=LINK_DAYS[linked % len(LINK_DAYS)])
        if linked < 4 * len(LINK_DAYS) and start <= d and aanmeld <= last:  # the boundary cases, each four times
            linked += 1
        else:
            d = start + dt.timedelta(days=int(rng.integers(0, (last - start).days + 1)))
        out.append({"bsn": bsn, "gemeentecode": gem, "first": d})
    return out


def generate_vs(out: Path, world, trajecten: pl.DataFrame, clienten: pl.DataFrame, seed: int) -> VsTruth:
    """Write `out/vroegsignalering/` and return its ground truth (see module docstring)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5165]))
    if (out / FOLDER).exists():
        shutil.rmtree(out / FOLDER)
    until = world.until
    start = dt.date(until.year - FIRST_YEAR_OFFSET, 1, 1)
    last = add_months_py(until.replace(day=1), -1) - dt.timedelta(days=1)  # delivered by `until`
    codes = [g.code for g in world.gemeenten]

    files: dict[str, dict] = {}  # bestand -> {"stamp": date, "lev": {gemeentecode: {"vroegsignalen": [], ...}}}

    def put(bestand: str, stamp: dt.date, gem: str, array: str, element: dict) -> tuple[str, int, int]:
        f = files.setdefault(bestand, {"stamp": stamp, "lev": {}})
        lev = f["lev"].setdefault(gem, {"vroegsignalen": [], "vroegsignaalzaken": []})
        lev[array].append(element)
        return bestand, gem, len(lev[array]) - 1

    signals: list[dict] = []  # truth rows
    cases: list[dict] = []
    n_id = 0

    def new_signal(gem: str, d: dt.date, client: dict, bsn: str | None, partner: str | None) -> dict:
        nonlocal n_id
        n_id += 1
        sid = f"VS-{d.year}-{n_id:06d}"
        element = {"ID": sid, "crisissignaal": bool(rng.random() < 0.05), "warmeOverdracht": bool(rng.random() < 0.1),
                   "bedrag": int(rng.integers(50, 5000)), "ontstaansdatum": (d - dt.timedelta(days=int(rng.integers(10, 90)))).isoformat(),
                   "signaaldatum": d.isoformat(), "status": "Nog niet opgepakt",
                   "signaalpartner": {"type": partner} if partner else {}, "client": client}
        bestand, stamp = _month_file(d)
        put(bestand, stamp, gem, "vroegsignalen", element)
        row = {"signaal_id": f"{gem}:{sid}", "gemeentecode": gem, "bsn": bsn,
               "adres": _adres(client) if "Postcode" in client else None, "signaaldatum": d,
               "ontstaansdatum": dt.date.fromisoformat(element["ontstaansdatum"]), "signaalpartner": partner,
               "bedrag_eur": element["bedrag"], "crisissignaal": element["crisissignaal"],
               "warme_overdracht": element["warmeOverdracht"], "status": "Nog niet opgepakt", "zaak_id": None,
               "_element": element, "_stamp": stamp}
        # re-delivered later with a new status (the later file wins)
        if rng.random() < 0.2:
            later = add_months_py(stamp, int(rng.integers(0, 4)))  # 0: the same timestamp, a later path
            if later <= until:
                status = str(rng.choice(["Niet opgepakt: herhaalde melding", "Niet opgepakt: andere reden",
                                         "Niet opgepakt: onterecht signaal"]))
                put(_update_file(later), later, gem, "vroegsignalen", {**element, "status": status})
                row["status"] = status
        signals.append(row)
        return row

    for p in _persons(world, trajecten, clienten, rng, start, last):
        client = _person(rng, p["bsn"])
        d = p["first"]
        n = 1 + int(rng.integers(0, 3))
        own = []
        for i in range(n):
            di = d if i == 0 else min(last, d + dt.timedelta(days=int(rng.integers(0, 200))))
            if i == 1 and rng.random() < 0.4:  # the same day, most often another partner: a multiple signal
                di = d
            partner = str(rng.choice(SIGNAALPARTNERS)) if rng.random() > 0.03 else None
            own.append(new_signal(p["gemeentecode"], di, dict(client), p["bsn"], partner))
        # a case for most households: one or two of their signals
        if rng.random() < 0.7:
            members = own[:1] if len(own) == 1 or rng.random() < 0.6 else own[:2]
            cases.append(_case(rng, members, until, put))
    for _ in range(max(1, int(len(signals) * NO_BSN_SHARE))):  # address only
        gem = codes[int(rng.integers(len(codes)))]
        d = start + dt.timedelta(days=int(rng.integers(0, (last - start).days + 1)))
        row = new_signal(gem, d, _person(rng, None), None, str(rng.choice(SIGNAALPARTNERS)))
        if rng.random() < 0.5:
            cases.append(_case(rng, [row], until, put))

    bad = _bad_records(rng, files, codes, until)
    return _write(out, files, signals, cases, bad)


def _case(rng: np.random.Generator, members: list[dict], until: dt.date, put) -> dict:
    """A case of `members` (signal truth rows of one gemeente), delivered with the first
    member's file and, for most, again later with contact attempts and a result."""
    first = min(m["signaaldatum"] for m in members)
    gem = members[0]["gemeentecode"]
    stamp = members[0]["_stamp"]
    matching = min(stamp - dt.timedelta(days=1), first + dt.timedelta(days=int(rng.integers(1, 10))))
    refs = [{"ID": m["_element"]["ID"]} for m in members]
    element = {"matchingsdatum": matching.isoformat(), "vroegsignalen": refs, "contactpogingen": []}
    bestand, _ = _month_file(members[0]["signaaldatum"])
    put(bestand, stamp, gem, "vroegsignaalzaken", element)
    zaak_id = f"{gem}:{min(r['ID'] for r in refs)}"
    row = {"zaak_id": zaak_id, "gemeentecode": gem, "matchingsdatum": matching, "datum_opgepakt": None,
           "resultaat": None, "aantal_contactpogingen": 0, "bereikt": False, "datum_eerste_bereikt": None}
    later = add_months_py(stamp, 1)
    if later <= until and rng.random() < 0.8:
        opgepakt = matching + dt.timedelta(days=int(rng.integers(0, 5)))
        pogingen, eerste = [], None
        for k in range(int(rng.integers(1, 4))):
            datum = opgepakt + dt.timedelta(days=k * 3)
            bereikt = bool(rng.random() < 0.4)
            pogingen.append({"soort": "Telefoon", "bereikt": bereikt, "datum": datum.isoformat(), "dagdeel": "Ochtend"})
            if bereikt and eerste is None:
                eerste = datum
        resultaat = str(rng.choice(EINDRESULTATEN)) if rng.random() < 0.9 else None
        again = {**element, "datum_opgepakt": opgepakt.isoformat(), "contactpogingen": pogingen}
        if resultaat:
            again["resultaat"] = resultaat
        put(_update_file(later), later, gem, "vroegsignaalzaken", again)
        row.update(datum_opgepakt=opgepakt, resultaat=resultaat, aantal_contactpogingen=len(pogingen),
                   bereikt=eerste is not None, datum_eerste_bereikt=eerste)
    for m in members:
        m["zaak_id"] = zaak_id
    return row


def _bad_records(rng: np.random.Generator, files: dict, codes: list[str], until: dt.date) -> list[tuple]:
    """One bad record per reason code in a few monthly files: (bestand, gemeente, array, element, code)."""
    monthly = sorted(b for b in files if not b.endswith("_bijwerking.json"))
    out = []
    for i, code in enumerate(_BAD):
        bestand = monthly[(i * 7) % len(monthly)]
        gem = sorted(files[bestand]["lev"])[0]
        d = "2020-05-05"
        base = {"ID": f"SLECHT-{i}", "signaaldatum": d, "signaalpartner": {"type": "Water"},
                "client": {"Burgerservicenummer": None}}
        if code == "signaal_id_ontbreekt":
            out.append((bestand, gem, "vroegsignalen", {**base, "ID": "  "}, code))
        elif code == "bsn_ongeldig":
            out.append((bestand, gem, "vroegsignalen", {**base, "client": {"Burgerservicenummer": "123456789"}}, code))
        elif code == "datum_ongeldig":
            out.append((bestand, gem, "vroegsignalen", {**base, "signaaldatum": "2020-02-30"}, code))
        elif code == "geen_signaaldatum":
            out.append((bestand, gem, "vroegsignalen", {k: v for k, v in base.items() if k != "signaaldatum"}, code))
        elif code == "datum_in_toekomst":
            out.append((bestand, gem, "vroegsignaalzaken",
                        {"matchingsdatum": (until + dt.timedelta(days=3000)).isoformat(), "vroegsignalen": [{"ID": "X"}]}, code))
        elif code == "zaak_zonder_signaal":
            out.append((bestand, gem, "vroegsignaalzaken", {"matchingsdatum": d, "vroegsignalen": [{"ID": " "}]}, code))
        else:  # a levering of an unknown gemeente with one signal
            out.append((bestand, "GM9999", "vroegsignalen", base, code))
    return out


def _write(out: Path, files: dict, signals: list[dict], cases: list[dict], bad: list[tuple]) -> VsTruth:
    quarantine = []
    for bestand, gem, array, element, code in bad:
        lev = files[bestand]["lev"].setdefault(gem, {"vroegsignalen": [], "vroegsignaalzaken": []})
        lev[array].append(element)
        quarantine.append((bestand, gem, array, len(lev[array]) - 1, code))
    ledger = []
    q_rows = []
    for bestand in sorted(files):
        f = files[bestand]
        gems = sorted(f["lev"])
        leveringen = []
        for i, gem in enumerate(gems):
            lev = f["lev"][gem]
            leveringen.append({"teller": i + 1, "gemeentecode": gem[2:] if i % 2 else gem,  # both forms occur
                               "aanleverende_organisatie": {"naam": "Synthetisch"}, **lev})
            for b, g, array, idx, code in quarantine:
                if b == bestand and g == gem:
                    q_rows.append({"bron": FOLDER, "bestand": bestand, "locatie": f"leveringen[{i}].{array}[{idx}]",
                                   "reden_code": code})
        doc = {"codeGegevensleverancier": "VS-SYNTH", "startdatumLevering": f["stamp"].replace(day=1).isoformat(),
               "einddatumLevering": f["stamp"].isoformat(), "aanleverdatumEnTijd": f"{f['stamp'].isoformat()}T10:00:00Z",
               "leveringen": leveringen}
        path = out / bestand
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
        n = sum(len(lev["vroegsignalen"]) + len(lev["vroegsignaalzaken"]) for lev in f["lev"].values())
        n_bad = sum(1 for b, *_ in quarantine if b == bestand)
        ledger.append({"bron": FOLDER, "bestand": bestand, "status": "geladen", "records_gelezen": n,
                       "records_geaccepteerd": n - n_bad, "records_gequarantaineerd": n_bad})
    s_cols = ["signaal_id", "gemeentecode", "bsn", "adres", "signaaldatum", "ontstaansdatum", "signaalpartner",
              "bedrag_eur", "crisissignaal", "warme_overdracht", "status", "zaak_id"]
    signalen = pl.DataFrame([{c: r[c] for c in s_cols} for r in signals],
                            schema={**{c: pl.Utf8 for c in s_cols}, "signaaldatum": pl.Date, "ontstaansdatum": pl.Date,
                                    "bedrag_eur": pl.Int64, "crisissignaal": pl.Boolean, "warme_overdracht": pl.Boolean},
                            ).select(s_cols).sort("signaal_id")
    zaken = pl.DataFrame(cases, schema={"zaak_id": pl.Utf8, "gemeentecode": pl.Utf8, "matchingsdatum": pl.Date,
                                        "datum_opgepakt": pl.Date, "resultaat": pl.Utf8, "aantal_contactpogingen": pl.Int64,
                                        "bereikt": pl.Boolean, "datum_eerste_bereikt": pl.Date}).sort("zaak_id")
    q = pl.DataFrame(q_rows, schema={"bron": pl.Utf8, "bestand": pl.Utf8, "locatie": pl.Utf8, "reden_code": pl.Utf8})
    return VsTruth(ledger=ledger, quarantine=q, signalen=signalen, zaken=zaken)


def write_truth(gt: Path, truth: VsTruth) -> None:
    truth.signalen.write_parquet(gt / "vroegsignalen.parquet")
    truth.zaken.write_parquet(gt / "vroegsignaalzaken.parquet")
