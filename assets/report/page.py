"""The page frame and the HTML pieces every page uses: one inline style, no script, no
network (a Content-Security-Policy forbids every load, so a stray link would show as broken)."""
from __future__ import annotations

from assets.report.cells import STATUS, VOORLOPIG, HISTORIE, Cell
from assets.report.fmt import esc, getal, pct
from schemas.indicator_registry import INDICATORS

# The registered indicators carry their own label; the others are indicators and measures of
# tables that later versions add (their sections are skipped while the table is absent).
LABELS = {
    **{i.code: i.naam for i in INDICATORS},
    "signaal_opgepakt": "Signaal opgepakt",
    "zaak_bereikt": "Huishouden bereikt",
    "zaak_hulp_aanvaard": "Hulp aanvaard (van de bereikte)",
    "meervoudig_signaal": "Signalen van meerdere partners",
    "signaal_naar_schuldhulp": "Binnen 12 maanden naar schuldhulp",
    "wachttijd_eerste_gesprek": "Wachttijd tot het eerste gesprek",
    "beschikkingstermijn": "Van eerste gesprek tot beschikking",
    "doorlooptijd_afgerond": "Doorlooptijd van afgeronde trajecten",
}

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f4e79;color:#fff;padding:12px 24px}header a{color:#fff}
nav a{margin-right:16px}main{padding:8px 24px 32px;max-width:1200px}
section{background:#fff;border:1px solid #ddd;border-radius:4px;padding:8px 16px 16px;margin:16px 0}
h1{font-size:1.5em;margin:4px 0}h2{font-size:1.2em;color:#1f4e79}p.uitleg{color:#444;max-width:60em}
figure{margin:8px 0}figcaption{font-size:.9em;color:#444}svg.grafiek{max-width:100%;height:auto}
div.tabel{overflow-x:auto}table{border-collapse:collapse;font-size:.85em;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:right;vertical-align:top}
th{background:#eef3f8}td.tekst,th.tekst{text-align:left}td small{color:#666}
.vlag{display:inline-block;font-size:.8em;padding:0 4px;border-radius:3px;margin:1px;white-space:nowrap}
.vlag.primair,.vlag.secundair{background:#eee;color:#333}.vlag.geen_gegevens,.vlag.geen_rij{background:#fff2cc;color:#5a4500}
.vlag.voorlopig{background:#deebf7;color:#1f4e79}.vlag.historie{background:#fbe5d6;color:#843c0c}
.boven{color:#c00000}.onder{color:#548235}dl.legenda dt{font-weight:bold;margin-top:6px}dl.legenda dd{margin-left:16px}
"""
VLAG_CLASS = {STATUS["primair"][0]: "primair", STATUS["secundair"][0]: "secundair",
              STATUS["geen_gegevens"][0]: "geen_gegevens", STATUS["geen_rij"][0]: "geen_rij",
              VOORLOPIG[0]: "voorlopig", HISTORIE[0]: "historie"}


def label(code: str) -> str:
    return LABELS.get(code, code)


def vlag(text: str, explanation: str) -> str:
    return f'<span class="vlag {VLAG_CLASS.get(text, "")}" title="{esc(explanation)}">{esc(text)}</span>'


def cell_html(cell: Cell, counts: bool = True) -> str:
    """A table cell: the value in Dutch format (with teller / noemer), or the label saying why not."""
    flags = " ".join(vlag(t, e) for t, e in cell.labels())
    if cell.shown:
        body = pct(cell.waarde)
        if counts and cell.noemer is not None:
            body += f"<br><small>{getal(cell.teller)} / {getal(cell.noemer)}</small>"
        return f"<td>{body}{'<br>' + flags if flags else ''}</td>"
    return f'<td class="leeg">{flags}</td>'


def table(head: list[str], rows: list[list[str]], first_text: bool = True) -> str:
    """`rows` hold finished <td> cells or plain text (escaped here)."""
    def td(i: int, c: str) -> str:
        if c.startswith("<td"):
            return c
        return f'<td class="tekst">{esc(c)}</td>' if (i == 0 and first_text) else f"<td>{esc(c)}</td>"
    h = "".join(f'<th class="{"tekst" if i == 0 else ""}">{esc(c)}</th>' for i, c in enumerate(head))
    body = "".join("<tr>" + "".join(td(i, c) for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f'<div class="tabel"><table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table></div>'


def figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def section(key: str, title: str, body: str, uitleg: str = "") -> str:
    return (f'<section id="{esc(key)}"><h2>{esc(title)}</h2>'
            f'{f"<p class=uitleg>{esc(uitleg)}</p>" if uitleg else ""}{body}</section>')


def legend() -> str:
    """What every flag means; on every page."""
    items = [STATUS["primair"], STATUS["secundair"], STATUS["geen_gegevens"], STATUS["geen_rij"], VOORLOPIG, HISTORIE]
    rows = "".join(f"<dt>{vlag(t, e)}</dt><dd>{esc(e)}</dd>" for t, e in items)
    return section("legenda", "Hoe lees je de markeringen",
                   f'<dl class="legenda">{rows}</dl><p class="uitleg">In de grafieken is een open rondje of een '
                   f'gearceerde balk voorlopig, een open vierkantje een jaar met onvolledige historie; een jaar zonder punt of balk heeft een grijze tekst die zegt waarom. '
                   f'Een onderdrukte of ontbrekende waarde is nooit 0.</p>')


def page(title: str, subtitle: str, nav: list[tuple[str, str]], body: str) -> str:
    links = "".join(f'<a href="{esc(href)}">{esc(text)}</a>' for text, href in nav)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="nl"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
        f"<body><header><nav>{links}</nav><h1>{esc(title)}</h1><div>{esc(subtitle)}</div></header>"
        f"<main>{body}{legend()}</main></body></html>\n"
    )
