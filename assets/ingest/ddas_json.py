"""DDAS Uitwisselmodel v1.0 JSON files: steps 3-5 of sources.md and the rules of model.md §2.

Per file: parse (orjson), decide `toekomstig` / `geweigerd` / `geladen`, validate a loaded
file against the official schema (`ddas_schema_check`), pull every
`leveringen[i].schuldhulptrajecten[j]` into column lists in one Python pass, and judge
the records with polars expressions, in the order of the reason codes (every rule looks
at one record, so a file can be judged on its own). For a large load the files are
spread over worker processes, one per core (`ddas_workers`), while the caller's other work
(`meanwhile`: the other kinds' readers) runs here. The BSNs of accepted records of all
files are then pseudonymised once per distinct BSN, half of them in a worker. No BSN
column leaves `read_ddas`.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import orjson
import polars as pl

from assets.common.bsn import bsn_is_valid, normalise_bsn, pseudonymise_with
from assets.common.dates import earliest, parse_date
from assets.common.memory import without_cyclic_gc
from assets.common.reference import gemeentecodes, map_code, match_key
from assets.ingest.ddas_bounds import MAX_BYTES, MAX_DEPTH, TE_DIEP, TE_GROOT, json_depth
from assets.ingest.ddas_dates import parse_aanleverdatum, valid_iso_date
from assets.ingest.ddas_schema_check import FINDINGS_SCHEMA, schema_findings
from assets.ingest.ddas_workers import processes, read_files, worker_pool
from assets.ingest.inventory import UNREADABLE_FILE, open_regular, os_cause
from assets.ingest.reasons import quarantine
from assets.common.paths import mask_digits
from assets.ingest.result import IngestResult, ledger_frame, ledger_row
from assets.ingest.ddas_process import (
    BEGELEIDING_SCHEMA, SCHULD_SCHEMA, accepted_parts, begeleiding_checks, enum_value, flag_name, geslacht,
    parsed_begeleiding, per_record_lists, with_schuldeiser_ids,
)
from assets.common.birth_mask import mask, pads
from schemas.ddas_json import (
    BEGELEIDING_DATUMVELDEN, DATUMVELDEN, NIET_TEKST, DdasRuwBegeleiding, DdasRuwClient, DdasRuwRecord, DdasRuwSchuld,
)
from schemas.model import BESCHIKKINGSSOORTEN, OPLOSSINGSSOORTEN
from schemas.quality import dtypes
from schemas.records import TrajectRecord

BRON = "ddas"
BOM = b"\xef\xbb\xbf"
# A record is in a phase (is_informatie_advies is false) when one of these is filled:
# intake, oplossing, crisisinterventies[] and begeleiding[] are tested where they are read.
_OBJECT_PHASES = ("planVanAanpak", "stabilisatie", "schuldregeling")
_ARRAY_PHASES = ("moratoria", "voorlopigeVoorzieningen")
_INT64 = (-(2**63), 2**63 - 1)

RAW_SCHEMA = dtypes(DdasRuwRecord)
CLIENT_SCHEMA = dtypes(DdasRuwClient)
TrajectRecord_dtypes = dtypes(TrajectRecord)
# The columns of a judged file that the accepted records and the quarantine are made of.
JUDGED_COLUMNS = [
    "rij", "bestand", "levering_index", "record_index", "gemeentecode", "d_aanmelding_startdatum", "start", "eind",
    "reden_std", "ia_aanwezig", "fase_aanwezig", "d_nazorg_startdatum", "schuldbedrag_eur", "reden_code", "detail",
    "d_intake_startdatum", "d_intake_beschikkingsdatum", "beschikkingssoort_std", "oplossing_soort_std", "crisis",
]
# One row per loaded file: what its records take from the file (TrajectRecord's types).
FILE_SCHEMA = {c: t for c, t in dtypes(TrajectRecord).items() if c in ("bestand", "aanlevertijdstip", "horizon")}


# --- one file ----------------------------------------------------------------------


def load_file(raw: bytes, peildatum: dt.date) -> tuple[str, str | None, dict | None, tuple | None]:
    """(status, reden, parsed document or None, (leverdatum, instant) or None) of one file.

    Step 3 (toekomstig) needs a readable timestamp, so an unreadable file falls through
    to step 4. Reasons never quote the file's contents.
    """
    if raw.startswith(BOM):
        raw = raw[len(BOM):]  # RFC 8259 §8.1 lets a parser ignore a BOM; some exporters write one
    if not raw.strip():
        return "geweigerd", "leeg bestand: geen JSON-inhoud", None, None
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return "geweigerd", "geen geldige UTF-8-tekst", None, None
        if e.pos >= len(e.doc.rstrip()):
            return "geweigerd", "onvolledige JSON: het bestand houdt halverwege op", None, None
        return "geweigerd", f"geen geldige JSON (regel {e.lineno}, kolom {e.colno})", None, None
    if not isinstance(doc, dict):
        return "geweigerd", "het hoogste niveau van het JSON-bestand is geen object", None, None
    stamp = parse_aanleverdatum(doc.get("aanleverdatumEnTijd"))
    if stamp is not None and stamp[0] > peildatum:
        return "toekomstig", "aanleverdatumEnTijd ligt na de peildatum", None, stamp
    redenen = []
    if not isinstance(doc.get("leveringen"), list):
        redenen.append("geen array 'leveringen'")
    if stamp is None:
        redenen.append("aanleverdatumEnTijd ontbreekt of is geen RFC 3339-datum-tijd met Z of offset")
    if redenen:
        return "geweigerd", "; ".join(redenen), None, stamp
    if json_depth(raw) > MAX_DEPTH:  # before validation: jsonschema-rs stops at 255 levels
        return "geweigerd", TE_DIEP, None, stamp
    return "geladen", None, doc, stamp


# --- tolerant extraction of one schuldhulptraject ------------------------------------

_EMPTY: dict = {}
_TEXT_COLUMNS = ("gemeentecode", *DATUMVELDEN.values(), "uitstroom_reden", "intake_beschikkingssoort", "oplossing_soort")


def _whole_euros(value) -> int | None:
    if value.__class__ is float and value.is_integer():
        value = int(value)
    return value if value.__class__ is int and _INT64[0] <= value <= _INT64[1] else None


def _as_text(values: list) -> list:
    """Delivered value -> itself when a string or null, else NIET_TEKST (present, not text)."""
    return [v if v is None or v.__class__ is str else NIET_TEKST for v in values]


def _text_series(name: str, values: list) -> pl.Series:
    """Strings and nulls as delivered; any other JSON value becomes NIET_TEKST. The strict
    build fails on the first non-string, so the per-value pass runs only for such files."""
    try:
        return pl.Series(name, values, dtype=pl.Utf8, strict=True)
    except TypeError:
        return pl.Series(name, _as_text(values), dtype=pl.Utf8)


def _amount_series(values: list) -> pl.Series:
    """Whole euros; the loop already turned everything but int and null into _whole_euros,
    so only an integer beyond 64 bits makes the strict build fail."""
    try:
        return pl.Series("schuldbedrag_eur", values, dtype=pl.Int64, strict=True)
    except (TypeError, OverflowError):
        return pl.Series("schuldbedrag_eur", [_whole_euros(v) for v in values], dtype=pl.Int64)


def decode_records(doc: dict, bestand: str) -> tuple[dict[str, pl.Series], pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Raw columns of every trajectory of `doc` (schemas.ddas_json.DdasRuwRecord, as
    Series by name), and its clients, begeleiding and schulden elements as frames
    (DdasRuwClient, DdasRuwBegeleiding, DdasRuwSchuld) whose `rij` is the record's
    position in this file.

    One Python pass over the parsed objects: parsing itself requires it. Only the
    lookups happen here, each value appended to its column's list; type checks and all
    rules run vectorised afterwards. Presence rules: an object with a non-null value, or
    an array with a non-null element (`len > count(None)`, counted in C).
    """
    gem, aanm, start, eind, uit_datum, ia_start, nazorg, reden = ([] for _ in range(8))
    intake_start, besch_datum, besch_soort, opl_soort = ([] for _ in range(4))
    ia_present, phase_present, bedrag, crisis = [], [], [], []
    lev_index, lev_len, client_pos, client_bsn, client_geb, client_gesl = [], [], [], [], [], []
    add_pos, add_bsn, add_geb, add_gesl = client_pos.append, client_bsn.append, client_geb.append, client_gesl.append
    beg: tuple[list, ...] = ([], [], [], [])  # rij, soort, startdatum, einddatum
    sch: tuple[list, ...] = ([], [], [], [], [], [], [])  # rij, schuldsoort, bedrag, zakelijk, naam, kvknummer, privepersoon
    n = 0
    for i, levering in enumerate(doc["leveringen"]):
        trajecten = levering.get("schuldhulptrajecten") if levering.__class__ is dict else None
        if trajecten.__class__ is not list:
            continue  # no (usable) schuldhulptrajecten: this levering holds no records
        lev_index.append(i)
        lev_len.append(len(trajecten))
        for element in trajecten:
            t = element if element.__class__ is dict else _EMPTY
            g = t.get
            aanmelding = g("aanmelding")
            uitstroom = g("uitstroom")
            if uitstroom.__class__ is not dict:
                uitstroom = _EMPTY
            ia = g("informatieEnAdvies")
            nz = g("nazorg")
            gem.append(g("gemeentecode"))
            if aanmelding.__class__ is dict:
                aanm.append(aanmelding.get("startdatum"))
                in_crisis = aanmelding.get("crisisinterventie") is True
            else:
                aanm.append(None)
                in_crisis = False
            # phases read here for their fields are also the first ones the presence test
            # looks at, so each is looked up once
            ci = g("crisisinterventies")
            ci_filled = ci.__class__ is list and len(ci) > ci.count(None)
            crisis.append(in_crisis or ci_filled)
            intake = g("intake")
            if intake.__class__ is dict:
                intake_start.append(intake.get("startdatum"))
                besch_datum.append(intake.get("beschikkingsdatum"))
                besch_soort.append(intake.get("beschikkingssoort"))
                phase = len(intake) > [*intake.values()].count(None)
            else:
                intake_start.append(None)
                besch_datum.append(None)
                besch_soort.append(None)
                phase = False
            oplossing = g("oplossing")
            if oplossing.__class__ is dict:
                opl_soort.append(oplossing.get("soort"))
                phase = phase or len(oplossing) > [*oplossing.values()].count(None)
            else:
                opl_soort.append(None)
            phase = phase or ci_filled
            elements = g("begeleiding")
            if elements.__class__ is list:
                phase = phase or len(elements) > elements.count(None)
                for b in elements:
                    if b.__class__ is dict:
                        beg[0].append(n)
                        beg[1].append(b.get("soort"))
                        beg[2].append(b.get("startdatum"))
                        beg[3].append(b.get("einddatum"))
            elements = g("schulden")
            if elements.__class__ is list:
                for d in elements:
                    if d.__class__ is dict:
                        _add_schuld(sch, n, d)
            start.append(g("startdatum"))
            eind.append(g("einddatum"))
            uit_datum.append(uitstroom.get("datum"))
            if ia.__class__ is dict:
                ia_start.append(ia.get("startdatum"))
                ia_present.append(len(ia) > [*ia.values()].count(None))
            else:
                ia_start.append(None)
                ia_present.append(False)
            nazorg.append(nz.get("startdatum") if nz.__class__ is dict else None)
            reden.append(uitstroom.get("reden"))
            if not phase:  # the phases not yet looked at
                for k in _OBJECT_PHASES:
                    v = g(k)
                    if v.__class__ is dict and len(v) > [*v.values()].count(None):
                        phase = True
                        break
                else:
                    for k in _ARRAY_PHASES:
                        v = g(k)
                        if v.__class__ is list and len(v) > v.count(None):
                            phase = True
                            break
            phase_present.append(phase)
            b = g("totaalSchuldbedragBijAanvangSchuld")
            bedrag.append(b if b is None or b.__class__ is int else _whole_euros(b))
            clients = g("client")
            if clients.__class__ is list:
                # null elements of `client` are absent; other non-objects are clients without a BSN
                for c in clients:
                    if c is not None:
                        add_pos(n)
                        if c.__class__ is not dict:
                            c = _EMPTY
                        bsn = c.get("Burgerservicenummer")
                        # a non-negative JSON integer is taken as its digits
                        add_bsn(str(bsn) if bsn.__class__ is int and bsn >= 0 else bsn)
                        add_geb(c.get("Geboortedatum"))
                        add_gesl(c.get("Geslachtsaanduiding"))
            n += 1
    starts = np.repeat(np.cumsum([0, *lev_len], dtype=np.int64)[:-1], lev_len)
    columns = {
        "bestand": pl.repeat(bestand, n, dtype=pl.Utf8, eager=True).alias("bestand"),
        "levering_index": pl.Series("levering_index", np.repeat(np.asarray(lev_index, dtype=np.int64), lev_len)),
        "record_index": pl.Series("record_index", np.arange(n, dtype=np.int64) - starts),
        **{name: _text_series(name, values)
           for name, values in zip(_TEXT_COLUMNS, (gem, aanm, start, eind, uit_datum, ia_start, nazorg, intake_start,
                                                   besch_datum, reden, besch_soort, opl_soort))},
        "ia_aanwezig": pl.Series("ia_aanwezig", ia_present, dtype=pl.Boolean),
        "fase_aanwezig": pl.Series("fase_aanwezig", phase_present, dtype=pl.Boolean),
        "schuldbedrag_eur": _amount_series(bedrag),
        "crisis": pl.Series("crisis", crisis, dtype=pl.Boolean),
    }
    clients = pl.DataFrame(
        [pl.Series("rij", client_pos, dtype=pl.Int64), _text_series("bsn", client_bsn),
         _text_series("geboortedatum", client_geb), _text_series("geslachtsaanduiding", client_gesl)]
    )
    begeleiding = pl.DataFrame(
        [pl.Series("rij", beg[0], dtype=pl.Int64),
         *(_text_series(name, values) for name, values in zip(("soort", "startdatum", "einddatum"), beg[1:]))]
    )
    schulden = pl.DataFrame(
        [pl.Series("rij", sch[0], dtype=pl.Int64), _text_series("schuldsoort", sch[1]),
         pl.Series("bedrag", [_whole_euros(v) for v in sch[2]], dtype=pl.Int64), pl.Series("zakelijk", sch[3], dtype=pl.Boolean),
         pl.Series("naam", sch[4], dtype=pl.Utf8), pl.Series("kvknummer", sch[5], dtype=pl.Utf8),
         pl.Series("privepersoon", sch[6], dtype=pl.Boolean)]
    )
    return columns, clients, begeleiding, schulden


def _add_schuld(sch: tuple[list, ...], n: int, d: dict) -> None:
    """One schulden[] object into the flat lists. The name is schuldeiser.naam, else
    .Naam (process.md §6.8; a blank one counts as absent); texts only, anything else is absent."""
    eiser = d.get("schuldeiser")
    if eiser.__class__ is not dict:
        eiser = _EMPTY
    naam = eiser.get("naam")
    if naam.__class__ is not str or not naam.strip():
        naam = eiser.get("Naam")
    kvk = eiser.get("kvknummer")
    zakelijk = d.get("zakelijkeSchuld")
    sch[0].append(n)
    sch[1].append(d.get("schuldsoort"))
    sch[2].append(d.get("bedrag"))
    sch[3].append(zakelijk if zakelijk.__class__ is bool else None)
    sch[4].append(naam if naam.__class__ is str and naam.strip() else None)
    sch[5].append(kvk if kvk.__class__ is str else None)
    sch[6].append(eiser.get("privepersoon") is True)


# --- the rules of model.md §2, vectorised -------------------------------------------


def _client_checks(clients: pl.DataFrame, n: int) -> pl.DataFrame:
    """Per record 0..n-1 (clients' `rij`): whether it has no client or a client without
    BSN, more than 2 distinct clients (the same BSN twice is one client), an invalid BSN.

    Counted with bincount over `rij` (no group-by); distinct BSNs are only counted for
    the few records with more than 2 clients that have one."""
    trimmed = pl.col("bsn").str.strip_chars()
    flags = clients.select(
        "rij", ontbreekt=pl.col("bsn").is_null() | (trimmed == ""), norm=normalise_bsn(trimmed)
    ).with_columns(ongeldig=~bsn_is_valid(pl.col("norm")) & ~pl.col("ontbreekt"))
    rij = flags["rij"].to_numpy()
    ontbreekt = flags["ontbreekt"].to_numpy()
    with_bsn = np.bincount(rij[~ontbreekt], minlength=n)
    many = with_bsn > 2
    distinct = np.zeros(n, dtype=np.int64)
    if many.any():
        named = flags.filter(pl.Series(many[rij] & ~ontbreekt)).unique(["rij", "norm"])
        distinct = np.bincount(named["rij"].to_numpy(), minlength=n)
    return pl.DataFrame({
        "geen_bsn": (np.bincount(rij, minlength=n) == 0) | (np.bincount(rij[ontbreekt], minlength=n) > 0),
        "te_veel_clienten": distinct > 2,
        "bsn_fout": np.bincount(rij[flags["ongeldig"].to_numpy()], minlength=n) > 0,
    })


def judge(raw: pl.DataFrame, clients: pl.DataFrame, peildatum: dt.date, begeleiding: pl.DataFrame | None = None) -> pl.DataFrame:
    """Raw records (DdasRuwRecord + `rij`, the row number 0..n-1) with parsed fields,
    `reden_code` (null: accepted) and `detail` (the date field behind a date code).
    `begeleiding`: the records' DdasRuwBegeleiding elements (none when not given)."""
    d = {veld: f"d_{col}" for veld, col in DATUMVELDEN.items()}
    # "null is absent": any other delivered value (also "" or a number) must be a real date.
    ongeldig = pl.coalesce(
        [pl.when(pl.col(col).is_not_null() & pl.col(d[veld]).is_null()).then(pl.lit(veld)) for veld, col in DATUMVELDEN.items()]
        + [pl.when(flag_name(veld, "ongeldig")).then(pl.lit(veld)) for veld in BEGELEIDING_DATUMVELDEN]
    )
    toekomst = pl.coalesce(
        [pl.when(pl.col(d[veld]) > pl.lit(peildatum)).then(pl.lit(veld)) for veld in DATUMVELDEN]
        + [pl.when(flag_name(veld, "toekomst")).then(pl.lit(veld)) for veld in BEGELEIDING_DATUMVELDEN]
    )
    gemeente = match_key(pl.col("gemeentecode"))
    if begeleiding is None:
        begeleiding = pl.DataFrame(schema=dtypes(DdasRuwBegeleiding))
    frame = (
        raw.hstack(_client_checks(clients, raw.height)).hstack(begeleiding_checks(begeleiding, raw.height, peildatum)).lazy()
        .with_columns(
            **{d[veld]: parse_date(pl.col(col), "iso") for veld, col in DATUMVELDEN.items()},
            gemeente_bekend=gemeente.str.to_uppercase().is_in(sorted(gemeentecodes())) | (gemeente == "onbekend"),
            reden_std=map_code(pl.col("uitstroom_reden"), BRON, "uitstroom.reden"),
            # process.md §1: an unknown value is null, not a reason to quarantine
            beschikkingssoort_std=enum_value(pl.col("intake_beschikkingssoort"), BESCHIKKINGSSOORTEN),
            oplossing_soort_std=enum_value(pl.col("oplossing_soort"), OPLOSSINGSSOORTEN),
        )
        .with_columns(
            datum_ongeldig_veld=ongeldig,
            datum_toekomst_veld=toekomst,
            start=earliest("d_aanmelding_startdatum", "d_startdatum", "d_informatie_en_advies_startdatum"),
            eind=pl.coalesce("d_einddatum", "d_uitstroom_datum"),
        )
    )
    code = (
        pl.when(pl.col("geen_bsn")).then(pl.lit("bsn_ontbreekt"))
        .when(pl.col("te_veel_clienten")).then(pl.lit("clienten_ongeldig"))
        .when(pl.col("bsn_fout")).then(pl.lit("bsn_ongeldig"))
        .when(~pl.col("gemeente_bekend").fill_null(False)).then(pl.lit("gemeente_onbekend"))
        .when(pl.col("datum_ongeldig_veld").is_not_null()).then(pl.lit("datum_ongeldig"))
        .when(pl.col("start").is_null()).then(pl.lit("geen_startdatum"))
        .when(pl.col("uitstroom_reden").is_not_null() & pl.col("reden_std").is_null()).then(pl.lit("reden_onbekend"))
        .when(pl.col("reden_std").is_not_null() & pl.col("eind").is_null()).then(pl.lit("reden_zonder_einde"))
        .when(pl.col("eind") < pl.col("start")).then(pl.lit("einde_voor_start"))
        .when(pl.col("datum_toekomst_veld").is_not_null()).then(pl.lit("datum_in_toekomst"))
    )
    detail = (
        pl.when(pl.col("reden_code") == "datum_ongeldig").then(pl.col("datum_ongeldig_veld"))
        .when(pl.col("reden_code") == "datum_in_toekomst").then(pl.col("datum_toekomst_veld"))
    )
    return frame.with_columns(reden_code=code).with_columns(detail=detail).collect()


def accepted_clients(judged: pl.DataFrame, clients: pl.DataFrame) -> pl.DataFrame:
    """`rij`, normalised BSN (`norm`), birth date (`geb`, null when not a real date) and sex
    (`gesl`: man, vrouw or null) of every client of an accepted record. Every such client
    has a valid BSN (else the record is bsn_ontbreekt or bsn_ongeldig)."""
    keep = judged["reden_code"].is_null().to_numpy()
    return clients.filter(pl.Series(keep[clients["rij"].to_numpy()], dtype=pl.Boolean)).select(
        "rij", norm=normalise_bsn(pl.col("bsn").str.strip_chars()),
        geb=parse_date(pl.col("geboortedatum"), "iso"), gesl=geslacht(pl.col("geslachtsaanduiding")),
    )


def _persoon_ids(clients: pl.DataFrame, key: bytes, pool: ProcessPoolExecutor | None = None) -> pl.DataFrame:
    """Per `rij` of accepted_clients, in `rij` order (the order of the accepted records):
    the sorted distinct persoon_ids and, in the same order, each one's sex and masked birth
    date (assets/common/birth_mask.py). HMAC once per distinct BSN of the call; a client
    named twice in a record keeps the values of its first mention."""
    # the pads of the birth-date mask come with the persoon_ids: once per distinct BSN
    ids = pseudonymise_with(clients["norm"], key, pool, per_person=pads)
    pairs = clients.select("rij", "geb", "gesl").with_columns(persoon_id=ids["persoon_id"], pad=ids["extra"]).sort(
        "rij", "persoon_id", maintain_order=True
    )
    # sorted, so a repeated client is its neighbour and the plain list aggregation yields sorted lists
    new = pl.any_horizontal(pl.col("rij", "persoon_id").ne_missing(pl.col("rij", "persoon_id").shift(1)))
    pairs = pairs.filter(new)
    pairs = pairs.with_columns(mask(pairs["persoon_id"], pairs["geb"], key, known_pads=pairs["pad"]).alias("geb"))
    lists = pairs.group_by("rij", maintain_order=True).agg(
        pl.col("persoon_id").alias("persoon_ids"), pl.col("gesl").alias("geslachten"), pl.col("geb").alias("geboortedata_gemaskeerd")
    )
    # The join and sort leave each string a view into the lookup's buffer, in random order,
    # and scanning and writing then jump through memory. A round trip through Arrow copies
    # them into one buffer in row order (at 1 M persons: scan 0.8 -> 0.3 s, write 1.3 -> 1.1 s).
    return pl.from_arrow(lists.drop("rij").to_arrow())


def _locatie() -> pl.Expr:
    return pl.format("leveringen[{}].schuldhulptrajecten[{}]", "levering_index", "record_index")


def accepted_records(judged: pl.DataFrame, clients: pl.DataFrame, files: pl.DataFrame, key: bytes,
                     pool: ProcessPoolExecutor | None = None, begeleiding: pl.DataFrame | None = None,
                     schulden: pl.DataFrame | None = None) -> pl.DataFrame:
    """Accepted records as schemas.records.TrajectRecord; no BSN column survives.
    `clients` is accepted_clients over all files (`rij` numbering the judged rows).
    `files` holds one row per loaded file, row i for the records with `_bestand_nr` i.
    `begeleiding` / `schulden`: the accepted records' elements (BEGELEIDING_SCHEMA after
    parsed_begeleiding; raw DdasRuwSchuld), `rij` numbering the judged rows.

    Rows stay in `rij` order, which is (bestand, levering_index, record_index) order: the
    files were read in path order and each file's records in document order."""
    gemeente = pl.col("gemeentecode").str.strip_chars().str.to_uppercase()
    nr = judged["_bestand_nr"]
    per_file = [files["aanlevertijdstip"].gather(nr), files["horizon"].gather(nr)]
    accepted_rij = judged.filter(pl.col("reden_code").is_null())["rij"]
    begeleiding = pl.DataFrame(schema=BEGELEIDING_SCHEMA) if begeleiding is None else begeleiding
    schulden = pl.DataFrame(schema=dtypes(DdasRuwSchuld)) if schulden is None else schulden
    nested = _persoon_ids(clients, key, pool).with_columns(
        per_record_lists(begeleiding, accepted_rij, "begeleiding", TrajectRecord_dtypes["begeleiding"]),
        per_record_lists(with_schuldeiser_ids(schulden, key, pool), accepted_rij, "schulden", TrajectRecord_dtypes["schulden"]),
    )
    return (
        judged.with_columns(per_file).lazy()  # lazy: only the columns used below are filtered
        .filter(pl.col("reden_code").is_null())
        .with_columns(nested.get_columns())
        .select(
            pl.lit(BRON).alias("bron"),
            "bestand",
            _locatie().alias("locatie"),
            "levering_index",
            "record_index",
            "aanlevertijdstip",
            "horizon",
            pl.lit(None, pl.Utf8).alias("dossiernr"),
            pl.when(gemeente == "ONBEKEND").then(None).otherwise(gemeente).alias("gemeentecode"),
            pl.coalesce("d_aanmelding_startdatum", "start").alias("aanmelddatum"),
            pl.col("start").alias("startdatum"),
            pl.col("eind").alias("einddatum"),
            pl.col("reden_std").alias("uitstroomreden"),
            (pl.col("ia_aanwezig") & ~pl.col("fase_aanwezig")).alias("is_informatie_advies"),
            pl.col("d_nazorg_startdatum").alias("nazorg_startdatum"),
            "schuldbedrag_eur",
            pl.col("persoon_ids").cast(pl.List(pl.Utf8)),
            pl.col("geslachten").cast(pl.List(pl.Utf8)),
            pl.col("geboortedata_gemaskeerd").cast(pl.List(pl.Int64)),
            pl.col("d_intake_startdatum").alias("eerste_gesprek_datum"),
            "crisis",
            pl.col("d_intake_beschikkingsdatum").alias("beschikkingsdatum"),
            pl.col("beschikkingssoort_std").alias("beschikkingssoort"),
            pl.col("oplossing_soort_std").alias("oplossing_soort"),
            "begeleiding",
            "schulden",
        )
        .collect()
    )


# --- the reader ----------------------------------------------------------------------


@dataclass
class FileRead:
    """What one DDAS file yields: its outcome and, when loaded, its judged records."""

    status: str
    reden: str | None
    stamp: tuple | None  # (leverdatum, instant in UTC)
    horizon: dt.date | None = None
    records: pl.DataFrame | None = None  # judge() in JUDGED_COLUMNS: rij = position in this file, reden_code
    clients: pl.DataFrame | None = None  # accepted_clients(): rij, normalised BSN
    findings: pl.DataFrame | None = None  # FINDINGS_SCHEMA
    leverancier: str | None = None  # codeGegevensleverancier, for the supplier page (supplier_code)
    begeleiding: pl.DataFrame | None = None  # BEGELEIDING_SCHEMA of accepted records (rij = position in this file)
    schulden: pl.DataFrame | None = None  # DdasRuwSchuld of accepted records: creditor names, hashed in _combine


def _read_bounded(path: str) -> tuple[bytes | None, str | None]:
    """(the file's bytes, None) or (None, why not): never through a link, at most MAX_BYTES."""
    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            if os.fstat(fh.fileno()).st_size > MAX_BYTES:
                return None, TE_GROOT
            raw = fh.read(MAX_BYTES + 1)  # the size may have grown since the fstat
    except OSError as e:
        return None, UNREADABLE_FILE.format(oorzaak=os_cause(e))
    return (None, TE_GROOT) if len(raw) > MAX_BYTES else (raw, None)


def read_file(path: str, bestand: str, peildatum: dt.date) -> FileRead:
    """Steps 3-4 for one file and, when it loads, its findings and its records judged by
    the rules of model.md §2 (all per record, so a file can be judged on its own).

    No delivery can stop the run: what goes wrong while reading one file (the bytes,
    the validator, an unforeseen shape) makes that file `geweigerd` with a reden that
    names the step and the exception's type, never its message (it may quote the file)."""
    raw, reden = _read_bounded(path)
    if raw is None:
        return FileRead("geweigerd", reden, None)
    try:
        return _read_loaded(raw, bestand, peildatum)
    except Exception as e:  # noqa: BLE001 - one file's fault is that file's refusal
        return FileRead("geweigerd", f"bestand kon niet verwerkt worden ({type(e).__name__})", None)


SUPPLIER_CODE_MAX = 64  # a code, not a text: longer values are cut


def supplier_code(value) -> str | None:
    """The file's `codeGegevensleverancier` as the ledger shows it: a trimmed string, at
    most SUPPLIER_CODE_MAX characters, runs of nine or more digits masked like file names
    (a code is delivered text and never a place for a BSN); None when absent or not a string."""
    if not isinstance(value, str) or not value.strip():
        return None
    return mask_digits(value.strip()[:SUPPLIER_CODE_MAX])


def _read_loaded(raw: bytes, bestand: str, peildatum: dt.date) -> FileRead:
    status, reden, doc, stamp = load_file(raw, peildatum)
    if status != "geladen":
        return FileRead(status, reden, stamp)
    try:
        findings = schema_findings(doc, bestand, nulls=raw.count(b"null"))
    except (ValueError, RecursionError) as e:  # e.g. jsonschema-rs "Recursion limit reached"
        return FileRead("geweigerd", f"JSON Schema-validatie faalde ({type(e).__name__})", stamp)
    columns, clients, begeleiding, schulden = decode_records(doc, bestand)
    horizon = valid_iso_date(doc.get("einddatumLevering")) or stamp[0]
    doc_code = doc.get("codeGegevensleverancier")
    del doc, raw  # the parsed document is the big thing: freed before the rules run
    records = pl.DataFrame(columns, schema=RAW_SCHEMA).with_row_index("rij").with_columns(pl.col("rij").cast(pl.Int64))
    judged = judge(records, clients, peildatum, begeleiding)
    kept = judged.select(JUDGED_COLUMNS)  # what accepted_records and quarantine read: less to send between processes
    accepted = judged["reden_code"].is_null().to_numpy()
    return FileRead(status, reden, stamp, horizon, kept, accepted_clients(judged, clients), findings,
                    supplier_code(doc_code), parsed_begeleiding(accepted_parts(begeleiding, accepted)),
                    accepted_parts(schulden, accepted))


def read_ddas(files: pl.DataFrame, peildatum: dt.date, key: bytes, meanwhile: Callable[[], None] | None = None) -> IngestResult:
    """Steps 3-5 of sources.md for the DDAS files that passed the inventory, in order.
    `meanwhile`: see ddas_workers.read_files."""
    with without_cyclic_gc():
        return _read(files, peildatum, key, meanwhile)


def _read(files: pl.DataFrame, peildatum: dt.date, key: bytes, meanwhile: Callable[[], None] | None) -> IngestResult:
    rows = list(files.sort("bestand").iter_rows(named=True))
    with worker_pool(processes(rows)) as pool:
        reads = read_files(rows, read_file, peildatum, meanwhile, pool)
        return _combine(rows, reads, peildatum, key, pool)


def _combine(rows: list[dict], reads: list[FileRead], peildatum: dt.date, key: bytes,
             pool: ProcessPoolExecutor | None) -> IngestResult:
    """The files' judged records as one IngestResult; pseudonyms computed once per distinct
    BSN of all files, half of them in a worker when there is one."""
    none = pl.DataFrame(schema=RAW_SCHEMA).with_row_index("rij").with_columns(pl.col("rij").cast(pl.Int64))
    judged_parts = [judge(none, pl.DataFrame(schema=CLIENT_SCHEMA), peildatum).select(JUDGED_COLUMNS)]  # when no file loads
    client_parts = [accepted_clients(judged_parts[0], pl.DataFrame(schema=CLIENT_SCHEMA))]
    begeleiding_parts = [pl.DataFrame(schema=BEGELEIDING_SCHEMA)]
    schuld_parts = [pl.DataFrame(schema=dtypes(DdasRuwSchuld))]
    findings, file_rows, outcomes = [], [], []
    n_records = 0
    for file, got in zip(rows, reads):
        leverdatum = got.stamp[0] if got.stamp else None
        gelezen = 0
        if got.status == "geladen":
            gelezen = got.records.height
            findings.append(got.findings)
            # positions over all files: `rij` numbers the records of the call
            judged_parts.append(got.records.with_columns(pl.col("rij") + n_records))
            client_parts.append(got.clients.with_columns(pl.col("rij") + n_records))
            begeleiding_parts.append(got.begeleiding.with_columns(pl.col("rij") + n_records))
            schuld_parts.append(got.schulden.with_columns(pl.col("rij") + n_records))
            n_records += gelezen
            file_rows.append({"bestand": file["bestand"], "aanlevertijdstip": got.stamp[1], "horizon": got.horizon})
        outcomes.append((file, got.status, got.reden, leverdatum, gelezen, got.leverancier))

    # `_bestand_nr`: the row of file_rows a record came from
    heights = [part.height for part in judged_parts[1:]]
    bestand_nr = np.repeat(np.arange(len(heights), dtype=np.int64), heights)
    judged = pl.concat(judged_parts).with_columns(pl.Series("_bestand_nr", bestand_nr))
    clients = pl.concat(client_parts)
    accepted = judged["reden_code"].is_null().to_numpy()
    accepted_counts = np.bincount(bestand_nr[accepted], minlength=len(heights))
    accepted_per_file = {row["bestand"]: int(n) for row, n in zip(file_rows, accepted_counts)}
    ledger = ledger_frame([
        ledger_row(file, status, reden, leverdatum, gelezen, accepted_per_file.get(file["bestand"], 0), leverancier)
        for file, status, reden, leverdatum, gelezen, leverancier in outcomes
    ])
    records = accepted_records(judged, clients, pl.DataFrame(file_rows, schema=FILE_SCHEMA), key, pool,
                               pl.concat(begeleiding_parts), pl.concat(schuld_parts))
    findings_frame = pl.concat([pl.DataFrame(schema=FINDINGS_SCHEMA), *findings])
    # rij order: (bestand, levering_index, record_index)
    return IngestResult(ledger=ledger, records=records, quarantine=quarantine(BRON, judged, _locatie()),
                        schema_findings=findings_frame)
