"""The table registry: the four tables of process.md §3, one entry each.

An entry says where the table is written, which pandera model checks it, which pure
function computes it from the model (`tabel_basis.Invoer`), and how the asset check
finds a cell recoverable by subtraction. The Dagster wiring, the audit trace and the
tests iterate TABLES; a fifth table is one entry here plus its module.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandera.polars as pa
import polars as pl

from assets.common import paths
from assets.indicators.doorlooptijden import doorlooptijden
from assets.indicators.schulden import schulden
from assets.indicators.tabel_basis import Invoer
from assets.indicators.terugval_uitsplitsing import terugval_uitsplitsing
from assets.indicators.uitstroom import uitstroom
from schemas.indicators import Doorlooptijden, SchuldenTabel, TerugvalUitsplitsing, Uitstroom


@dataclass(frozen=True)
class Tabel:
    naam: str  # the Dagster asset key and the file's stem (the model's debts are asset `schulden_model`)
    pad: str  # under the output folder
    model: type[pa.DataFrameModel]
    bereken: Callable[[Invoer], pl.DataFrame]
    beschrijving: str
    # Secondary suppression as the asset check re-verifies it on the published table:
    # the groups across gemeenten (NL the total) and the count column.
    groepen: tuple[str, ...]
    telling: str
    # The model tables it reads besides trajecten (lineage and Dagster deps).
    leest: tuple[str, ...] = ("trajecten",)


TABLES: tuple[Tabel, ...] = (
    Tabel("doorlooptijden", paths.DOORLOOPTIJDEN, Doorlooptijden, doorlooptijden,
          "Lead times in days (n, p25, lower median, p75) per measure, region and year (process.md §3).",
          groepen=("maat", "jaar"), telling="n"),
    Tabel("uitstroom", paths.UITSTROOM, Uitstroom, uitstroom,
          "Closed trajectories by end year and end reason, every reason listed (process.md §3).",
          groepen=("jaar", "uitstroomreden"), telling="aantal"),
    Tabel("schulden", paths.SCHULDEN, SchuldenTabel, schulden,
          "The debts people bring, per region and aanmeld year (process.md §3).",
          groepen=("jaar",), telling="n", leest=("trajecten", "schulden")),
    Tabel("terugval_uitsplitsing", paths.TERUGVAL_UITSPLITSING, TerugvalUitsplitsing, terugval_uitsplitsing,
          "terugval_5j by age class, sex and household (process.md §3, §6.5).",
          groepen=("jaar", "dimensie", "categorie"), telling="noemer",
          leest=("trajecten", "trajectclienten", "indicatoren")),
)
BY_NAME: dict[str, Tabel] = {t.naam: t for t in TABLES}


def compute_table(naam: str, inv: Invoer) -> pl.DataFrame:
    """One table, validated against its model."""
    t = BY_NAME[naam]
    return t.model.validate(t.bereken(inv))
