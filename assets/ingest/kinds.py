"""The delivery kinds (schemas/kinds.py) as ingest uses them: each kind's reader, and the
order in which the readers of a run share this process and the DDAS worker processes."""
from __future__ import annotations

from collections.abc import Callable

from assets.ingest.result import IngestResult
from schemas.kinds import DeliveryKind, kinds, resolve

Reader = Callable[..., IngestResult]  # (files, peildatum, key, **kw) -> IngestResult


def reader(k: DeliveryKind) -> Reader:
    """The kind's reader function."""
    return resolve(k.reader)


def read_in_turn(wanted: list[DeliveryKind], read: Callable[..., None]) -> None:
    """Call `read(kind)` for every wanted kind. The first pooled kind is read with
    `meanwhile=`: the other kinds' reads, which run in this process while its worker
    processes take its largest files; without a pooled kind, in registry order."""
    pooled = [k for k in wanted if k.pooled]
    if not pooled:
        for k in wanted:
            read(k)
        return
    first = pooled[0]

    def others() -> None:
        for k in wanted:
            if k is not first:
                read(k)

    read(first, meanwhile=others)


__all__ = ["DeliveryKind", "Reader", "kinds", "read_in_turn", "reader"]
