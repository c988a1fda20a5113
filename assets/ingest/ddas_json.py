"""DDAS Uitwisselmodel v1.0 JSON files: steps 3-5 of sources.md and the rules of model.md §2.

Per file: parse (orjson), decide `toekomstig` / `geweigerd` / `geladen`, validate a loaded
file against the official schema (`ddas_schema_check`), and pull every
`leveringen[i].schuldhulptrajecten[j]` into column lists in one Python pass. All
records of all files are then judged at once with polars expressions, in the order of
the reason codes, and the BSNs of accepted records are pseudonymised once per distinct
BSN. No BSN column leaves `read_ddas`.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from pathlib import Path

import orjson
import polars as pl

from assets.common.bsn import bsn_is_valid, normalise_bsn, pseudonymise
from assets.common.dates import ISO_DATE, parse_date
from assets.common.reference import gemeentecodes, map_code, match_key
from assets.ingest.ddas_schema_check import FINDINGS_SCHEMA, schema_findings
from assets.ingest.reasons import quarantine_frame
from assets.ingest.result import IngestResult, ledger_frame, ledger_row
from schemas.ddas_json import DATUMVELDEN, NIET_TEKST

BOM = b"\xef\xbb\xbf"
# RFC 3339 date-time; the offset (Z, z or +hh:mm / -hh:mm) is required.
_RFC3339 = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$"
)
_OBJECT_PHASES = ("intake", "planVanAanpak", "stabilisatie", "schuldregeling", "oplossing")
_ARRAY_PHASES = ("begeleiding", "moratoria", "crisisinterventies", "voorlopigeVoorzieningen")
_INT64 = (-(2**63), 2**63 - 1)

RAW_SCHEMA = {
    "bestand": pl.Utf8,
    "levering_index": pl.Int64,
    "record_index": pl.Int64,
    "gemeentecode": pl.Utf8,
    **{col: pl.Utf8 for col in DATUMVELDEN.values()},
    "uitstroom_reden": pl.Utf8,
    "ia_aanwezig": pl.Boolean,
    "fase_aanwezig": pl.Boolean,
    "schuldbedrag_eur": pl.Int64,
}
CLIENT_SCHEMA = {"rij": pl.Int64, "bsn": pl.Utf8}
FILE_SCHEMA = {"bestand": pl.Utf8, "aanlevertijdstip": pl.Datetime("us", "UTC"), "horizon": pl.Date}


# --- one file ----------------------------------------------------------------------


def parse_aanleverdatum(value) -> tuple[dt.date, dt.datetime] | None:
    """(calendar date as written, instant in UTC) of an RFC 3339 date-time; None if unusable."""
    if not isinstance(value, str):
        return None
    m = _RFC3339.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(k)) for k in range(1, 7))
    micro = int((m.group(7) or ".0")[1:7].ljust(6, "0"))
    oh, om = (int(m.group(10)), int(m.group(11))) if m.group(9) else (0, 0)
    if oh > 23 or om > 59 or s > 60:
        return None
    sign = -1 if m.group(9) == "-" else 1
    try:
        tz = dt.timezone(sign * dt.timedelta(hours=oh, minutes=om))
        # A leap second (:60) is read as the first instant of the next minute.
        stamp = dt.datetime(y, mo, d, h, mi, min(s, 59), micro, tzinfo=tz) + dt.timedelta(seconds=s - min(s, 59))
    except ValueError:
        return None
    return dt.date(y, mo, d), stamp.astimezone(dt.timezone.utc)


def _valid_iso_date(value) -> dt.date | None:
    if isinstance(value, str) and re.match(ISO_DATE, value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


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
    return "geladen", None, doc, stamp


# --- tolerant extraction of one schuldhulptraject ------------------------------------

_EMPTY: dict = {}
_TEXT_COLUMNS = ("gemeentecode", *DATUMVELDEN.values(), "uitstroom_reden")


def _obj(value) -> dict:
    return value if value.__class__ is dict else _EMPTY


def _has_value(value) -> bool:
    """An object with a non-null value, or an array with a non-null element."""
    if value.__class__ is dict:
        return any(v is not None for v in value.values())
    if value.__class__ is list:
        return any(v is not None for v in value)
    return False


def _bsn_text(client) -> str | None:
    """Raw BSN of one client; a non-negative JSON integer is taken as its digits."""
    bsn = _obj(client).get("Burgerservicenummer")
    if bsn.__class__ is int and bsn >= 0:
        return str(bsn)
    return bsn


def _whole_euros(value) -> int | None:
    if value.__class__ is float and value.is_integer():
        value = int(value)
    return value if value.__class__ is int and _INT64[0] <= value <= _INT64[1] else None


def _as_text(values: list) -> list:
    """Delivered value -> itself when a string or null, else NIET_TEKST (present, not text)."""
    return [v if v is None or v.__class__ is str else NIET_TEKST for v in values]


def extract_records(doc: dict, bestand: str) -> tuple[dict[str, list], list[int], list]:
    """Raw columns of every trajectory of `doc` (schemas.ddas_json.DdasRuwRecord), and its
    clients as two flat lists: (record position in this file, raw BSN text or None).

    One Python pass over the parsed objects: parsing itself requires it. Only the
    lookups happen here; type checks and all rules run vectorised afterwards.
    """
    rows, client_pos, client_bsn = [], [], []
    for i, levering in enumerate(doc["leveringen"]):
        trajecten = _obj(levering).get("schuldhulptrajecten")
        if trajecten.__class__ is not list:
            continue  # no (usable) schuldhulptrajecten: this levering holds no records
        for j, element in enumerate(trajecten):
            t = _obj(element)
            g = t.get
            aanmelding, uitstroom, ia = _obj(g("aanmelding")), _obj(g("uitstroom")), g("informatieEnAdvies")
            rows.append((
                i, j, g("gemeentecode"),
                aanmelding.get("startdatum"), g("startdatum"), g("einddatum"), uitstroom.get("datum"),
                _obj(ia).get("startdatum"), _obj(g("nazorg")).get("startdatum"), uitstroom.get("reden"),
                ia.__class__ is dict and _has_value(ia),
                any(g(k).__class__ is dict and _has_value(g(k)) for k in _OBJECT_PHASES)
                or any(g(k).__class__ is list and _has_value(g(k)) for k in _ARRAY_PHASES),
                _whole_euros(g("totaalSchuldbedragBijAanvangSchuld")),
            ))
            clients = g("client")
            if clients.__class__ is list:
                # null elements of `client` are absent; other non-objects are clients without a BSN
                for c in clients:
                    if c is not None:
                        client_pos.append(len(rows) - 1)
                        client_bsn.append(_bsn_text(c))
    names = ("levering_index", "record_index", *_TEXT_COLUMNS, "ia_aanwezig", "fase_aanwezig", "schuldbedrag_eur")
    columns = dict(zip(names, map(list, zip(*rows)))) if rows else {n: [] for n in names}
    for name in _TEXT_COLUMNS:
        columns[name] = _as_text(columns[name])
    columns["bestand"] = [bestand] * len(rows)
    return columns, client_pos, _as_text(client_bsn)


# --- the rules of model.md §2, vectorised -------------------------------------------


def _client_checks(clients: pl.DataFrame) -> pl.DataFrame:
    """Per record with clients: clients without BSN, distinct clients, invalid BSNs."""
    trimmed = pl.col("bsn").str.strip_chars()
    return (
        clients.with_columns(ontbreekt=pl.col("bsn").is_null() | (trimmed == ""), norm=normalise_bsn(trimmed))
        .with_columns(geldig=bsn_is_valid(pl.col("norm")))
        .group_by("rij")
        .agg(
            n_zonder_bsn=pl.col("ontbreekt").sum(),
            # the same BSN twice is one client
            n_clienten=pl.col("norm").filter(~pl.col("ontbreekt")).n_unique(),
            n_ongeldig=(~pl.col("geldig") & ~pl.col("ontbreekt")).sum(),
        )
    )


def _earliest(*columns: str) -> pl.Expr:
    """The earliest non-null date. (Not pl.min_horizontal: in polars 1.44 it returns one
    row instead of the frame's height when all its inputs are all-null when/then results.)"""
    out = pl.col(columns[0])
    for name in columns[1:]:
        other = pl.col(name)
        out = pl.when(other.is_not_null() & (out.is_null() | (other < out))).then(other).otherwise(out)
    return out


def judge(raw: pl.DataFrame, clients: pl.DataFrame, peildatum: dt.date) -> pl.DataFrame:
    """Raw records (DdasRuwRecord + `rij`) with parsed fields, `reden_code` (null: accepted) and
    `detail` (the date field behind a date code)."""
    datums = {veld: parse_date(pl.col(col), "iso") for veld, col in DATUMVELDEN.items()}
    # "null is absent": any other delivered value (also "" or a number) must be a real date.
    ongeldig = pl.coalesce(
        [pl.when(pl.col(col).is_not_null() & datums[veld].is_null()).then(pl.lit(veld)) for veld, col in DATUMVELDEN.items()]
    )
    toekomst = pl.coalesce([pl.when(e > pl.lit(peildatum)).then(pl.lit(v)) for v, e in datums.items()])
    gemeente = match_key(pl.col("gemeentecode"))
    frame = raw.join(_client_checks(clients), on="rij", how="left").with_columns(
        **{f"d_{DATUMVELDEN[v]}": e for v, e in datums.items()},
        datum_ongeldig_veld=ongeldig,
        datum_toekomst_veld=toekomst,
        gemeente_bekend=gemeente.str.to_uppercase().is_in(sorted(gemeentecodes())) | (gemeente == "onbekend"),
        reden_std=map_code(pl.col("uitstroom_reden"), "ddas", "uitstroom.reden"),
    ).with_columns(
        start=_earliest("d_aanmelding_startdatum", "d_startdatum", "d_informatie_en_advies_startdatum"),
        eind=pl.coalesce("d_einddatum", "d_uitstroom_datum"),
    )
    code = (
        pl.when(pl.col("n_zonder_bsn").is_null() | (pl.col("n_zonder_bsn") > 0)).then(pl.lit("bsn_ontbreekt"))
        .when(pl.col("n_clienten") > 2).then(pl.lit("clienten_ongeldig"))
        .when(pl.col("n_ongeldig") > 0).then(pl.lit("bsn_ongeldig"))
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
    return frame.with_columns(reden_code=code).with_columns(detail=detail)


def _persoon_ids(accepted: pl.DataFrame, clients: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """rij -> sorted distinct persoon_ids; HMAC once per distinct BSN of the call."""
    mine = clients.join(accepted.select("rij"), on="rij", how="semi").select(
        "rij", norm=normalise_bsn(pl.col("bsn").str.strip_chars())
    )
    distinct = mine.select(pl.col("norm").unique().sort())
    lookup = distinct.with_columns(persoon_id=pseudonymise(distinct["norm"], key))
    pairs = mine.join(lookup, on="norm", how="left").select("rij", "persoon_id").unique()
    # sorted first, so the plain list aggregation (fast) yields sorted lists
    return pairs.sort("rij", "persoon_id").group_by("rij", maintain_order=True).agg("persoon_id").rename(
        {"persoon_id": "persoon_ids"}
    )


def _locatie() -> pl.Expr:
    return (pl.lit("leveringen[") + pl.col("levering_index").cast(pl.Utf8) + pl.lit("].schuldhulptrajecten[")
            + pl.col("record_index").cast(pl.Utf8) + pl.lit("]"))


def _records(judged: pl.DataFrame, clients: pl.DataFrame, files: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Accepted records as schemas.records.TrajectRecord; no BSN column survives."""
    accepted = judged.filter(pl.col("reden_code").is_null())
    gemeente = pl.col("gemeentecode").str.strip_chars().str.to_uppercase()
    return (
        accepted.join(_persoon_ids(accepted, clients, key), on="rij", how="left")
        .join(files, on="bestand", how="left")
        .sort("bestand", "levering_index", "record_index")
        .select(
            pl.lit("ddas").alias("bron"),
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
        )
    )


def _quarantine(judged: pl.DataFrame) -> pl.DataFrame:
    q = judged.filter(pl.col("reden_code").is_not_null()).sort("bestand", "levering_index", "record_index")
    return q.select(quarantine_frame("ddas", pl.col("bestand"), _locatie(), pl.col("reden_code"), pl.col("detail")))


# --- the reader ----------------------------------------------------------------------


@contextlib.contextmanager
def _without_cyclic_gc():
    """Parsed JSON is millions of acyclic objects; Python's cyclic collector would walk
    them over and over while they are built (measured: half the run time). Reference
    counting still frees everything; the collector is restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_ddas(files: pl.DataFrame, peildatum: dt.date, key: bytes) -> IngestResult:
    """Steps 3-5 of sources.md for the DDAS files that passed the inventory, in order."""
    with _without_cyclic_gc():
        return _read(files, peildatum, key)


def _read(files: pl.DataFrame, peildatum: dt.date, key: bytes) -> IngestResult:
    record_parts, client_parts, findings, file_rows, outcomes = [], [], [], [], []
    n_records = 0
    for file in files.sort("bestand").iter_rows(named=True):
        raw = Path(file["pad"]).read_bytes()
        status, reden, doc, stamp = load_file(raw, peildatum)
        leverdatum = stamp[0] if stamp else None
        gelezen = 0
        if status == "geladen":
            findings.append(schema_findings(doc, file["bestand"], nulls=raw.count(b"null")))
            columns, pos, bsns = extract_records(doc, file["bestand"])
            gelezen = len(columns["bestand"])
            record_parts.append(pl.DataFrame(columns, schema=RAW_SCHEMA))
            client_parts.append(pl.DataFrame({"rij": [n_records + p for p in pos], "bsn": bsns}, schema=CLIENT_SCHEMA))
            n_records += gelezen
            horizon = _valid_iso_date(doc.get("einddatumLevering")) or leverdatum
            file_rows.append({"bestand": file["bestand"], "aanlevertijdstip": stamp[1], "horizon": horizon})
        outcomes.append((file, status, reden, leverdatum, gelezen))
        doc = raw = None  # one parsed file in memory at a time

    ruw = pl.concat([pl.DataFrame(schema=RAW_SCHEMA), *record_parts]).with_row_index("rij")
    ruw = ruw.with_columns(pl.col("rij").cast(pl.Int64))  # positions over all files: the client key
    clients = pl.concat([pl.DataFrame(schema=CLIENT_SCHEMA), *client_parts])
    judged = judge(ruw, clients, peildatum)
    accepted_per_file = dict(judged.filter(pl.col("reden_code").is_null()).group_by("bestand").len().iter_rows())
    ledger = ledger_frame([
        ledger_row(file, status, reden, leverdatum, gelezen, accepted_per_file.get(file["bestand"], 0))
        for file, status, reden, leverdatum, gelezen in outcomes
    ])
    records = _records(judged, clients, pl.DataFrame(file_rows, schema=FILE_SCHEMA), key)
    findings_frame = pl.concat([pl.DataFrame(schema=FINDINGS_SCHEMA), *findings])
    return IngestResult(ledger=ledger, records=records, quarantine=_quarantine(judged), schema_findings=findings_frame)
