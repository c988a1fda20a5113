"""The indicator registry is the one list every stage reads, and the row rules of the
published table are checked by one implementation (the pandera model and the asset check)."""
from __future__ import annotations

import datetime as dt

import pandera.errors
import polars as pl
import pytest

from assets.indicators import cohort, table
from assets.indicators.table_checks import row_violations, rule_failures
from schemas.indicator_registry import INDICATORS, codes, indicator
from schemas.indicators import EVENT_INDICATORS, INDICATOR_CODES, Indicatoren, ROW_RULES

CONTRACT = ["terugval_5j", "nazorg_gestart", "nazorg_tijdig", "nazorgtoets_voor_einde",
            "nazorgcontact_6m", "warm_contact_12m", "terugval_12m",
            # process.md §2
            "eerste_gesprek_tijdig", "beschikking_tijdig", "beheer_naar_begeleiding"]


def test_registry_keeps_the_contract_order_and_every_list_derives_from_it():
    assert INDICATOR_CODES == CONTRACT
    assert cohort.COHORT_INDICATORS == [c for c in CONTRACT if indicator(c).cohort != "aanmelders"]
    assert EVENT_INDICATORS == ["nazorgtoets_voor_einde", "nazorgcontact_6m", "warm_contact_12m"]
    assert sorted(c for codes_ in table.VENSTERS.values() for c in codes_) == sorted(CONTRACT)
    assert codes(eenheid="persoon") == ["terugval_5j"]


def test_every_cohort_of_the_registry_has_a_units_function_with_a_column_per_indicator():
    for i in INDICATORS:
        assert i.cohort == "aanmelders" or i.cohort in cohort.UNITS, i.code
    t = pl.LazyFrame(schema={"traject_id": pl.Utf8, "gemeentecode": pl.Utf8, "aanmelddatum": pl.Date,
                             "startdatum": pl.Date, "einddatum": pl.Date, "nazorg_startdatum": pl.Date,
                             "uitstroomreden": pl.Utf8, "eerste_gesprek_datum": pl.Date, "crisis": pl.Boolean,
                             "beschikkingsdatum": pl.Date})
    pairs = t.with_columns(persoon_id=pl.lit(None, pl.Utf8))
    ev = pl.LazyFrame(schema={"persoon_id": pl.Utf8, "datum": pl.Date, "soort": pl.Utf8})
    for key, units in cohort.UNITS.items():
        names = units(t, pairs, ev, cohort.no_begeleiding()).collect_schema().names()
        assert set(codes(cohort=key)) <= set(names) and {"traject_id", "gemeentecode", "jaar"} <= set(names)


def test_unknown_code_names_the_known_ones():
    with pytest.raises(ValueError, match="terugval_5j"):
        indicator("terugval_99j")


def test_voorlopig_follows_each_indicators_window():
    p = dt.date(2024, 6, 30)
    df = pl.DataFrame({"indicator": CONTRACT * 2, "jaar": [2023] * 10 + [2024] * 10}).with_columns(
        v=table.voorlopig(pl.col("indicator"), pl.col("jaar"), p))
    got = {(i, y): v for i, y, v in df.iter_rows()}
    # year rule: x >= year(P); 6 months: 31-12-2023 + 6m = 30-06-2024 is not after P; 12 months is;
    # 3 months (beheer_naar_begeleiding): 31-03-2024 is not after P
    assert [got[(c, 2023)] for c in CONTRACT] == [False, True, False, False, False, True, True, False, False, False]
    assert all(got[(c, 2024)] for c in CONTRACT)


def published() -> pl.DataFrame:
    """A valid table: one shown, one primary-suppressed and one geen_gegevens row."""
    counts = pl.LazyFrame(
        [("terugval_5j", "GM0001", 2020, 3, 20, False), ("terugval_5j", "NL", 2020, 4, 40, False),
         ("terugval_5j", "GM0002", 2020, 1, 5, False), ("nazorgcontact_6m", "GM0001", 2020, None, None, True)],
        schema={"indicator": pl.Utf8, "regio_code": pl.Utf8, "jaar": pl.Int32, "teller": pl.Int64,
                "noemer": pl.Int64, "geen_gegevens": pl.Boolean}, orient="row")
    return table.finalise(counts, dt.date(2025, 1, 1)).collect()


BREAKS = {
    "getoond_als_niet_verborgen": lambda df: df.with_columns(
        teller=pl.when(pl.col("onderdrukt")).then(pl.lit(1, pl.Int64)).otherwise("teller")),
    "onderdrukt_volgt_onderdrukking": lambda df: df.with_columns(onderdrukking=pl.lit(None, pl.Utf8)),
    "vlaggen_waar_ze_gelden": lambda df: df.with_columns(historie_onvolledig=pl.col("geen_gegevens")),
    "teller_binnen_noemer": lambda df: df.with_columns(teller=pl.col("noemer") + 1),
    "noemer_minstens_10": lambda df: df.with_columns(
        noemer=pl.when(pl.col("noemer") == 20).then(pl.lit(9, pl.Int64)).otherwise("noemer"),
        teller=pl.when(pl.col("noemer") == 20).then(pl.lit(2, pl.Int64)).otherwise("teller")),
}


def test_a_valid_table_passes_both_the_model_and_the_asset_check():
    df = published()
    assert df["onderdrukt"].sum() == 1 and df["geen_gegevens"].sum() == 1
    Indicatoren.validate(df)
    assert row_violations(df).height == 0
    assert set(rule_failures(df).values()) == {0}


@pytest.mark.parametrize("rule", sorted(ROW_RULES))
def test_each_broken_rule_is_refused_by_the_model_and_reported_by_the_asset_check(rule):
    assert set(BREAKS) == set(ROW_RULES)
    bad = BREAKS[rule](published())
    assert rule_failures(bad)[rule] >= 1
    assert row_violations(bad).height >= 1
    with pytest.raises(pandera.errors.SchemaError):
        Indicatoren.validate(bad)
