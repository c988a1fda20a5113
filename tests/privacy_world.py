"""The one landing both end-to-end privacy modules scan (test_privacy.py and
test_vroegsignalering_privacy.py): the generator's world, BSNs and elfproef amounts planted
where no word boundary shows them, and the official early-warning examples (as delivered and
with valid BSNs). One `ddas run` on it serves both: each module's planted values are only in
its own files, so neither set of checks can hide the other."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ddas_generator import generate
from tests.builders import csv_file, ddas_file, traject, xlsx_file
from tests.conftest import valid_bsns

PEIL = "2026-06-30"
IN_DOSSIERNR = "795822698"  # the reproductions of issue 12
IN_UITVOERDER = "111222333"
IN_FILE_NAME = "123456782"
PEOPLE = valid_bsns(8, seed=1212)
IN_OPMERKING = PEOPLE[7]
PLANTED = (IN_DOSSIERNR, IN_UITVOERDER, IN_FILE_NAME, IN_OPMERKING)
DEBT_CSV, DEBT_DDAS = 123456782, 136687830  # measures that pass the elfproef
VS_EXAMPLES = Path(__file__).parent / "data" / "vroegsignalering"


def plant_bsns(land: Path) -> None:
    """test_privacy.py's files, under */geplant/."""
    p = PEOPLE
    csv_file(land / "shv_csv/geplant/GM0344_20240131.csv", [
        [f"D{IN_DOSSIERNR}", p[0], "", "01-02-2023", "", "MSR", "01-03-2023", "", "", "", str(DEBT_CSV), ""],
        ["A-2", p[1], "", "01-02-2023", "", "MSR", "", "", "", "", "", f"klant_{IN_OPMERKING}"],
    ])
    xlsx_file(land / "nazorg/geplant/GM0518_20250101.xlsx", [
        [p[2], dt.date(2024, 8, 1), "Contact", None, "Telefonisch", f"klant_{IN_UITVOERDER}"],
    ])
    planted_ddas = traject([p[3]], aanmelding="2024-02-01")
    planted_ddas["totaalSchuldbedragBijAanvangSchuld"] = DEBT_DDAS
    ddas_file(land / f"ddas/geplant/levering_{IN_FILE_NAME}.json", [planted_ddas])


def plant_vs_examples(land: Path) -> None:
    """test_vroegsignalering_privacy.py's files: the official examples as delivered (all
    signals bsn_ongeldig) and with valid BSNs (accepted), under vroegsignalering/voorbeelden/."""
    folder = land / "vroegsignalering" / "voorbeelden"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("enkelvoudigVoorbeeld.json", "meervoudigVoorbeeld.json"):
        doc = json.loads((VS_EXAMPLES / name).read_text(encoding="utf-8"))
        (folder / name).write_text(json.dumps(doc), encoding="utf-8")
        bsns = iter(valid_bsns(10, seed=151))
        for lev in doc["leveringen"]:
            for s in lev["vroegsignalen"]:
                s["client"]["Burgerservicenummer"] = next(bsns)
        doc["aanleverdatumEnTijd"] = "2025-02-06T10:30:00Z"
        (folder / f"geldig_{name}").write_text(json.dumps(doc), encoding="utf-8")


def make_landing(land: Path) -> None:
    generate(land, persons=700, seed=5)  # enough early-warning deliveries and signal values to scan
    plant_bsns(land)
    plant_vs_examples(land)
