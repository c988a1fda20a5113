"""From the world to delivered records: what each organisation knew at each delivery.

DDAS: one file per supplier (`codeGegevensleverancier`) and calendar year, delivered
early the next year, holding every trajectory that overlaps the year as known at the
year's end (`einddatumLevering` is the horizon of its open records). The last, running
year is delivered on `until`. Legacy CSV: every `legacy_step_months` an export of every
trajectory the system had, the last one on the switch date. Aftercare: one workbook per
municipality and year.

`truth` applies the merge rule of model.md §4 to the accepted records of each real
trajectory; tests check independently that the rule's linking finds the same groups.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from ddas_generator import proces_records as P
from ddas_generator.world import FIRST_YEAR, World

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ONBEKEND_SHARE = 0.03  # DDAS trajectories registered without a municipality
CONVERSIE_SHARE = 0.5  # migrated trajectories that the new system starts on the conversion date
FAR = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Organisatie:
    naam: str
    kvk: str
    postcode: str
    gemeentecode: str | None
    email: str


@dataclass(frozen=True)
class Leverancier:
    code: str  # codeGegevensleverancier
    slug: str
    orgs: tuple[str, ...]  # one levering per organisation, in this order
    tz: str  # "Z" or "local" (Europe/Amsterdam offset) in aanleverdatumEnTijd
    dag: int  # days after 1 January of the next year
    uur: int
    nulls: bool = False  # writes null for absent dates (as the official examples do)
    alleen_uitstroom: bool = False  # gives the end only as uitstroom.datum
    bank: bool = False


ORGANISATIES = {
    "den_haag": Organisatie("Gemeente Den Haag, Schuldhulpverlening", "27372220", "2511BT", "GM0518", "schuldhulp@denhaag.example"),
    "rotterdam": Organisatie("Gemeente Rotterdam, Schuldhulpverlening", "24354561", "3011AD", "GM0599", "shv@rotterdam.example"),
    "utrecht": Organisatie("Gemeente Utrecht, Schuldhulp", "30280353", "3511BR", "GM0344", "schuldhulp@utrecht.example"),
    "zoetermeer": Organisatie("Gemeente Zoetermeer, Schulddienstverlening", "27378529", "2711AK", "GM0637", "sdv@zoetermeer.example"),
    "delft_rijswijk": Organisatie("Stichting Schuldhulp Delft-Rijswijk", "41149011", "2611HP", None, "info@schuldhulp-dr.example"),
    "amsterdam": Organisatie("Gemeente Amsterdam, Schuldhulpverlening", "34366966", "1011PN", "GM0363", "shv@amsterdam.example"),
    "leidschendam": Organisatie("Gemeente Leidschendam-Voorburg", "27363680", "2262BA", "GM1916", "schuldhulp@lv.example"),
    "westland": Organisatie("Gemeente Westland, Schuldhulpverlening", "27372005", "2671BZ", "GM1783", "schuldhulp@westland.example"),
    "pijnacker": Organisatie("Gemeente Pijnacker-Nootdorp", "27372000", "2641AB", "GM1926", "shv@pijnacker.example"),
    "wassenaar": Organisatie("Gemeente Wassenaar", "27373001", "2242JP", "GM0629", "shv@wassenaar.example"),
    "midden_delfland": Organisatie("Gemeente Midden-Delfland", "27373002", "2631CR", "GM1842", "shv@middendelfland.example"),
    "kredietbank": Organisatie("Kredietbank Haaglanden", "27191234", "2515EA", None, "samenloop@kredietbank.example"),
}

LEVERANCIERS = (
    Leverancier("GL000518", "denhaag", ("den_haag",), "local", 14, 10),
    Leverancier("GL000599", "rotterdam", ("rotterdam",), "Z", 21, 9, nulls=True),
    Leverancier("GL100200", "schuldhulpsoftware", ("utrecht", "delft_rijswijk", "leidschendam", "pijnacker", "wassenaar", "midden_delfland"), "local", 30, 13),
    Leverancier("GL000363", "amsterdam", ("amsterdam",), "Z", 10, 15, alleen_uitstroom=True),
    Leverancier("GL300637", "zoetermeer", ("zoetermeer",), "local", 35, 11),
    Leverancier("GL301783", "westland", ("westland",), "local", 40, 14),
    # the bank delivers first each year, so a municipality's own record of the same year is later
    Leverancier("KB000001", "kredietbank", ("kredietbank",), "Z", 4, 5, bank=True),
)

CSV_REDEN = {  # standard reason -> what the legacy system writes (model.md §3 mapping)
    "Afgerond": ("Schuldenvrij", "Regeling afgerond", "Doel bereikt"),
    "Nietverschenen": ("Niet verschenen",),
    "Ingetrokken": ("Ingetrokken door klant",),
    "Niet passend": ("Niet passend",),
    "Voldoet niet": ("Voldoet niet aan voorwaarden",),
    "Zelf": ("Zelf opgelost",),
    "Verhuisd": ("Verhuisd",),
    "Overleden": ("Overleden",),
    "Overig": ("Anders",),
}
DOSSIER_PREFIX = {"GM0637": "ZM", "GM1783": "WL"}

RECORD_COLUMNS = {  # one accepted trajectory record, as model.md §2 defines its fields
    "traject_id": pl.Int64,
    "bron": pl.Utf8,
    "bestand": pl.Utf8,
    "levering": pl.Int64,
    "positie": pl.Int64,
    "ts": pl.Datetime("us", "UTC"),
    "horizon": pl.Date,
    "dossiernr": pl.Utf8,
    "gemeentecode": pl.Utf8,
    "aanmelddatum": pl.Date,
    "startdatum": pl.Date,
    "einddatum": pl.Date,
    "uitstroomreden": pl.Utf8,
    "is_informatie_advies": pl.Boolean,
    "nazorg_startdatum": pl.Date,
    "personen": pl.List(pl.Int64),
    **P.RECORD_COLUMNS,
}


def _rng(seed: int, part: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, 0xF4A6, part]))


def _u(rng: np.random.Generator, n: int) -> pl.Expr:
    return pl.lit(pl.Series(rng.random(n)))


def _known(col: str, horizon: str = "horizon") -> pl.Expr:
    """A date as a delivery made at the horizon knows it: null when it lies after it."""
    return pl.when(pl.col(col) <= pl.col(horizon)).then(pl.col(col))


def stamp(day: dt.date, hour: int, tz: str) -> tuple[str, dt.datetime]:
    """aanleverdatumEnTijd as written and as an instant."""
    if tz == "Z":
        moment = dt.datetime(day.year, day.month, day.day, hour, 0, 0, tzinfo=dt.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment
    local = dt.datetime(day.year, day.month, day.day, hour, 0, 0, tzinfo=AMSTERDAM)
    text = local.isoformat(timespec="seconds")
    return text, local.astimezone(dt.timezone.utc)


def _legacy(world: World) -> dict[str, dt.date]:
    return {g.code: g.switch for g in world.gemeenten if g.switch is not None}


def ddas_files(world: World) -> pl.DataFrame:
    """One row per DDAS file: supplier, year, path, period, timestamp, its organisations."""
    until = world.until
    orgs_in_use = {g.org for g in world.gemeenten}
    if world.trajecten["bank_start"].is_not_null().any():
        orgs_in_use.add("kredietbank")
    switch_of_org = {g.org: g.switch for g in world.gemeenten if g.switch is not None}
    rows = []
    for lev in LEVERANCIERS:
        orgs = [o for o in lev.orgs if o in orgs_in_use]
        if not orgs:
            continue
        switch = switch_of_org.get(orgs[0])
        if switch is not None and switch > until:
            continue  # still on the legacy system
        first = max(FIRST_YEAR, switch.year if switch else FIRST_YEAR)
        for y in range(first, until.year + 1):
            begin = max(dt.date(y, 1, 1), switch) if switch else dt.date(y, 1, 1)
            end = min(dt.date(y, 12, 31), until)
            running = y == until.year
            if running:  # the running year: delivered on `until`, late in the day, bank first
                day, hour = until, (5 if lev.bank else (18 if lev.tz == "Z" else 20))
            else:
                day, hour = min(dt.date(y + 1, 1, 1) + dt.timedelta(days=lev.dag), until), lev.uur
            text, moment = stamp(day, hour, lev.tz)
            suffix = "_tussentijds" if running else ""
            rows.append(
                {
                    "leverancier": lev.code,
                    "jaar": y,
                    "bestand": f"ddas/{y}/{lev.code}_{lev.slug}_{y}{suffix}.json",
                    "start_levering": begin,
                    "horizon": end,
                    "aanlevering": text,
                    "ts": moment,
                    "orgs": orgs,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "leverancier": pl.Utf8, "jaar": pl.Int32, "bestand": pl.Utf8, "start_levering": pl.Date,
            "horizon": pl.Date, "aanlevering": pl.Utf8, "ts": pl.Datetime("us", "UTC"), "orgs": pl.List(pl.Utf8),
        },
    ).sort("bestand")


def _years(first: pl.Expr, last: pl.Expr) -> pl.Expr:
    return pl.int_ranges(first, last + 1, dtype=pl.Int32)


def _with_clients(df: pl.DataFrame, personen: pl.DataFrame) -> pl.DataFrame:
    p = personen.select(
        "persoon",
        "bsn",
        geb=pl.col("geboortedatum").dt.strftime("%Y-%m-%d"),
        gesl="geslacht",
    )
    df = df.join(p.rename(lambda c: c + "1"), left_on="p1", right_on="persoon1", how="left", maintain_order="left")
    return df.join(p.rename(lambda c: c + "2"), left_on="p2", right_on="persoon2", how="left", maintain_order="left")


def ddas_records(world: World, files: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Every clean DDAS record: main organisation per year, plus the credit bank's samenloop."""
    rng = _rng(seed, 1)
    until = world.until
    switch = _legacy(world)
    org_of = {g.code: g.org for g in world.gemeenten}
    lev_of = {o: lev.code for lev in LEVERANCIERS for o in lev.orgs}
    tr = world.trajecten.sort("traject_id").with_columns(
        switch=pl.col("gemeentecode").replace_strict(switch, default=None, return_dtype=pl.Date),
        org=pl.col("gemeentecode").replace_strict(org_of, return_dtype=pl.Utf8),
    )
    legacy = pl.col("switch").is_not_null()
    migrated = legacy & (pl.col("aanmelding") <= pl.col("switch")) & (pl.col("einde") > pl.col("switch")) & (pl.col("switch") <= until)
    new = legacy & (pl.col("aanmelding") > pl.col("switch"))
    n = tr.height
    tr = tr.with_columns(
        via_ddas=~legacy | migrated | new,
        migrated=migrated,
        onbekend=~legacy & (_u(rng, n) < ONBEKEND_SHARE),
        conversie=migrated & (_u(rng, n) < CONVERSIE_SHARE),
        leverancier=pl.col("org").replace_strict(lev_of, return_dtype=pl.Utf8),
        last_year=pl.when(pl.col("einde") <= until).then(pl.col("einde").dt.year()).otherwise(until.year).cast(pl.Int32),
    )
    first = pl.max_horizontal(pl.col("start").dt.year(), pl.lit(FIRST_YEAR), pl.col("switch").dt.year().fill_null(0)).cast(pl.Int32)
    main = (
        tr.filter("via_ddas")
        .with_columns(jaar=_years(first, pl.col("last_year")), soort=pl.lit("main"))
        .explode("jaar", empty_as_null=True)
        .drop_nulls("jaar")
    )
    bank_last = pl.when(pl.col("bank_einde") <= until).then(pl.col("bank_einde").dt.year()).otherwise(until.year).cast(pl.Int32)
    bank = (
        tr.filter(pl.col("bank_start").is_not_null())
        .with_columns(
            jaar=_years(pl.max_horizontal(pl.col("bank_start").dt.year(), pl.lit(FIRST_YEAR)).cast(pl.Int32), bank_last),
            soort=pl.lit("bank"),
            leverancier=pl.lit("KB000001"),
            org=pl.lit("kredietbank"),
        )
        .explode("jaar", empty_as_null=True)
        .drop_nulls("jaar")
    )
    fr = pl.concat([main, bank]).join(
        files.select("leverancier", "jaar", "bestand", "horizon", "ts", "orgs", "start_levering"),
        on=["leverancier", "jaar"],
        how="inner",
        maintain_order="left",
    ).filter((pl.col("soort") == "main") | (pl.col("bank_start") <= pl.col("horizon")))
    leveringen = (
        files.select("bestand", pl.col("orgs").alias("org"))
        .with_columns(levering=pl.int_ranges(pl.col("org").list.len(), dtype=pl.Int64))
        .explode("org", "levering", empty_as_null=True)
    )
    fr = fr.join(leveringen, on=["bestand", "org"], how="left", maintain_order="left").sort("bestand", "traject_id", "soort")
    m = fr.height
    is_bank = pl.col("soort") == "bank"
    lower = pl.col("leverancier") == "GL100200"
    onbekend_text = pl.lit(pl.Series(rng.choice(np.array(["Onbekend", "onbekend", "ONBEKEND "]), size=m, p=(0.8, 0.15, 0.05))))
    code_text = pl.when(lower & (_u(rng, m) < 0.05)).then(pl.col("gemeentecode").str.to_lowercase()).otherwise(pl.col("gemeentecode"))
    einde = pl.when(is_bank).then(_known("bank_einde")).otherwise(_known("einde"))
    reden = pl.when(is_bank).then(pl.col("bank_reden")).otherwise(pl.col("reden"))
    alleen_uitstroom = pl.col("leverancier") == "GL000363"
    fr = fr.with_columns(
        volgorde=pl.lit(pl.Series(rng.integers(0, 2**62, m, dtype=np.int64))),
        gem_text=pl.when(pl.col("onbekend") & ~is_bank).then(onbekend_text).otherwise(code_text),
        d_aanmelding=pl.when(~is_bank & ~pl.col("conversie")).then(pl.col("aanmelding")),
        d_start=pl.when(is_bank).then(pl.col("bank_start")).when(pl.col("conversie")).then(pl.col("switch")).otherwise(_known("intake")),
        d_ia=pl.when(~is_bank).then(_known("ia_start")),
        d_ia_einde=pl.when(~is_bank & pl.col("is_ia")).then(_known("einde")),
        d_intake=pl.when(~is_bank).then(_known("intake")),
        d_fase=pl.when(is_bank).then(pl.col("bank_start")).otherwise(_known("fase_start")),
        fase=pl.when(is_bank).then(pl.lit("SK")).otherwise(pl.col("product")),
        d_eind=pl.when(alleen_uitstroom & pl.col("reden").is_not_null()).then(None).otherwise(einde),
        d_uitstroom=pl.when(einde.is_not_null() & (reden.is_not_null() | alleen_uitstroom)).then(einde),
        uit_reden=pl.when(einde.is_not_null()).then(reden),
        d_nazorg=pl.when(~is_bank).then(_known("nazorg_start")),
        schuld_eur=pl.when(is_bank | _known("intake").is_not_null()).then(pl.col("schuld").round(0).cast(pl.Int64)),
    )
    fr = _with_clients(fr, world.personen)
    fr = P.ddas_process(fr, world, rng)
    rec_start = pl.min_horizontal("d_aanmelding", "d_start", "d_ia")
    phases = pl.col("d_intake").is_not_null() | pl.col("d_fase").is_not_null() | pl.col("crisis_array")
    return fr.with_columns(
        bron=pl.lit("ddas"),
        r_gemeentecode=pl.when(pl.col("onbekend") & ~is_bank).then(None).otherwise(pl.col("gemeentecode")),
        r_aanmelddatum=pl.coalesce("d_aanmelding", rec_start),
        r_start=rec_start,
        r_eind=pl.coalesce("d_eind", "d_uitstroom"),
        r_reden=pl.col("uit_reden"),
        r_ia=pl.col("d_ia").is_not_null() & ~phases,
        r_nazorg=pl.col("d_nazorg"),
        r_personen=pl.concat_list("p1", "p2").list.drop_nulls(),
        **P.ddas_truth_fields(),
    )


def csv_rows(world: World, seed: int) -> pl.DataFrame:
    """Every row of every legacy export: one per trajectory the system had, main applicant only."""
    rng = _rng(seed, 2)
    until = world.until
    exports = []
    for g in world.gemeenten:
        if g.switch is None:
            continue
        d = g.legacy_first
        while d <= min(g.switch, until):
            exports.append({"gemeentecode": g.code, "export": d, "switch": g.switch})
            month = d.month - 1 + g.legacy_step_months
            d = dt.date(d.year + month // 12, month % 12 + 1, 1)
        if g.switch <= until and exports[-1]["export"] != g.switch:
            exports.append({"gemeentecode": g.code, "export": g.switch, "switch": g.switch})
    if not exports:
        return pl.DataFrame()
    ex = pl.DataFrame(exports).with_columns(
        bestand=pl.format("shv_csv/{}_{}.csv", "gemeentecode", pl.col("export").dt.strftime("%Y%m%d")),
    )
    tr = world.trajecten.filter(pl.col("gemeentecode").is_in(ex["gemeentecode"].unique().to_list()))
    tr = tr.sort("traject_id")
    k = tr.height
    prefix = pl.col("gemeentecode").replace_strict(DOSSIER_PREFIX, default="SH")
    seq = pl.int_range(1, pl.len() + 1).over("gemeentecode")
    reden_keuze = pl.lit(pl.Series(rng.integers(0, 3, k)))
    csv_reden = pl.col("reden").replace_strict(
        {r: v[0] for r, v in CSV_REDEN.items()}, default=None, return_dtype=pl.Utf8
    )
    tr = tr.with_columns(
        dossiernr=pl.format("{}{}-{}", prefix, pl.col("aanmelding").dt.year(), seq.cast(pl.Utf8).str.zfill(6)),
        csv_reden=pl.when(pl.col("reden") == "Afgerond")
        .then(reden_keuze.replace_strict(dict(enumerate(CSV_REDEN["Afgerond"])), return_dtype=pl.Utf8))
        .otherwise(csv_reden),
    )
    rows = tr.join(ex, on="gemeentecode", how="inner", maintain_order="left").filter(pl.col("aanmelding") <= pl.col("export"))
    rows = rows.with_columns(horizon=pl.col("export")).sort("bestand", "dossiernr")
    n = rows.height
    einde = _known("einde")
    intake = _known("intake")
    product = pl.when(pl.col("is_ia") | intake.is_null()).then(pl.lit("IA")).otherwise(pl.col("product"))
    rows = rows.with_columns(
        d_eerste=pl.coalesce(_known("gesprek"), _known("ia_start")),
        product_text=product,
        d_start=pl.when(pl.col("is_ia")).then(pl.col("ia_start")).otherwise(intake),
        d_eind=einde,
        reden_text=pl.when(einde.is_not_null()).then(pl.col("csv_reden")),
        d_nazorg=_known("nazorg_start"),
        schuld_eur=pl.when(intake.is_not_null() & (product != "IA")).then(pl.col("schuld")),
        u_bsn=_u(rng, n),
        u_geb=_u(rng, n),
        u_schuld=_u(rng, n),
        u_opm=_u(rng, n),
        u_case=_u(rng, n),
        volgorde=pl.int_range(pl.len()).over("bestand").cast(pl.Float64),
        ts=pl.col("export").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
    )
    rows = _with_clients(rows.with_columns(p2=pl.lit(None, pl.Int64)), world.personen)
    rows = _csv_fields(rows, world, rng)
    return rows.with_columns(**P.csv_truth_fields()).with_columns(
        bron=pl.lit("shv_csv"),
        levering=pl.lit(0, pl.Int64),
        r_gemeentecode=pl.col("gemeentecode"),
        r_aanmelddatum=pl.col("aanmelding"),
        r_start=pl.min_horizontal("aanmelding", "d_start"),
        r_eind=pl.col("d_eind"),
        r_reden=pl.when(pl.col("d_eind").is_not_null()).then(pl.col("reden")),
        r_ia=pl.col("product_text") == "IA",
        r_nazorg=pl.col("d_nazorg"),
        r_personen=pl.concat_list("p1"),
    )


OPMERKINGEN = (
    "Klant heeft achterstand huur € 1.250; afspraak met corporatie",
    'Klant zegt: "ik kan het niet meer overzien"',
    "Doorverwezen naar budgetcoach.\nVervolgafspraak volgt",
    "Café-eigenaar, zakelijke schulden apart gehouden",
    "Financiële situatie besproken; partner was niet aanwezig",
    "Overleg met bewindvoerder – zie brief d.d. 12-03",
)


def _nl(col: pl.Expr) -> pl.Expr:
    return col.dt.strftime("%d-%m-%Y").fill_null("")


def _bedrag(euros: pl.Expr, style: pl.Expr) -> pl.Expr:
    """12.345,67 / 12345,67 / 12345 / empty: the styles a legacy export mixes."""
    cents = (euros * 100).round(0).cast(pl.Int64)
    whole = (cents // 100).cast(pl.Utf8)
    frac = (cents % 100).cast(pl.Utf8).str.zfill(2)
    n = whole.str.len_chars()
    dotted = (
        pl.when(n > 6).then(whole.str.slice(0, n - 6) + "." + whole.str.slice(n - 6, 3) + "." + whole.str.slice(n - 3, 3))
        .when(n > 3).then(whole.str.slice(0, n - 3) + "." + whole.str.slice(n - 3, 3))
        .otherwise(whole)
    )
    return (
        pl.when(euros.is_null()).then(pl.lit(""))
        .when(style < 0.6).then(dotted + "," + frac)
        .when(style < 0.8).then(whole + "," + frac)
        .when(style < 0.9).then((cents // 100).cast(pl.Utf8))
        .otherwise(pl.lit(""))
    )


def _csv_fields(rows: pl.DataFrame, world: World, rng: np.random.Generator) -> pl.DataFrame:
    """The twelve text fields of each row, with the variations a legacy export has."""
    n = rows.height
    persons = world.personen.height
    other = world.personen.select(pl.col("persoon").alias("ander"), pl.col("bsn").alias("ander_bsn"))
    rows = rows.with_columns(
        ander=(pl.col("p1") + pl.lit(pl.Series(rng.integers(1, max(persons, 2), n)))) % max(persons, 1)
    ).join(other, on="ander", how="left", maintain_order="left")
    opm_idx = pl.lit(pl.Series(rng.integers(0, len(OPMERKINGEN), n)))
    u_opm = pl.col("u_opm")
    opmerking = (
        pl.when(u_opm < 0.70).then(pl.lit(""))
        .when(u_opm < 0.99).then(opm_idx.replace_strict(dict(enumerate(OPMERKINGEN)), return_dtype=pl.Utf8))
        .when(u_opm < 0.995).then(pl.format("Partner BSN {} heeft eigen dossier", "ander_bsn"))
        .otherwise(pl.format("Zie ook dossier van {}; gegevens opgevraagd", "ander_bsn"))
    )
    bsn = pl.col("bsn1")
    u_bsn = pl.col("u_bsn")
    return rows.with_columns(
        f_dossiernr="dossiernr",
        f_bsn=pl.when(bsn.str.starts_with("0") & (u_bsn < 0.4)).then(bsn.str.slice(1))  # lost its leading zero
        .when(u_bsn > 0.98).then(pl.format("{}.{}.{}", bsn.str.slice(0, 3), bsn.str.slice(3, 3), bsn.str.slice(6, 3)))
        .when(u_bsn > 0.96).then(pl.format(" {} ", bsn))
        .otherwise(bsn),
        f_geb=pl.when(pl.col("u_geb") < 0.01).then(pl.lit(""))
        .when(pl.col("u_geb") > 0.997).then(pl.lit("00-00-0000"))  # informational: never quarantines
        .otherwise(_nl(pl.col("geb1").str.to_date("%Y-%m-%d"))),
        f_aanm=_nl(pl.col("aanmelding")),
        f_eerste=_nl(pl.col("d_eerste")),
        f_product=pl.when(pl.col("u_case") < 0.03).then(pl.col("product_text").str.to_lowercase() + " ").otherwise(pl.col("product_text")),
        f_start=_nl(pl.col("d_start")),
        f_eind=_nl(pl.col("d_eind")),
        f_reden=pl.col("reden_text").fill_null(""),
        f_nazorg=_nl(pl.col("d_nazorg")),
        f_schuld=_bedrag(pl.col("schuld_eur"), pl.col("u_schuld")),
        f_opm=opmerking,
    ).with_columns(lines=1 + pl.col("f_opm").str.count_matches("\n"))


XLSX_LAYOUTS = {  # per municipality: header text per column, in sheet order; variations seen in practice
    "GM0518": {"kolommen": (("bsn", "BSN"), ("datum", "Datum"), ("soort", "Soort"), ("uitkomst", "Uitkomst"), ("contactvorm", "Contactvorm"), ("door", "Uitgevoerd door")), "toelichting": True, "getal": 0.05, "tekst": 0.10},
    "GM0599": {"kolommen": (("datum", "datum"), ("bsn", " Bsn"), ("soort", "SOORT"), ("contactvorm", "Contactvorm"), ("uitkomst", "Uitkomst"), ("door", "uitgevoerd door"), ("extra", "Opmerking")), "toelichting": False, "getal": 0.30, "tekst": 0.0},
    "GM0637": {"kolommen": (("bsn", "BSN"), ("datum", "Datum"), ("soort", "Soort"), ("uitkomst", "Uitkomst"), ("contactvorm", "Contactvorm"), ("door", "Uitgevoerd door")), "toelichting": False, "getal": 0.10, "tekst": 0.50},
    "GM0503": {"kolommen": (("bsn", "BSN"), ("datum", "Datum"), ("soort", "Soort"), ("uitkomst", "Uitkomst"), ("contactvorm", "Contactvorm")), "toelichting": False, "getal": 0.20, "tekst": 0.20},
    "GM1916": {"kolommen": (("bsn", "BSN"), ("datum", "Datum"), ("soort", "Soort"), ("uitkomst", "Uitkomst"), ("contactvorm", "Contactvorm"), ("door", "Uitgevoerd door"), ("extra", "Wijk")), "toelichting": True, "getal": 0.0, "tekst": 0.05},
}
DEFAULT_LAYOUT = XLSX_LAYOUTS["GM0518"] | {"toelichting": False}
EXTRA_TEKST = ("Vrijwilliger: Ans", "Wijk Laak", "Via wijkteam", "Terugbelverzoek", "Zie notitie")


def layout(code: str) -> dict:
    return XLSX_LAYOUTS.get(code, DEFAULT_LAYOUT)


def nazorg_rows(world: World, seed: int) -> pl.DataFrame:
    """Aftercare events with their workbook (one per municipality and year) and cell variants."""
    rng = _rng(seed, 3)
    until = world.until
    ev = world.nazorg.with_columns(jaar=pl.col("datum").dt.year())
    file_day = pl.min_horizontal(pl.date(pl.col("jaar") + 1, 1, 15), pl.lit(until))
    ev = ev.with_columns(
        bestand=pl.format("nazorg/{}/{}_{}.xlsx", pl.col("jaar"), "gemeentecode", file_day.dt.strftime("%Y%m%d")),
        leverdatum=file_day,
    )
    p = world.personen.select("persoon", "bsn")
    ev = ev.join(p, on="persoon", how="left", maintain_order="left").sort("bestand", "datum", "bsn", "soort")
    n = ev.height
    getal = pl.col("gemeentecode").replace_strict({c: l["getal"] for c, l in XLSX_LAYOUTS.items()}, default=DEFAULT_LAYOUT["getal"])
    tekst = pl.col("gemeentecode").replace_strict({c: l["tekst"] for c, l in XLSX_LAYOUTS.items()}, default=DEFAULT_LAYOUT["tekst"])
    has_door = pl.col("gemeentecode").replace_strict(
        {c: any(k == "door" for k, _ in l["kolommen"]) for c, l in XLSX_LAYOUTS.items()}, default=True, return_dtype=pl.Boolean
    )
    is_toets = pl.col("soort") == "nazorgtoets"
    u = [_u(rng, n) for _ in range(6)]
    soort_text = pl.when(is_toets).then(pl.lit("Nazorgtoets")).otherwise(pl.lit("Contact"))
    stray_uitkomst = pl.lit(pl.Series(rng.choice(np.array(["Geen nazorg nodig", "Lichte nazorg"]), size=n)))
    stray_vorm = pl.lit(pl.Series(rng.choice(np.array(["Telefonisch", "Kantoor"]), size=n)))
    return ev.with_columns(
        key=pl.int_range(pl.len()).over("bestand").cast(pl.Float64),
        c_getal=(u[0] < getal) & ~pl.col("bsn").str.starts_with("00"),
        c_bsn=pl.when(u[0] > 0.995).then(pl.format("{} {} {}", pl.col("bsn").str.slice(0, 4), pl.col("bsn").str.slice(4, 2), pl.col("bsn").str.slice(6, 3))).otherwise(pl.col("bsn")),
        c_datum_tekst=pl.when(u[1] < tekst).then(pl.col("datum").dt.strftime("%d-%m-%Y")),
        c_soort=pl.when(u[2] < 0.03).then(soort_text.str.to_lowercase()).when(u[2] < 0.04).then(soort_text + " ").otherwise(soort_text),
        c_uitkomst=pl.when(is_toets & (u[3] < 0.03)).then(pl.col("uitkomst").str.to_lowercase())
        .when(is_toets).then(pl.col("uitkomst"))
        .when(u[3] < 0.02).then(stray_uitkomst),  # ignored on a Contact row
        c_contactvorm=pl.when(~is_toets).then(pl.col("contactvorm")).when(u[4] < 0.02).then(stray_vorm),  # ignored on a toets
        c_door=pl.col("uitgevoerd_door"),
        c_extra=pl.when(u[5] < 0.1).then(pl.lit(pl.Series(rng.choice(np.array(EXTRA_TEKST), size=n)))),
        has_door=has_door,
    )


def truth(records: pl.DataFrame, personen: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """model.md §4 and process.md §1 per real trajectory over its accepted records (legacy
    rows after superseding): trajecten, trajectclienten (with age class and sex),
    begeleiding and schulden (the creditor as kvk or name; see schuldeiser_ids)."""
    recs = records.select(list(RECORD_COLUMNS))
    csv = recs.filter(pl.col("bron") == "shv_csv")
    # the latest export's row of a Dossiernr supersedes the earlier ones (ties: later path)
    latest = csv.sort("ts", "bestand").group_by("gemeentecode", "dossiernr", maintain_order=True).last()
    recs = pl.concat([recs.filter(pl.col("bron") == "ddas"), latest.select(recs.columns)])
    auth = recs.sort(
        ["ts", pl.col("einddatum").fill_null(FAR), pl.col("bron") == "ddas", "bestand", "levering", "positie"],
        descending=True,
    )
    fields = auth.group_by("traject_id", maintain_order=True).agg(
        pl.col("einddatum").first(),
        pl.col("uitstroomreden").first(),
        pl.col("aanmelddatum").min(),
        pl.col("startdatum").min(),
        pl.col("is_informatie_advies").all(),
        pl.col("nazorg_startdatum").min(),
        pl.len().alias("aantal_bronrecords"),
        pl.col("bron").unique().sort().str.join(",").alias("bronnen"),
        *P.trajectory_truth(),
    )
    # gemeentecode: of the record with the earliest aanmelddatum, ties first in authoritative order
    gem = auth.with_columns(rank=pl.int_range(pl.len())).sort("aanmelddatum", "rank").group_by("traject_id", maintain_order=True).agg(
        pl.col("gemeentecode").first()
    )
    trajecten = fields.join(gem, on="traject_id").select(
        "traject_id",
        "gemeentecode",
        "aanmelddatum",
        "startdatum",
        "einddatum",
        "uitstroomreden",
        "is_informatie_advies",
        "nazorg_startdatum",
        pl.col("aantal_bronrecords").cast(pl.Int64),
        "bronnen",
        *P.RECORD_COLUMNS_TRAJECT,
    ).sort("traject_id")
    clients = P.client_truth(auth, trajecten).join(personen.select("persoon", "bsn"), on="persoon").select(
        "traject_id", "bsn", "leeftijdsklasse", "geslacht"
    ).sort("traject_id", "bsn")
    trajecten = trajecten.join(clients.group_by("traject_id").agg(pl.len().cast(pl.Int64).alias("aantal_clienten")),
                               on="traject_id", how="left")
    begeleiding, schulden = P.nested_truth(auth)
    return trajecten, clients, begeleiding, schulden


def as_records(df: pl.DataFrame) -> pl.DataFrame:
    """The model.md §2 fields of placed rows (ddas_records / csv_rows with `positie`)."""
    return df.select(
        "traject_id",
        "bron",
        "bestand",
        pl.col("levering").cast(pl.Int64),
        pl.col("positie").cast(pl.Int64),
        "ts",
        "horizon",
        pl.col("dossiernr") if "dossiernr" in df.columns else pl.lit(None, pl.Utf8).alias("dossiernr"),
        pl.col("r_gemeentecode").alias("gemeentecode"),
        pl.col("r_aanmelddatum").alias("aanmelddatum"),
        pl.col("r_start").alias("startdatum"),
        pl.col("r_eind").alias("einddatum"),
        pl.col("r_reden").alias("uitstroomreden"),
        pl.col("r_ia").alias("is_informatie_advies"),
        pl.col("r_nazorg").alias("nazorg_startdatum"),
        pl.col("r_personen").alias("personen"),
        *[pl.col(f"r_{c}").alias(c) for c in P.RECORD_COLUMNS],
    ).cast(RECORD_COLUMNS)
