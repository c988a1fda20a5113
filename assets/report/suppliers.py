"""`rapport/leveranciers.html`: delivery quality per supplier and per file, in the spirit of
CBS's processing report to each supplier.

The ledger's `leverancier` column holds each DDAS file's `codeGegevensleverancier`; the
page groups by it, and files without one (CSV exports, workbooks, DDAS files that did
not load or name no supplier) by their kind, "<bron> (zonder leverancierscode)". An
older ledger without the column is grouped by kind (`bron`) only.
"""
from __future__ import annotations

import polars as pl

from assets.report import charts
from assets.report.charts import Groep, PALET
from assets.report.data import ReportData
from assets.report.fmt import esc, getal, pct
from assets.report.national import nav
from assets.report.page import figure, page, section, table

SUPPLIER_COLUMNS = ("codeGegevensleverancier", "leverancier")
STATUS_ORDER = ["geladen", "geweigerd", "duplicaat", "toekomstig"]


def supplier_column(ledger: pl.DataFrame) -> str:
    return next((c for c in SUPPLIER_COLUMNS if c in ledger.columns), "bron")


def schema_rules(findings: pl.DataFrame) -> pl.DataFrame:
    """One rule per JSON Schema keyword and path with the array positions generalised:
    `type` at `$.leveringen[*].schuldhulptrajecten[*].einddatum`."""
    return findings.with_columns(
        regel=pl.format("{} op {}", pl.col("melding").str.extract(r"^([^:]+):", 1).fill_null(pl.col("melding")),
                        pl.col("json_pad").str.replace_all(r"\[[0-9]+\]", "[*]")))


def _summary(ledger: pl.DataFrame, by: str) -> str:
    agg = ledger.group_by(by).agg(
        [pl.len().alias("bestanden")] + [(pl.col("status") == s).sum().alias(s) for s in STATUS_ORDER]
        + [pl.col(c).sum() for c in ("records_gelezen", "records_geaccepteerd", "records_gequarantaineerd")]
    ).sort(by)
    rows = []
    for r in agg.iter_rows(named=True):
        share = 100 * r["records_gequarantaineerd"] / r["records_gelezen"] if r["records_gelezen"] else None
        rows.append([str(r[by] or "onbekend"), getal(r["bestanden"]), *[getal(r[s]) for s in STATUS_ORDER],
                     getal(r["records_gelezen"]), getal(r["records_geaccepteerd"]), getal(r["records_gequarantaineerd"]),
                     pct(round(share, 1)) if share is not None else "geen records"])
    return table([by, "bestanden", *STATUS_ORDER, "records gelezen", "geaccepteerd", "in quarantaine", "quarantaine"], rows)


def _quarantine_chart(q: pl.DataFrame, ledger: pl.DataFrame, by: str) -> str | None:
    if q is None or not q.height:
        return None
    if by != "bron":
        q = q.join(ledger.select("bestand", by).unique("bestand"), on="bestand", how="left")
    q = q.with_columns(pl.col(by).cast(pl.Utf8).fill_null("onbekend"))
    counts = q.group_by(by, "reden_code").len()
    reasons = sorted(counts["reden_code"].unique().to_list())
    groups = []
    for i, key in enumerate(sorted(counts[by].unique().to_list(), key=str)):
        sub = dict(counts.filter(pl.col(by) == key).select("reden_code", "len").iter_rows())
        groups.append(Groep(str(key), str(key), [(float(sub[r]), "", False) if r in sub else (None, "", False) for r in reasons],
                            color=PALET[i % len(PALET)]))
    return figure(charts.bars("quarantaine", reasons, groups, unit="", decimals=0),
                  f"Records in quarantaine naar reden, per {by} (aantal records).")


def _schema_chart(rules: pl.DataFrame) -> str | None:
    if rules is None or not rules.height:
        return None
    top = rules.group_by("regel").len().sort(["len", "regel"], descending=[True, False]).head(15)
    svg = charts.bars("schema", top["regel"].to_list(), [Groep("n", "afwijkingen", [(float(n), "", False) for n in top["len"]])], unit="", decimals=0)
    return figure(svg, "Afwijkingen van het officiële JSON Schema naar regel (de 15 meest voorkomende), alle geladen DDAS-bestanden.")


def _refused(ledger: pl.DataFrame) -> str:
    bad = ledger.filter(pl.col("status") != "geladen").sort("bron", "bestand")
    if not bad.height:
        return "<p>Alle bestanden zijn geladen.</p>"
    return table(["bestand", "bron", "status", "reden"],
                 [[r["bestand"], r["bron"], r["status"], r["reden"] or ""] for r in bad.iter_rows(named=True)])


def _per_file(ledger: pl.DataFrame, q: pl.DataFrame | None, rules: pl.DataFrame | None) -> str:
    loaded = ledger.filter(pl.col("status") == "geladen").sort("bron", "bestand")
    qmap: dict[str, str] = {}
    if q is not None and q.height:
        for bestand, grp in q.group_by("bestand", "reden_code").len().sort("bestand", "reden_code").group_by("bestand", maintain_order=True):
            qmap[bestand[0]] = ", ".join(f"{r}: {getal(n)}" for _, r, n in grp.iter_rows())
    smap: dict[str, str] = {}
    if rules is not None and rules.height:
        per = rules.group_by("bestand", "regel").len().sort(["bestand", "len", "regel"], descending=[False, True, False])
        for bestand, grp in per.group_by("bestand", maintain_order=True):
            total = int(grp["len"].sum())
            shown = ", ".join(f"{r}: {getal(n)}" for _, r, n in grp.head(3).iter_rows())
            smap[bestand[0]] = f"{getal(total)} ({shown}{', …' if grp.height > 3 else ''})"
    rows = [[r["bestand"], r["bron"], str(r["leverdatum"] or ""), getal(r["records_gelezen"]), getal(r["records_geaccepteerd"]),
             getal(r["records_gequarantaineerd"]), qmap.get(r["bestand"], ""), smap.get(r["bestand"], "")]
            for r in loaded.iter_rows(named=True)]
    return table(["bestand", "bron", "leverdatum", "gelezen", "geaccepteerd", "quarantaine", "quarantaine naar reden",
                  "schema-afwijkingen (meest voorkomende regels)"], rows)


def suppliers_page(d: ReportData) -> str:
    ledger = d.leveringen
    if ledger is None:
        body = section("leeg", "Geen leveringen", "<p>Er is geen leveringenregister (kwaliteit/leveringen.parquet).</p>")
        return page("Leveringen en kwaliteit", "", nav(d), body)
    by = supplier_column(ledger)
    if by != "bron":  # files without a supplier code are grouped by their kind, said so
        ledger = ledger.with_columns(pl.coalesce(pl.col(by), pl.format("{} (zonder leverancierscode)", "bron")).alias(by))
    rules = schema_rules(d.schema_afwijkingen) if d.schema_afwijkingen is not None else None
    uitleg = ("Per leverancier (codeGegevensleverancier van de DDAS-bestanden); bestanden zonder leverancierscode "
              "(CSV-exports, werkmappen, niet geladen bestanden) staan per bron." if by != "bron" else
              "Het leveringenregister bewaart de leverancierscode (codeGegevensleverancier) nog niet; daarom staat "
              "hier per bron (ddas, shv_csv, nazorg) en per bestand wat er met de levering gebeurde.")
    parts = [section("overzicht", f"Overzicht per {'leverancier' if by != 'bron' else 'bron'}", _summary(ledger, by), uitleg)]
    chart = _quarantine_chart(d.quarantaine, ledger, by)
    parts.append(section("quarantaine", "Quarantaine naar reden", chart or "<p>Geen records in quarantaine.</p>",
                         "Een record in quarantaine telt niet mee in de indicatoren; de reden is de eerste regel van "
                         "model.md §2 die van toepassing is."))
    parts.append(section("schema", "Afwijkingen van het JSON Schema", _schema_chart(rules) or "<p>Geen schema-afwijkingen.</p>",
                         "Een afwijking houdt een bestand niet tegen; het zegt de leverancier wat er aan de levering te verbeteren is."))
    parts.append(section("geweigerd", "Niet geladen bestanden en waarom", _refused(ledger)))
    parts.append(section("bestanden", "Per geladen bestand", _per_file(ledger, d.quarantaine, rules)))
    return page("Leveringen en kwaliteit", f"Per {esc('leverancier' if by != 'bron' else 'bron')} en per bestand · peildatum {d.peildatum or 'onbekend'}",
                nav(d), "".join(parts))
