"""`rapport/index.html`: the national picture, one section per entry of SECTIONS.

A section is (key, title, builder); the builder returns the section's HTML, or None when
the tables it needs are not there (so a section for a table that a later version adds is
simply skipped on older outputs). Adding a section = one function and one entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from assets.report import charts
from assets.report.cells import ABSENT, Cell, latest_final_year, years
from assets.report.charts import PALET
from assets.report.data import NL, ReportData
from assets.report.fmt import esc, pct, pp
from assets.report.page import cell_html, figure, label, page, section, table
from assets.report.series import groep, serie
from schemas.indicator_registry import codes

FUNNEL = codes(rapport="nazorg")  # the aftercare funnel, in contract order
WGS = codes(rapport="wgs")  # the Wgs terms and guidance (process.md §2), in registry order
MAX_BARS = 40
VROEG = ["signaal_opgepakt", "zaak_bereikt", "zaak_hulp_aanvaard", "meervoudig_signaal", "signaal_naar_schuldhulp"]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    build: Callable[[ReportData], str | None]


def doel_columns(c: Cell, doel: float | None, oordeel: bool | None) -> list[str]:
    """Target, difference and judgement; no difference or judgement where the value is not
    published or the history is incomplete (spec/process.md §4: left out of 'target met')."""
    if not c.shown or doel is None:
        return [pct(doel), "", ""]
    if c.historie_onvolledig:
        return [pct(doel), "", "geen oordeel (historie onvolledig)"]
    judged = oordeel if oordeel is not None else c.waarde <= doel
    return [pct(doel), pp(round(c.waarde - doel, 1)), "gehaald" if judged else "niet gehaald"]


def _trend_table(d: ReportData, codes: list[str], regio: str, ys: list[int]) -> str:
    rows = [[label(c)] + [cell_html(d.cells(c, regio).get(y, ABSENT)) for y in ys] for c in codes]
    return table(["indicator"] + [str(y) for y in ys], rows)


def terugval(d: ReportData) -> str | None:
    if not d.has("terugval_5j"):
        return None
    ys = years(d.indicatoren, ["terugval_5j"])
    nl = d.cells("terugval_5j", NL)
    doel = d.doel(NL)
    svg = charts.trend("nl-terugval", ys, [serie("nl", "Nederland", nl, ys, charts.BLAUW)], doel=doel)
    oordeel = d.doel_oordeel(NL)
    rows = [[str(y), cell_html(nl.get(y, ABSENT)), *doel_columns(nl.get(y, ABSENT), doel.get(y), oordeel.get(y))] for y in ys]
    return (figure(svg, "Terugval binnen 5 jaar, Nederland, per jaar van aanmelding, tegen het doel (rode stippellijn).")
            + table(["jaar", "terugval", "doel", "verschil", "oordeel"], rows))


def gemeenten(d: ReportData) -> str | None:
    gms = d.gemeenten()
    if not d.has("terugval_5j") or not gms:
        return None
    y = latest_final_year(d.indicatoren, "terugval_5j")
    shown = gms
    if len(gms) > MAX_BARS:  # national scale: the largest gemeenten (by aanmelders) in the chart, all in the table
        size = {g: (c.noemer or 0) if (c := d.cells("terugval_5j", g).get(y)) is not None and c.shown else 0 for g in gms}
        shown = sorted(sorted(gms, key=lambda g: (-size[g], g))[:MAX_BARS])
    regios = shown + [NL]
    cs = [d.cells("terugval_5j", g).get(y, ABSENT) for g in regios]
    names = [f"{d.naam(g)} ({g})" if g != NL else "Nederland" for g in regios]
    doel = d.doel(NL).get(y)
    svg = charts.bars("gm-terugval", names, [groep("terugval", "terugval", cs, charts.BLAUW)], doel=doel,
                      highlight="Nederland")
    ys = years(d.indicatoren, ["terugval_5j"])
    rows = [[f'<td class="tekst"><a href="gemeenten/{esc(g)}.html">{esc(d.naam(g))}</a> ({esc(g)})</td>']
            + [cell_html(d.cells("terugval_5j", g).get(x, ABSENT), counts=False) for x in ys] for g in gms]
    which = "" if shown == gms else f" De {MAX_BARS} gemeenten met de meeste aanmelders; de tabel toont ze allemaal."
    return (figure(svg, f"Terugval binnen 5 jaar per gemeente, aanmeldjaar {y} (het laatste definitieve jaar landelijk).{which}")
            + table(["gemeente"] + [str(x) for x in ys], rows))


def nazorg(d: ReportData) -> str | None:
    codes = [c for c in FUNNEL if d.has(c)]
    if not codes:
        return None
    y = latest_final_year(d.indicatoren, codes[0])
    cs = [d.cells(c, NL).get(y, ABSENT) for c in codes]
    svg = charts.bars("nl-nazorg", [label(c) for c in codes], [groep("nl", "Nederland", cs, charts.BLAUW)])
    return figure(svg, f"De nazorgtrechter landelijk: trajecten die in {y} succesvol eindigden (noemer per stap: dat cohort).")


def nazorg_trend(d: ReportData) -> str | None:
    codes = [c for c in FUNNEL + ["terugval_12m"] if d.has(c)]
    if not codes:
        return None
    ys = years(d.indicatoren, codes)
    series = [serie(c, label(c), d.cells(c, NL), ys, PALET[i % len(PALET)], with_notes=False) for i, c in enumerate(codes)]
    svg = charts.trend("nl-nazorg-trend", ys, series)
    return figure(svg, "Nazorg en terugval binnen 12 maanden, landelijk, per jaar van het succesvolle einde.") + _trend_table(d, codes, NL, ys)


def wgs(d: ReportData) -> str | None:
    codes = [c for c in WGS if d.has(c)]
    parts = []
    if codes:
        ys = years(d.indicatoren, codes)
        series = [serie(c, label(c), d.cells(c, NL), ys, PALET[i], with_notes=False) for i, c in enumerate(codes)]
        parts.append(figure(charts.trend("nl-wgs", ys, series), "Wgs-termijnen landelijk: aandeel binnen de termijn.")
                     + _trend_table(d, codes, NL, ys))
    dl = d.tables.get("doorlooptijden")
    if dl is not None and dl.height:
        nl = dl.filter(pl.col("regio_code") == NL)
        maten = sorted(nl["maat"].unique().to_list())
        ys = sorted(nl["jaar"].unique().to_list())
        series = []
        for i, m in enumerate(maten):
            rows = nl.filter(pl.col("maat") == m)
            pts = {r["jaar"]: (r["mediaan"], bool(r.get("voorlopig"))) for r in rows.iter_rows(named=True) if r["mediaan"] is not None}
            series.append(charts.Serie(m, label(m), pts, color=PALET[i % len(PALET)]))
        parts.append(figure(charts.trend("nl-doorlooptijden", ys, series, unit="dagen"),
                            "Mediaan in dagen, landelijk (onderdrukte jaren zonder punt)."))
    return "".join(parts) or None


def uitstroom(d: ReportData) -> str | None:
    u = d.tables.get("uitstroom")
    if u is None or not u.height:
        return None
    nl = u.filter(pl.col("regio_code") == NL)
    final = nl.filter(~pl.col("voorlopig")) if "voorlopig" in nl.columns else nl
    y = (final if final.height else nl)["jaar"].max()
    rows = nl.filter(pl.col("jaar") == y).sort("uitstroomreden")
    cs = [Cell("gepubliceerd", r["aandeel"], voorlopig=bool(r.get("voorlopig"))) if r["aandeel"] is not None
          else Cell("secundair" if r.get("onderdrukking") == "secundair" else "primair") for r in rows.iter_rows(named=True)]
    svg = charts.bars("nl-uitstroom", rows["uitstroomreden"].to_list(), [groep("nl", "Nederland", cs, charts.BLAUW)])
    return figure(svg, f"Uitstroom landelijk naar reden, trajecten beëindigd in {y} (aandeel van alle beëindigde).")


def vroegsignalering(d: ReportData) -> str | None:
    v = d.tables.get("vroegsignalering")
    if v is None or not v.height:
        return None
    sub = ReportData(v, namen=d.namen)
    codes = [c for c in VROEG if sub.has(c)] or sorted(sub.indicatoren["indicator"].unique().to_list())
    y = latest_final_year(sub.indicatoren, codes[0])
    cs = [sub.cells(c, NL).get(y, ABSENT) for c in codes]
    svg = charts.bars("nl-vroeg", [label(c) for c in codes], [groep("nl", "Nederland", cs, charts.BLAUW)])
    return figure(svg, f"Vroegsignalering landelijk, {y}.")


SECTIONS = [
    Section("terugval", "Terugval binnen 5 jaar tegen het doel", terugval),
    Section("gemeenten", "Gemeenten naast elkaar", gemeenten),
    Section("nazorg", "De nazorgtrechter", nazorg),
    Section("nazorg-trend", "Nazorg door de jaren", nazorg_trend),
    Section("wgs", "Wgs-termijnen en doorlooptijden", wgs),
    Section("uitstroom", "Uitkomsten: uitstroom naar reden", uitstroom),
    Section("vroegsignalering", "Vroegsignalering", vroegsignalering),
]


def nav(d: ReportData, prefix: str = "") -> list[tuple[str, str]]:
    return [("Landelijk", f"{prefix}index.html"), ("Leveringen", f"{prefix}leveranciers.html")]


def national_page(d: ReportData) -> str:
    body = []
    for s in SECTIONS:
        html = s.build(d)
        if html is not None:
            body.append(section(s.key, s.title, html))
    links = " · ".join(f'<a href="gemeenten/{esc(g)}.html">{esc(d.naam(g))}</a>' for g in d.gemeenten())
    body.insert(0, section("inhoud", "Gemeenten", f"<p>{links}</p>" if links else "<p>Geen gemeenten in de indicatortabel.</p>",
                           "Elke gemeente heeft een eigen pagina met haar trend, het doel, het landelijke beeld en de andere gemeenten."))
    return page("Schuldhulpverlening: terugval en nazorg", f"Landelijk beeld · peildatum {d.peildatum or 'onbekend'}",
                nav(d), "".join(body))
