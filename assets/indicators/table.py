"""The long indicator table: inputs restricted, counts per region, disclosure control
(primary and secondary), rounding, the flags of process.md §4, deterministic order
(spec/indicators.md)."""
from __future__ import annotations

import datetime as dt

import polars as pl

from assets.common.dates import add_months
from assets.indicators.cohort import cohort_counts, no_begeleiding
from assets.indicators.disclosure import STATE, primary, suppress_secondary
from assets.indicators.relapse import terugval_5j
from schemas.indicator_registry import INDICATORS
from schemas.indicators import DEFINITIE_VERSIE, HISTORIE_INDICATORS

# Which window decides "voorlopig" (provisional): registry venster_maanden -> its codes
# (None: the year itself; N: 31-12-jaar + N months).
VENSTERS: dict[int | None, list[str]] = {}
for _i in INDICATORS:
    VENSTERS.setdefault(_i.venster_maanden, []).append(_i.code)

DATE_COLUMNS = ["aanmelddatum", "startdatum", "einddatum", "nazorg_startdatum"]
# process.md §1: what the Wgs indicators and the tables of §3 read besides the above
PROCESS_DATES = ["eerste_gesprek_datum", "beschikkingsdatum"]
PROCESS_COLUMNS = {"crisis": pl.Boolean, "aantal_clienten": pl.Int64, "schuldbedrag_eur": pl.Int64}


def eligible_trajectories(trajecten: pl.LazyFrame) -> pl.LazyFrame:
    """Trajectories that are not I&A only, with `Onbekend`/blank gemeente as null.

    A trajectory without aanmelddatum cannot be placed in a year and cannot be in a
    window; the model never produces one, and here it is dropped rather than guessed.
    """
    return trajecten.filter(
        ~pl.col("is_informatie_advies").fill_null(False) & pl.col("aanmelddatum").is_not_null()
    ).select(
        pl.col("traject_id").cast(pl.Utf8),
        _gemeente(trajecten).alias("gemeentecode"),
        *[pl.col(c).cast(pl.Date) for c in DATE_COLUMNS],
        pl.col("uitstroomreden").cast(pl.Utf8),
        *[pl.col(c).cast(pl.Date) for c in PROCESS_DATES],
        *[pl.col(c).cast(t) for c, t in PROCESS_COLUMNS.items()],
    )


def _gemeente(trajecten: pl.LazyFrame) -> pl.Expr:
    """gemeentecode stripped and upper case; `Onbekend` or blank as null. Normalised once
    per distinct code (a handful) and mapped back: the string functions on every row cost
    more than the whole rest of the selection."""
    g = pl.col("gemeentecode").cast(pl.Utf8)
    s = g.str.strip_chars()
    codes = (
        trajecten.select(g.unique()).filter(g.is_not_null())
        .select(g, norm=pl.when((s.str.len_chars() > 0) & (s.str.to_lowercase() != "onbekend")).then(s.str.to_uppercase()))
        .collect()
    )
    return g.replace_strict(codes["gemeentecode"], codes["norm"], default=None, return_dtype=pl.Utf8)


def client_trajectories(eligible: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (eligible trajectory, distinct client) with the trajectory's fields."""
    pairs = clienten.select(pl.col("traject_id").cast(pl.Utf8), pl.col("persoon_id").cast(pl.Utf8))
    # In the clients' order: rows in random order (plain unique) make the join and every
    # later pass over the strings slower (docs/performance.md, notes for contributors).
    return eligible.join(pairs.filter(pl.col("persoon_id").is_not_null()).unique(maintain_order=True),
                         on="traject_id", how="inner", maintain_order="right")


def percentage(teller: pl.Expr, noemer: pl.Expr) -> pl.Expr:
    """100*teller/noemer to one decimal, half away from zero, in integer arithmetic.

    tenths = round(1000*t/n) half up = (2000*t + n) // (2n) for t >= 0, n > 0. The float
    is then parsed from the decimal text "tenths/10": polars divides a column by a scalar
    via its reciprocal (818 / 10 -> 81.80000000000001), parsing gives the nearest float.
    """
    tenths = (2000 * teller + noemer) // (2 * noemer)
    text = (tenths // 10).cast(pl.Utf8) + "." + (tenths % 10).cast(pl.Utf8)
    return text.cast(pl.Float64)


def voorlopig(indicator: pl.Expr, jaar: pl.Expr, peildatum: dt.date) -> pl.Expr:
    """True while the indicator's window for `jaar` is not fully observed at the peildatum."""
    p = pl.lit(peildatum, dtype=pl.Date)
    year_end = pl.date(jaar, 12, 31)
    rules = [
        (indicator.is_in(ind), jaar >= peildatum.year if n is None else add_months(year_end, n) > p)
        for n, ind in VENSTERS.items()
    ]
    expr = pl.when(rules[0][0]).then(rules[0][1])
    for cond, rule in rules[1:]:
        expr = expr.when(cond).then(rule)
    return expr  # null for a code outside the registry; the pandera model refuses it


def historie_start(trajecten: pl.LazyFrame, historie_vanaf: dt.date | None) -> pl.Expr:
    """H of process.md §4: the setting when given, else the earliest aanmelddatum of the
    model (every trajectory, also I&A only: they too show how far the deliveries reach)."""
    if historie_vanaf is not None:
        return pl.lit(historie_vanaf, dtype=pl.Date)
    return pl.lit(trajecten.select(pl.col("aanmelddatum").cast(pl.Date).min()).collect().item(), dtype=pl.Date)


def historie_onvolledig(indicator: pl.Expr, jaar: pl.Expr, h: pl.Expr) -> pl.Expr:
    """terugval_5j (registry `historie`) looks back five years: incomplete when 1 January
    of x - 5 is before H."""
    return indicator.is_in(HISTORIE_INDICATORS) & (pl.date(jaar - 5, 1, 1) < h).fill_null(False)


def finalise(
    counts: pl.LazyFrame, peildatum: dt.date, historie: pl.Expr | dt.date | None = None
) -> pl.LazyFrame:
    """Raw counts -> the published table: primary and secondary suppression, waarde, the
    flags voorlopig / geen_gegevens / historie_onvolledig, extras, order.

    `counts`: indicator, regio_code, jaar, teller, noemer and optionally geen_gegevens (a
    row without data: empty teller and noemer). `historie`: H (None: no history start
    known, so no row is flagged).
    """
    if "geen_gegevens" not in counts.collect_schema().names():
        counts = counts.with_columns(geen_gegevens=pl.lit(False))
    h = historie if isinstance(historie, pl.Expr) else pl.lit(historie, dtype=pl.Date)
    raw = (
        counts.filter(pl.col("geen_gegevens") | (pl.col("noemer") >= 1))
        .select(
            pl.col("indicator").cast(pl.Utf8),
            pl.col("regio_code").cast(pl.Utf8),
            pl.col("jaar").cast(pl.Int32),
            pl.col("teller").cast(pl.Int64),
            pl.col("noemer").cast(pl.Int64),
            pl.col("geen_gegevens").cast(pl.Boolean),
        )
        .with_columns(primary("noemer", skip="geen_gegevens"))
        .collect()
    )
    # Suppression is decided on the raw counts; only then are the numbers emptied.
    df = suppress_secondary(raw, groups=["indicator", "jaar"], part="regio_code", value="noemer", skip="geen_gegevens")
    shown = pl.col(STATE).is_null() & ~pl.col("geen_gegevens")
    teller, noemer = pl.col("teller"), pl.col("noemer")
    return (
        df.lazy()
        .select(
            "indicator", "regio_code", "jaar",
            teller=pl.when(shown).then(teller),
            noemer=pl.when(shown).then(noemer),
            waarde=pl.when(shown).then(percentage(teller, noemer)),
            onderdrukt=pl.col(STATE).is_not_null(),
            voorlopig=voorlopig(pl.col("indicator"), pl.col("jaar"), peildatum),
            onderdrukking=pl.col(STATE),
            geen_gegevens="geen_gegevens",
            historie_onvolledig=historie_onvolledig(pl.col("indicator"), pl.col("jaar"), h),
            definitie_versie=pl.lit(DEFINITIE_VERSIE),
            peildatum=pl.lit(peildatum, dtype=pl.Date),
        )
        # Plain string order: GMxxxx codes first, NL last within each indicator.
        .sort("indicator", "regio_code", "jaar")
    )


def model_inputs(
    trajecten: pl.LazyFrame, clienten: pl.LazyFrame, events: pl.LazyFrame, begeleiding: pl.LazyFrame | None = None
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """(eligible trajectories, their client pairs, events, begeleiding) as every indicator
    reads them; shared by `indicator_counts` and the audit member lists (`members.py`).
    `begeleiding` None: no guidance rows (beheer_naar_begeleiding then has no cohort)."""
    # Both feed several joins; explicit caches keep the optimiser from recomputing them
    # per branch (it pushes different projections into each branch and loses the CSE).
    eligible = eligible_trajectories(trajecten).cache()
    pairs = client_trajectories(eligible, clienten).cache()
    ev = events.select(
        pl.col("persoon_id").cast(pl.Utf8), pl.col("datum").cast(pl.Date), pl.col("soort").cast(pl.Utf8)
    )
    return eligible, pairs, ev, no_begeleiding() if begeleiding is None else begeleiding


def coverage_counts(
    trajecten: pl.LazyFrame, clienten: pl.LazyFrame, events: pl.LazyFrame, dekking: pl.LazyFrame | None = None,
    begeleiding: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Unsuppressed counts with `geen_gegevens`: indicator, regio_code, jaar, teller,
    noemer, geen_gegevens. `dekking`: the aftercare coverage (`coverage.nazorg_dekking`);
    None counts every trajectory for the event-based indicators (no row is geen_gegevens)."""
    eligible, pairs, ev, beg = model_inputs(trajecten, clienten, events, begeleiding)
    cols = ["indicator", "regio_code", "jaar", "teller", "noemer", "geen_gegevens"]
    relapse = terugval_5j(pairs).with_columns(geen_gegevens=pl.lit(False))
    return pl.concat(
        [relapse.select(cols), cohort_counts(eligible, pairs, ev, dekking, beg).select(cols)],
        how="vertical_relaxed",
    ).with_columns(pl.col("jaar").cast(pl.Int32), pl.col("teller", "noemer").cast(pl.Int64))


def indicator_counts(
    trajecten: pl.LazyFrame, clienten: pl.LazyFrame, events: pl.LazyFrame, dekking: pl.LazyFrame | None = None,
    begeleiding: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Unsuppressed counts: indicator, regio_code, jaar, teller, noemer (for tests and
    audits; a geen_gegevens row has both empty).

    Never written as is: small counts are only safe after `finalise`.
    """
    return coverage_counts(trajecten, clienten, events, dekking, begeleiding).drop("geen_gegevens")


def compute_indicators(
    trajecten: pl.LazyFrame,
    clienten: pl.LazyFrame,
    events: pl.LazyFrame,
    peildatum: dt.date,
    dekking: pl.LazyFrame | None = None,
    historie_vanaf: dt.date | None = None,
    begeleiding: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """The long table `indicatoren/indicatoren.parquet` from the model tables.

    `dekking`: the aftercare coverage per gemeente (kwaliteit/nazorg_dekking; the pipeline
    always passes it); `historie_vanaf`: the setting DDAS_HISTORIE_VANAF (None: H is the
    earliest aanmelddatum of the model); `begeleiding`: model/begeleiding (the pipeline
    always passes it; None: no guidance rows, so beheer_naar_begeleiding has no rows).
    """
    h = historie_start(trajecten, historie_vanaf)
    return finalise(coverage_counts(trajecten, clienten, events, dekking, begeleiding), peildatum, h)
