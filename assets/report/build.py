"""All pages of the report: {path under the output folder: HTML}."""
from __future__ import annotations

from assets.report.data import ReportData
from assets.report.gemeente import gemeente_page
from assets.report.national import national_page
from assets.report.suppliers import suppliers_page

INDEX = "rapport/index.html"
LEVERANCIERS = "rapport/leveranciers.html"


def gemeente_path(code: str) -> str:
    return f"rapport/gemeenten/{code}.html"


def build_report(d: ReportData) -> dict[str, str]:
    pages = {INDEX: national_page(d), LEVERANCIERS: suppliers_page(d)}
    for g in d.gemeenten():
        pages[gemeente_path(g)] = gemeente_page(d, g)
    return pages
