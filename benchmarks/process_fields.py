"""The process.md §1 model fields for the benchmarks' synthetic model (numpy, seeded):
first conversation, crisis, decision, household size on trajecten; age class and sex on
trajectclienten; and model/begeleiding and model/schulden rows."""
from __future__ import annotations

import numpy as np
import polars as pl

KLASSEN = np.array(["tot 27", "27 tot 45", "45 tot 65", "65 of ouder", "onbekend"])
SEKSEN = np.array(["man", "vrouw", "onbekend"])
SOORTEN = np.array(["Zorg", "Publiek", "Nuts", "Overig"])


def add_process_fields(t: pl.DataFrame, c: pl.DataFrame, seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(trajecten, trajectclienten, begeleiding, schulden) with the process fields."""
    rng = np.random.default_rng(seed + 1)
    n = t.height
    has_gesprek = rng.random(n) < 0.8
    has_besluit = has_gesprek & (rng.random(n) < 0.7)
    aanmeld, start = t["aanmelddatum"], t["startdatum"]
    gesprek = aanmeld + pl.Series(rng.integers(-1, 45, n)).cast(pl.Duration("ms")) * 86_400_000
    besluit = gesprek + pl.Series(rng.integers(20, 90, n)).cast(pl.Duration("ms")) * 86_400_000
    n_clients = c.group_by("traject_id").agg(aantal_clienten=pl.len().cast(pl.Int64))
    t = t.with_columns(
        eerste_gesprek_datum=gesprek.set(pl.Series(~has_gesprek), None),
        crisis=pl.Series(rng.random(n) < 0.1),
        beschikkingsdatum=besluit.set(pl.Series(~has_besluit), None),
        schuldbedrag_eur=pl.Series(rng.integers(500, 80_000, n)).set(pl.Series(rng.random(n) < 0.4), None),
    ).join(n_clients, on="traject_id", how="left", maintain_order="left")
    c = c.with_columns(leeftijdsklasse=pl.Series(KLASSEN[rng.integers(0, 5, c.height)]),
                       geslacht=pl.Series(SEKSEN[rng.integers(0, 3, c.height)]))
    # 15% with Budgetbeheer (80% ended), half of those followed by Budgetbegeleiding around the end
    beheer = rng.random(n) < 0.15
    idx = np.flatnonzero(beheer)
    b_start = start.gather(idx)
    b_eind = (b_start + pl.Series(rng.integers(60, 700, len(idx))).cast(pl.Duration("ms")) * 86_400_000).set(
        pl.Series(rng.random(len(idx)) < 0.2), None)
    follow = rng.random(len(idx)) < 0.5
    g_start = (b_eind + pl.Series(rng.integers(-30, 150, len(idx))).cast(pl.Duration("ms")) * 86_400_000).filter(pl.Series(follow))
    tid = t["traject_id"]
    begeleiding = pl.concat([
        pl.DataFrame({"traject_id": tid.gather(idx), "soort": "Budgetbeheer", "startdatum": b_start, "einddatum": b_eind}),
        pl.DataFrame({"traject_id": tid.gather(idx[follow]), "soort": "Budgetbegeleiding", "startdatum": g_start,
                      "einddatum": pl.Series([None] * int(follow.sum()), dtype=pl.Date)}),
    ])
    # 60% with 1-8 debts
    per = np.where(rng.random(n) < 0.6, rng.integers(1, 9, n), 0)
    rows = np.repeat(np.arange(n), per)
    schulden = pl.DataFrame({
        "traject_id": tid.gather(rows),
        "schuldsoort": SOORTEN[rng.integers(0, 4, len(rows))],
        "bedrag_eur": rng.integers(10, 20_000, len(rows)),
        "zakelijk": rng.random(len(rows)) < 0.1,
        "schuldeiser_id": pl.Series(rng.integers(10_000_000, 10_002_000, len(rows))).cast(pl.Utf8),
    })
    return t, c, begeleiding, schulden
