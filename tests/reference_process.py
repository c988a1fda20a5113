"""A plain-Python reading of process.md §2-4 and §6: the three Wgs indicators and the
four tables, with loops and dicts only (no polars, nothing of the pipeline). Tests
compare the pipeline with it exactly. Where the contract is silent this follows the
decisions in docs/indicators.md ("Decisions: the whole process").
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

NL = "NL"
AFGEROND = "Afgerond"
REDENEN = ["Afgerond", "Overleden", "Verhuisd", "Nietverschenen", "Ingetrokken", "Niet passend", "Overig",
           "Voldoet niet", "Zelf", "geen reden"]
SOORTEN = ["Zorg", "Publiek", "Nuts", "Overig"]


@dataclass(frozen=True)
class Client:
    persoon: str
    leeftijdsklasse: str | None = "onbekend"
    geslacht: str | None = "onbekend"


@dataclass(frozen=True)
class PT:
    """A model trajectory with the fields of process.md §1."""
    id: str
    g: str | None
    aanmeld: dt.date
    clients: tuple  # of Client
    eind: dt.date | None = None
    reden: str | None = None
    ia: bool = False
    gesprek: dt.date | None = None
    crisis: bool | None = None
    beschikking: dt.date | None = None
    schuldbedrag: int | None = None
    start: dt.date | None = None
    begeleiding: tuple = ()  # of (soort, start, eind)
    schulden: tuple = ()  # of (soort, bedrag, zakelijk, schuldeiser_id)

    @property
    def personen(self) -> set:
        return {c.persoon for c in self.clients}


# --- calendar -------------------------------------------------------------------------------

def pasen(y: int) -> dt.date:
    """Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return dt.date(y, month, day)


def is_feestdag(d: dt.date) -> bool:
    p = pasen(d.year)
    koning = dt.date(d.year, 4, 26) if dt.date(d.year, 4, 27).weekday() == 6 else dt.date(d.year, 4, 27)
    fixed = {(1, 1), (5, 5), (12, 25), (12, 26)}
    return (d.month, d.day) in fixed or d == koning or (d - p).days in (1, 39, 50)


def is_werkdag(d: dt.date) -> bool:
    return d.weekday() < 5 and not is_feestdag(d)


def werkdag_na(d: dt.date, n: int) -> dt.date:
    count = 0
    while count < n:
        d += dt.timedelta(days=1)
        if is_werkdag(d):
            count += 1
    return d


def plus_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def minus_5_years(d: dt.date) -> dt.date:
    return dt.date(d.year - 5, 2, 28) if (d.month, d.day) == (2, 29) else dt.date(d.year - 5, d.month, d.day)


def regions(t: PT) -> list[str]:
    return [NL] if t.g is None else [t.g, NL]


def pct(teller: int, noemer: int) -> float:
    return float((Decimal(100 * teller) / Decimal(noemer)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def lower(values: list, num: int, den: int):
    """The value at position ceil(n*num/den) of the sorted values (1-based)."""
    s = sorted(values)
    return s[-(-len(s) * num // den) - 1] if s else None


# --- the three indicators -----------------------------------------------------------------------

def wgs_units(trajs: list[PT]) -> dict:
    """{indicator: [(traject_id, gemeente, jaar, hit)]}"""
    ts = [t for t in trajs if not t.ia]
    out = defaultdict(list)
    for t in ts:
        if t.gesprek is not None:
            uiterlijk = werkdag_na(t.aanmeld, 3) if t.crisis else t.aanmeld + dt.timedelta(days=28)
            out["eerste_gesprek_tijdig"].append((t.id, t.g, t.aanmeld.year, t.gesprek <= uiterlijk))
            if t.beschikking is not None:
                out["beschikking_tijdig"].append(
                    (t.id, t.g, t.gesprek.year, t.beschikking <= t.gesprek + dt.timedelta(days=56)))
        per_year = defaultdict(bool)
        for soort, start, eind in t.begeleiding:
            if soort != "Budgetbeheer" or eind is None:
                continue
            hit = any(s2 == "Budgetbegeleiding" and st2 is not None and start is not None
                      and start <= st2 <= plus_months(eind, 3) for s2, st2, _ in t.begeleiding)
            per_year[eind.year] = per_year[eind.year] or hit
        for y, hit in per_year.items():
            out["beheer_naar_begeleiding"].append((t.id, t.g, y, hit))
    return out


def wgs_counts(trajs: list[PT]) -> dict:
    """{(indicator, regio, jaar): (teller, noemer)}"""
    tally = defaultdict(lambda: [0, 0])
    for ind, units in wgs_units(trajs).items():
        for _, g, y, hit in units:
            for r in ([NL] if g is None else [g, NL]):
                tally[(ind, r, y)][0] += hit
                tally[(ind, r, y)][1] += 1
    return {k: tuple(v) for k, v in tally.items()}


# --- disclosure -----------------------------------------------------------------------------------

def secondary(state: dict, values: dict, total: int | None) -> None:
    """One group: parts {name: value}, their state {name: None/primair/secundair}, the
    published total (None: not published). Suppresses the smallest published part (ties:
    its name), a part of 0 included, until D is not 1..9 or no part is left."""
    if total is None:
        return
    while True:
        pub = [(v, k) for k, v in values.items() if state[k] is None]
        d = total - sum(v for v, _ in pub)
        cands = sorted(pub)
        if not 1 <= d <= 9 or not cands:
            return
        state[cands[0][1]] = "secundair"


def suppress_regions(values: dict, state: dict) -> None:
    """values/state keyed (group..., regio); per group NL is the total."""
    by_group = defaultdict(dict)
    for key, v in values.items():
        by_group[key[:-1]][key[-1]] = v
    for grp, parts in by_group.items():
        if NL not in parts:
            continue
        total = parts[NL] if state[(*grp, NL)] is None else None
        gms = {r: v for r, v in parts.items() if r != NL}
        sub = {r: state[(*grp, r)] for r in gms}
        secondary(sub, gms, total)
        for r, s in sub.items():
            state[(*grp, r)] = s


def suppress_categories(values: dict, state: dict, totals: dict) -> None:
    """values/state keyed (regio, jaar, dim, cat); totals {(regio, jaar, dim): published total or None}.
    Pass (a) across regions per (jaar, dim, cat), pass (b) within (regio, jaar, dim); until stable."""
    while True:
        before = dict(state)
        across = {(y, d, c, r): v for (r, y, d, c), v in values.items()}
        st_a = {(y, d, c, r): s for (r, y, d, c), s in state.items()}
        suppress_regions(across, st_a)
        for (y, d, c, r), s in st_a.items():
            state[(r, y, d, c)] = s
        within = defaultdict(dict)
        for (r, y, d, c), v in values.items():
            within[(r, y, d)][c] = v
        for grp, parts in within.items():
            sub = {c: state[(*grp, c)] for c in parts}
            secondary(sub, parts, totals.get(grp))
            for c, s in sub.items():
                state[(*grp, c)] = s
        if state == before:
            return


def primary(values: dict) -> dict:
    return {k: ("primair" if v < 10 else None) for k, v in values.items()}


# --- the indicator rows ---------------------------------------------------------------------------

def wgs_rows(trajs: list[PT], peil: dt.date) -> list[tuple]:
    """(indicator, regio, jaar, teller, noemer, waarde, onderdrukt, voorlopig, onderdrukking,
    geen_gegevens, historie_onvolledig) of the three indicators, sorted."""
    counts = wgs_counts(trajs)
    noemers = {(i, y, r): n for (i, r, y), (_, n) in counts.items()}
    state = primary(noemers)
    suppress_regions(noemers, state)
    rows = []
    for (i, r, y), (t, n) in counts.items():
        s = state[(i, y, r)]
        if i == "beheer_naar_begeleiding":
            voorlopig = plus_months(dt.date(y, 12, 31), 3) > peil
        else:
            voorlopig = y >= peil.year
        shown = s is None
        rows.append((i, r, y, t if shown else None, n if shown else None, pct(t, n) if shown else None,
                     not shown, voorlopig, s, False, False))
    return sorted(rows, key=lambda x: x[:3])


# --- the four tables ------------------------------------------------------------------------------

def doorlooptijden(trajs: list[PT], peil: dt.date) -> list[tuple]:
    """(maat, regio, jaar, n, p25, mediaan, p75, onderdrukt, voorlopig, onderdrukking)"""
    days = defaultdict(list)  # (maat, jaar, regio) -> days
    for t in trajs:
        if t.ia:
            continue
        units = []
        if t.gesprek is not None:
            units.append(("wachttijd_eerste_gesprek", t.aanmeld.year, (t.gesprek - t.aanmeld).days))
            if t.beschikking is not None:
                units.append(("beschikkingstermijn", t.gesprek.year, (t.beschikking - t.gesprek).days))
        if t.reden == AFGEROND and t.eind is not None:
            units.append(("doorlooptijd_afgerond", t.eind.year, (t.eind - t.aanmeld).days))
        for maat, y, d in units:
            for r in regions(t):
                days[(maat, y, r)].append(d)
    n = {k: len(v) for k, v in days.items()}
    state = primary(n)
    suppress_regions(n, state)
    rows = []
    for (maat, y, r), v in days.items():
        s = state[(maat, y, r)]
        nums = (len(v), lower(v, 1, 4), lower(v, 1, 2), lower(v, 3, 4)) if s is None else (None,) * 4
        rows.append((maat, r, y, *nums, s is not None, y >= peil.year, s))
    return sorted(rows, key=lambda x: x[:3])


def uitstroom(trajs: list[PT], peil: dt.date) -> list[tuple]:
    """(regio, jaar, uitstroomreden, aantal, noemer, aandeel, onderdrukt, voorlopig, onderdrukking)"""
    aantal = defaultdict(int)  # (regio, jaar, reden)
    noemer = defaultdict(int)  # (jaar, regio)
    for t in trajs:
        if t.ia or t.eind is None:
            continue
        for r in regions(t):
            aantal[(r, t.eind.year, t.reden or "geen reden")] += 1
            noemer[(t.eind.year, r)] += 1
    # the region-year total: primary suppression only (the contract has no totals pass)
    tstate = primary(noemer)
    values, state, totals = {}, {}, {}
    for (y, r), n in noemer.items():
        totals[(r, y, "")] = n if tstate[(y, r)] is None else None
        for reden in REDENEN:
            values[(r, y, "", reden)] = aantal[(r, y, reden)]
            state[(r, y, "", reden)] = tstate[(y, r)]
    suppress_categories(values, state, totals)
    rows = []
    for (r, y, _, reden), a in values.items():
        s = state[(r, y, "", reden)]
        n = noemer[(y, r)]
        nums = (a, n, pct(a, n)) if s is None else (None, None, None)
        rows.append((r, y, reden, *nums, s is not None, y >= peil.year, s))
    return sorted(rows, key=lambda x: x[:3])


def schulden(trajs: list[PT], peil: dt.date) -> list[tuple]:
    """(regio, jaar, n, n_schuldregels, n_bedrag, mediaan_schuldbedrag_eur, mediaan_aantal_schuldeisers,
    aandeel_zakelijk, aandeel_zorg, aandeel_publiek, aandeel_nuts, aandeel_overig, onderdrukt, voorlopig,
    onderdrukking)"""
    cells = defaultdict(list)  # (jaar, regio) -> [unit]
    for t in trajs:
        if t.ia or (not t.schulden and t.schuldbedrag is None):
            continue
        if t.schulden:
            known = [b for _, b, _, _ in t.schulden if b is not None]
            unit = {"regels": True, "bedrag": sum(known) if known else None,
                    "eisers": len({e for _, _, _, e in t.schulden if e is not None}),
                    "zakelijk": any(z for _, _, z, _ in t.schulden),
                    **{s: any(so == s for so, _, _, _ in t.schulden) for s in SOORTEN}}
        else:
            unit = {"regels": False, "bedrag": t.schuldbedrag}
        for r in regions(t):
            cells[(t.aanmeld.year, r)].append(unit)
    n = {k: len(v) for k, v in cells.items()}
    state = primary(n)
    suppress_regions(n, state)
    rows = []
    for (y, r), units in cells.items():
        s = state[(y, r)]
        regels = [u for u in units if u["regels"]]
        bedragen = [u["bedrag"] for u in units if u["bedrag"] is not None]
        if s is None:
            ok = len(regels) > 0
            nums = (len(units), len(regels), len(bedragen),
                    lower(bedragen, 1, 2) if bedragen else None,
                    lower([u["eisers"] for u in regels], 1, 2) if ok else None,
                    *[pct(sum(u[k] for u in regels), len(regels)) if ok else None for k in ["zakelijk", *SOORTEN]])
        else:
            nums = (None,) * 10
        rows.append((r, y, *nums, s is not None, y >= peil.year, s))
    return sorted(rows, key=lambda x: x[:2])


def uitsplitsing(trajs: list[PT], peil: dt.date, published_terugval: dict, historie: dt.date | None) -> list[tuple]:
    """(regio, jaar, dimensie, categorie, teller, noemer, waarde, onderdrukt, voorlopig, onderdrukking,
    historie_onvolledig). published_terugval: {(regio, jaar): noemer or None} of indicatoren.parquet."""
    ts = [t for t in trajs if not t.ia]
    persons = defaultdict(set)
    relapsers = defaultdict(set)
    for t in ts:
        for c in t.clients:
            p = c.persoon
            relapsed = any(s.id != t.id and p in s.personen and s.reden == AFGEROND and s.eind is not None
                           and minus_5_years(t.aanmeld) <= s.eind < t.aanmeld for s in ts)
            cats = {"leeftijdsklasse": c.leeftijdsklasse or "onbekend", "geslacht": c.geslacht or "onbekend",
                    "huishouden": "1 client" if len(t.personen) == 1 else "2 clienten"}
            for dim, cat in cats.items():
                for r in regions(t):
                    persons[(r, t.aanmeld.year, dim, cat)].add(p)
                    if relapsed:
                        relapsers[(r, t.aanmeld.year, dim, cat)].add(p)
    values = {k: len(v) for k, v in persons.items()}
    state = primary(values)
    totals = {(r, y, d): published_terugval.get((r, y)) for (r, y, d, _) in values}
    suppress_categories(values, state, totals)
    rows = []
    for (r, y, d, c), n in values.items():
        s = state[(r, y, d, c)]
        t_ = len(relapsers[(r, y, d, c)])
        nums = (t_, n, pct(t_, n)) if s is None else (None, None, None)
        onvolledig = historie is not None and dt.date(y - 5, 1, 1) < historie
        rows.append((r, y, d, c, *nums, s is not None, y >= peil.year, s, onvolledig))
    return sorted(rows, key=lambda x: x[:4])

