"""Synthetic landing folder with ground truth: `generate(out, persons, seed)`.

A simulated reality (`world`) is fragmented the way deliveries fragment it
(`fragments`), salted with bad records and bad files (`noise`) and written as DDAS
JSON, legacy CSV and aftercare XLSX (`writers`). Beside the kind folders,
`ground_truth/` holds what the pipeline must recover: trajecten, trajectclienten,
nazorg_gebeurtenissen, the expected ledger and quarantine, the aftercare coverage per
gemeente (nazorg_dekking) and meta.json.

The process truth (process.md §1) is in model shape: `trajecten` has eerste_gesprek_datum,
crisis, beschikkingsdatum, beschikkingssoort, oplossing_soort and aantal_clienten;
`trajectclienten` (traject_id, bsn) has leeftijdsklasse and geslacht; `begeleiding`
(traject_id, soort, startdatum, einddatum) and `schulden` (traject_id, schuldsoort,
bedrag_eur, zakelijk, schuldeiser_kvk, schuldeiser_naam) hold the authoritative record's
rows, and `proces_records.schuldeiser_ids(schulden, key)` turns the creditor into the
`schuldeiser_id` a run with that key writes. traject_id is the world's number: match it
to the pipeline's by clients and dates (tests/test_ground_truth.py `_traject_map`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import shutil
import time
from pathlib import Path

import numpy as np
import orjson
import polars as pl

from ddas_generator import fragments as F
from ddas_generator import noise
from ddas_generator.vroegsignalen import generate_vs, write_truth
from ddas_generator.world import simulate
from ddas_generator.writers import write_csv_files, write_ddas_files, write_xlsx_files

__all__ = ["generate"]

DEFAULT_UNTIL = dt.date(2026, 6, 30)
KINDS = ("ddas", "shv_csv", "nazorg", "vroegsignalering")
GROUND_TRUTH = "ground_truth"


def _quarantine(dd_slots: pl.DataFrame, cs: pl.DataFrame, cs_slots: pl.DataFrame, nz_slots: pl.DataFrame, bad: dict) -> pl.DataFrame:
    """Expected quarantine: each bad record at its location, plus the real row whose
    Dossiernr was delivered twice in one export (both rows get dubbel_dossier)."""
    def coded(slots: pl.DataFrame, bron: str) -> pl.DataFrame:
        codes = pl.DataFrame({"bidx": range(len(bad[bron])), "reden_code": [b.code for b in bad[bron]]}, schema={"bidx": pl.Int64, "reden_code": pl.Utf8})
        return (
            slots.join(codes, on="bidx", how="inner", maintain_order="left")
            .with_columns(bron=pl.lit(bron))
            .filter(pl.col("reden_code") != "leeg")
        )

    frames = [
        coded(dd_slots, "ddas").select("bron", "bestand", pl.format("leveringen[{}].schuldhulptrajecten[{}]", "levering", "slot").alias("locatie"), "reden_code", (pl.col("levering") * 10**9 + pl.col("slot")).alias("n")),
    ]
    if cs.height:
        frames.append(coded(cs_slots, "shv_csv").select("bron", "bestand", pl.col("line").cast(pl.Utf8).alias("locatie"), "reden_code", pl.col("line").alias("n")))
        frames.append(
            cs.filter("dubbel").select(pl.lit("shv_csv").alias("bron"), "bestand", pl.col("positie").cast(pl.Utf8).alias("locatie"), pl.lit("dubbel_dossier").alias("reden_code"), pl.col("positie").alias("n"))
        )
    if nz_slots.height:
        frames.append(coded(nz_slots, "nazorg").select("bron", "bestand", pl.col("row").cast(pl.Utf8).alias("locatie"), "reden_code", pl.col("row").alias("n")))
    q = pl.concat([f.cast({"n": pl.Int64}) for f in frames])
    return q.sort("bestand", "n", "reden_code").drop("n")


def _events(world, nz: pl.DataFrame) -> pl.DataFrame:
    """Aftercare events as the model holds them: once per person, date and kind."""
    door = nz.select("gemeentecode", "has_door").unique()
    ev = world.nazorg.join(world.personen.select("persoon", "bsn"), on="persoon").join(door, on="gemeentecode", how="left")
    return (
        ev.select(
            "bsn",
            "datum",
            "soort",
            "uitkomst",
            "contactvorm",
            # model.md §1 (2026-12-01): the standard name of assets/reference/mappings/uitvoerders.csv
            pl.when(pl.col("has_door").fill_null(True)).then(
                pl.when(pl.col("uitgevoerd_door").str.starts_with("Gemeente ")).then(pl.lit("gemeente")).otherwise(
                    pl.col("uitgevoerd_door").replace_strict(
                        {"SchuldHulpMaatje": "SchuldHulpMaatje", "Humanitas Thuisadministratie": "Humanitas",
                         "Stichting Sociaal Raadslieden": "Sociaal Raadslieden"}, default="overig"))
            ).alias("uitgevoerd_door"),
            "gemeentecode",
        )
        .unique(["bsn", "datum", "soort"], keep="first", maintain_order=True)
        .sort("bsn", "datum", "soort")
    )


def _dekking(nz: pl.DataFrame) -> pl.DataFrame:
    """Expected aftercare coverage (process.md §4), read from what was written: per gemeente
    with workbooks, the year of its earliest real event and of its latest workbook's file
    date. Every workbook written here is `geladen` and every real row accepted; the bad
    workbooks of `noise.bad_files` are refused, so they cover nothing."""
    first: dict[str, dt.date] = {}
    last: dict[str, dt.date] = {}
    for g, datum, leverdatum in nz.select("gemeentecode", "datum", "leverdatum").unique().iter_rows():
        first[g] = min(first.get(g, datum), datum)
        last[g] = max(last.get(g, leverdatum), leverdatum)
    rows = [(g, first[g].year, last[g].year) for g in sorted(first)]
    return pl.DataFrame(rows, schema={"gemeentecode": pl.Utf8, "dekking_vanaf": pl.Int32, "dekking_tot": pl.Int32},
                        orient="row")


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def generate(out: Path, persons: int, seed: int, until: dt.date = DEFAULT_UNTIL) -> dict:
    """Write a landing folder for `persons` persons (deterministic per seed) and its ground truth.

    The kind folders and `ground_truth/` under `out` are replaced; nothing else is touched.
    Returns a summary (counts, bytes, seconds).
    """
    started = time.perf_counter()
    out = Path(out)
    for sub in (*KINDS, GROUND_TRUTH):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)

    world = simulate(persons, seed, until)
    files = F.ddas_files(world)
    dd = F.ddas_records(world, files, seed)
    cs = F.csv_rows(world, seed)
    nz = F.nazorg_rows(world, seed)

    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xBAD]))
    spare = itertools.cycle(world.spare_bsns)
    dd, dd_bad, dd_slots = noise.place_ddas(dd, files, rng, spare)
    cs_bad: list = []
    cs_slots = pl.DataFrame()
    if cs.height:
        cs, cs_bad, cs_slots = noise.place_csv(cs, rng, spare)
    nz, nz_bad, nz_slots = noise.place_xlsx(nz, rng, spare)

    accepted = [F.as_records(dd)] + ([F.as_records(cs.filter(~pl.col("dubbel")))] if cs.height else [])
    trajecten, clienten, begeleiding, schulden = F.truth(pl.concat(accepted), world.personen)

    ledger = write_ddas_files(out, files, dd, dd_bad, dd_slots)
    if cs.height:
        ledger += write_csv_files(out, cs, cs_bad, cs_slots)
    ledger += write_xlsx_files(out, nz, nz_bad, nz_slots)
    written = {k: sorted(r["bestand"] for r in ledger if r["bron"] == k) for k in KINDS}
    ledger += noise.bad_files(out, until, written["ddas"], written["shv_csv"], written["nazorg"], spare)
    vs = generate_vs(out, world, trajecten, clienten, seed)  # early warning: its own files and truth
    ledger += vs.ledger

    leveringen = (
        pl.DataFrame(ledger)
        .with_columns(sha256=pl.col("bestand").map_elements(lambda b: _sha256(out / b), return_dtype=pl.Utf8))
        .select("bron", "bestand", "sha256", "status", "records_gelezen", "records_geaccepteerd", "records_gequarantaineerd")
        .cast({c: pl.Int64 for c in ("records_gelezen", "records_geaccepteerd", "records_gequarantaineerd")})
        .sort("bestand")
    )
    quarantaine = pl.concat([_quarantine(dd_slots, cs, cs_slots, nz_slots, {"ddas": dd_bad, "shv_csv": cs_bad, "nazorg": nz_bad}),
                             vs.quarantine])
    events = _events(world, nz)
    dekking = _dekking(nz)

    gt = out / GROUND_TRUTH
    gt.mkdir(parents=True, exist_ok=True)
    trajecten.write_parquet(gt / "trajecten.parquet")
    clienten.write_parquet(gt / "trajectclienten.parquet")
    begeleiding.write_parquet(gt / "begeleiding.parquet")
    schulden.write_parquet(gt / "schulden.parquet")  # creditor as kvk or name: proces_records.schuldeiser_ids
    events.write_parquet(gt / "nazorg_gebeurtenissen.parquet")
    leveringen.write_parquet(gt / "leveringen.parquet")
    quarantaine.write_parquet(gt / "quarantaine.parquet")
    dekking.write_parquet(gt / "nazorg_dekking.parquet")
    write_truth(gt, vs)

    counts = {
        "bestanden": {k: int((leveringen["bron"] == k).sum()) for k in KINDS},
        "bestanden_per_status": dict(sorted(leveringen.group_by("status").len().iter_rows())),
        "records_gelezen": {k: int(leveringen.filter(pl.col("bron") == k)["records_gelezen"].sum()) for k in KINDS},
        "records_gequarantaineerd": quarantaine.height,
        "personen": persons,
        "trajecten": trajecten.height,
        "trajectclienten": clienten.height,
        "begeleiding": begeleiding.height,
        "schulden": schulden.height,
        "nazorg_gebeurtenissen": events.height,
        "gemeenten": [g.code for g in world.gemeenten],
        "gemeenten_zonder_nazorg": [g.code for g in world.gemeenten if g.code not in set(dekking["gemeentecode"])],
    }
    meta = {"seed": seed, "persons": persons, "until": until.isoformat(), "counts": counts}
    (gt / "meta.json").write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))

    size = sum(p.stat().st_size for k in KINDS for p in (out / k).rglob("*") if p.is_file())
    return {**meta, "landing_bytes": size, "seconds": round(time.perf_counter() - started, 2)}
