"""`rapport/gemeenten/GMxxxx.html`: one municipality against its target, the country and its peers."""
from __future__ import annotations

from assets.report import charts
from assets.report.cells import ABSENT, years
from assets.report.charts import GRIJS, PALET
from assets.report.data import NL, ReportData
from assets.report.national import FUNNEL, WGS, doel_columns, nav
from assets.report.page import cell_html, figure, label, page, section, table
from assets.report.series import groep, serie
from schemas.indicators import INDICATOR_CODES


def _latest_own_year(d: ReportData, indicator: str, g: str) -> int | None:
    """The last year in which this gemeente's own cell is published and final; else the country's."""
    own = [y for y, c in d.cells(indicator, g).items() if c.shown and not c.voorlopig]
    if own:
        return max(own)
    nl = [y for y, c in d.cells(indicator, NL).items() if c.shown and not c.voorlopig] or list(d.cells(indicator, NL))
    return max(nl) if nl else None


MAX_PEERS = 12


def peers(d: ReportData, g: str, y: int | None) -> list[str]:
    """`g` and the gemeenten most like it in size: the nearest published noemer of terugval_5j in
    year `y` (all gemeenten when there are at most MAX_PEERS; the smallest ones when `g`'s own
    noemer is suppressed, as a suppressed noemer is below 10 or close to a small total)."""
    gms = d.gemeenten()
    if len(gms) <= MAX_PEERS:
        return gms
    size = {x: c.noemer for x in gms if x != g and (c := d.cells("terugval_5j", x).get(y)) is not None and c.shown}
    own = d.cells("terugval_5j", g).get(y)
    ref = own.noemer if (own is not None and own.shown) else 0
    nearest = sorted(size, key=lambda x: (abs(size[x] - ref), x))[: MAX_PEERS - 1]
    return sorted([g, *nearest])


def _terugval(d: ReportData, g: str) -> str:
    ys = years(d.indicatoren, ["terugval_5j"])
    own = d.cells("terugval_5j", g)
    svg = charts.trend(f"{g}-terugval", ys, [
        serie("gm", d.naam(g), own, ys, charts.BLAUW),
        serie("nl", "Nederland", d.cells("terugval_5j", NL), ys, GRIJS, with_notes=False, dashed=True),
    ], doel=d.doel(g))
    doel, oordeel = d.doel(g), d.doel_oordeel(g)
    rows = [[str(y), cell_html(own.get(y, ABSENT)), cell_html(d.cells("terugval_5j", NL).get(y, ABSENT), counts=False),
             *doel_columns(own.get(y, ABSENT), doel.get(y), oordeel.get(y))] for y in ys]
    return (figure(svg, f"Terugval binnen 5 jaar van {d.naam(g)} per aanmeldjaar, tegen het doel (rood) en Nederland (grijs).")
            + table(["jaar", d.naam(g), "Nederland", "doel", "verschil", "oordeel"], rows))


def _peers(d: ReportData, g: str) -> str:
    y = _latest_own_year(d, "terugval_5j", g)
    gms = peers(d, g, y)
    cs = [d.cells("terugval_5j", x).get(y, ABSENT) for x in gms] + [d.cells("terugval_5j", NL).get(y, ABSENT)]
    names = [f"{d.naam(x)} ({x})" for x in gms] + ["Nederland"]
    svg = charts.bars(f"{g}-peers", names, [groep("terugval", "terugval", cs, charts.BLAUW)],
                      doel=d.doel(g).get(y), highlight=f"{d.naam(g)} ({g})")
    return figure(svg, f"Terugval binnen 5 jaar in aanmeldjaar {y}: {d.naam(g)} (donker) naast de andere gemeenten en Nederland.")


def _funnel(d: ReportData, g: str) -> str | None:
    codes = [c for c in FUNNEL if d.has(c)]
    if not codes:
        return None
    y = _latest_own_year(d, codes[0], g)
    svg = charts.bars(f"{g}-nazorg", [label(c) for c in codes], [
        groep("gm", d.naam(g), [d.cells(c, g).get(y, ABSENT) for c in codes], charts.BLAUW),
        groep("nl", "Nederland", [d.cells(c, NL).get(y, ABSENT) for c in codes], GRIJS),
    ])
    return figure(svg, f"Nazorgtrechter voor trajecten die in {y} succesvol eindigden: {d.naam(g)} en Nederland.")


def _wgs(d: ReportData, g: str) -> str | None:
    codes = [c for c in WGS if d.has(c)]
    if not codes:
        return None
    ys = years(d.indicatoren, codes)
    series = [serie(c, label(c), d.cells(c, g), ys, PALET[i], with_notes=len(codes) == 1) for i, c in enumerate(codes)]
    return figure(charts.trend(f"{g}-wgs", ys, series), f"Wgs-termijnen van {d.naam(g)}: aandeel binnen de termijn.")


def _all_cells(d: ReportData, g: str) -> str:
    codes = [c for c in d.indicatoren["indicator"].unique(maintain_order=False).sort().to_list()]
    order = {c: i for i, c in enumerate(INDICATOR_CODES)}  # registry order: the contract, then the Wgs ones
    codes.sort(key=lambda c: (order.get(c, 99), c))
    ys = years(d.indicatoren)
    rows = [[label(c)] + [cell_html(d.cells(c, g).get(y, ABSENT)) for y in ys] for c in codes]
    return table(["indicator"] + [str(y) for y in ys], rows)


def gemeente_page(d: ReportData, g: str) -> str:
    parts = [
        section("terugval", "Terugval binnen 5 jaar: eigen trend, doel en Nederland", _terugval(d, g)),
        section("vergelijking", "Naast de andere gemeenten", _peers(d, g),
                f"De vergelijkingsgroep: de gemeenten met het aantal aanmelders dat het dichtst bij dat van "
                f"{d.naam(g)} ligt (bij ten hoogste {MAX_PEERS} gemeenten: alle). Het contract kent geen indeling in "
                f"vergelijkbare gemeenten."),
    ]
    for key, title, html in (("nazorg", "De nazorgtrechter", _funnel(d, g)), ("wgs", "Wgs-termijnen", _wgs(d, g))):
        if html:
            parts.append(section(key, title, html))
    parts.append(section("cijfers", "Alle cijfers", _all_cells(d, g),
                         "Per indicator en jaar: de waarde met teller / noemer, of de markering die zegt waarom er "
                         "geen waarde staat. Ga met de muis over een markering voor de uitleg."))
    return page(f"{d.naam(g)} ({g})", f"Terugval en nazorg · peildatum {d.peildatum or 'onbekend'}",
                nav(d, "../"), "".join(parts))
