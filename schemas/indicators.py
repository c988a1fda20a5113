"""The indicator tables under `indicatoren/` (contract: spec/indicators.md).

`Indicatoren` is the contract table: the eight contract columns, then our extras. The
two analyst views are derived from it and never show a count that it suppresses.
"""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.indicator_registry import codes
from schemas.model import GESLACHTEN, LEEFTIJDSKLASSEN, SCHULDSOORTEN, UITSTROOMREDENEN

# Contract order (spec/indicators.md), from the registry; output rows sort on the code.
INDICATOR_CODES = codes()
NL = "NL"  # regio_code of the national rows
REGIO = r"^(GM[0-9]{4}|NL)$"
DEFINITIE_VERSIE = "2026.3"  # bump when a definition changes (2026.2: process.md §4 rules; 2026.3: the Wgs indicators of §2)
MIN_NOEMER = 10  # disclosure control: smaller denominators are suppressed
ONDERDRUKKING = ["primair", "secundair"]  # process.md §4: noemer < 10, or recoverable by subtraction
# process.md §4: only these can lack data (they need delivered aftercare events)
EVENT_INDICATORS = codes(gebeurtenissen=True)
HISTORIE_INDICATORS = codes(historie=True)  # only these can have historie_onvolledig


# --- the row rules of the published table, the one implementation -----------------------
# Each is True where a row is right. The pandera model checks them, and so does the asset
# check (assets/indicators/table_checks.py), which reports the rows that break one.

def _shown_exactly_when_not_hidden() -> pl.Expr:
    """Numbers are shown exactly when the row is neither suppressed nor without data, and
    teller, noemer and waarde are empty together; a geen_gegevens row is never suppressed."""
    null = pl.col("noemer").is_null()
    hidden = pl.col("onderdrukt")
    return (
        ((hidden | pl.col("geen_gegevens")) == null)
        & ~(hidden & pl.col("geen_gegevens"))
        & (pl.col("teller").is_null() == null)
        & (pl.col("waarde").is_null() == null)
    )


def _state_mirrors_reason() -> pl.Expr:
    """onderdrukt is true exactly when onderdrukking (primair / secundair) is set."""
    return pl.col("onderdrukt") == pl.col("onderdrukking").is_not_null()


def _flags_where_they_apply() -> pl.Expr:
    """geen_gegevens only on the event-based indicators, historie_onvolledig only where the
    registry says the indicator looks back."""
    ind = pl.col("indicator")
    return (~pl.col("geen_gegevens") | ind.is_in(EVENT_INDICATORS)) & (
        ~pl.col("historie_onvolledig") | ind.is_in(HISTORIE_INDICATORS)
    )


def _teller_within_noemer() -> pl.Expr:
    return (pl.col("teller") <= pl.col("noemer")).fill_null(True)


def _noemer_disclosable() -> pl.Expr:
    """A shown noemer is at least MIN_NOEMER (primary suppression)."""
    return (pl.col("noemer") >= MIN_NOEMER).fill_null(True)


# rule name -> (columns it reads besides teller, noemer and waarde, expression)
ROW_RULES = {
    "getoond_als_niet_verborgen": (["onderdrukt", "geen_gegevens"], _shown_exactly_when_not_hidden),
    "onderdrukt_volgt_onderdrukking": (["onderdrukt", "onderdrukking"], _state_mirrors_reason),
    "vlaggen_waar_ze_gelden": (["indicator", "geen_gegevens", "historie_onvolledig"], _flags_where_they_apply),
    "teller_binnen_noemer": ([], _teller_within_noemer),
    "noemer_minstens_10": ([], _noemer_disclosable),
}


def _judge(data, name: str) -> pl.LazyFrame:
    """A pandera dataframe check: one boolean per row, the rule `name` of ROW_RULES."""
    return data.lazyframe.select(ROW_RULES[name][1]())


def row_rules(columns: list[str]) -> dict[str, pl.Expr]:
    """name -> expression of the rules whose columns are all in `columns`."""
    return {name: rule() for name, (needs, rule) in ROW_RULES.items() if set(needs) <= set(columns)}


class Indicatoren(pa.DataFrameModel):
    """`indicatoren/indicatoren.parquet`: one row per indicator x region x year."""

    indicator: str = pa.Field(isin=INDICATOR_CODES, description="indicator code of spec/indicators.md")
    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL (national, includes gemeente Onbekend)")
    jaar: pl.Int32 = pa.Field(description="terugval_5j: year of aanmelding; the others: year of the successful end")
    teller: Optional[pl.Int64] = pa.Field(nullable=True, ge=0, description="numerator; empty when suppressed or geen_gegevens")
    noemer: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="denominator; empty when suppressed or geen_gegevens")
    waarde: Optional[pl.Float64] = pa.Field(nullable=True, ge=0, le=100, description="100*teller/noemer, 1 decimal, half away from zero; empty when suppressed or geen_gegevens")
    onderdrukt: bool = pa.Field(description="suppressed by disclosure control (primary or secondary, see onderdrukking)")
    voorlopig: bool = pa.Field(description="the indicator's window is not fully observed at the peildatum")
    onderdrukking: Optional[str] = pa.Field(nullable=True, isin=ONDERDRUKKING, description="primair: noemer < 10; secundair: suppressed so that no suppressed cell follows from NL minus the published gemeenten (process.md §4); empty: published")
    geen_gegevens: bool = pa.Field(description="no data, not zero: an event-based indicator outside the gemeente's aftercare coverage (kwaliteit/nazorg_dekking), or an NL row of a year without any covered gemeente; numbers empty")
    historie_onvolledig: bool = pa.Field(description="terugval_5j only: 1 January of jaar - 5 lies before the history start H, so relapse is not fully observable; numbers still published")
    definitie_versie: str = pa.Field(description="version of the indicator definitions used")
    peildatum: pl.Date = pa.Field(description="reference date of the run")

    class Config:
        strict = True
        ordered = True
        unique = ["indicator", "regio_code", "jaar"]

    # One check per rule of ROW_RULES, named as the asset check reports it.
    @pa.dataframe_check
    def getoond_als_niet_verborgen(cls, data) -> pl.LazyFrame:
        return _judge(data, "getoond_als_niet_verborgen")

    @pa.dataframe_check
    def onderdrukt_volgt_onderdrukking(cls, data) -> pl.LazyFrame:
        return _judge(data, "onderdrukt_volgt_onderdrukking")

    @pa.dataframe_check
    def vlaggen_waar_ze_gelden(cls, data) -> pl.LazyFrame:
        return _judge(data, "vlaggen_waar_ze_gelden")

    @pa.dataframe_check
    def teller_binnen_noemer(cls, data) -> pl.LazyFrame:
        return _judge(data, "teller_binnen_noemer")

    @pa.dataframe_check
    def noemer_minstens_10(cls, data) -> pl.LazyFrame:
        return _judge(data, "noemer_minstens_10")


class TerugvalDoel(pa.DataFrameModel):
    """`indicatoren/terugval_doel.parquet`: terugval_5j per region and year against its target."""

    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL")
    regio_naam: str = pa.Field(description="gemeentenaam (CBS 2022), 'Nederland' for NL")
    jaar: pl.Int32 = pa.Field(description="year of aanmelding")
    teller: Optional[pl.Int64] = pa.Field(nullable=True, ge=0, description="relapsed persons, as in indicatoren")
    noemer: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="aanmelders, as in indicatoren")
    waarde: Optional[pl.Float64] = pa.Field(nullable=True, ge=0, le=100, description="terugval_5j in %")
    onderdrukt: bool = pa.Field(description="as in indicatoren")
    voorlopig: bool = pa.Field(description="as in indicatoren")
    onderdrukking: Optional[str] = pa.Field(nullable=True, isin=ONDERDRUKKING, description="as in indicatoren: primair, secundair or empty")
    historie_onvolledig: bool = pa.Field(description="as in indicatoren: the five-year look-back starts before the history start H; never judged against the target")
    doel_pct: pl.Float64 = pa.Field(ge=0, le=100, description="relapse target in %")
    doel_bron: str = pa.Field(isin=["doelen.csv", "standaard"], description="where the target comes from")
    verschil_pp: Optional[pl.Float64] = pa.Field(nullable=True, description="waarde - doel_pct in percentage points; > 0 is above target (worse); empty when suppressed or historie_onvolledig")
    doel_gehaald: Optional[bool] = pa.Field(nullable=True, description="waarde <= doel_pct; empty when suppressed or historie_onvolledig (not observable, not met)")

    class Config:
        strict = True
        ordered = True
        unique = ["regio_code", "jaar"]

    @pa.dataframe_check
    def no_judgement_without_history(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.col("historie_onvolledig") | pl.col("doel_gehaald").is_null())


class NazorgDekking(pa.DataFrameModel):
    """`kwaliteit/nazorg_dekking.parquet`: per gemeente, the aftercare workbooks and the
    years they cover (process.md §4). Outside `dekking_vanaf`..`dekking_tot` the
    event-based indicators of the gemeente are `geen_gegevens`."""

    gemeentecode: str = pa.Field(str_matches=r"^GM[0-9]{4}$", unique=True, description="gemeente of the workbooks' file names, or of model trajectories")
    werkboeken_geladen: pl.Int64 = pa.Field(ge=0, description="workbooks GMxxxx_JJJJMMDD.xlsx with status geladen")
    werkboeken_niet_geladen: pl.Int64 = pa.Field(ge=0, description="workbooks of the gemeente refused, duplicate or dated after the peildatum (see kwaliteit/leveringen)")
    gebeurtenissen_geaccepteerd: pl.Int64 = pa.Field(ge=0, description="accepted aftercare rows in the geladen workbooks")
    eerste_gebeurtenis: Optional[pl.Date] = pa.Field(nullable=True, description="earliest Datum of an accepted event in a geladen workbook")
    laatste_leverdatum: Optional[pl.Date] = pa.Field(nullable=True, description="latest file date (in the name) of a geladen workbook")
    dekking_vanaf: Optional[pl.Int32] = pa.Field(nullable=True, description="first covered year: year(eerste_gebeurtenis); empty = no coverage")
    dekking_tot: Optional[pl.Int32] = pa.Field(nullable=True, description="last covered year: year(laatste_leverdatum); empty = no coverage")
    toelichting: str = pa.Field(description="why the gemeente is (not) covered, in words")

    class Config:
        strict = True
        ordered = True

    @pa.dataframe_check
    def both_ends_or_none(cls, data) -> pl.LazyFrame:
        van, tot = pl.col("dekking_vanaf"), pl.col("dekking_tot")
        return data.lazyframe.select((van.is_null() == tot.is_null()) & (van <= tot).fill_null(True))


class Doelen(pa.DataFrameModel):
    """`assets/reference/doelen.csv`: relapse target per municipality (NL allowed)."""

    gemeentecode: str = pa.Field(str_matches=REGIO, unique=True, description="GMxxxx, or NL for the national row")
    doel_pct: pl.Float64 = pa.Field(ge=0, le=100, description="target for terugval_5j in %")

    class Config:
        strict = True


# The wide view: per indicator a value column plus its counts and flags.
# suffix -> (column of the long table, type, description)
BREED_SUFFIXES = {
    "": ("waarde", Optional[pl.Float64], "waarde (%)"),
    "_teller": ("teller", Optional[pl.Int64], "teller"),
    "_noemer": ("noemer", Optional[pl.Int64], "noemer"),
    "_onderdrukt": ("onderdrukt", Optional[bool], "suppressed (empty: no row for this indicator)"),
    "_voorlopig": ("voorlopig", Optional[bool], "provisional (empty: no row for this indicator)"),
    "_onderdrukking": ("onderdrukking", Optional[str], "primair, secundair or empty (published, or no row for this indicator)"),
    "_geen_gegevens": ("geen_gegevens", Optional[bool], "no data, not zero (empty: no row for this indicator)"),
}
# Flags that exist for one indicator only: suffix -> (indicators, column, type, description)
BREED_EXTRA = {
    "_historie_onvolledig": (HISTORIE_INDICATORS, "historie_onvolledig", Optional[bool],
                             "look-back starts before the history start H (empty: no row for this indicator)"),
}


def breed_suffixes(code: str) -> dict:
    """suffix -> (long column, type, description) of one indicator's column group."""
    extra = {sfx: (src, typ, what) for sfx, (codes, src, typ, what) in BREED_EXTRA.items() if code in codes}
    return {**BREED_SUFFIXES, **extra}


def breed_columns() -> list[str]:
    return ["regio_code", "regio_naam", "jaar"] + [f"{c}{s}" for c in INDICATOR_CODES for s in breed_suffixes(c)]


def _breed_model() -> type[pa.DataFrameModel]:
    annotations: dict = {"regio_code": str, "regio_naam": str, "jaar": pl.Int32}
    fields: dict = {
        "regio_code": pa.Field(str_matches=REGIO, description="GMxxxx or NL"),
        "regio_naam": pa.Field(description="gemeentenaam (CBS 2022), 'Nederland' for NL"),
        "jaar": pa.Field(description="as in indicatoren (aanmelding or end year, per indicator)"),
    }
    for code in INDICATOR_CODES:
        for suffix, (_, typ, what) in breed_suffixes(code).items():
            annotations[code + suffix] = typ
            fields[code + suffix] = pa.Field(nullable=True, description=f"{code}: {what}")

    class Config:
        strict = True
        ordered = True
        unique = ["regio_code", "jaar"]

    namespace = {"__annotations__": annotations, "Config": Config, **fields,
                 "__doc__": "`indicatoren/indicatoren_breed.parquet`: one row per region x year, one column group per indicator."}
    return type("IndicatorenBreed", (pa.DataFrameModel,), namespace)


IndicatorenBreed = _breed_model()


# --- the four tables of process.md §3 ------------------------------------------------------------
# Each has its own model; the shared row rules are built here once. Vocabulary the
# computation (assets/indicators/<table>.py) reads too, so the two cannot disagree.

MATEN = ["wachttijd_eerste_gesprek", "beschikkingstermijn", "doorlooptijd_afgerond"]
GEEN_REDEN = "geen reden"
UITSTROOM_REDENEN = [*UITSTROOMREDENEN, GEEN_REDEN]
# schuldsoort -> aandeel_<lower>; age classes and sexes as the model has them (schemas/model.py)
HUISHOUDENS = ["1 client", "2 clienten"]
CATEGORIEEN = {"leeftijdsklasse": LEEFTIJDSKLASSEN, "geslacht": GESLACHTEN, "huishouden": HUISHOUDENS}


def _hidden_means_empty(always: list[str], sometimes: tuple[str, ...] = ()) -> pl.Expr:
    """A suppressed row has every number empty (process.md §6.4); a published row has
    `always` (the measure can be empty only where its own subset is below 10)."""
    hidden = pl.col("onderdrukt")
    all_null = pl.all_horizontal(*[pl.col(c).is_null() for c in [*always, *sometimes]])
    none_null = pl.all_horizontal(*[pl.col(c).is_not_null() for c in always])
    return pl.when(hidden).then(all_null).otherwise(none_null)


def _not_above(small: str, large: str) -> pl.Expr:
    return (pl.col(small) <= pl.col(large)).fill_null(True)


def _tabel_fields() -> dict:
    """The columns every table of §3 shares after its own numbers."""
    return dict(
        onderdrukt=pa.Field(description="suppressed: all numbers of the row are empty (see onderdrukking)"),
        voorlopig=pa.Field(description="jaar >= year(peildatum): the year is not complete at the peildatum"),
        onderdrukking=pa.Field(nullable=True, isin=ONDERDRUKKING, description="primair: count below 10; secundair: "
                               "suppressed so that no suppressed row follows by subtraction (process.md §4, §6.6); empty: published"),
        peildatum=pa.Field(description="reference date of the run"),
    )


class Doorlooptijden(pa.DataFrameModel):
    """`indicatoren/doorlooptijden.parquet`: lead times in days per measure x region x year
    (process.md §3). Percentiles are values of the data: the value at position ⌈n/4⌉,
    ⌈n/2⌉ (lower median), ⌈3n/4⌉ of the sorted days."""

    maat: str = pa.Field(isin=MATEN, description="wachttijd_eerste_gesprek (aanmelddatum -> eerste_gesprek_datum, by aanmeld year), "
                         "beschikkingstermijn (eerste_gesprek_datum -> beschikkingsdatum, by year of the first conversation), "
                         "doorlooptijd_afgerond (aanmelddatum -> einddatum of Afgerond trajectories, by end year)")
    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL (NL includes gemeente Onbekend)")
    jaar: pl.Int32 = pa.Field(description="the cohort year of the measure")
    n: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="trajectories measured; empty when suppressed")
    p25: Optional[pl.Int64] = pa.Field(nullable=True, description="days at position ⌈n/4⌉; empty when suppressed")
    mediaan: Optional[pl.Int64] = pa.Field(nullable=True, description="days at position ⌈n/2⌉ (lower median); empty when suppressed")
    p75: Optional[pl.Int64] = pa.Field(nullable=True, description="days at position ⌈3n/4⌉; empty when suppressed")
    onderdrukt: bool = _tabel_fields()["onderdrukt"]
    voorlopig: bool = _tabel_fields()["voorlopig"]
    onderdrukking: Optional[str] = _tabel_fields()["onderdrukking"]
    peildatum: pl.Date = _tabel_fields()["peildatum"]

    class Config:
        strict = True
        ordered = True
        unique = ["maat", "regio_code", "jaar"]

    @pa.dataframe_check
    def p25_mediaan_p75_oplopend(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_not_above("p25", "mediaan") & _not_above("mediaan", "p75"))

    @pa.dataframe_check
    def leeg_als_onderdrukt(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_hidden_means_empty(["n", "p25", "mediaan", "p75"]))

    @pa.dataframe_check
    def onderdrukt_volgt_onderdrukking(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_state_mirrors_reason())


class Uitstroom(pa.DataFrameModel):
    """`indicatoren/uitstroom.parquet`: closed trajectories by year(einddatum) and end reason
    (process.md §3); every reason for each region-year with closed trajectories."""

    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL (NL includes gemeente Onbekend)")
    jaar: pl.Int32 = pa.Field(description="year of einddatum")
    uitstroomreden: str = pa.Field(isin=UITSTROOM_REDENEN, description="EnumUitstroomreden, or 'geen reden' (closed without a reason)")
    aantal: Optional[pl.Int64] = pa.Field(nullable=True, ge=0, description="closed trajectories with this reason; empty when suppressed")
    noemer: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="all closed trajectories of the region and year; empty when suppressed")
    aandeel: Optional[pl.Float64] = pa.Field(nullable=True, ge=0, le=100, description="100*aantal/noemer, 1 decimal, half away from zero; empty when suppressed")
    onderdrukt: bool = _tabel_fields()["onderdrukt"]
    voorlopig: bool = _tabel_fields()["voorlopig"]
    onderdrukking: Optional[str] = _tabel_fields()["onderdrukking"]
    peildatum: pl.Date = _tabel_fields()["peildatum"]

    class Config:
        strict = True
        ordered = True
        unique = ["regio_code", "jaar", "uitstroomreden"]

    @pa.dataframe_check
    def aantal_binnen_noemer(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_not_above("aantal", "noemer"))

    @pa.dataframe_check
    def redenen_tellen_op(cls, data) -> pl.LazyFrame:
        """The reasons of a fully published region-year add up to all its closed trajectories."""
        g = ["regio_code", "jaar"]
        return data.lazyframe.select(pl.col("onderdrukt").any().over(g) | (pl.col("aantal").sum().over(g) == pl.col("noemer")))

    @pa.dataframe_check
    def leeg_als_onderdrukt(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_hidden_means_empty(["aantal", "noemer", "aandeel"]))

    @pa.dataframe_check
    def onderdrukt_volgt_onderdrukking(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_state_mirrors_reason())


AANDELEN_SCHULD = ["aandeel_zakelijk", *[f"aandeel_{s.lower()}" for s in SCHULDSOORTEN]]


def _schulden_model() -> type[pa.DataFrameModel]:
    share = {"aandeel_zakelijk": "with at least one zakelijk debt"} | {
        f"aandeel_{s.lower()}": f"with at least one debt of schuldsoort {s}" for s in SCHULDSOORTEN}
    annotations: dict = {
        "regio_code": str, "jaar": pl.Int32, "n": Optional[pl.Int64], "n_schuldregels": Optional[pl.Int64],
        "n_bedrag": Optional[pl.Int64], "mediaan_schuldbedrag_eur": Optional[pl.Int64],
        "mediaan_aantal_schuldeisers": Optional[pl.Int64],
        **{a: Optional[pl.Float64] for a in AANDELEN_SCHULD},
        "onderdrukt": bool, "voorlopig": bool, "onderdrukking": Optional[str], "peildatum": pl.Date,
    }
    fields: dict = {
        "regio_code": pa.Field(str_matches=REGIO, description="GMxxxx or NL (NL includes gemeente Onbekend)"),
        "jaar": pa.Field(description="year of aanmelddatum"),
        "n": pa.Field(nullable=True, ge=MIN_NOEMER, description="trajectories with at least one model/schulden row or a schuldbedrag_eur; empty when suppressed"),
        "n_schuldregels": pa.Field(nullable=True, ge=0, description="of n: trajectories with debt rows (the noemer of the shares and of mediaan_aantal_schuldeisers)"),
        "n_bedrag": pa.Field(nullable=True, ge=0, description="of n: trajectories with a known amount (the noemer of mediaan_schuldbedrag_eur)"),
        "mediaan_schuldbedrag_eur": pa.Field(nullable=True, ge=0, description="lower median of the amount per trajectory: the sum of its debts' known bedrag_eur when it has debt rows, else schuldbedrag_eur; empty when n_bedrag < 10"),
        "mediaan_aantal_schuldeisers": pa.Field(nullable=True, ge=0, description="lower median of the distinct schuldeiser_id per trajectory with debt rows; empty when n_schuldregels < 10"),
        **{a: pa.Field(nullable=True, ge=0, le=100, description=f"% of n_schuldregels {what}, 1 decimal; empty when n_schuldregels < 10")
           for a, what in share.items()},
        **_tabel_fields(),
    }

    class Config:
        strict = True
        ordered = True
        unique = ["regio_code", "jaar"]

    def deelverzamelingen_binnen_n(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_not_above("n_schuldregels", "n") & _not_above("n_bedrag", "n"))

    def leeg_als_onderdrukt(cls, data) -> pl.LazyFrame:
        measures = ("mediaan_schuldbedrag_eur", "mediaan_aantal_schuldeisers", *AANDELEN_SCHULD)
        return data.lazyframe.select(_hidden_means_empty(["n", "n_schuldregels", "n_bedrag"], measures))

    def onderdrukt_volgt_onderdrukking(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_state_mirrors_reason())

    namespace = {"__annotations__": annotations, "Config": Config, **fields,
                 "__doc__": "`indicatoren/schulden.parquet`: the debts people bring, per region x year of aanmelding (process.md §3).",
                 **{f.__name__: pa.dataframe_check(classmethod(f)) for f in
                    (deelverzamelingen_binnen_n, leeg_als_onderdrukt, onderdrukt_volgt_onderdrukking)}}
    return type("SchuldenTabel", (pa.DataFrameModel,), namespace)


SchuldenTabel = _schulden_model()  # not schemas.model.Schulden (the debts of the model)


class TerugvalUitsplitsing(pa.DataFrameModel):
    """`indicatoren/terugval_uitsplitsing.parquet`: terugval_5j by age class, sex and
    household (process.md §3, §6.5). A person counts once in each category that one of
    their aanmelder (trajectory, client) rows gives, so categories may add up to more
    than the terugval_5j row."""

    indicator: str = pa.Field(isin=HISTORIE_INDICATORS, description="terugval_5j")
    regio_code: str = pa.Field(str_matches=REGIO, description="GMxxxx or NL (NL includes gemeente Onbekend)")
    jaar: pl.Int32 = pa.Field(description="year of aanmelding")
    dimensie: str = pa.Field(isin=list(CATEGORIEEN), description="leeftijdsklasse / geslacht (of the client row), huishouden (of the trajectory)")
    categorie: str = pa.Field(isin=sorted({c for cs in CATEGORIEEN.values() for c in cs}), description="a value of the dimension")
    teller: Optional[pl.Int64] = pa.Field(nullable=True, ge=0, description="relapsed persons of the category; empty when suppressed")
    noemer: Optional[pl.Int64] = pa.Field(nullable=True, ge=MIN_NOEMER, description="aanmelders of the category; empty when suppressed")
    waarde: Optional[pl.Float64] = pa.Field(nullable=True, ge=0, le=100, description="100*teller/noemer, 1 decimal; empty when suppressed")
    onderdrukt: bool = _tabel_fields()["onderdrukt"]
    voorlopig: bool = pa.Field(description="as terugval_5j: jaar >= year(peildatum)")
    onderdrukking: Optional[str] = _tabel_fields()["onderdrukking"]
    historie_onvolledig: bool = pa.Field(description="as terugval_5j: 1 January of jaar - 5 lies before the history start H")
    peildatum: pl.Date = _tabel_fields()["peildatum"]

    class Config:
        strict = True
        ordered = True
        unique = ["regio_code", "jaar", "dimensie", "categorie"]

    @pa.dataframe_check
    def teller_binnen_noemer(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_not_above("teller", "noemer"))

    @pa.dataframe_check
    def categorie_van_dimensie(cls, data) -> pl.LazyFrame:
        d, c = pl.col("dimensie"), pl.col("categorie")
        return data.lazyframe.select(pl.any_horizontal(*[(d == k) & c.is_in(v) for k, v in CATEGORIEEN.items()]))

    @pa.dataframe_check
    def leeg_als_onderdrukt(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_hidden_means_empty(["teller", "noemer", "waarde"]))

    @pa.dataframe_check
    def onderdrukt_volgt_onderdrukking(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(_state_mirrors_reason())
