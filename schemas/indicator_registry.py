"""The indicator registry: one entry per indicator of spec/indicators.md and process.md §2.

Every place that lists or branches on indicator codes reads this tuple: the contract
model (`schemas/indicators.py`), the counts (`assets/indicators/cohort.py`,
`relapse.py`), the flags `voorlopig` / `geen_gegevens` / `historie_onvolledig`
(`assets/indicators/table.py`), the audit member lists, `ddas trace` and the report.
Pure data with no imports from `assets/`, so the schemas can read it without a cycle.

Adding an indicator (docs/indicators.md, "How to add an indicator"): one entry here, in
contract order, plus the pure function that adds its condition column (named after the
code) to its cohort's units (`assets/indicators/cohort.py` `UNITS`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Indicator:
    """What the pipeline needs to know about one indicator besides its condition."""

    code: str
    naam: str  # the label in the report (Dutch)
    eenheid: Literal["persoon", "traject"]  # what noemer counts (distinct within a cell)
    # Whose units: "aanmelders" (relapse.py: persons per aanmelding year) or a key of
    # cohort.UNITS, whose function adds one boolean column per indicator, named after its code.
    cohort: str
    jaar_van: str  # the date whose year is the row's jaar (beheer_naar_begeleiding: the Budgetbeheer's einddatum)
    # voorlopig: None = while jaar >= year(peildatum); N = while 31-12-jaar + N months > peildatum
    venster_maanden: int | None = None
    gebeurtenissen: bool = False  # needs delivered aftercare events: geen_gegevens outside coverage
    historie: bool = False  # looks back five years: historie_onvolledig before the history start
    rapport: str = ""  # report group: terugval, nazorg, wgs


# Contract order (spec/indicators.md, then process.md §2); the output rows sort alphabetically on the code.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("terugval_5j", "Terugval binnen 5 jaar", "persoon", "aanmelders", "aanmelddatum",
              historie=True, rapport="terugval"),
    Indicator("nazorg_gestart", "Nazorg gestart (uiterlijk 12 maanden na het einde)", "traject", "afgerond",
              "einddatum", venster_maanden=12, rapport="nazorg"),
    Indicator("nazorg_tijdig", "Nazorg gestart tijdens het traject", "traject", "afgerond", "einddatum",
              rapport="nazorg"),
    Indicator("nazorgtoets_voor_einde", "Nazorgtoets vóór het einde", "traject", "afgerond", "einddatum",
              gebeurtenissen=True, rapport="nazorg"),
    Indicator("nazorgcontact_6m", "Contact binnen 6 maanden na het einde", "traject", "afgerond", "einddatum",
              venster_maanden=6, gebeurtenissen=True, rapport="nazorg"),
    Indicator("warm_contact_12m", "Warm contact het hele eerste jaar", "traject", "afgerond", "einddatum",
              venster_maanden=12, gebeurtenissen=True, rapport="nazorg"),
    Indicator("terugval_12m", "Terugval binnen 12 maanden", "traject", "afgerond", "einddatum",
              venster_maanden=12, rapport="terugval"),
    # process.md §2: the Wgs terms and guidance (cohorts in assets/indicators/wgs.py)
    Indicator("eerste_gesprek_tijdig", "Eerste gesprek binnen de Wgs-termijn", "traject", "aanmelding",
              "aanmelddatum", rapport="wgs"),
    Indicator("beschikking_tijdig", "Beschikking binnen 8 weken na het eerste gesprek", "traject", "eerste_gesprek",
              "eerste_gesprek_datum", rapport="wgs"),
    Indicator("beheer_naar_begeleiding", "Van budgetbeheer naar budgetbegeleiding", "traject", "budgetbeheer",
              "einddatum", venster_maanden=3, rapport="wgs"),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
assert len(BY_CODE) == len(INDICATORS), "indicator codes must be unique"


def codes(**where) -> list[str]:
    """Codes in contract order whose fields equal `where`, e.g. codes(cohort="afgerond")."""
    return [i.code for i in INDICATORS if all(getattr(i, k) == v for k, v in where.items())]


def indicator(code: str) -> Indicator:
    """The entry of `code`; ValueError naming the known codes otherwise."""
    if code not in BY_CODE:
        raise ValueError(f"unknown indicator {code!r}; expected one of {', '.join(BY_CODE)}")
    return BY_CODE[code]
