"""Thin Dagster wiring of the four tables of process.md §3: one asset per entry of the
table registry (assets/indicators/tabellen.py), all four computed in one step (a
multi-asset; the UI can still materialise one) from the model prepared once; each
validated against its pandera model, BSN-guarded by the store, with table metadata,
column lineage and a blocking asset check `tabel_plausibel` (the model's invariants and
no cell recoverable by subtraction, assets/indicators/table_checks.py)."""

import dagster as dg
import polars as pl

from assets.common import bsn_guard, paths
from assets.common.metadata import column_lineage
from assets.common.settings import DdasSettings
from assets.indicators.tabel_basis import gedeeld, invoer
from assets.indicators.table_checks import tabel_recoverable, tabel_rule_failures
from assets.indicators.tabellen import TABLES, Tabel

GROUP = "indicators"
CHECK = "tabel_plausibel"
_T = "trajecten"
# column -> the model columns it is computed from (dagster/column_lineage)
LINEAGE: dict[str, dict[str, list[tuple[str, str]]]] = {
    "doorlooptijden": {
        "regio_code": [(_T, "gemeentecode")],
        "jaar": [(_T, "aanmelddatum"), (_T, "eerste_gesprek_datum"), (_T, "einddatum")],
        **{c: [(_T, "aanmelddatum"), (_T, "eerste_gesprek_datum"), (_T, "beschikkingsdatum"), (_T, "einddatum"),
               (_T, "uitstroomreden")] for c in ("n", "p25", "mediaan", "p75")},
    },
    "uitstroom": {
        "regio_code": [(_T, "gemeentecode")], "jaar": [(_T, "einddatum")], "uitstroomreden": [(_T, "uitstroomreden")],
        **{c: [(_T, "einddatum"), (_T, "uitstroomreden")] for c in ("aantal", "noemer", "aandeel")},
    },
    "schulden": {
        "regio_code": [(_T, "gemeentecode")], "jaar": [(_T, "aanmelddatum")],
        "mediaan_schuldbedrag_eur": [("schulden_model", "bedrag_eur"), (_T, "schuldbedrag_eur")],
        "mediaan_aantal_schuldeisers": [("schulden_model", "schuldeiser_id")],
        "aandeel_zakelijk": [("schulden_model", "zakelijk")],
        **{f"aandeel_{s}": [("schulden_model", "schuldsoort")] for s in ("zorg", "publiek", "nuts", "overig")},
    },
    "terugval_uitsplitsing": {
        "regio_code": [(_T, "gemeentecode")], "jaar": [(_T, "aanmelddatum")],
        "categorie": [("trajectclienten", "leeftijdsklasse"), ("trajectclienten", "geslacht"), (_T, "aantal_clienten")],
        **{c: [(_T, "aanmelddatum"), (_T, "einddatum"), (_T, "uitstroomreden"), ("trajectclienten", "persoon_id")]
           for c in ("teller", "noemer", "waarde")},
        "historie_onvolledig": [(_T, "aanmelddatum")],
    },
}
# Asset keys of the model tables a table reads (Tabel.leest), as the harmonise stage names them.
MODEL_ASSETS = {"trajecten": "trajecten", "trajectclienten": "trajectclienten", "schulden": "schulden_model",
                "indicatoren": "indicatoren"}


def _lineage(naam: str) -> dict:
    deps = {col: [(MODEL_ASSETS.get(a, a), c) for a, c in ups] for col, ups in LINEAGE[naam].items()}
    return column_lineage(deps)


def _plausibel(t: Tabel) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        CHECK, asset=t.naam, blocking=True,
        description="The model's invariants (p25 <= mediaan <= p75, aantal/teller <= noemer, every number empty on "
                    "a suppressed row, ...) and no cell recoverable by subtraction where a cover was left "
                    "(process.md §4, §6.6).")


def _spec(t: Tabel) -> dg.AssetSpec:
    # trajecten, trajectclienten and schulden_model come from one harmonise step
    deps = sorted({dg.AssetKey(MODEL_ASSETS[m]) for m in ("trajecten", "trajectclienten", "schulden", *t.leest)},
                  key=lambda k: k.to_user_string())
    return dg.AssetSpec(t.naam, group_name=GROUP, code_version="1", description=t.beschrijving, deps=deps)


def _write(context: dg.AssetExecutionContext, settings: DdasSettings, t: Tabel, inv, ind: pl.DataFrame | None):
    """One table: computed, checked, validated, written; its materialization and both checks."""
    df = t.bereken(inv)
    fouten = tabel_rule_failures(t.naam, df)  # counts per check, never a value
    open_d = tabel_recoverable(t.naam, df, ind)
    df = bsn_guard.validate(t.model, df)
    written, meta = settings.store.write(t.naam, {t.pad: df})
    meta.update(_lineage(t.naam))
    meta.update({"peildatum": settings.peil.isoformat(), "rijen_onderdrukt": int(df["onderdrukt"].sum()),
                 "rijen_secundair_onderdrukt": int((df["onderdrukking"] == "secundair").sum())})
    context.log.info(f"{t.naam}: {df.height} rijen, {meta['rijen_onderdrukt']} onderdrukt")
    yield from bsn_guard.emit(written, dg.MaterializeResult(asset_key=t.naam, metadata=meta))
    yield dg.AssetCheckResult(
        asset_key=t.naam, check_name=CHECK, passed=not fouten and open_d.height == 0,
        metadata={"rijen_fout_per_regel": dg.MetadataValue.json(fouten),
                  "herleidbaar_door_aftrekken": open_d.height,
                  "voorbeelden": dg.MetadataValue.json(open_d.head(10).select("soort", "groep").rows())})


@dg.multi_asset(
    name="tabellen", specs=[_spec(t) for t in TABLES], can_subset=True,
    check_specs=[c for t in TABLES for c in (bsn_guard.spec(t.naam), _plausibel(t))],
    description="The four tables of process.md §3 in one step: the model is read and prepared once for all four "
                "(a step each read it four times and cost Dagster's step overhead four times).")
def tabellen(context: dg.AssetExecutionContext, settings: DdasSettings):
    store = settings.store
    selected = [t for t in TABLES if dg.AssetKey(t.naam) in context.selected_asset_keys]
    # Only terugval_uitsplitsing reads the published indicator table (its totals).
    ind = store.read(paths.INDICATOREN) if any("indicatoren" in t.leest for t in selected) else None
    inv = gedeeld(invoer(store.scan(paths.TRAJECTEN), store.scan(paths.TRAJECTCLIENTEN), store.scan(paths.SCHULDEN_MODEL),
                         ind.lazy() if ind is not None else pl.LazyFrame(), settings.peil, settings.historie_start))
    for t in selected:
        yield from _write(context, settings, t, inv, ind if "indicatoren" in t.leest else None)


TABLE_ASSETS = [tabellen]
