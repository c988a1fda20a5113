"""Secondary suppression (process.md §4 and §6.6), on hand-built counts and against a
plain-Python reference of the rule; and the asset check that catches a recoverable cell."""
from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.indicators.disclosure import (
    primary,
    recoverable,
    suppress_secondary,
    suppress_secondary_categories,
)
from assets.indicators.table_checks import row_violations, subtraction_violations

SCHEMA = {"indicator": pl.Utf8, "jaar": pl.Int32, "regio_code": pl.Utf8, "noemer": pl.Int64, "geen_gegevens": pl.Boolean}


def counts(nl: int, gemeenten: dict[str, int], geen: tuple[str, ...] = (), jaar: int = 2020) -> pl.DataFrame:
    """One (indicator, jaar) group: the NL row and gemeente rows with raw noemers."""
    rows = [("x", jaar, "NL", nl, False)] + [("x", jaar, g, n, g in geen) for g, n in gemeenten.items()]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def suppressed(df: pl.DataFrame) -> dict[str, str]:
    """{regio: onderdrukking} of the rows suppressed by the two rules."""
    out = suppress_secondary(df.with_columns(primary("noemer", skip="geen_gegevens")),
                             groups=["indicator", "jaar"], skip="geen_gegevens")
    return {r: s for r, s in out.select("regio_code", "onderdrukking").iter_rows() if s is not None}


def test_d_of_9_suppresses_the_smallest_published_gemeente():
    got = suppressed(counts(40, {"GM0001": 5, "GM0002": 20, "GM0003": 11}))  # D = 40 - 31 = 9
    assert got == {"GM0001": "primair", "GM0003": "secundair"}


def test_d_of_10_is_safe():
    got = suppressed(counts(41, {"GM0001": 5, "GM0002": 20, "GM0003": 11}))  # D = 41 - 31 = 10
    assert got == {"GM0001": "primair"}


def test_d_of_0_is_safe():
    assert suppressed(counts(31, {"GM0002": 20, "GM0003": 11})) == {}


def test_onbekend_alone_below_10_also_gets_cover():
    # Nothing is suppressed, but NL minus the gemeenten would show the 4 Onbekend trajectories.
    assert suppressed(counts(35, {"GM0002": 20, "GM0003": 11})) == {"GM0003": "secundair"}


def test_two_suppressed_gemeenten_are_covered_together():
    # GM0001 and GM0002 are primary; NL minus the rest gives their sum, D = 3: one cover makes D = 15.
    got = suppressed(counts(60, {"GM0001": 1, "GM0002": 2, "GM0003": 12, "GM0004": 45}))
    assert got == {"GM0001": "primair", "GM0002": "primair", "GM0003": "secundair"}


def test_a_person_in_two_gemeenten_can_make_d_negative_which_is_safe():
    # terugval_5j counts persons: one in two gemeenten the same year counts in both, once in NL.
    assert suppressed(counts(40, {"GM0002": 21, "GM0003": 20})) == {}


def test_cover_is_recomputed_until_safe_with_categories_smaller_than_10():
    # Published parts below 10 exist in the category variant (primary there is on the total):
    # D = 3 -> hide "a" (1): D = 4 -> hide "b" (2): D = 6 -> hide "c" (12): D = 18, safe.
    df = categories([(2020, "GM0001", "a", 1), (2020, "GM0001", "b", 2), (2020, "GM0001", "c", 12),
                     (2020, "GM0001", "d", 30)]).with_columns(onderdrukking=pl.lit(None, pl.Utf8))
    got = run_categories(df, [("GM0001", 2020, 48)])
    assert got == {("GM0001", "a"): "secundair", ("GM0001", "b"): "secundair", ("GM0001", "c"): "secundair"}


def test_ties_on_noemer_take_the_smallest_regio_code():
    got = suppressed(counts(45, {"GM0900": 12, "GM0100": 12, "GM0500": 19}))  # D = 2
    assert got == {"GM0100": "secundair"}


def test_geen_gegevens_rows_are_neither_parts_nor_suppressed():
    # GM0002 has no data (its trajectories are not in NL either): only the published part counts.
    got = suppressed(counts(25, {"GM0001": 5, "GM0002": 7, "GM0003": 20}, geen=("GM0002",)))  # D = 5
    assert got == {"GM0001": "primair", "GM0003": "secundair"}


def test_suppressed_nl_row_means_no_subtraction():
    assert suppressed(counts(8, {"GM0001": 5, "GM0002": 3})) == {"NL": "primair", "GM0001": "primair", "GM0002": "primair"}


def test_groups_are_independent_and_row_order_is_kept():
    df = pl.concat([counts(40, {"GM0001": 5, "GM0002": 20, "GM0003": 11}, jaar=2020),
                    counts(41, {"GM0001": 5, "GM0002": 20, "GM0003": 11}, jaar=2021)])
    out = suppress_secondary(df.with_columns(primary("noemer")), groups=["indicator", "jaar"])
    assert out.select("jaar", "regio_code").rows() == df.select("jaar", "regio_code").rows()
    assert out.filter(pl.col("onderdrukking") == "secundair").select("jaar", "regio_code").rows() == [(2020, "GM0003")]


# --- the published table: the check of the asset ------------------------------------------------

def published(df: pl.DataFrame, with_secondary: bool = True) -> pl.DataFrame:
    state = df.with_columns(primary("noemer", skip="geen_gegevens"))
    if with_secondary:
        state = suppress_secondary(state, groups=["indicator", "jaar"], skip="geen_gegevens")
    shown = pl.col("onderdrukking").is_null() & ~pl.col("geen_gegevens")
    return state.select(
        "indicator", "regio_code", "jaar",
        teller=pl.when(shown).then(pl.lit(0, pl.Int64)), noemer=pl.when(shown).then("noemer"),
        waarde=pl.when(shown).then(pl.lit(0.0)), onderdrukt=pl.col("onderdrukking").is_not_null(), geen_gegevens="geen_gegevens",
    )


def test_check_finds_a_cell_recoverable_by_subtraction_and_passes_after_secondary_suppression():
    df = counts(40, {"GM0001": 5, "GM0002": 20, "GM0003": 11})
    open_cells = subtraction_violations(published(df, with_secondary=False))
    assert open_cells.rows() == [("x", 2020, 9)]
    assert subtraction_violations(published(df)).height == 0
    assert row_violations(published(df)).height == 0


def test_check_accepts_geen_gegevens_rows_with_empty_numbers_and_refuses_numbers_on_them():
    ok = published(counts(25, {"GM0001": 12, "GM0002": 7, "GM0003": 13}, geen=("GM0002",)))
    assert row_violations(ok).height == 0
    bad = ok.with_columns(noemer=pl.when(pl.col("geen_gegevens")).then(pl.lit(7, pl.Int64)).otherwise("noemer"))
    assert row_violations(bad)["regio_code"].to_list() == ["GM0002"]


# --- the category variant (process.md §6.6) ------------------------------------------------------

CAT = {"jaar": pl.Int32, "regio_code": pl.Utf8, "categorie": pl.Utf8, "aantal": pl.Int64}


def categories(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=CAT, orient="row").with_columns(primary("aantal"))


def run_categories(df: pl.DataFrame, totals: list[tuple]) -> dict:
    t = pl.DataFrame(totals, schema={"regio_code": pl.Utf8, "jaar": pl.Int32, "totaal": pl.Int64}, orient="row")
    out = suppress_secondary_categories(df, keys=["jaar"], category="categorie", value="aantal", category_totals=t)
    return {(r, c): s for r, c, s in out.select("regio_code", "categorie", "onderdrukking").iter_rows() if s}


def test_categories_within_a_region_cover_a_suppressed_category():
    # GM0001 2020, total 40: A 25, B 12, C 3 (primary). Within: D = 40 - 37 = 3 -> B (smallest published).
    df = categories([(2020, "GM0001", "A", 25), (2020, "GM0001", "B", 12), (2020, "GM0001", "C", 3)])
    assert run_categories(df, [("GM0001", 2020, 40)]) == {("GM0001", "C"): "primair", ("GM0001", "B"): "secundair"}


def test_categories_ties_take_the_category_name():
    df = categories([(2020, "GM0001", "B", 12), (2020, "GM0001", "A", 12), (2020, "GM0001", "C", 3), (2020, "GM0001", "D", 20)])
    assert run_categories(df, [("GM0001", 2020, 47)]) == {("GM0001", "C"): "primair", ("GM0001", "A"): "secundair"}


def test_categories_unpublished_total_gives_no_within_pass():
    df = categories([(2020, "GM0001", "A", 25), (2020, "GM0001", "C", 3)])
    assert run_categories(df, [("GM0001", 2020, None)]) == {("GM0001", "C"): "primair"}


def test_categories_alternate_passes_until_stable():
    rows = [
        (2020, "GM0001", "A", 20), (2020, "GM0001", "B", 5), (2020, "GM0001", "C", 3),
        (2020, "GM0002", "A", 30), (2020, "GM0002", "B", 30), (2020, "GM0002", "C", 12),
        (2020, "NL", "A", 50), (2020, "NL", "B", 35), (2020, "NL", "C", 15),
    ]
    # Primary suppression is the caller's: here only GM0001's category C.
    df = pl.DataFrame(rows, schema=CAT, orient="row").with_columns(
        onderdrukking=pl.when((pl.col("regio_code") == "GM0001") & (pl.col("categorie") == "C")).then(pl.lit("primair")))
    totals = [("GM0001", 2020, 28), ("GM0002", 2020, 72), ("NL", 2020, 100)]
    # round 1 (a): C across: 15 - 12 = 3 -> GM0002 C.  (b): GM0001: 28 - 25 = 3 -> B (5), D = 8 -> A (20).
    # round 2 (a): B across: 35 - 30 = 5 -> GM0002 B.  (b): GM0002: 72 - 30 = 42, safe.  round 3: stable.
    assert run_categories(df, totals) == {
        ("GM0001", "C"): "primair", ("GM0002", "C"): "secundair", ("GM0001", "B"): "secundair",
        ("GM0001", "A"): "secundair", ("GM0002", "B"): "secundair"}
    t = pl.DataFrame(totals, schema={"regio_code": pl.Utf8, "jaar": pl.Int32, "totaal": pl.Int64}, orient="row")
    out = suppress_secondary_categories(df, keys=["jaar"], category="categorie", value="aantal", category_totals=t)
    shown = out.with_columns(aantal=pl.when(pl.col("onderdrukking").is_null()).then("aantal"))
    assert recoverable(shown, groups=["jaar", "categorie"], value="aantal").height == 0
    within = shown.join(t, on=["regio_code", "jaar"]).group_by("regio_code").agg(
        D=pl.col("totaal").first() - pl.col("aantal").sum())
    assert not within.filter(pl.col("D").is_between(1, 9)).height


# --- property: the generic function against the rule written plainly -----------------------------

def plain_rule(nl: int, parts: dict[str, int]) -> dict[str, str]:
    state = {g: ("primair" if n < 10 else None) for g, n in parts.items()}
    if nl < 10:
        return {g: s for g, s in state.items() if s} | {"NL": "primair"}
    while True:
        pub = sorted((n, g) for g, n in parts.items() if state[g] is None)
        d = nl - sum(n for n, _ in pub)
        if not 1 <= d <= 9 or not pub:
            return {g: s for g, s in state.items() if s}
        state[pub[0][1]] = "secundair"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([f"GM{i:04d}" for i in range(1, 9)]), st.integers(1, 30), max_size=8),
       st.integers(-3, 15))
def test_generic_function_equals_the_plain_rule(parts, onbekend):
    nl = max(1, sum(parts.values()) + onbekend)
    assert suppressed(counts(nl, parts)) == plain_rule(nl, parts)
    assert recoverable(published(counts(nl, parts)), groups=["indicator", "jaar"]).height == 0


def test_the_blocking_asset_check_fails_on_a_recoverable_cell(tmp_path):
    from assets.common import paths
    from assets.common.settings import DdasSettings
    from assets.quality import dagster_checks as checks

    settings = DdasSettings(output_dir=str(tmp_path))
    target = paths.out(tmp_path, paths.INDICATOREN)
    target.parent.mkdir(parents=True, exist_ok=True)
    df = counts(40, {"GM0001": 5, "GM0002": 20, "GM0003": 11}).with_columns(indicator=pl.lit("terugval_5j"))
    published(df, with_secondary=False).write_parquet(target)
    result = checks.indicatoren_plausibel(settings=settings)
    assert not result.passed and result.metadata["herleidbaar_door_aftrekken"].value == 1
    published(df).write_parquet(target)
    assert checks.indicatoren_plausibel(settings=settings).passed
