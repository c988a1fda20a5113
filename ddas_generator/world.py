"""The simulated reality behind the deliveries: persons, couples, trajectories, aftercare.

Everything is drawn with numpy over whole arrays; dates are int days since 1970-01-01
until they become polars Date columns. Nothing here knows about files: `fragments`
turns this world into what each organisation could have delivered.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from assets.common.reference import gemeentecodes, gemeenten
from ddas_generator import proces

EPOCH = dt.date(1970, 1, 1)
WORLD_START = dt.date(2015, 1, 1)  # first aanmeldingen; deliveries start in FIRST_YEAR
FIRST_YEAR = 2016


def day(d: dt.date) -> int:
    return (d - EPOCH).days


@dataclass(frozen=True)
class Gemeente:
    code: str
    gewicht: float  # relative number of residents in debt assistance
    org: str  # key into fragments.ORGANISATIES: who delivers its DDAS records
    nazorg: bool  # its aftercare team delivers workbooks
    legacy_first: dt.date | None = None  # first legacy CSV export
    legacy_step_months: int = 0  # months between exports
    switch: dt.date | None = None  # last legacy export = conversion date to DDAS
    nazorg_vanaf: dt.date | None = None  # its aftercare team registers from this date (a late start)


# In the order in which they join as the number of persons grows (6 .. 12).
CANDIDATES = (
    Gemeente("GM0518", 5.0, "den_haag", True),
    Gemeente("GM0599", 6.0, "rotterdam", True),
    Gemeente("GM0344", 3.0, "utrecht", False),
    Gemeente("GM0637", 1.2, "zoetermeer", True, dt.date(2016, 7, 1), 6, dt.date(2021, 7, 1)),
    Gemeente("GM0503", 1.0, "delft_rijswijk", True, nazorg_vanaf=dt.date(2021, 1, 1)),  # workbooks start late
    Gemeente("GM0603", 0.5, "delft_rijswijk", False),
    Gemeente("GM0363", 8.0, "amsterdam", False),
    Gemeente("GM1916", 0.7, "leidschendam", True),
    Gemeente("GM1783", 1.0, "westland", True, dt.date(2017, 1, 1), 12, dt.date(2023, 1, 1)),
    Gemeente("GM1926", 0.5, "pijnacker", False),
    Gemeente("GM0629", 0.25, "wassenaar", False),
    Gemeente("GM1842", 0.2, "midden_delfland", False),
)

# Shares that drive the realism targets (checked by tests/test_generator.py).
COUPLE_PERSON_SHARE = 0.30  # persons whose first trajectory is with a partner: ~12% of trajectories
IA_SHARE = 0.15  # trajectories that stay Informatie en Advies
IA_BEFORE_AANMELDING = 0.05  # I&A given before the formal aanmelding (start < aanmelddatum)
IA_PHASE_SHARE = 0.35  # other trajectories that begin with an I&A phase
END_WITHOUT_REASON = 0.03
NAZORG_START_SHARE = 0.30
SAMENLOOP_SHARE = 0.08  # non-I&A trajectories that a credit bank also delivers
MOVE_SHARE = 0.05  # a later trajectory in another municipality
MAX_FOLLOW_UPS = 6
MIN_GAP_DAYS = 60  # next aanmelding at least this long after the previous end
# (probability of a later trajectory, mean extra gap in days) by how the previous one ended
FOLLOW_UP = {"ia": (0.30, 300.0), "afgerond": (0.24, 700.0), "other": (0.30, 500.0)}

REDENEN = ("Afgerond", "Nietverschenen", "Ingetrokken", "Niet passend", "Voldoet niet", "Zelf", "Verhuisd", "Overleden", "Overig")
P_REDEN = (0.50, 0.08, 0.10, 0.06, 0.07, 0.07, 0.05, 0.02, 0.05)
P_REDEN_IA = (0.45, 0.10, 0.10, 0.0, 0.0, 0.20, 0.0, 0.0, 0.15)
PRODUCTEN = ("MSR", "SK", "BBH", "BBG", "STAB")
P_PRODUCT = (0.35, 0.15, 0.20, 0.15, 0.15)
UITKOMSTEN = ("Geen nazorg nodig", "Lichte nazorg", "Intensieve nazorg")
CONTACTVORMEN = ("Telefonisch", "Huisbezoek", "Kantoor", "Digitaal")
UITVOERDERS = ("SchuldHulpMaatje", "Humanitas Thuisadministratie", "Stichting Sociaal Raadslieden")
AFGEROND = 0  # index of Afgerond in REDENEN


@dataclass
class World:
    until: dt.date
    gemeenten: tuple[Gemeente, ...]
    personen: pl.DataFrame  # persoon, bsn, geboortedatum, geslacht
    trajecten: pl.DataFrame  # one row per real trajectory (see _frame)
    nazorg: pl.DataFrame  # aftercare events: persoon, datum, soort, uitkomst, contactvorm, uitgevoerd_door, gemeentecode
    spare_bsns: list[str]  # valid BSNs of nobody, for bad records
    schulden: pl.DataFrame | None = None  # debts per trajectory (proces.debts)


def n_gemeenten(persons: int) -> int:
    """6 municipalities for a test-sized world, up to 12 from ~128k persons."""
    return int(min(12, 6 + max(0, int(np.log2(max(persons, 1) / 2000)))))


def choose_gemeenten(persons: int) -> tuple[Gemeente, ...]:
    known = gemeentecodes()
    return tuple(g for g in CANDIDATES if g.code in known)[: n_gemeenten(persons)]


def gemeentenamen() -> dict[str, str]:
    df = gemeenten()
    return dict(zip(df["gemeentecode"].str.to_uppercase().to_list(), df["gemeentenaam"].to_list()))


def valid_bsns(n: int, rng: np.random.Generator) -> np.ndarray:
    """n distinct valid BSNs as int64 (elfproef), about 13% with one leading zero, none with two.

    d9 = (9*d1 + ... + 2*d8) mod 11 makes the elfproef hold; heads whose remainder is 10
    have no check digit and are dropped.
    """
    weights = np.array([9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
    powers = 10 ** np.arange(7, -1, -1, dtype=np.int64)
    found = np.empty(0, dtype=np.int64)
    while found.size < n:
        want = int((n - found.size) * 1.15) + 64
        head = rng.integers(1_000_000, 70_000_000, size=want, dtype=np.int64)
        check = ((head[:, None] // powers) % 10 @ weights) % 11
        bsn = head[check != 10] * 10 + check[check != 10]
        merged = np.concatenate([found, bsn])
        _, first = np.unique(merged, return_index=True)
        found = merged[np.sort(first)]
    return found[:n]


def bsn_strings(values: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.Int64).cast(pl.Utf8).str.zfill(9)


def _draw(rng: np.random.Generator, a: np.ndarray) -> dict[str, np.ndarray]:
    """Phases, end and reason of trajectories with aanmelding dates `a` (int days).

    Missing dates are -1 (no phase). Every phase lies on or after the trajectory's start
    and the end is after every phase, so a record's period never leaves [start, end].
    """
    n = a.size
    is_ia = rng.random(n) < IA_SHARE
    ia_phase = is_ia | (rng.random(n) < IA_PHASE_SHARE)
    early = is_ia & (rng.random(n) < IA_BEFORE_AANMELDING)
    ia_start = np.where(early, a - rng.integers(1, 31, n), a + np.where(is_ia, 0, rng.integers(0, 15, n)))
    ia_start = np.where(ia_phase, ia_start, -1)
    intake = np.where(ia_phase, ia_start + rng.integers(14, 91, n), a + rng.integers(3, 76, n))
    reden = np.where(
        is_ia,
        rng.choice(len(REDENEN), size=n, p=P_REDEN_IA),
        rng.choice(len(REDENEN), size=n, p=P_REDEN),
    )
    median = np.where(reden == AFGEROND, 560.0, 260.0)
    duur = np.clip(np.round(median * rng.lognormal(0.0, 0.5, n)), 45, 2200).astype(np.int64)
    einde = np.where(is_ia, ia_start + rng.integers(14, 151, n), intake + duur)
    reden = np.where(rng.random(n) < END_WITHOUT_REASON, -1, reden)
    fase = np.minimum(intake + rng.integers(14, 91, n), einde - 1)
    nazorg_during = rng.random(n) < 0.5
    nazorg = np.where(
        nazorg_during,
        np.maximum(einde - rng.integers(0, 121, n), intake),
        einde + rng.integers(1, 201, n),
    )
    has_nazorg = ~is_ia & (rng.random(n) < NAZORG_START_SHARE)
    schuld = np.round(np.exp(rng.normal(np.log(14_000), 0.8, n)), 2)
    return {
        "aanmelding": a,
        "is_ia": is_ia,
        "ia_start": ia_start,
        "intake": np.where(is_ia, -1, intake),
        "fase_start": np.where(is_ia, -1, fase),
        "product": np.where(is_ia, -1, rng.choice(len(PRODUCTEN), size=n, p=P_PRODUCT)),
        "einde": einde,
        "reden": reden,
        "nazorg_start": np.where(has_nazorg, nazorg, -1),
        "schuld": schuld,
    }


def _trajectories(rng: np.random.Generator, persons: int, gems: tuple[Gemeente, ...], until: dt.date) -> dict[str, np.ndarray]:
    """First trajectory per household, then each person's own later trajectories.

    A couple's trajectory is both partners' first; afterwards each goes on alone, so a
    person's trajectories follow each other with a gap and never overlap or touch.
    """
    du = day(until)
    w = np.array([g.gewicht for g in gems])
    w = w / w.sum()
    n_couples = int(round(persons * COUPLE_PERSON_SHARE / 2))
    perm = rng.permutation(persons)
    p1 = np.concatenate([perm[0 : 2 * n_couples : 2], perm[2 * n_couples :]])
    p2 = np.concatenate([perm[1 : 2 * n_couples : 2], np.full(persons - 2 * n_couples, -1)])
    gem = rng.choice(len(gems), size=p1.size, p=w)
    a = rng.integers(day(WORLD_START), du + 1, size=p1.size)
    parts = [dict(_draw(rng, a), p1=p1, p2=p2, gem=gem)]

    first = parts[0]
    has2 = p2 >= 0
    who = np.concatenate([p1, p2[has2]])
    prev = {k: np.concatenate([first[k], first[k][has2]]) for k in ("einde", "reden", "is_ia", "gem")}
    for _ in range(MAX_FOLLOW_UPS):
        kind = np.where(prev["is_ia"], 0, np.where(prev["reden"] == AFGEROND, 1, 2))
        p_next = np.array([FOLLOW_UP["ia"][0], FOLLOW_UP["afgerond"][0], FOLLOW_UP["other"][0]])[kind]
        mean_gap = np.array([FOLLOW_UP["ia"][1], FOLLOW_UP["afgerond"][1], FOLLOW_UP["other"][1]])[kind]
        a_next = prev["einde"] + MIN_GAP_DAYS + np.round(rng.exponential(mean_gap)).astype(np.int64)
        go = (prev["einde"] <= du) & (rng.random(who.size) < p_next) & (a_next <= du)
        if not go.any():
            break
        moved = rng.random(who.size) < MOVE_SHARE
        g_next = np.where(moved, rng.choice(len(gems), size=who.size, p=w), prev["gem"])
        who, a_next, g_next = who[go], a_next[go], g_next[go]
        step = _draw(rng, a_next)
        parts.append(dict(step, p1=who, p2=np.full(who.size, -1), gem=g_next))
        prev = {"einde": step["einde"], "reden": step["reden"], "is_ia": step["is_ia"], "gem": g_next}
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _samenloop(rng: np.random.Generator, t: dict[str, np.ndarray], gems: tuple[Gemeente, ...]) -> dict[str, np.ndarray]:
    """A credit bank's part of some DDAS-delivered trajectories: strictly inside [intake, end)."""
    n = t["aanmelding"].size
    switch = np.array([day(g.switch) if g.switch else -(10**7) for g in gems])[t["gem"]]
    legacy = np.array([g.switch is not None for g in gems])[t["gem"]]
    via_ddas = ~legacy | (t["aanmelding"] > switch)
    bs = t["intake"] + rng.integers(20, 201, n)
    be = np.minimum(bs + rng.integers(60, 541, n), t["einde"] - 1)
    ok = ~t["is_ia"] & via_ddas & (rng.random(n) < SAMENLOOP_SHARE) & (be > bs)
    bank_reden = np.where((t["reden"] == AFGEROND) | (rng.random(n) < 0.3), AFGEROND, len(REDENEN) - 1)
    return {
        "bank_start": np.where(ok, bs, -1),
        "bank_einde": np.where(ok, be, -1),
        "bank_reden": np.where(ok, bank_reden, -1),
    }


def _date(values: np.ndarray) -> pl.Expr:
    """int days with -1 for none -> Date with nulls."""
    s = pl.Series(values.astype(np.int32))
    return pl.when(pl.lit(s) >= 0).then(pl.lit(s)).otherwise(None).cast(pl.Date)


def _pick(values: tuple[str, ...], idx: np.ndarray) -> pl.Expr:
    s = pl.Series(idx.astype(np.int32))
    return pl.lit(s).replace_strict(dict(enumerate(values)), default=None, return_dtype=pl.Utf8)


def _frame(t: dict[str, np.ndarray], gems: tuple[Gemeente, ...], rng: np.random.Generator) -> pl.DataFrame:
    codes = tuple(g.code for g in gems)
    n = t["aanmelding"].size
    df = pl.select(
        traject_id=pl.lit(pl.Series(np.arange(1, n + 1, dtype=np.int64))),
        gemeentecode=_pick(codes, t["gem"]),
        p1=pl.lit(pl.Series(t["p1"].astype(np.int64))),
        p2=pl.when(pl.lit(pl.Series(t["p2"])) >= 0).then(pl.lit(pl.Series(t["p2"].astype(np.int64)))).otherwise(None),
        aanmelding=_date(t["aanmelding"]),
        ia_start=_date(t["ia_start"]),
        intake=_date(t["intake"]),
        fase_start=_date(t["fase_start"]),
        product=_pick(PRODUCTEN, t["product"]),
        is_ia=pl.lit(pl.Series(t["is_ia"])),
        einde=_date(t["einde"]),
        reden=_pick(REDENEN, t["reden"]),
        nazorg_start=_date(t["nazorg_start"]),
        schuld=pl.lit(pl.Series(t["schuld"])),
        bank_start=_date(t["bank_start"]),
        bank_einde=_date(t["bank_einde"]),
        bank_reden=_pick(REDENEN, t["bank_reden"]),
        volgorde=pl.lit(pl.Series(rng.integers(0, 2**62, n, dtype=np.int64))),
        crisis=pl.lit(pl.Series(t["crisis"])),
        gesprek=_date(t["gesprek"]),
        beschikking=_date(t["beschikking"]),
        beschikking_soort=_pick(("Toelatingsbeschikking", "Afwijzingsbeschikking"), t["beschikking_soort"]),
        beheer_eind=_date(t["beheer_eind"]),
        begeleiding_start=_date(t["begeleiding_start"]),
    )
    # the start of a trajectory is its earliest date: I&A may precede the aanmelding
    return df.with_columns(start=pl.min_horizontal("aanmelding", "ia_start"))


def _personen(rng: np.random.Generator, persons: int) -> tuple[pl.DataFrame, list[str]]:
    bsns = valid_bsns(persons + 2000, rng)
    born = rng.integers(day(dt.date(1940, 1, 1)), day(dt.date(2004, 12, 31)), persons)
    df = pl.select(
        persoon=pl.lit(pl.Series(np.arange(persons, dtype=np.int64))),
        bsn=pl.lit(bsn_strings(bsns[:persons])),
        geboortedatum=pl.lit(pl.Series(born.astype(np.int32))).cast(pl.Date),  # before 1970: negative days
        geslacht=_pick(("Man", "Vrouw", "Onbekend"), rng.choice(3, size=persons, p=(0.49, 0.49, 0.02))),
    )
    return df, bsn_strings(bsns[persons:]).to_list()


def _nazorg(rng: np.random.Generator, tr: pl.DataFrame, gems: tuple[Gemeente, ...], until: dt.date) -> pl.DataFrame:
    """Aftercare tests during trajectories and contacts in the year after their end.

    Only municipalities with an aftercare team register events, only for non-I&A
    trajectories under their own code, from FIRST_YEAR or their team's late start
    (`nazorg_vanaf`); dates never pass `until`.
    """
    namen = gemeentenamen()
    teams = [g.code for g in gems if g.nazorg]
    base = tr.filter(pl.col("gemeentecode").is_in(teams) & ~pl.col("is_ia"))
    n = base.height
    # who: mostly the main applicant, sometimes the partner
    person = pl.when(pl.lit(pl.Series(rng.random(n) < 0.2)) & pl.col("p2").is_not_null()).then(pl.col("p2")).otherwise(pl.col("p1"))
    p_toets = pl.when(pl.col("gemeentecode") == "GM0518").then(0.55).otherwise(0.30)
    last = pl.min_horizontal("einde", pl.lit(until))
    toets = base.with_columns(
        persoon=person,
        u=pl.lit(pl.Series(rng.random(n))),
        v=pl.lit(pl.Series(rng.random(n))),
    ).filter(pl.col("u") < p_toets).select(
        "traject_id",
        "persoon",
        "gemeentecode",
        datum=pl.col("aanmelding") + pl.duration(days=(pl.col("v") * (last - pl.col("aanmelding")).dt.total_days()).floor().cast(pl.Int64)),
        soort=pl.lit("nazorgtoets"),
        k=pl.lit(0),
    )

    ended = base.filter(pl.col("einde") <= until)
    m = ended.height
    p_contact = pl.when(pl.col("reden") == "Afgerond").then(0.55).otherwise(0.15)
    ended = ended.with_columns(
        persoon=pl.when(pl.lit(pl.Series(rng.random(m) < 0.2)) & pl.col("p2").is_not_null()).then(pl.col("p2")).otherwise(pl.col("p1")),
        u=pl.lit(pl.Series(rng.random(m))),
        warm=pl.lit(pl.Series(rng.random(m) < 0.45)),
        losse=pl.lit(pl.Series(rng.integers(1, 3, m))),
    ).filter(pl.col("u") < p_contact)
    # warm contact: one contact in each quarter (e + 3(k-1) months, e + 3k months]
    warm = ended.filter("warm").with_columns(k=pl.int_ranges(1, 5)).explode("k", empty_as_null=True)
    lo = pl.col("einde").dt.offset_by(pl.format("{}mo", 3 * (pl.col("k") - 1)))
    hi = pl.col("einde").dt.offset_by(pl.format("{}mo", 3 * pl.col("k")))
    warm = warm.with_columns(w=pl.lit(pl.Series(rng.random(warm.height)))).select(
        "traject_id", "persoon", "gemeentecode",
        datum=lo + pl.duration(days=1 + (pl.col("w") * ((hi - lo).dt.total_days() - 1)).floor().cast(pl.Int64)),
        soort=pl.lit("contact"),
        k=pl.col("k").cast(pl.Int32),
    )
    loose = ended.filter(~pl.col("warm")).with_columns(k=pl.int_ranges(1, pl.col("losse") + 1)).explode("k", empty_as_null=True)
    year_after = pl.col("einde").dt.offset_by("12mo")
    loose = loose.with_columns(w=pl.lit(pl.Series(rng.random(loose.height)))).select(
        "traject_id", "persoon", "gemeentecode",
        datum=pl.col("einde") + pl.duration(days=1 + (pl.col("w") * ((year_after - pl.col("einde")).dt.total_days() - 1)).floor().cast(pl.Int64)),
        soort=pl.lit("contact"),
        k=pl.col("k").cast(pl.Int32) + 10,
    )
    vanaf = {g.code: g.nazorg_vanaf or dt.date(FIRST_YEAR, 1, 1) for g in gems if g.nazorg}
    first_day = pl.col("gemeentecode").replace_strict(vanaf, return_dtype=pl.Date)
    registered = (pl.col("datum") >= first_day) & (pl.col("datum") <= until)
    ev = pl.concat([toets.with_columns(pl.col("k").cast(pl.Int32)), warm, loose]).filter(registered)
    ev = ev.sort("traject_id", "k").unique(["persoon", "datum", "soort"], keep="first", maintain_order=True)
    e = ev.height
    is_toets = pl.col("soort") == "nazorgtoets"
    door_idx = rng.choice(len(UITVOERDERS) + 1, size=e, p=(0.15, 0.08, 0.07, 0.70))
    gemeente_door = pl.format("Gemeente {}", pl.col("gemeentecode").replace_strict(namen, default="onbekend"))
    ev = ev.with_columns(
        uitkomst=pl.when(is_toets).then(_pick(UITKOMSTEN, rng.choice(3, size=e, p=(0.35, 0.45, 0.20)))),
        contactvorm=pl.when(~is_toets).then(_pick(CONTACTVORMEN + ("",), rng.choice(5, size=e, p=(0.45, 0.2, 0.15, 0.1, 0.1)))),
        uitgevoerd_door=pl.when(pl.lit(pl.Series(door_idx)) == len(UITVOERDERS)).then(gemeente_door).otherwise(_pick(UITVOERDERS, door_idx)),
    ).with_columns(contactvorm=pl.when(pl.col("contactvorm") != "").then(pl.col("contactvorm")))
    return ev.select("persoon", "datum", "soort", "uitkomst", "contactvorm", "uitgevoerd_door", "gemeentecode", "traject_id")


def proces_personen(personen: pl.DataFrame, trajecten: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Birth dates on the age-class bounds (process.md §1, §6.2): for some persons, the 27th,
    45th or 65th birthday falls on their first trajectory's aanmelding, or the day after it;
    some are born on 29 February with that birthday in a year without one (then 1 March)."""
    first = (
        pl.concat([trajecten.select("p1", "aanmelding").rename({"p1": "persoon"}),
                   trajecten.select("p2", "aanmelding").rename({"p2": "persoon"}).drop_nulls()])
        .group_by("persoon").agg(pl.col("aanmelding").min()).sort("persoon")
    )
    n = first.height
    u = rng.random(n)
    years = pl.Series(rng.choice(np.array([27, 45, 65]), size=n))
    later = pl.Series(rng.integers(0, 2, n))  # 0: birthday on the aanmelding, 1: the day after (still one younger)
    a = pl.col("aanmelding")
    on_bound = a.dt.offset_by(pl.format("-{}y", pl.lit(years)))
    # born 29 February: every person whose first aanmelding is 28 February or 1 March of a year
    # without 29 February, where one of the bounds falls in a leap year of birth
    md = a.dt.month() * 100 + a.dt.day()
    feb29_years = pl.when(a.dt.year() % 4 == 3).then(27).when(a.dt.year() % 4 == 1).then(pl.when(pl.lit(pl.Series(u)) < 0.5).then(45).otherwise(65))
    born = first.with_columns(
        bound=pl.lit(pl.Series(u < 0.06)),
        feb29=md.is_in([228, 301]) & ~a.dt.is_leap_year() & feb29_years.is_not_null(),
    ).select(
        "persoon",
        geb=pl.when("feb29").then(pl.date(a.dt.year() - feb29_years, 2, 29))
        .when("bound").then(on_bound + pl.duration(days=pl.lit(later))),
    )
    return personen.join(born, on="persoon", how="left").with_columns(
        geboortedatum=pl.coalesce("geb", "geboortedatum")
    ).drop("geb")


def simulate(persons: int, seed: int, until: dt.date) -> World:
    """The world for `persons` persons, deterministic per seed."""
    ss = np.random.SeedSequence([seed, 0x0DDA5])
    r_people, r_traj, r_bank, r_frame, r_nazorg, r_proces = (np.random.default_rng(s) for s in ss.spawn(6))
    gems = choose_gemeenten(persons)
    personen, spare = _personen(r_people, persons)
    t = _trajectories(r_traj, persons, gems, until)
    proces.place(t, r_proces, until)  # process.md: its own stream, so the other draws stay as they were
    t.update(_samenloop(r_bank, t, gems))
    trajecten = _frame(t, gems, r_frame)
    personen = proces_personen(personen, trajecten, r_proces)
    nazorg = _nazorg(r_nazorg, trajecten, gems, until)
    return World(until=until, gemeenten=gems, personen=personen, trajecten=trajecten, nazorg=nazorg, spare_bsns=spare,
                 schulden=proces.debts(trajecten, r_proces))
