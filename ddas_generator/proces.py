"""The process of each simulated trajectory (process.md §1-2): first conversation, crisis,
decision, guidance and debts, with cases placed on the legal bounds.

Works on the trajectory arrays of `world` (int days, -1 = none) after they are drawn and
before the credit bank's part, with its own random stream, so the rest of the world keeps
its draws. Placed on purpose:

- crisis requests whose 3-working-day window holds a public holiday of the Algemene
  termijnenwet (Easter Monday, Ascension Day, Whit Monday, King's Day (also the Saturday
  26 April 2025, when 27 April is a Sunday), 5 May, Christmas, New Year), with the first
  conversation on the 3rd working day or one working day later;
- other crisis requests around that bound, and non-crisis requests on day 27, 28 and 29;
- decisions 55, 56 and 57 days after the first conversation;
- budgetbeheer followed by budgetbegeleiding within, on, and just past 3 months;
- debts with KvK creditors, creditors known by name only and private persons.

The first conversation never lies after the trajectory's own start (intake): where a
placed date would, the trajectory's later dates move with it (by at most four weeks,
while a person's next trajectory starts at least 60 days after the end).
"""
from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import polars as pl

EPOCH = dt.date(1970, 1, 1)
CRISIS_SHARE = 0.08  # of non-I&A trajectories
TERM_SHARE = 0.12  # non-crisis trajectories with a first conversation on day 27, 28 or 29
DECISION_SHARE = 0.35  # every decision is repeated in each yearly copy: kept modest for the landing's size
DECISION_BOUND_SHARE = 0.40  # of decisions: 55, 56 or 57 days after the first conversation
PER_HOLIDAY = 3  # trajectories moved onto each holiday's window, when candidates exist


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def easter(year: int) -> dt.date:
    """Easter Sunday (Anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    return dt.date(year, month, (h + l_ - 7 * m + 114) % 31 + 1)


def holidays(year: int) -> list[dt.date]:
    """Public holidays of the Algemene termijnenwet (process.md §2, §6.1); Good Friday is not one."""
    e = easter(year)
    koningsdag = dt.date(year, 4, 27) if dt.date(year, 4, 27).weekday() != 6 else dt.date(year, 4, 26)
    return [dt.date(year, 1, 1), e + dt.timedelta(days=1), e + dt.timedelta(days=39), e + dt.timedelta(days=50),
            koningsdag, dt.date(year, 5, 5), dt.date(year, 12, 25), dt.date(year, 12, 26)]


class Calendar:
    """Working days over a range of int days: the n-th working day after a day, by a
    cumulative count (one searchsorted for all trajectories)."""

    def __init__(self, first: int, last: int):
        days = np.arange(first, last + 1)
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday: Monday = 0
        free = {_day(h) for y in range(dt.date.fromordinal(first + EPOCH.toordinal()).year,
                                       dt.date.fromordinal(last + EPOCH.toordinal()).year + 1) for h in holidays(y)}
        work = (weekday < 5) & ~np.isin(days, np.fromiter(free, dtype=np.int64))
        self.first = first
        self.count = np.cumsum(work)  # working days up to and including each day

    def nth_after(self, d: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """The n-th working day after d, counting from the day after d."""
        target = self.count[d - self.first] + n
        return np.searchsorted(self.count, target, side="left") + self.first


def add_months_days(d: np.ndarray, months: int) -> np.ndarray:
    """int days + calendar months, clamped to the month's end (31-08 + 6 = 28/29-02)."""
    dates = pl.Series(d.astype(np.int32)).cast(pl.Date).dt.offset_by(f"{months}mo")
    return dates.cast(pl.Int32).to_numpy().astype(np.int64)


def place(t: dict[str, np.ndarray], rng: np.random.Generator, until: dt.date) -> None:
    """Add the process arrays to the trajectory arrays `t` (in place): crisis, gesprek,
    beschikking, beschikking_soort (0 Toelating, 1 Afwijzing), beheer_eind, begeleiding_start;
    and move aanmelding / intake / later dates where a bound case is placed."""
    n = t["aanmelding"].size
    non_ia = ~t["is_ia"]
    cal = Calendar(_day(dt.date(2013, 1, 1)), _day(until) + 800)
    crisis = non_ia & (rng.random(n) < CRISIS_SHARE)
    gesprek = np.where(non_ia, t["intake"], -1)
    placed = np.zeros(n, dtype=bool)

    # crisis requests near a holiday: aanmelding moved at most 10 days earlier, onto 1-3 days before it
    for year in range(2015, until.year + 1):
        for h in holidays(year):
            target = _day(h) - rng.integers(1, 4, PER_HOLIDAY)
            for k, a_new in enumerate(target):
                pool = np.flatnonzero(non_ia & (t["aanmelding"] >= a_new) & (t["aanmelding"] <= a_new + 10) & ~crisis)
                if pool.size == 0 or a_new > _day(until):
                    continue
                i = pool[rng.integers(0, pool.size)]
                t["aanmelding"][i] = a_new
                crisis[i] = placed[i] = True
                gesprek[i] = cal.nth_after(np.array([a_new]), 3 + k % 2)[0]  # on the bound, then one working day late
    other = crisis & ~placed
    shift = rng.integers(-1, 3, n)  # -1, 0, +1, +2 working days around the 3rd
    gesprek = np.where(other, cal.nth_after(np.maximum(t["aanmelding"], cal.first), np.maximum(3 + shift, 1)), gesprek)
    term = non_ia & ~crisis & (rng.random(n) < TERM_SHARE)
    gesprek = np.where(term, t["aanmelding"] + rng.integers(27, 30, n), gesprek)

    # the first conversation never after the trajectory's start: move the later dates along
    late = non_ia & (gesprek > t["intake"])
    delta = np.where(late, gesprek - t["intake"], 0)
    for k in ("intake", "fase_start", "einde"):
        t[k] = np.where(t[k] >= 0, t[k] + delta, t[k])
    t["nazorg_start"] = np.where(t["nazorg_start"] >= 0, t["nazorg_start"] + delta, -1)

    decided = non_ia & (rng.random(n) < DECISION_SHARE)
    on_bound = rng.random(n) < DECISION_BOUND_SHARE
    after = np.where(on_bound, rng.integers(55, 58, n), rng.integers(14, 91, n))
    t["crisis"] = crisis
    t["gesprek"] = gesprek
    t["beschikking"] = np.where(decided, gesprek + after, -1)
    t["beschikking_soort"] = np.where(decided, (rng.random(n) < 0.15).astype(np.int64), -1)
    _guidance(t, rng)


def _guidance(t: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Budgetbeheer (product BBH) from the phase start for 60-500 days (a fifth still
    running), then for most a budgetbegeleiding: within 3 months, on the bound +-1 day,
    or 4-8 months later."""
    n = t["aanmelding"].size
    beheer = t["product"] == 2  # PRODUCTEN index of BBH
    eind = np.where(beheer & (rng.random(n) < 0.8), t["fase_start"] + rng.integers(60, 501, n), -1)
    kind = rng.choice(4, size=n, p=(0.35, 0.25, 0.15, 0.25))  # within, on the bound, beyond, none
    bound = add_months_days(np.maximum(eind, 0), 3) + rng.integers(-1, 2, n)
    start = np.select(
        [kind == 0, kind == 1, kind == 2],
        [eind + rng.integers(1, 80, n), bound, add_months_days(np.maximum(eind, 0), 4) + rng.integers(0, 120, n)],
        -1,
    )
    t["beheer_eind"] = eind
    t["begeleiding_start"] = np.where((eind >= 0) & (kind < 3), start, -1)


# --- debts -----------------------------------------------------------------------------

SCHULDSOORTEN = ("Zorg", "Publiek", "Nuts", "Overig")
BEDRIJVEN = (  # (name, KvK number): creditors that deliver their KvK number
    ("Zilveren Kruis Zorgverzekeringen", "30208633"), ("Belastingdienst Toeslagen", "27364895"),
    ("Eneco Consumenten", "24476341"), ("Vattenfall Klantenservice", "33292246"),
    ("Staedion Woningcorporatie", "27180285"), ("Vodafone Libertel", "14052264"),
)
NAMEN = ("Incassobureau Noord", "Gemeente Belastingen Haaglanden", "Stichting Huurdersfonds", "Dunea Water")
PRIVE = ("J. de Vries", "M. Jansen", "A. El Amrani", "P. Bakker", "S. van Dijk")  # fictitious private creditors


def debts(t: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """0-4 debts per non-I&A trajectory: traject_id, positie, soort (0-3), bedrag, zakelijk
    (None/True/False), creditor kind (0 KvK, 1 name only, 2 private person) and index."""
    base = t.filter(~pl.col("is_ia")).select("traject_id")
    # few debts per trajectory keep the landing small (every yearly copy repeats them)
    counts = rng.choice(5, size=base.height, p=(0.70, 0.18, 0.08, 0.03, 0.01))
    ids = np.repeat(base["traject_id"].to_numpy(), counts)
    m = ids.size
    positie = np.concatenate([np.arange(c) for c in counts]) if m else np.zeros(0, dtype=np.int64)
    eiser = rng.choice(3, size=m, p=(0.6, 0.25, 0.15))
    pick = np.where(eiser == 0, rng.integers(0, len(BEDRIJVEN), m), np.where(eiser == 1, rng.integers(0, len(NAMEN), m),
                                                                            rng.integers(0, len(PRIVE), m)))
    zakelijk = rng.choice(3, size=m, p=(0.2, 0.15, 0.65))  # absent, true, false
    return pl.DataFrame({
        "traject_id": ids.astype(np.int64), "positie": positie.astype(np.int64),
        "soort": rng.choice(4, size=m, p=(0.3, 0.3, 0.25, 0.15)).astype(np.int64),
        "bedrag": np.round(np.exp(rng.normal(np.log(1500), 1.0, m))).astype(np.int64),
        "zakelijk": pl.Series([None, True, False]).gather(zakelijk),
        "eiser": eiser.astype(np.int64), "eiser_nr": pick.astype(np.int64),
        "u": rng.random(m),
    })


def last_day_of_month(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])
