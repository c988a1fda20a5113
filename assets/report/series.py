"""From indicator cells to chart series and bar groups (the notes say why a value is missing)."""
from __future__ import annotations

from assets.report.cells import ABSENT, Cell
from assets.report.charts import Groep, Serie


def note(cell: Cell) -> str:
    return cell.labels()[0][0] if cell.labels() else ""


def serie(key: str, label: str, c: dict[int, Cell], years: list[int], color: str, with_notes: bool = True,
          dashed: bool = False) -> Serie:
    """Points for published cells; a note for every other year in `years` (the subject's line only)."""
    points = {y: (cell.waarde, cell.voorlopig, cell.historie_onvolledig) for y, cell in c.items() if cell.shown}
    notes = {y: note(c.get(y, ABSENT)) for y in years if y not in points} if with_notes else {}
    return Serie(key, label, points, color=color, notes=notes, dashed=dashed, point_ids=with_notes)


def groep(key: str, label: str, c: list[Cell], color: str) -> Groep:
    return Groep(key, label, [(x.waarde if x.shown else None, note(x), x.voorlopig) for x in c], color=color)
