"""Vroegsignalering Uitwisselmodel v0.9 JSON files (spec/vroegsignalering.md §1).

The file steps are those of a DDAS file (sources.md): the bytes are read bounded and
parsed by `ddas_json.load_file` (toekomstig / geweigerd / geladen on the same rules and
texts), a loaded file is checked against the VS schema through `ddas_schema_check`
(`plain_findings`), the header's supplier code is shown as for DDAS. Then every element
of a levering's `vroegsignalen[]` (a signal) and `vroegsignaalzaken[]` (a case) becomes a
record, judged vectorised in the order of the contract's reason codes.

Personal data: names, street, place and birth date are never even extracted. The BSN
becomes `persoon_id` and postcode, house number and addition become `adres_id` (both
HMAC-SHA256 with the pseudonym key) before anything leaves `read_vs`.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass
from importlib import resources

import jsonschema_rs
import numpy as np
import orjson
import polars as pl
import pyarrow as pa

from assets.common.bsn import bsn_is_valid, hash_texts, normalise_bsn, pseudonymise
from assets.common.dates import parse_date
from assets.common.memory import without_cyclic_gc
from assets.common.reference import gemeentecodes, match_key
from assets.ingest import ddas_schema_check
from assets.ingest.ddas_bounds import MAX_BYTES, TE_GROOT
from assets.ingest.ddas_json import load_file, supplier_code
from assets.ingest.inventory import UNREADABLE_FILE, open_regular, os_cause
from assets.ingest.result import IngestResult, ledger_frame, ledger_row
from schemas.ddas_json import NIET_TEKST
from schemas.quality import Quarantaine, dtypes
from schemas.vroegsignalering import (BRON, EINDRESULTATEN, SIGNAALPARTNERS, SIGNAALSTATUSSEN, VS_REDEN_CODES,
                                      VsRecord)

SCHEMA_NAME = "vroegsignalering"
RECORD_SCHEMA = dtypes(VsRecord)

# Reason texts: they name fields and rules, never a delivered value.
REDEN_TEKST = {
    "gemeente_onbekend": "gemeentecode van de levering ontbreekt of staat niet in de CBS-lijst",
    "signaal_id_ontbreekt": "het vroegsignaal heeft geen ID",
    "bsn_ongeldig": "BSN is na normalisatie geen 9 cijfers of voldoet niet aan de elfproef",
    "datum_ongeldig": "een datumveld is geen bestaande datum in het formaat YYYY-MM-DD",
    "geen_signaaldatum": "het vroegsignaal heeft geen signaaldatum",
    "datum_in_toekomst": "een datumveld ligt na de peildatum",
    "zaak_zonder_signaal": "de vroegsignaalzaak verwijst naar geen enkel vroegsignaal-ID",
}
assert list(REDEN_TEKST) == VS_REDEN_CODES

SIGNAL_DATES = ("signaaldatum", "ontstaansdatum")
CASE_DATES = ("matchingsdatum", "datum_opgepakt")
POGING_DATUM = "contactpogingen[].datum"
_DIGIT_RUN = re.compile(r"\d{9,}")
MAX_ID_CHARS = 64


@functools.cache
def vs_json_schema() -> dict:
    return orjson.loads(resources.files("assets.reference").joinpath("json_schema_vroegsignalering.json").read_bytes())


@functools.cache
def _validator():
    return jsonschema_rs.Draft202012Validator(vs_json_schema(), validate_formats=True)


ddas_schema_check.FURTHER_SCHEMAS[SCHEMA_NAME] = vs_json_schema


# --- tolerant extraction --------------------------------------------------------------

_SIGNAL_RAW = {"levering_index": pl.Int64, "record_index": pl.Int64, "gemeente_ruw": pl.Utf8, "id_ruw": pl.Utf8,
               "bsn_ruw": pl.Utf8, "postcode": pl.Utf8, "huisnummer": pl.Utf8, "toevoeging": pl.Utf8,
               "signaaldatum": pl.Utf8, "ontstaansdatum": pl.Utf8, "partner_ruw": pl.Utf8, "bedrag_eur": pl.Int64,
               "crisissignaal": pl.Boolean, "warme_overdracht": pl.Boolean, "status_ruw": pl.Utf8}
_CASE_RAW = {"levering_index": pl.Int64, "record_index": pl.Int64, "gemeente_ruw": pl.Utf8, "ids_ruw": pl.List(pl.Utf8),
             "matchingsdatum": pl.Utf8, "datum_opgepakt": pl.Utf8, "resultaat_ruw": pl.Utf8}
_ATTEMPT_RAW = {"rij": pl.Int64, "datum": pl.Utf8, "bereikt": pl.Boolean}



def _text(v):
    """A delivered text as is; null stays null; any other JSON value is present but not text."""
    return v if v is None or v.__class__ is str else NIET_TEKST


def _code_text(v):
    """An identifier or number-like field (ID, BSN, house number): a non-negative JSON
    integer is taken as its digits; other non-strings are present but not text."""
    if v.__class__ is int and v >= 0:
        return str(v)
    return _text(v)


def _bool(v):
    return v if v.__class__ is bool else None


def _euros(v):
    if v.__class__ is float and v.is_integer():
        v = int(v)
    return v if v.__class__ is int and -(2**63) <= v < 2**63 else None


def _dict(v) -> dict:
    return v if v.__class__ is dict else {}


def decode(doc: dict) -> tuple[dict[str, list], dict[str, list], dict[str, list]]:
    """(signals, cases, contact attempts) of a loaded document as columns of raw values
    (the keys of _SIGNAL_RAW, _CASE_RAW, _ATTEMPT_RAW; a case's `ids_ruw` comes as the
    flat list of all cases' IDs with `ids_eind`, where each case's IDs end: case_frame).

    Only the fields the model uses are taken: names, street, place and birth date stay
    in the parsed document, which is dropped after this. One bound `append` per column:
    this loop runs once per record of a 100 MB file (half the time of a tuple per field).
    """
    sig = {k: [] for k in _SIGNAL_RAW}
    case = {k: [] for k in _CASE_RAW if k != "ids_ruw"} | {"ids_ruw": [], "ids_eind": []}
    att = {k: [] for k in _ATTEMPT_RAW}
    (s_lev, s_rec, s_gem, s_id, s_bsn, s_pc, s_hnr, s_toev, s_sd, s_od, s_partner, s_bedrag, s_crisis, s_warm,
     s_status) = (sig[k].append for k in _SIGNAL_RAW)
    c_lev, c_rec, c_gem, c_match, c_opgepakt, c_result = (
        case[k].append for k in ("levering_index", "record_index", "gemeente_ruw", "matchingsdatum", "datum_opgepakt",
                                 "resultaat_ruw"))
    c_ids, c_eind = case["ids_ruw"].extend, case["ids_eind"].append
    a_rij, a_datum, a_bereikt = (att[k].append for k in _ATTEMPT_RAW)
    n_ids = 0
    for i, lev in enumerate(doc["leveringen"]):
        lev = _dict(lev)
        gemeente = _text(lev.get("gemeentecode"))
        signals = lev.get("vroegsignalen")
        for j, s in enumerate(signals if signals.__class__ is list else ()):
            s = _dict(s)
            client = _dict(s.get("client"))
            s_lev(i); s_rec(j); s_gem(gemeente)
            s_id(_code_text(s.get("ID"))); s_bsn(_code_text(client.get("Burgerservicenummer")))
            s_pc(_text(client.get("Postcode"))); s_hnr(_code_text(client.get("Huisnummer")))
            s_toev(_code_text(client.get("Huisnummertoevoeging")))
            s_sd(_text(s.get("signaaldatum"))); s_od(_text(s.get("ontstaansdatum")))
            s_partner(_text(_dict(s.get("signaalpartner")).get("type"))); s_bedrag(_euros(s.get("bedrag")))
            s_crisis(_bool(s.get("crisissignaal"))); s_warm(_bool(s.get("warmeOverdracht")))
            s_status(_text(s.get("status")))
        cases = lev.get("vroegsignaalzaken")
        for j, z in enumerate(cases if cases.__class__ is list else ()):
            z = _dict(z)
            refs = z.get("vroegsignalen")
            ids = [x for r in (refs if refs.__class__ is list else ())
                   if (x := _code_text(_dict(r).get("ID"))).__class__ is str and x != NIET_TEKST]
            n = len(case["levering_index"])
            pogingen = z.get("contactpogingen")
            for p in pogingen if pogingen.__class__ is list else ():
                if p is not None:  # a null element is absent
                    p = _dict(p)
                    a_rij(n); a_datum(_text(p.get("datum"))); a_bereikt(p.get("bereikt") is True)
            c_lev(i); c_rec(j); c_gem(gemeente)
            c_ids(ids)
            n_ids += len(ids)
            c_eind(n_ids)
            c_match(_text(z.get("matchingsdatum"))); c_opgepakt(_text(z.get("datum_opgepakt")))
            c_result(_text(z.get("resultaat")))
    return sig, case, att


def case_frame(case: dict[str, list]) -> pl.DataFrame:
    """decode's case columns as a frame of _CASE_RAW: `ids_ruw` cut from the flat IDs at
    `ids_eind` (one Arrow list array; a list of lists per case cost six times as much)."""
    ids = pa.LargeListArray.from_arrays(pa.array([0, *case["ids_eind"]], pa.int64()),
                                        pa.array(case["ids_ruw"], pa.large_string()))
    rest = {k: v for k, v in case.items() if k not in ("ids_ruw", "ids_eind")}
    frame = pl.DataFrame(rest, schema={k: t for k, t in _CASE_RAW.items() if k != "ids_ruw"})
    return frame.with_columns(pl.Series("ids_ruw", ids, dtype=_CASE_RAW["ids_ruw"])).select(list(_CASE_RAW))


# --- the rules of vroegsignalering.md §1, vectorised ---------------------------------


def gemeente(raw: pl.Expr) -> pl.Expr:
    """`GM` + 4 digits or the 4 digits alone, trimmed, any case -> GMxxxx when in the CBS
    list; else null (gemeente_onbekend)."""
    code = raw.str.strip_chars().str.to_uppercase()
    code = pl.when(code.str.contains(r"^[0-9]{4}$")).then(pl.lit("GM") + code).otherwise(code)
    return pl.when(code.is_in(sorted(gemeentecodes()))).then(code)


def enum_value(raw: pl.Expr, values: list[str]) -> pl.Expr:
    """The standard enumeration value (trimmed, any case); null when absent or unknown."""
    return match_key(raw).replace_strict({v.lower(): v for v in values}, default=None, return_dtype=pl.Utf8)


def _first_field(flags: dict[str, pl.Expr]) -> pl.Expr:
    """The name of the first field whose flag holds, else null."""
    return pl.coalesce([pl.when(f).then(pl.lit(name)) for name, f in flags.items()])


def _parsed(col: str) -> pl.Expr:
    return parse_date(pl.col(col), "iso")


def judge_signals(raw: pl.DataFrame, peildatum: dt.date) -> pl.DataFrame:
    """Raw signal rows with parsed fields, `reden_code` (null: accepted) and `detail`."""
    p = pl.lit(peildatum, dtype=pl.Date)
    bsn = pl.col("bsn_ruw").str.strip_chars()
    frame = raw.lazy().with_columns(
        gemeentecode=gemeente(pl.col("gemeente_ruw")),
        id_trim=pl.col("id_ruw").str.strip_chars(),
        bsn_norm=pl.when(bsn != "").then(normalise_bsn(bsn)),
        **{f"d_{c}": _parsed(c) for c in SIGNAL_DATES},
    ).with_columns(
        ongeldig=_first_field({c: pl.col(c).is_not_null() & pl.col(f"d_{c}").is_null() for c in SIGNAL_DATES}),
        toekomst=_first_field({c: pl.col(f"d_{c}") > p for c in SIGNAL_DATES}),
    )
    code = (
        pl.when(pl.col("gemeentecode").is_null()).then(pl.lit("gemeente_onbekend"))
        .when(pl.col("id_trim").fill_null("") == "").then(pl.lit("signaal_id_ontbreekt"))
        .when(pl.col("bsn_norm").is_not_null() & ~bsn_is_valid(pl.col("bsn_norm"))).then(pl.lit("bsn_ongeldig"))
        .when(pl.col("ongeldig").is_not_null()).then(pl.lit("datum_ongeldig"))
        .when(pl.col("signaaldatum").is_null()).then(pl.lit("geen_signaaldatum"))
        .when(pl.col("toekomst").is_not_null()).then(pl.lit("datum_in_toekomst"))
    )
    detail = (pl.when(pl.col("reden_code") == "datum_ongeldig").then(pl.col("ongeldig"))
              .when(pl.col("reden_code") == "datum_in_toekomst").then(pl.col("toekomst")))
    return frame.with_columns(reden_code=code).with_columns(detail=detail).collect()


def judge_cases(raw: pl.DataFrame, attempts: pl.DataFrame, peildatum: dt.date) -> pl.DataFrame:
    """Raw case rows (`rij` 0..n-1) with their attempts aggregated, `reden_code`, `detail`."""
    p = pl.lit(peildatum, dtype=pl.Date)
    per_case = (
        attempts.lazy().with_columns(d=_parsed("datum"))
        .group_by("rij")
        .agg(
            aantal_contactpogingen=pl.len().cast(pl.Int64),
            poging_ongeldig=(pl.col("datum").is_not_null() & pl.col("d").is_null()).any(),
            poging_toekomst=(pl.col("d") > p).any(),
            bereikt=pl.col("bereikt").any(),
            datum_eerste_bereikt=pl.col("d").filter(pl.col("bereikt")).min(),
        )
    )
    frame = (
        raw.lazy().join(per_case, on="rij", how="left", maintain_order="left")
        .with_columns(
            pl.col("aantal_contactpogingen").fill_null(0),
            pl.col("bereikt", "poging_ongeldig", "poging_toekomst").fill_null(False),
            gemeentecode=gemeente(pl.col("gemeente_ruw")),
            ids=pl.col("ids_ruw").list.eval(pl.element().str.strip_chars()).list.eval(
                pl.element().filter(pl.element() != "")).list.unique().list.sort(),
            **{f"d_{c}": _parsed(c) for c in CASE_DATES},
        )
        .with_columns(
            ongeldig=_first_field({**{c: pl.col(c).is_not_null() & pl.col(f"d_{c}").is_null() for c in CASE_DATES},
                                   POGING_DATUM: pl.col("poging_ongeldig")}),
            toekomst=_first_field({**{c: pl.col(f"d_{c}") > p for c in CASE_DATES}, POGING_DATUM: pl.col("poging_toekomst")}),
        )
    )
    code = (
        pl.when(pl.col("gemeentecode").is_null()).then(pl.lit("gemeente_onbekend"))
        .when(pl.col("ongeldig").is_not_null()).then(pl.lit("datum_ongeldig"))
        .when(pl.col("toekomst").is_not_null()).then(pl.lit("datum_in_toekomst"))
        .when(pl.col("ids").list.len() == 0).then(pl.lit("zaak_zonder_signaal"))
    )
    detail = (pl.when(pl.col("reden_code") == "datum_ongeldig").then(pl.col("ongeldig"))
              .when(pl.col("reden_code") == "datum_in_toekomst").then(pl.col("toekomst")))
    return frame.with_columns(reden_code=code).with_columns(detail=detail).collect()


# --- identifiers and keyed hashes ---------------------------------------------------


def _letters(hex64: str) -> str:
    """26 lowercase letters from a keyed hash: no digit, so never a BSN-like run."""
    n = int(hex64, 16)
    out = []
    for _ in range(26):
        n, r = divmod(n, 26)
        out.append(chr(97 + r))
    return "".join(out)


def id_forms(ids: pl.Series, key: bytes) -> pl.Series:
    """The kept form of trimmed IDs: as delivered, unless it holds a run of nine or more
    digits (it could be a BSN) or is longer than MAX_ID_CHARS: then `~` + 26 letters of
    its HMAC-SHA256 (same key), so that equal IDs stay equal and no digits leave.
    Found per distinct ID with polars (Rust's `\\d` is Unicode's, like Python's); only the
    risky ones go through Python."""
    distinct = ids.drop_nulls().unique()
    risky = distinct.str.contains(_DIGIT_RUN.pattern) | (distinct.str.len_chars() > MAX_ID_CHARS)
    forms = distinct
    if risky.any():
        hashed = hash_texts(distinct.filter(risky), key).to_list()
        forms = distinct.clone().scatter(np.flatnonzero(risky.to_numpy()), ["~" + _letters(h) for h in hashed])
    return ids.replace_strict(distinct, forms, default=None, return_dtype=pl.Utf8)


def adres_text() -> pl.Expr:
    """`POSTCODE|HUISNUMMER|TOEVOEGING` (§1, §4.2): postcode upper case without spaces,
    the others trimmed and upper case; null when postcode or house number is missing."""
    def clean(c: str) -> pl.Expr:
        v = pl.col(c).str.strip_chars().str.to_uppercase()
        return pl.when(pl.col(c) != NIET_TEKST).then(v)

    pc = clean("postcode").str.replace_all(r"\s", "")
    nr = clean("huisnummer")
    tv = clean("toevoeging").fill_null("")
    ok = (pc.fill_null("") != "") & (nr.fill_null("") != "")
    return pl.when(ok).then(pl.concat_str([pc, nr, tv], separator="|"))


# --- the reader ----------------------------------------------------------------------


@dataclass
class VsFileRead:
    status: str
    reden: str | None
    stamp: tuple | None
    signals: pl.DataFrame | None = None  # raw signal rows (_SIGNAL_RAW)
    cases: tuple[pl.DataFrame, pl.DataFrame] | None = None  # raw cases (_CASE_RAW) and their attempts (`rij`: case in this file)
    findings: pl.DataFrame | None = None
    leverancier: str | None = None




def _read_bounded(path: str) -> tuple[bytes | None, str | None]:
    """(the file's bytes, None) or (None, why not): never through a link, at most MAX_BYTES."""
    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as e:
        return None, UNREADABLE_FILE.format(oorzaak=os_cause(e))
    return (None, TE_GROOT) if len(raw) > MAX_BYTES else (raw, None)


def read_file(path: str, bestand: str, peildatum: dt.date) -> VsFileRead:
    """Steps 3-4 for one file and, when it loads, its findings and judged records. What
    goes wrong while reading one file makes that file `geweigerd` (never the run)."""
    raw, reden = _read_bounded(path)
    if raw is None:
        return VsFileRead("geweigerd", reden, None)
    try:
        status, reden, doc, stamp = load_file(raw, peildatum)
        if status != "geladen":
            return VsFileRead(status, reden, stamp)
        try:
            findings = ddas_schema_check.plain_findings(doc, bestand, SCHEMA_NAME, _validator())
        except (ValueError, RecursionError) as e:
            return VsFileRead("geweigerd", f"JSON Schema-validatie faalde ({type(e).__name__})", stamp)
        signals, cases, attempts = decode(doc)
        leverancier = supplier_code(doc.get("codeGegevensleverancier"))
        del doc, raw
        # raw rows only: the rules run once over all files (vectorised), in read_vs
        return VsFileRead(status, None, stamp, pl.DataFrame(signals, schema=_SIGNAL_RAW),
                          (case_frame(cases), pl.DataFrame(attempts, schema=_ATTEMPT_RAW)),
                          findings, leverancier)
    except Exception as e:  # noqa: BLE001 - one file's fault is that file's refusal
        return VsFileRead("geweigerd", f"bestand kon niet verwerkt worden ({type(e).__name__})", None)


def _quarantine(judged: pl.DataFrame, array: str) -> pl.DataFrame:
    tekst = pl.col("reden_code").replace_strict(REDEN_TEKST, return_dtype=pl.Utf8)
    tekst = pl.when(pl.col("detail").is_not_null()).then(tekst + " (" + pl.col("detail") + ")").otherwise(tekst)
    return judged.filter(pl.col("reden_code").is_not_null()).select(
        pl.lit(BRON).alias("bron"), "bestand",
        pl.format("leveringen[{}].{}[{}]", "levering_index", pl.lit(array), "record_index").alias("locatie"),
        "reden_code", tekst.alias("reden_tekst"), "levering_index", "record_index",
    )


def accepted_records(signals: pl.DataFrame, cases: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Accepted signals and cases of all files as VsRecord rows; BSN, postcode and house
    number become keyed hashes here and go no further."""
    s = signals.filter(pl.col("reden_code").is_null())
    c = cases.filter(pl.col("reden_code").is_null()).with_row_index("_n")
    ids = pl.concat([s["id_trim"], c["ids"].explode(empty_as_null=False)]).drop_nulls().unique()
    forms = id_forms(ids, key)  # per distinct ID, looked up below as two Series (no Python dict)
    s = s.with_columns(
        persoon_id=pseudonymise(s["bsn_norm"], key),
        adres_id=hash_texts(s.select(adres_text()).to_series(), key),
        signaal_id=pl.col("gemeentecode") + ":" + pl.col("id_trim").replace_strict(ids, forms, return_dtype=pl.Utf8),
    )
    # zaak_id from the smallest delivered ID (string order), before any ID is hashed; the
    # forms are computed before the group_by (an expression inside `agg` runs per group)
    linked = (
        c.select("_n", "gemeentecode", "ids").explode("ids", empty_as_null=False).drop_nulls("ids")
        .select("_n", form=pl.col("gemeentecode") + ":" + pl.col("ids").replace_strict(ids, forms, return_dtype=pl.Utf8))
        .group_by("_n", maintain_order=True).agg(zaak_id=pl.col("form").first(), signaal_ids=pl.col("form").unique().sort())
    )
    c = c.join(linked, on="_n", how="left", maintain_order="left")
    common = [pl.lit(BRON).alias("bron"), "bestand", "levering_index", "record_index", "aanlevertijdstip", "gemeentecode"]
    sig = s.select(
        *common,
        pl.format("leveringen[{}].vroegsignalen[{}]", "levering_index", "record_index").alias("locatie"),
        pl.lit("signaal").alias("recordsoort"),
        "signaal_id", "persoon_id", "adres_id",
        pl.col("d_signaaldatum").alias("signaaldatum"), pl.col("d_ontstaansdatum").alias("ontstaansdatum"),
        enum_value(pl.col("partner_ruw"), SIGNAALPARTNERS).alias("signaalpartner"),
        "bedrag_eur", "crisissignaal", "warme_overdracht",
        enum_value(pl.col("status_ruw"), SIGNAALSTATUSSEN).alias("status"),
    )
    zaak = c.select(
        *common,
        pl.format("leveringen[{}].vroegsignaalzaken[{}]", "levering_index", "record_index").alias("locatie"),
        pl.lit("zaak").alias("recordsoort"),
        "zaak_id", "signaal_ids",
        pl.col("d_matchingsdatum").alias("matchingsdatum"), pl.col("d_datum_opgepakt").alias("datum_opgepakt"),
        enum_value(pl.col("resultaat_ruw"), EINDRESULTATEN).alias("resultaat"),
        "aantal_contactpogingen", "bereikt", "datum_eerste_bereikt",
    )
    order = {"signaal": 0, "zaak": 1}
    both = pl.concat([pl.DataFrame(schema=RECORD_SCHEMA), sig, zaak], how="diagonal_relaxed")
    return both.sort(["bestand", "levering_index", pl.col("recordsoort").replace_strict(order, return_dtype=pl.Int8),
                      "record_index"]).select(list(RECORD_SCHEMA)).cast(RECORD_SCHEMA)


def read_vs(files: pl.DataFrame, peildatum: dt.date, key: bytes) -> IngestResult:
    """Steps 3-5 of sources.md for the vroegsignalering files that passed the inventory,
    in path order; records = the accepted signals and cases (VsRecord)."""
    with without_cyclic_gc():
        rows = list(files.sort("bestand").iter_rows(named=True))
        reads = [read_file(r["pad"], r["bestand"], peildatum) for r in rows]
    sig_parts, case_parts, attempt_parts, findings = [], [], [], []
    n_cases = 0
    for file, got in zip(rows, reads):
        if got.status == "geladen":
            extra = [pl.lit(file["bestand"]).alias("bestand"),
                     pl.lit(got.stamp[1], dtype=RECORD_SCHEMA["aanlevertijdstip"]).alias("aanlevertijdstip")]
            cases, attempts = got.cases
            sig_parts.append(got.signals.with_columns(extra))
            # `rij` numbers the cases of all files; attempts point at it
            case_parts.append(cases.with_columns(extra, rij=pl.int_range(n_cases, n_cases + cases.height, dtype=pl.Int64)))
            attempt_parts.append(attempts.with_columns(pl.col("rij") + n_cases))
            n_cases += cases.height
            findings.append(got.findings)
    typed = {"bestand": pl.Utf8, "aanlevertijdstip": RECORD_SCHEMA["aanlevertijdstip"]}
    signals = judge_signals(pl.concat([pl.DataFrame(schema={**_SIGNAL_RAW, **typed}), *sig_parts], how="vertical_relaxed"),
                            peildatum)
    cases = judge_cases(pl.concat([pl.DataFrame(schema={**_CASE_RAW, **typed, "rij": pl.Int64}), *case_parts],
                                  how="vertical_relaxed"),
                        pl.concat([pl.DataFrame(schema=_ATTEMPT_RAW), *attempt_parts]), peildatum)
    judged = pl.concat([signals.select("bestand", "reden_code"), cases.select("bestand", "reden_code")])
    counts = {b: (int(n), int(ok)) for b, n, ok in judged.group_by("bestand").agg(
        n=pl.len(), ok=pl.col("reden_code").is_null().sum()).iter_rows()}
    ledger = []
    for file, got in zip(rows, reads):
        gelezen, geaccepteerd = counts.get(file["bestand"], (0, 0)) if got.status == "geladen" else (0, 0)
        ledger.append(ledger_row(file, got.status, got.reden, got.stamp[0] if got.stamp else None, gelezen,
                                 geaccepteerd, got.leverancier))
    quarantine = (
        pl.concat([_quarantine(signals, "vroegsignalen").with_columns(_soort=pl.lit(0)),
                   _quarantine(cases, "vroegsignaalzaken").with_columns(_soort=pl.lit(1))])
        .sort("bestand", "levering_index", "_soort", "record_index")
        .select(list(dtypes(Quarantaine)))
    )
    found = pl.concat([pl.DataFrame(schema=ddas_schema_check.FINDINGS_SCHEMA), *findings])
    return IngestResult(ledger=ledger_frame(ledger), records=accepted_records(signals, cases, key),
                        quarantine=quarantine, schema_findings=found)
