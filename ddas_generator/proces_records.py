"""The process fields of delivered records (process.md §1): what a DDAS record or CSV row
writes, and what each record says once read by the contract's rules (the truth's input).

Written values vary the way deliveries do: sexes as `Man`, `M`, `vrouw`, ` MAN `, absent;
birth dates absent or not a real date now and then; creditors under `naam` or `Naam`, a
private person sometimes with a KvK number that must not be used. One supplier
(GL100200) also writes enumeration values in another case or outside the enumeration
(they become null; the schema findings report them). The read side below is written
from the contract's wording, apart from the pipeline's code.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import polars as pl

from ddas_generator.proces import BEDRIJVEN, NAMEN, PRIVE, SCHULDSOORTEN

ODD_SUPPLIER = "GL100200"  # writes enumeration values in other cases and outside the lists
# Suppliers that deliver schulden[] (the two largest do not: DDAS adoption is partial, and it
# keeps the landing of the 1 M benchmark small).
DEBT_SUPPLIERS = ("GL000518", "GL100200", "GL300637", "GL301783")
SOLUTIONS = {"SK": "Saneringskrediet", "MSR": "Schuldbemiddeling"}
BEGELEIDING = pl.Struct({"soort": pl.Utf8, "startdatum": pl.Date, "einddatum": pl.Date})
SCHULD = pl.Struct({"schuldsoort": pl.Utf8, "bedrag_eur": pl.Int64, "zakelijk": pl.Boolean, "kvk": pl.Utf8, "naam": pl.Utf8})
RECORD_COLUMNS = {  # per accepted record, as the contract reads it
    "eerste_gesprek_datum": pl.Date,
    "crisis": pl.Boolean,  # null for a CSV row
    "beschikkingsdatum": pl.Date,
    "beschikkingssoort": pl.Utf8,
    "oplossing_soort": pl.Utf8,
    "geboorte": pl.List(pl.Date),  # per client of `personen`, same order; null = not a real date
    "geslacht": pl.List(pl.Utf8),  # per client: man / vrouw / null
    "begeleiding": pl.List(BEGELEIDING),
    "schulden": pl.List(SCHULD),  # the creditor as kvk (when it is the identity) or its trimmed lower-cased name
}
ENUMS = {
    "beschikkingssoort": ("Afwijzingsbeschikking", "Toelatingsbeschikking"),
    "oplossing": ("Betalingsregeling", "Herfinanciering", "Saneringskrediet", "Schuldbemiddeling", "0%-aanbod"),
    "begeleiding": ("Budgetcoaching", "Budgetbeheer", "Beschermingsbewind", "Lange Termijn Begeleiding (DFD)", "Budgetbegeleiding"),
    "schuldsoort": SCHULDSOORTEN,
}


def _u(rng: np.random.Generator, n: int) -> pl.Expr:
    return pl.lit(pl.Series(rng.random(n)))


def _known(col: str) -> pl.Expr:
    return pl.when(pl.col(col) <= pl.col("horizon")).then(pl.col(col))


def _iso(col: pl.Expr) -> pl.Expr:
    return col.dt.strftime("%Y-%m-%d")


def _sex_text(col: str, u: pl.Expr) -> pl.Expr:
    g = pl.col(col)
    return (
        pl.when(u < 0.75).then(g)
        .when(u < 0.85).then(g.str.slice(0, 1))
        .when(u < 0.93).then(g.str.to_lowercase())
        .when(u < 0.97).then(pl.lit(" ") + g.str.to_uppercase() + pl.lit(" "))
    )


def _birth_text(col: str, u: pl.Expr) -> pl.Expr:
    g = pl.col(col)  # YYYY-MM-DD
    return pl.when(u < 0.96).then(g).when(u < 0.98).then(None).otherwise(g.str.slice(0, 5) + pl.lit("02-30"))


def _odd(value: pl.Expr, u: pl.Expr, unknown: str) -> pl.Expr:
    """The odd supplier: another case now and then, and a value outside the enumeration."""
    odd = pl.col("leverancier") == ODD_SUPPLIER
    return pl.when(odd & (u < 0.08)).then(pl.lit(unknown)).when(odd & (u < 0.2)).then(value.str.to_lowercase()).otherwise(value)


def ddas_process(fr: pl.DataFrame, world, rng: np.random.Generator) -> pl.DataFrame:
    """Add what a DDAS record writes for the process: client texts (geb1/gesl1/...), the
    intake's first conversation and decision, the crisis (as aanmelding.crisisinterventie or
    as a crisisinterventies element), oplossing.soort, begeleiding[] and schulden[]."""
    m = fr.height
    main = pl.col("soort") == "main"
    u = [_u(rng, m) for _ in range(9)]
    has_intake = pl.col("d_intake").is_not_null()
    via_array = (pl.col("traject_id") % 3 == 0)  # a third of crisis trajectories use the array
    fr = fr.with_columns(
        gesl1=_sex_text("gesl1", u[0]), gesl2=_sex_text("gesl2", u[1]),
        geb1=_birth_text("geb1", u[2]), geb2=_birth_text("geb2", u[3]),
        d_gesprek=pl.when(main & has_intake).then(_known("gesprek")),
        d_besch=pl.when(main & has_intake).then(_known("beschikking")),
        crisis_flag=pl.when(main & pl.col("d_aanmelding").is_not_null()).then(
            pl.when(pl.col("crisis") & ~via_array).then(True)
            .when((pl.col("leverancier") == "GL000518") & (u[7] < 0.1)).then(False)  # now and then an explicit false
        ),
        crisis_array=main & pl.col("crisis") & via_array & has_intake,
        fase_text=pl.col("fase"),
    ).with_columns(
        besch_text=pl.when(pl.col("d_besch").is_not_null()).then(_odd(pl.col("beschikking_soort"), u[4], "Toelating")),
        opl_text=pl.when(pl.col("d_fase").is_not_null()).then(
            # SK always; MSR (schuldregeling) also as oplossing Schuldbemiddeling, by the odd supplier only
            pl.when((pl.col("fase") == "SK") | (pl.col("leverancier") == ODD_SUPPLIER)).then(
                _odd(pl.col("fase").replace_strict(SOLUTIONS, default=None), u[5], "Schuldsanering"))
        ),
        beg=_begeleiding(u[6]),
    )
    return fr.join(_debts(world, fr, rng), on="traject_id", how="left", maintain_order="left").with_columns(
        sch=pl.when(main & has_intake & pl.col("leverancier").is_in(DEBT_SUPPLIERS)).then(pl.col("_sch"))
    ).drop("_sch")


def _begeleiding(u: pl.Expr) -> pl.Expr:
    """begeleiding[] as written (dates as text): BBG one Budgetbegeleiding from the phase
    start; BBH a Budgetbeheer with its end when known, then the Budgetbegeleiding after it when it has begun."""
    fase = pl.col("d_fase")
    beheer = pl.struct(soort=_odd(pl.lit("Budgetbeheer"), u, "Schuldhulpmaatje"), startdatum=_iso(fase),
                       einddatum=_iso(_known("beheer_eind")))
    begeleiding = pl.struct(soort=pl.lit("Budgetbegeleiding"), startdatum=_iso(_known("begeleiding_start")),
                            einddatum=pl.lit(None, pl.Utf8))
    first_bbg = pl.struct(soort=pl.lit("Budgetbegeleiding"), startdatum=_iso(fase), einddatum=pl.lit(None, pl.Utf8))
    return (
        pl.when(fase.is_null()).then(None)
        .when((pl.col("fase") == "BBH") & _known("begeleiding_start").is_not_null()).then(pl.concat_list(beheer, begeleiding))
        .when(pl.col("fase") == "BBH").then(pl.concat_list(beheer))
        .when(pl.col("fase") == "BBG").then(pl.concat_list(first_bbg))
    )


def _debts(world, fr: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Per trajectory, its debts as written: one list of flat structs (writers.ddas_traject
    nests the creditor)."""
    d = world.schulden.filter(pl.col("traject_id").is_in(fr["traject_id"].unique().implode()))
    n = d.height
    odd = pl.col("traject_id").is_in(fr.filter(pl.col("leverancier") == ODD_SUPPLIER)["traject_id"].unique().implode())
    u = pl.col("u")
    eiser = pl.col("eiser")
    name = (
        # every branch is evaluated: the index is taken modulo each list's length
        pl.when(eiser == 0).then(pl.lit(pl.Series([b[0] for b in BEDRIJVEN])).gather(pl.col("eiser_nr") % len(BEDRIJVEN)))
        .when(eiser == 1).then(pl.lit(pl.Series(list(NAMEN))).gather(pl.col("eiser_nr") % len(NAMEN)))
        .otherwise(pl.lit(pl.Series(list(PRIVE))).gather(pl.col("eiser_nr") % len(PRIVE)))
    )
    v = pl.lit(pl.Series(rng.random(n)))
    written_name = pl.when(v < 0.1).then(pl.lit("  ") + name.str.to_uppercase()).when(v < 0.2).then(name + pl.lit(" ")).otherwise(name)
    soort = pl.lit(pl.Series(list(SCHULDSOORTEN))).gather(pl.col("soort"))
    d = d.sort("traject_id", "positie").with_columns(
        schuldsoort=pl.when(odd & (u < 0.1)).then(pl.lit("Belasting")).when(odd & (u < 0.2)).then(soort.str.to_uppercase()).otherwise(soort),
        naam_veld=pl.when(pl.lit(pl.Series(rng.random(n))) < 0.7).then(pl.lit("naam")).otherwise(pl.lit("Naam")),
        naam=written_name,
        kvknummer=pl.when(eiser == 0).then(pl.lit(pl.Series([b[1] for b in BEDRIJVEN])).gather(pl.col("eiser_nr") % len(BEDRIJVEN)))
        .when((eiser == 2) & (u > 0.7)).then(pl.lit("87654321")),  # a private person's KvK: never the identity
        postcode=pl.when(eiser == 2).then(pl.lit("2511AB")),
        privepersoon=pl.when(eiser == 2).then(True).when((eiser == 0) & (u < 0.5)).then(False),
    )
    fields = ["schuldsoort", "bedrag", "zakelijk", "naam_veld", "naam", "kvknummer", "postcode", "privepersoon"]
    return d.group_by("traject_id", maintain_order=True).agg(pl.struct(fields).alias("_sch"))


# --- the read side: what each record says (the contract's wording) ------------------------------


def _enum(value: pl.Expr, kind: str) -> pl.Expr:
    table = {v.lower(): v for v in ENUMS[kind]}
    return value.str.strip_chars().str.to_lowercase().replace_strict(table, default=None, return_dtype=pl.Utf8)


def _sex(text: pl.Expr) -> pl.Expr:
    t = text.str.strip_chars().str.to_lowercase()
    return pl.when(t.is_in(["m", "man"])).then(pl.lit("man")).when(t.is_in(["v", "vrouw"])).then(pl.lit("vrouw"))


def _date(text: pl.Expr, fmt: str, pattern: str) -> pl.Expr:
    t = text.str.strip_chars()
    return pl.when(t.str.contains(pattern)).then(t.str.strptime(pl.Date, fmt, strict=False))


ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
NL = r"^[0-9]{2}-[0-9]{2}-[0-9]{4}$"


def ddas_truth_fields() -> dict[str, pl.Expr]:
    """r_<field> for every RECORD_COLUMNS field of a DDAS record."""
    two = pl.col("p2").is_not_null()
    geb = [_date(pl.col(c), "%Y-%m-%d", ISO) for c in ("geb1", "geb2")]
    sex = [_sex(pl.col(c)) for c in ("gesl1", "gesl2")]
    beg = pl.col("beg").list.eval(pl.struct(
        soort=_enum(pl.element().struct.field("soort"), "begeleiding"),
        startdatum=pl.element().struct.field("startdatum").str.to_date("%Y-%m-%d", strict=False),
        einddatum=pl.element().struct.field("einddatum").str.to_date("%Y-%m-%d", strict=False),
    ))
    e = pl.element().struct.field
    kvk_ok = e("kvknummer").str.contains(r"^[0-9]{8}$").fill_null(False) & ~e("privepersoon").fill_null(False)
    sch = pl.col("sch").list.eval(pl.struct(
        schuldsoort=_enum(e("schuldsoort"), "schuldsoort"),
        bedrag_eur=e("bedrag"),
        zakelijk=e("zakelijk"),
        kvk=pl.when(kvk_ok).then(e("kvknummer")),
        naam=pl.when(~kvk_ok).then(e("naam").str.strip_chars().str.to_lowercase()),
    ))
    return {
        "r_eerste_gesprek_datum": pl.col("d_gesprek"),
        "r_crisis": pl.col("crisis_flag").fill_null(False) | pl.col("crisis_array"),
        "r_beschikkingsdatum": pl.col("d_besch"),
        "r_beschikkingssoort": _enum(pl.col("besch_text"), "beschikkingssoort"),
        "r_oplossing_soort": _enum(pl.col("opl_text"), "oplossing"),
        "r_geboorte": pl.when(two).then(pl.concat_list(*geb)).otherwise(pl.concat_list(geb[0])),
        "r_geslacht": pl.when(two).then(pl.concat_list(*sex)).otherwise(pl.concat_list(sex[0])),
        "r_begeleiding": beg.fill_null([]),
        "r_schulden": sch.fill_null([]),
    }


def csv_truth_fields() -> dict[str, pl.Expr]:
    """r_<field> for a legacy row: one client without a sex; Product SK/MSR -> oplossing;
    BBH/BBG -> one begeleiding element with the row's Startdatum / Einddatum."""
    product = pl.col("f_product").str.strip_chars().str.to_uppercase()
    start = _date(pl.col("f_start"), "%d-%m-%Y", NL)
    eind = _date(pl.col("f_eind"), "%d-%m-%Y", NL)
    soort = product.replace_strict({"BBH": "Budgetbeheer", "BBG": "Budgetbegeleiding"}, default=None, return_dtype=pl.Utf8)
    return {
        "r_eerste_gesprek_datum": _date(pl.col("f_eerste"), "%d-%m-%Y", NL),
        "r_crisis": pl.lit(None, pl.Boolean),
        "r_beschikkingsdatum": pl.lit(None, pl.Date),
        "r_beschikkingssoort": pl.lit(None, pl.Utf8),
        "r_oplossing_soort": product.replace_strict({"SK": "Saneringskrediet", "MSR": "Schuldbemiddeling"}, default=None, return_dtype=pl.Utf8),
        "r_geboorte": pl.concat_list(_date(pl.col("f_geb"), "%d-%m-%Y", NL)),
        "r_geslacht": pl.concat_list(pl.lit(None, pl.Utf8)),
        "r_begeleiding": pl.when(soort.is_not_null()).then(
            pl.concat_list(pl.struct(soort=soort, startdatum=start, einddatum=eind))
        ).otherwise(pl.lit([], pl.List(BEGELEIDING))),
        "r_schulden": pl.lit([], pl.List(SCHULD)),
    }


def leeftijdsklasse(born: dt.date | None, on: dt.date) -> str:
    """process.md §1, §6.2 in plain Python: whole years as on a birthday; 29 February's
    birthday is 1 March in a year without it, which the (month, day) comparison gives."""
    if born is None:
        return "onbekend"
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return "tot 27" if age < 27 else "27 tot 45" if age < 45 else "45 tot 65" if age < 65 else "65 of ouder"


def is_kvk(text: str | None) -> bool:
    return bool(text) and re.fullmatch(r"[0-9]{8}", text) is not None


# --- the truth per trajectory (process.md §1, §6.3) ----------------------------------------------

RECORD_COLUMNS_TRAJECT = ("eerste_gesprek_datum", "crisis", "beschikkingsdatum", "beschikkingssoort", "oplossing_soort")


def trajectory_truth() -> list[pl.Expr]:
    """Aggregations over a trajectory's records in authoritative order (first = authoritative)."""
    earliest = pl.col("beschikkingsdatum").min()
    return [
        pl.col("eerste_gesprek_datum").min(),
        # true when any record says true; null when no record is DDAS; else false
        pl.when((pl.col("bron") == "ddas").any()).then(pl.col("crisis").fill_null(False).any()).alias("crisis"),
        earliest.alias("beschikkingsdatum"),
        pl.col("beschikkingssoort").filter(pl.col("beschikkingsdatum") == earliest).first().alias("beschikkingssoort"),
        pl.col("oplossing_soort").first(),
    ]


def client_truth(auth: pl.DataFrame, trajecten: pl.DataFrame) -> pl.DataFrame:
    """Per (traject_id, persoon): the birth date and sex of the most authoritative record that
    gives them (auth is in authoritative order), the age class at the trajectory's aanmelddatum."""
    rows = (
        auth.with_columns(rang=pl.int_range(pl.len()).over("traject_id"))
        .select("traject_id", "rang", pl.col("personen").alias("persoon"), "geboorte", "geslacht")
        .explode("persoon", "geboorte", "geslacht", empty_as_null=True)
        .sort("traject_id", "persoon", "rang")
        .group_by("traject_id", "persoon", maintain_order=True)
        .agg(pl.col("geboorte").drop_nulls().first(), pl.col("geslacht").drop_nulls().first())
        .join(trajecten.select("traject_id", "aanmelddatum"), on="traject_id")
    )
    klasse = [leeftijdsklasse(b, a) for b, a in rows.select("geboorte", "aanmelddatum").iter_rows()]
    return rows.select(
        "traject_id", "persoon", leeftijdsklasse=pl.Series(klasse, dtype=pl.Utf8), geslacht=pl.col("geslacht").fill_null("onbekend")
    )


def nested_truth(auth: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """begeleiding and schulden rows of each trajectory's authoritative record, as delivered."""
    first = auth.group_by("traject_id", maintain_order=True).first().sort("traject_id")
    beg = first.select("traject_id", "begeleiding").explode("begeleiding", empty_as_null=True).drop_nulls("begeleiding")
    sch = first.select("traject_id", "schulden").explode("schulden", empty_as_null=True).drop_nulls("schulden")
    return beg.unnest("begeleiding"), sch.unnest("schulden").rename({"kvk": "schuldeiser_kvk", "naam": "schuldeiser_naam"})


def schuldeiser_ids(schulden: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """The truth's schulden with `schuldeiser_id` as the pipeline must write it for `key`: the
    kvk when it is the identity, else HMAC-SHA256 of the trimmed lower-cased name (stdlib hmac)."""
    import hashlib
    import hmac

    names = {n: hmac.new(key, n.encode("utf-8"), hashlib.sha256).hexdigest()
             for n in schulden["schuldeiser_naam"].drop_nulls().unique().to_list()}
    return schulden.with_columns(
        schuldeiser_id=pl.coalesce("schuldeiser_kvk", pl.col("schuldeiser_naam").replace_strict(names, default=None, return_dtype=pl.Utf8))
    ).drop("schuldeiser_kvk", "schuldeiser_naam")
