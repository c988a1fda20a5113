"""Everything the pages are built from, read once: the indicator tables with their flags
normalised, the target per region and year, the names, and the optional tables."""
from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from assets.report.cells import Cell, index_cells, with_flags

NL = "NL"
STANDAARD_DOEL = 7.0  # the Divosa target, as in assets/indicators (the view falls back to it too)


@dataclass
class ReportData:
    indicatoren: pl.DataFrame  # indicatoren.parquet (long); more indicator tables of the same shape may be stacked in
    terugval_doel: pl.DataFrame | None = None
    namen: dict[str, str] = field(default_factory=dict)
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)  # optional: doorlooptijden, uitstroom, ...
    leveringen: pl.DataFrame | None = None
    quarantaine: pl.DataFrame | None = None
    schema_afwijkingen: pl.DataFrame | None = None
    peildatum: str | None = None
    _index: dict | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.indicatoren = with_flags(self.indicatoren)
        if self.terugval_doel is not None:
            self.terugval_doel = with_flags(self.terugval_doel.with_columns(pl.lit("terugval_5j").alias("indicator")))
            for code, naam in self.terugval_doel.select("regio_code", "regio_naam").unique().iter_rows():
                self.namen.setdefault(code, naam)
        self.namen.setdefault(NL, "Nederland")
        if self.peildatum is None and "peildatum" in self.indicatoren.columns and self.indicatoren.height:
            self.peildatum = str(self.indicatoren["peildatum"].max())

    def naam(self, code: str) -> str:
        return self.namen.get(code, code)

    def gemeenten(self) -> list[str]:
        return sorted(c for c in self.indicatoren["regio_code"].unique().to_list() if c != NL)

    def has(self, indicator: str) -> bool:
        return any(k[0] == indicator for k in self._cells_index())

    def cells(self, indicator: str, regio: str) -> dict[int, Cell]:
        """{jaar: Cell}; indexed once (a page asks for hundreds of these)."""
        return self._cells_index().get((indicator, regio), {})

    def _cells_index(self) -> dict:
        if self._index is None:
            self._index = index_cells(self.indicatoren)
        return self._index

    def doel(self, regio: str) -> dict[int, float]:
        """{jaar: target %} of a region from terugval_doel; the default target when that table is absent."""
        if self.terugval_doel is None:
            return {y: STANDAARD_DOEL for y in self.cells("terugval_5j", regio)}
        rows = self.terugval_doel.filter(pl.col("regio_code") == regio)
        return dict(rows.select("jaar", "doel_pct").iter_rows())

    def doel_oordeel(self, regio: str) -> dict[int, bool | None]:
        """{jaar: doel gehaald}; None where no judgement is made (suppressed, history incomplete)."""
        if self.terugval_doel is None or "doel_gehaald" not in self.terugval_doel.columns:
            return {}
        rows = self.terugval_doel.filter(pl.col("regio_code") == regio)
        out = {}
        for r in rows.iter_rows(named=True):
            out[r["jaar"]] = None if (r["historie_onvolledig"] or r["status"] != "gepubliceerd") else r["doel_gehaald"]
        return out
