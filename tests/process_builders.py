"""Model frames (process.md §1 columns) from the reference's plain trajectories, for the
tests of the Wgs indicators and the four tables."""
from __future__ import annotations

import datetime as dt

import polars as pl

from assets.indicators.tabel_basis import Invoer, invoer
from tests.reference_process import PT, Client

T_SCHEMA = {
    "traject_id": pl.Utf8, "gemeentecode": pl.Utf8, "aanmelddatum": pl.Date, "startdatum": pl.Date,
    "einddatum": pl.Date, "uitstroomreden": pl.Utf8, "is_informatie_advies": pl.Boolean, "nazorg_startdatum": pl.Date,
    "schuldbedrag_eur": pl.Int64, "eerste_gesprek_datum": pl.Date, "crisis": pl.Boolean, "beschikkingsdatum": pl.Date,
    "beschikkingssoort": pl.Utf8, "oplossing_soort": pl.Utf8, "aantal_clienten": pl.Int64,
}
C_SCHEMA = {"traject_id": pl.Utf8, "persoon_id": pl.Utf8, "leeftijdsklasse": pl.Utf8, "geslacht": pl.Utf8}
B_SCHEMA = {"traject_id": pl.Utf8, "soort": pl.Utf8, "startdatum": pl.Date, "einddatum": pl.Date}
S_SCHEMA = {"traject_id": pl.Utf8, "schuldsoort": pl.Utf8, "bedrag_eur": pl.Int64, "zakelijk": pl.Boolean,
            "schuldeiser_id": pl.Utf8}
E_SCHEMA = {"persoon_id": pl.Utf8, "datum": pl.Date, "soort": pl.Utf8}


def frames(trajs: list[PT]) -> dict[str, pl.LazyFrame]:
    """trajecten, trajectclienten, begeleiding, schulden and (empty) nazorg events."""
    t = [(x.id, x.g, x.aanmeld, x.start or x.aanmeld, x.eind, x.reden, x.ia, None, x.schuldbedrag, x.gesprek,
          x.crisis, x.beschikking, None, None, len(x.personen)) for x in trajs]
    c = [(x.id, k.persoon, k.leeftijdsklasse, k.geslacht) for x in trajs for k in x.clients]
    b = [(x.id, *row) for x in trajs for row in x.begeleiding]
    s = [(x.id, *row) for x in trajs for row in x.schulden]
    return {
        "trajecten": pl.LazyFrame(t, schema=T_SCHEMA, orient="row"),
        "clienten": pl.LazyFrame(c, schema=C_SCHEMA, orient="row"),
        "begeleiding": pl.LazyFrame(b, schema=B_SCHEMA, orient="row"),
        "schulden": pl.LazyFrame(s, schema=S_SCHEMA, orient="row"),
        "events": pl.LazyFrame([], schema=E_SCHEMA),
    }


def process_input(trajs: list[PT], peil: dt.date, indicatoren: pl.LazyFrame | None = None,
                  historie: dt.date | None = None) -> Invoer:
    f = frames(trajs)
    if indicatoren is None:
        indicatoren = pl.LazyFrame(schema={"indicator": pl.Utf8, "regio_code": pl.Utf8, "jaar": pl.Int32,
                                           "noemer": pl.Int64})
    return invoer(f["trajecten"], f["clienten"], f["schulden"], indicatoren, peil, historie)


def one(tid: str, aanmeld: dt.date, g: str | None = "GM0518", persons=("p",), **kw) -> PT:
    """A trajectory with single-letter persons as clients (age class and sex unknown)."""
    clients = tuple(p if isinstance(p, Client) else Client(p) for p in persons)
    return PT(tid, g, aanmeld, clients, **kw)


def with_process_fields(trajecten: pl.LazyFrame, clienten: pl.LazyFrame) -> pl.LazyFrame:
    """A trajectory frame of the older tests with the process.md §1 fields added: no first
    conversation, crisis or decision (null), aantal_clienten counted from `clienten`."""
    names = trajecten.collect_schema().names()
    n = clienten.group_by("traject_id").agg(aantal_clienten=pl.col("persoon_id").n_unique().cast(pl.Int64))
    extra = [pl.lit(None, dtype=T_SCHEMA[c]).alias(c) for c in
             ("eerste_gesprek_datum", "crisis", "beschikkingsdatum", "schuldbedrag_eur") if c not in names]
    return trajecten.with_columns(extra).join(n, on="traject_id", how="left", maintain_order="left").with_columns(
        pl.col("aantal_clienten").fill_null(1))
