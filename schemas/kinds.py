"""The delivery kinds: one `DeliveryKind` entry per kind of landing file (sources.md).

Every place that depends on the kinds reads this registry: the inventory (folders, name
patterns, duplicate scope), the ingest assets (reader, description, asset names), the
quality models (`bron` values), harmonisation (which kinds are trajectories, their
authority) and the landing check. Adding a kind is one entry here plus its reader module
in `assets/ingest/` (docs/decisions.md, "Adding a delivery kind").

This module is pure data so that `schemas/` can import it: the reader and the record
model are named as `module:attribute` and resolved where they are used.
"""
from __future__ import annotations

import importlib
import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryKind:
    """One kind of delivery file."""

    name: str  # the `bron` value in every table; also its landing subfolder and asset prefix
    extension: str  # lower case, without the dot
    named: bool  # True: the name is GMxxxx_JJJJMMDD.<ext> (municipality and date); False: any *.<ext>
    reader: str  # "module:function" with the signature (files, peildatum, key, **kw) -> IngestResult
    record_model: str  # "module:Model" of the accepted records (staging/<name>/records.parquet)
    description: str  # the Dagster description of the `<name>_records` asset
    # Trajectory kinds only (record model TrajectRecord): the tie-break of model.md §4.3,
    # higher is more authoritative, distinct per kind (harmonisation tells the kinds apart
    # by it). None: the kind's records are not trajectories.
    authority: int | None = None
    # The reader spreads its files over worker processes and runs the other kinds'
    # readers in this process meanwhile (keyword `meanwhile`).
    pooled: bool = False
    # A later export replaces an earlier row with the same gemeentecode and dossiernr (model.md §4.2).
    superseded_by_dossier: bool = False

    @property
    def folder(self) -> str:
        return self.name

    @property
    def asset(self) -> str:
        return f"{self.name}_records"

    @property
    def pattern(self) -> str:
        """The file name pattern as refusal texts show it."""
        return f"GMxxxx_JJJJMMDD.{self.extension}" if self.named else f"{self.folder}/*.{self.extension}"

    @property
    def is_trajectory(self) -> bool:
        return self.authority is not None


def resolve(ref: str):
    """The object named by "module:attribute"."""
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute)


REGISTRY: tuple[DeliveryKind, ...] = (
    DeliveryKind(
        name="ddas",
        extension="json",
        named=False,
        reader="assets.ingest.ddas_json:read_ddas",
        record_model="schemas.records:TrajectRecord",
        description="DDAS JSON: validated, pseudonymised trajectory records, quarantine and schema findings.",
        authority=1,
        pooled=True,
    ),
    DeliveryKind(
        name="shv_csv",
        extension="csv",
        named=True,
        reader="assets.ingest.shv_csv:read_shv_csv",
        record_model="schemas.records:TrajectRecord",
        description="Legacy CSV exports: validated, pseudonymised trajectory records and quarantine.",
        authority=0,
        superseded_by_dossier=True,
    ),
    DeliveryKind(
        name="nazorg",
        extension="xlsx",
        named=True,
        reader="assets.ingest.nazorg_xlsx:read_nazorg",
        record_model="schemas.records:NazorgEvent",
        description="Aftercare workbooks: validated, pseudonymised events and quarantine.",
    ),
    DeliveryKind(
        name="vroegsignalering",
        extension="json",
        named=False,
        reader="assets.ingest.vs_json:read_vs",
        record_model="schemas.vroegsignalering:VsRecord",
        description="Vroegsignalering JSON: validated signals and cases (persoon_id and adres_id only), quarantine and schema findings.",
    ),
)

# Landing subfolders the contract names whose reader is not built yet: a landing folder
# holding only these is still a landing folder (assets.common.publish.check_landing).
# A kind moves from here to REGISTRY when its reader exists.
ANNOUNCED_FOLDERS: tuple[str, ...] = ()


def kinds() -> tuple[DeliveryKind, ...]:
    """The registered kinds, in registry order (the order of assets and of reading)."""
    return REGISTRY


def kind(name: str) -> DeliveryKind:
    return next(k for k in REGISTRY if k.name == name)


def names() -> list[str]:
    """Every `bron` value."""
    return [k.name for k in REGISTRY]


def trajectory_names() -> list[str]:
    """The kinds whose records are trajectories (harmonised into `trajecten`)."""
    return [k.name for k in REGISTRY if k.is_trajectory]


def dossier_names() -> list[str]:
    """The kinds whose rows a later export replaces by gemeentecode and dossiernr."""
    return [k.name for k in REGISTRY if k.superseded_by_dossier]


def trajectory_source_sets() -> list[str]:
    """Every value `trajecten.bronnen` can take: a non-empty set of trajectory kinds,
    sorted and comma-joined."""
    sources = sorted(trajectory_names())
    return [",".join(c) for n in range(1, len(sources) + 1) for c in itertools.combinations(sources, n)]


def landing_folders() -> list[str]:
    """The kind subfolders a landing folder may hold (read or announced)."""
    return [k.folder for k in REGISTRY] + [f for f in ANNOUNCED_FOLDERS if f not in {k.folder for k in REGISTRY}]
