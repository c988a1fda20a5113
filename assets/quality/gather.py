"""Pure functions that gather the per-kind staging tables (one per registered delivery
kind, schemas/kinds.py) into the contract's quality tables."""
from __future__ import annotations

import polars as pl

from schemas.quality import Leveringen, Quarantaine, SchemaAfwijkingen, dtypes, empty


def gather_ledger(inv: pl.DataFrame, refused: pl.DataFrame, per_kind: list[pl.DataFrame]) -> pl.DataFrame:
    """The ledger rows of the files refused in steps 1-2 (`refused`, from the inventory
    `inv`) plus each reader's rows: one per file of `inv`, in landing order."""
    schema = dtypes(Leveringen)
    frames = [refused.cast(schema)] + [f.cast(schema) for f in per_kind]
    ledger = pl.concat(frames, how="vertical").sort("bestand")
    missing = set(inv["bestand"]) - set(ledger["bestand"])
    if missing or ledger.height != inv.height:
        raise ValueError(f"ledger does not cover every landing file ({len(missing)} missing, {ledger.height} rows for {inv.height} files)")
    return ledger


def _stack(model, per_kind: list[pl.DataFrame]) -> pl.DataFrame:
    """Contract columns first, any extra columns after; stable sort on bestand keeps file order."""
    base = empty(model)
    df = pl.concat([base, *per_kind], how="diagonal_relaxed")
    extra = [c for c in df.columns if c not in base.columns]
    return df.select(*base.columns, *extra).sort("bestand", maintain_order=True)


def gather_quarantine(per_kind: list[pl.DataFrame]) -> pl.DataFrame:
    return _stack(Quarantaine, per_kind)


def gather_findings(per_kind: list[pl.DataFrame]) -> pl.DataFrame:
    return _stack(SchemaAfwijkingen, per_kind)
