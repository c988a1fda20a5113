"""The polars indicators against a plain-Python reference written straight from the text
of spec/indicators.md and process.md §4 (geen_gegevens, historie_onvolledig, secondary
suppression), on random small worlds (hypothesis). The reference imports nothing of the
pipeline: it is the contract read a second time, by hand."""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.indicators import compute_indicators, indicator_counts
from tests.process_builders import with_process_fields

AFGEROND = "Afgerond"


@dataclass(frozen=True)
class T:
    id: str
    g: str | None
    aanmeld: dt.date
    start: dt.date
    eind: dt.date | None
    reden: str | None
    ia: bool
    nazorg: dt.date | None
    clients: frozenset


# --- the reference: one loop per sentence of the contract -------------------------------------

def plus_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def minus_5_years(d: dt.date) -> dt.date:
    if (d.month, d.day) == (2, 29):
        return dt.date(d.year - 5, 2, 28)
    return dt.date(d.year - 5, d.month, d.day)


def regions(t: T) -> list[str]:
    return ["NL"] if t.g is None else [t.g, "NL"]


EVENT_BASED = ("nazorgtoets_voor_einde", "nazorgcontact_6m", "warm_contact_12m")


def is_covered(dekking: dict | None, g: str | None, y: int) -> bool:
    """process.md §4: (g, y) lies in g's aftercare coverage. dekking: {g: (first, last)}
    of the gemeenten with coverage; None = coverage not applied (every pair counts)."""
    if dekking is None:
        return True
    return g is not None and g in dekking and dekking[g][0] <= y <= dekking[g][1]


def reference_counts(trajs: list[T], events: list[tuple], dekking: dict | None = None) -> dict:
    """{(indicator, regio, jaar): (teller, noemer)}; (None, None) for a geen_gegevens row."""
    ts = [t for t in trajs if not t.ia]  # every indicator: trajectories that are not I&A only
    out: dict = {}

    aanmelders, terugvallers = defaultdict(set), defaultdict(set)
    for t in ts:
        for p in t.clients:
            relapsed = any(
                s.id != t.id and p in s.clients and s.reden == AFGEROND and s.eind is not None
                and minus_5_years(t.aanmeld) <= s.eind < t.aanmeld
                for s in ts
            )
            for r in regions(t):
                aanmelders[(r, t.aanmeld.year)].add(p)
                if relapsed:
                    terugvallers[(r, t.aanmeld.year)].add(p)
    for (r, x), ps in aanmelders.items():
        out[("terugval_5j", r, x)] = (len(terugvallers[(r, x)]), len(ps))

    tally = defaultdict(lambda: [0, 0])
    for t in ts:
        if t.reden != AFGEROND or t.eind is None:
            continue
        e = t.eind
        mine = [(datum, soort) for (p, datum, soort) in events if p in t.clients]
        contacts = [datum for datum, soort in mine if soort == "contact"]
        flags = {
            "nazorg_gestart": t.nazorg is not None and t.nazorg <= plus_months(e, 12),
            "nazorg_tijdig": t.nazorg is not None and t.nazorg <= e,
            "nazorgtoets_voor_einde": any(s == "nazorgtoets" and t.start <= d <= e for d, s in mine),
            "nazorgcontact_6m": any(e < d <= plus_months(e, 6) for d in contacts),
            "warm_contact_12m": all(
                any(plus_months(e, 3 * (k - 1)) < d <= plus_months(e, 3 * k) for d in contacts) for k in range(1, 5)
            ),
            "terugval_12m": any(
                s.id != t.id and s.clients & t.clients and e < s.aanmeld <= plus_months(e, 12) for s in ts
            ),
        }
        covered = is_covered(dekking, t.g, e.year)
        for r in regions(t):
            for name, hit in flags.items():
                cell = tally[(name, r, e.year)]  # the row exists: the cohort has a trajectory
                if name in EVENT_BASED and not covered:
                    continue  # counted nowhere: not in its gemeente's row, not in NL
                cell[0] += hit
                cell[1] += 1
    for k, (teller, noemer) in tally.items():
        out[k] = (None, None) if k[0] in EVENT_BASED and noemer == 0 else (teller, noemer)
    return out


def reference_table(trajs: list[T], events: list[tuple], peil: dt.date, dekking: dict | None = None,
                    historie: dt.date | None = None) -> list[tuple]:
    """Rows (indicator, regio, jaar, teller, noemer, waarde, onderdrukt, voorlopig,
    onderdrukking, geen_gegevens, historie_onvolledig), sorted like the table."""
    counts = reference_counts(trajs, events, dekking)
    # H: the setting, else the earliest aanmelddatum in the model (I&A only included)
    h = historie or min((t.aanmeld for t in trajs), default=None)
    state = {}  # (indicator, regio, jaar) -> "primair" / "secundair" / None
    for key, (teller, noemer) in counts.items():
        state[key] = "primair" if noemer is not None and noemer < 10 else None
    # secondary suppression, one (indicator, jaar) at a time, exactly as process.md §4 says
    for ind, jaar in {(k[0], k[2]) for k in counts}:
        nl = counts.get((ind, "NL", jaar))
        if nl is None or nl[1] is None or state[(ind, "NL", jaar)] is not None:
            continue  # no published NL row: nothing to subtract from
        while True:
            published = [(counts[k][1], k[1]) for k in counts
                         if k[0] == ind and k[2] == jaar and k[1] != "NL" and counts[k][1] is not None and state[k] is None]
            d = nl[1] - sum(n for n, _ in published)
            if not 1 <= d <= 9 or not published:
                break
            _, victim = min(published)  # smallest noemer, ties: smallest regio_code
            state[(ind, victim, jaar)] = "secundair"
    rows = []
    for (ind, r, y), (teller, noemer) in counts.items():
        geen = noemer is None
        shown = not geen and state[(ind, r, y)] is None
        waarde = float((Decimal(100 * teller) / Decimal(noemer)).quantize(Decimal("0.1"), ROUND_HALF_UP)) if shown else None
        if ind in ("terugval_5j", "nazorg_tijdig", "nazorgtoets_voor_einde"):
            voorlopig = y >= peil.year
        elif ind == "nazorgcontact_6m":
            voorlopig = plus_months(dt.date(y, 12, 31), 6) > peil
        else:
            voorlopig = plus_months(dt.date(y, 12, 31), 12) > peil
        onvolledig = ind == "terugval_5j" and h is not None and dt.date(y - 5, 1, 1) < h
        rows.append((ind, r, y, teller if shown else None, noemer if shown else None, waarde,
                     state[(ind, r, y)] is not None, voorlopig, state[(ind, r, y)], geen, onvolledig))
    return sorted(rows, key=lambda row: row[:3])


# --- random worlds ------------------------------------------------------------------------------

SPECIAL = [dt.date(2020, 2, 29), dt.date(2015, 2, 28), dt.date(2019, 2, 28), dt.date(2021, 8, 31),
           dt.date(2022, 2, 28), dt.date(2019, 12, 31), dt.date(2020, 5, 31), dt.date(2024, 2, 29)]
# Half the dates in two busy years, so that some rows reach noemer >= 10 and are shown.
dates = st.one_of(st.dates(dt.date(2019, 1, 1), dt.date(2020, 12, 31)),
                  st.dates(dt.date(2014, 1, 1), dt.date(2025, 12, 31)), st.sampled_from(SPECIAL))
persons = st.sampled_from([f"p{i}" for i in range(24)])


@st.composite
def trajectory(draw, i: int) -> T:
    aanmeld = draw(dates)
    start = aanmeld - dt.timedelta(days=draw(st.sampled_from([0, 0, 0, 20])))
    eind = draw(st.one_of(st.none(), st.integers(-10, 1500).map(lambda n: aanmeld + dt.timedelta(days=n)),
                          st.sampled_from(SPECIAL)))
    reden = draw(st.sampled_from([AFGEROND, AFGEROND, AFGEROND, "Overig", None])) if eind else None
    nazorg = draw(st.one_of(st.none(), st.integers(-400, 800).map(lambda n: (eind or aanmeld) + dt.timedelta(days=n))))
    clients = draw(st.sets(persons, min_size=1, max_size=2))
    return T(f"t{i:03d}", draw(st.sampled_from(["GM0518", "GM0363", None])), aanmeld, start, eind, reden,
             draw(st.integers(0, 5)) == 0, nazorg, frozenset(clients))


@st.composite
def world(draw):
    n = draw(st.integers(0, 60))
    trajs = [draw(trajectory(i)) for i in range(n)]
    events = draw(st.lists(st.tuples(persons, dates, st.sampled_from(["contact", "contact", "nazorgtoets"])), max_size=60))
    # events around an end, so that the windows (and the quarters) are exercised
    for t in trajs:
        if t.eind and draw(st.booleans()):
            for p in t.clients:
                for step, soort in draw(st.lists(st.tuples(st.integers(-200, 400), st.sampled_from(["contact", "nazorgtoets"])), max_size=6)):
                    events.append((p, t.eind + dt.timedelta(days=step), soort))
        if t.eind and draw(st.booleans()):  # events exactly on (or a day past) a window bound
            bounds = [t.start, t.eind] + [plus_months(t.eind, m) for m in (3, 6, 9, 12)]
            for bound, shift, soort in draw(st.lists(st.tuples(st.sampled_from(bounds), st.sampled_from([-1, 0, 0, 1]),
                                                               st.sampled_from(["contact", "nazorgtoets"])), max_size=6)):
                events.append((min(t.clients), bound + dt.timedelta(days=shift), soort))
    return trajs, events, draw(st.one_of(dates, st.sampled_from([dt.date(2025, 6, 30), dt.date(2024, 12, 31)])))


def to_frames(trajs: list[T], events: list[tuple]):
    tf = pl.LazyFrame(
        [{"traject_id": t.id, "gemeentecode": t.g, "aanmelddatum": t.aanmeld, "startdatum": t.start,
          "einddatum": t.eind, "uitstroomreden": t.reden, "is_informatie_advies": t.ia, "nazorg_startdatum": t.nazorg}
         for t in trajs],
        schema={"traject_id": pl.Utf8, "gemeentecode": pl.Utf8, "aanmelddatum": pl.Date, "startdatum": pl.Date,
                "einddatum": pl.Date, "uitstroomreden": pl.Utf8, "is_informatie_advies": pl.Boolean,
                "nazorg_startdatum": pl.Date},
    )
    cf = pl.LazyFrame([(t.id, p) for t in trajs for p in sorted(t.clients)],
                      schema={"traject_id": pl.Utf8, "persoon_id": pl.Utf8}, orient="row")
    ef = pl.LazyFrame(events, schema={"persoon_id": pl.Utf8, "datum": pl.Date, "soort": pl.Utf8}, orient="row")
    return with_process_fields(tf, cf), cf, ef


years = st.integers(2013, 2027)
coverage = st.one_of(st.none(), st.tuples(years, years).map(sorted).map(tuple))  # None: no workbooks


@st.composite
def world_with_rules(draw):
    """A world plus what process.md §4 needs: each gemeente's coverage (or none) and,
    sometimes, a configured history start H (1 January or mid-year)."""
    trajs, events, peil = draw(world())
    spans = {g: draw(coverage) for g in ("GM0518", "GM0363")}
    dekking = {g: span for g, span in spans.items() if span is not None}
    historie = draw(st.one_of(st.none(), dates, st.integers(2012, 2022).map(lambda y: dt.date(y, 1, 1))))
    return trajs, events, peil, dekking, historie


def dekking_frame(dekking: dict) -> pl.LazyFrame:
    """The coverage as `kwaliteit/nazorg_dekking` holds it (the columns the indicators read)."""
    return pl.LazyFrame([(g, a, b) for g, (a, b) in sorted(dekking.items())], orient="row",
                        schema={"gemeentecode": pl.Utf8, "dekking_vanaf": pl.Int32, "dekking_tot": pl.Int32})


FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ROW = ["indicator", "regio_code", "jaar", "teller", "noemer", "waarde", "onderdrukt", "voorlopig",
       "onderdrukking", "geen_gegevens", "historie_onvolledig"]


@FAST
@given(world())
def test_counts_match_reference(w):
    trajs, events, _ = w
    got = indicator_counts(*to_frames(trajs, events)).collect()
    got_map = {(i, r, y): (t, n) for i, r, y, t, n in got.select("indicator", "regio_code", "jaar", "teller", "noemer").iter_rows()}
    assert len(got_map) == got.height
    assert got_map == reference_counts(trajs, events)


@FAST
@given(world())
def test_table_matches_reference(w):
    trajs, events, peil = w
    got = compute_indicators(*to_frames(trajs, events), peil).collect()
    assert got.select(ROW).rows() == reference_table(trajs, events, peil)


@FAST
@given(world_with_rules())
def test_counts_with_coverage_match_reference(w):
    trajs, events, _, dekking, _ = w
    got = indicator_counts(*to_frames(trajs, events), dekking=dekking_frame(dekking)).collect()
    assert {(i, r, y): (t, n) for i, r, y, t, n in got.iter_rows()} == reference_counts(trajs, events, dekking)


@FAST
@given(world_with_rules())
def test_table_with_the_three_rules_matches_reference(w):
    trajs, events, peil, dekking, historie = w
    got = compute_indicators(*to_frames(trajs, events), peil, dekking=dekking_frame(dekking), historie_vanaf=historie)
    assert got.collect().select(ROW).rows() == reference_table(trajs, events, peil, dekking, historie)


def test_reference_is_not_vacuous():
    """A fixed world where every indicator has a hit, so the comparison above can fail."""
    d = dt.date
    a = T("a", "GM0518", d(2016, 1, 1), d(2016, 1, 1), d(2019, 8, 31), AFGEROND, False, d(2019, 8, 1), frozenset({"p"}))
    b = T("b", "GM0518", d(2020, 3, 1), d(2020, 3, 1), None, None, False, None, frozenset({"p"}))
    events = [("p", d(2019, 6, 1), "nazorgtoets")] + [("p", x, "contact") for x in
                                                       (d(2019, 11, 30), d(2020, 2, 29), d(2020, 5, 31), d(2020, 8, 31))]
    ref = reference_counts([a, b], events)
    assert all(ref[(i, "GM0518", 2019)] == (1, 1) for i in
               ["nazorg_gestart", "nazorg_tijdig", "nazorgtoets_voor_einde", "nazorgcontact_6m", "warm_contact_12m", "terugval_12m"])
    assert ref[("terugval_5j", "GM0518", 2020)] == (1, 1)
    got = indicator_counts(*to_frames([a, b], events)).collect()
    assert got.filter(pl.col("teller") == 1).height == 14
