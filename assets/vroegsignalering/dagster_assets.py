"""Thin Dagster wiring for early warning: the two model tables and the two indicator tables.

Inputs are the vroegsignalering kind's staging records (signals and cases in one table)
and, for `signaal_naar_schuldhulp`, the harmonised trajectories and their clients, read
lazily from the output store; each output is validated against its pandera model before
the store writes it (after the BSN scan).
"""

import dagster as dg

from assets.common import bsn_guard, kept_steps, paths
from assets.common.metadata import column_lineage
from assets.common.settings import DdasSettings
from assets.indicators.table_checks import row_violations, subtraction_violations
from assets.vroegsignalering.indicators import VS_CODES, partner_recoverable, vs_aantallen, vs_indicators
from assets.vroegsignalering.model import model_tables
from schemas.kinds import kind
from schemas.vroegsignalering import BRON, VsAantallen, VsIndicatoren, Vroegsignaalzaken, Vroegsignalen, VsRecord

GROUP = "vroegsignalering"
RECORDS = kind(BRON).asset  # vroegsignalering_records


def _from_records(*cols: str) -> list[tuple[str, str]]:
    return [(RECORDS, c) for c in cols]


LINEAGE = {
    paths.VROEGSIGNALEN: {
        **{c: _from_records(c, "aanlevertijdstip") for c in (
            "signaal_id", "gemeentecode", "persoon_id", "adres_id", "signaaldatum", "ontstaansdatum", "signaalpartner",
            "bedrag_eur", "crisissignaal", "warme_overdracht", "status")},
        "zaak_id": _from_records("zaak_id", "signaal_ids"),
    },
    paths.VROEGSIGNAALZAKEN: {c: _from_records(c, "aanlevertijdstip") for c in (
        "zaak_id", "gemeentecode", "matchingsdatum", "datum_opgepakt", "resultaat", "aantal_contactpogingen", "bereikt",
        "datum_eerste_bereikt", "signaal_ids")},
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec("vroegsignalen", group_name=GROUP, code_version="1", deps=[RECORDS],
                     description="One row per signal (gemeentecode, trimmed ID) as its latest delivery says, with its case."),
        dg.AssetSpec("vroegsignaalzaken", group_name=GROUP, code_version="1", deps=[RECORDS],
                     description="One row per case (gemeentecode, smallest signal ID) as its latest delivery says."),
    ],
    check_specs=[bsn_guard.spec("vroegsignalen"), bsn_guard.spec("vroegsignaalzaken")],
)
def vroegsignalering_model(context: dg.AssetExecutionContext, settings: DdasSettings):
    store = settings.store
    tables = [("vroegsignalen", paths.VROEGSIGNALEN), ("vroegsignaalzaken", paths.VROEGSIGNAALZAKEN)]
    # a pure function of the staging records: unchanged records, the tables of last time
    kept = kept_steps.for_run(settings, "vroegsignalering_model", [paths.staging(BRON, "records")], context.log.warning)
    if kept is not None and (extra := kept.take(store, [rel for _, rel in tables])) is not None:
        context.log.info("vroegsignalering: records ongewijzigd, model van de vorige run gebruikt")
        for result in kept_steps.kept_results(store, tables, extra, lambda rel: column_lineage(LINEAGE[rel])):
            yield from bsn_guard.emit(*result)
        return
    records = store.scan_or_empty(paths.staging(BRON, "records"), VsRecord)
    signalen, zaken, unmatched = model_tables(records)
    # counts only: never an ID
    extra = {
        "vroegsignalen": {"signalen_zonder_zaak": int(signalen["zaak_id"].is_null().sum()),
                          "signalen_zonder_bsn": int(signalen["persoon_id"].is_null().sum())},
        "vroegsignaalzaken": {"zaak_signaal_ids_zonder_signaal": unmatched},
    }
    results = []
    for asset, rel, model, df in (("vroegsignalen", paths.VROEGSIGNALEN, Vroegsignalen, signalen),
                                  ("vroegsignaalzaken", paths.VROEGSIGNAALZAKEN, Vroegsignaalzaken, zaken)):
        bsn_guard.validate(model, df)
        check, meta = store.write(asset, {rel: df})
        meta.update({**extra[asset], **column_lineage(LINEAGE[rel])})
        results.append((check, dg.MaterializeResult(asset_key=asset, metadata=meta)))
    if kept is not None and all(check.passed for check, _ in results):
        kept.keep(store, [rel for _, rel in tables], extra)
    context.log.info(f"vroegsignalering: {signalen.height} signalen, {zaken.height} zaken, "
                     f"{unmatched} signaal-ID's van zaken zonder geaccepteerd signaal")
    for check, materialization in results:
        yield from bsn_guard.emit(check, materialization)

@dg.multi_asset(
    specs=[
        dg.AssetSpec("vroegsignalering_indicatoren", group_name=GROUP, code_version="1",
                     deps=["vroegsignalen", "vroegsignaalzaken", "trajecten", "trajectclienten"],
                     description="The five early-warning indicators per regio x jaar with the rules of indicatoren.parquet."),
        dg.AssetSpec("vroegsignalen_aantallen", group_name=GROUP, code_version="1", deps=["vroegsignalen"],
                     description="Signals per regio x jaar x signal partner type, suppressed over the partner types."),
    ],
    check_specs=[bsn_guard.spec("vroegsignalering_indicatoren"), bsn_guard.spec("vroegsignalen_aantallen")],
)
def vroegsignalering_tabellen(context: dg.AssetExecutionContext, settings: DdasSettings):
    store = settings.store
    signalen, zaken = store.scan(paths.VROEGSIGNALEN), store.scan(paths.VROEGSIGNAALZAKEN)
    ind = vs_indicators(signalen, zaken, store.scan(paths.TRAJECTEN), store.scan(paths.TRAJECTCLIENTEN), settings.peil)
    aantallen = vs_aantallen(signalen)
    outputs = []
    for asset, rel, model, df in (("vroegsignalering_indicatoren", paths.VS_INDICATOREN, VsIndicatoren, ind),
                                  ("vroegsignalen_aantallen", paths.VS_AANTALLEN, VsAantallen, aantallen)):
        bsn_guard.validate(model, df)
        check, meta = store.write(asset, {rel: df})
        meta["onderdrukt"] = int(df["onderdrukt"].sum())
        if asset == "vroegsignalering_indicatoren":
            meta["indicatoren"] = dg.MetadataValue.json(VS_CODES)
        outputs.append((check, dg.MaterializeResult(asset_key=asset, metadata=meta)))
    for check, materialization in outputs:
        yield from bsn_guard.emit(check, materialization)


@dg.asset_check(asset="vroegsignalering_indicatoren", blocking=True,
                description="As for indicatoren: teller <= noemer, no shown cell under 10, suppressed cells empty, no "
                            "suppressed cell recoverable as NL minus the published gemeenten; and in "
                            "vroegsignalen_aantallen no suppressed partner type recoverable within its regio and jaar.")
def vroegsignalering_plausibel(settings: DdasSettings) -> dg.AssetCheckResult:
    store = settings.store
    ind = store.read(paths.VS_INDICATOREN)
    bad, open_d = row_violations(ind), subtraction_violations(ind)
    open_types = partner_recoverable(store.read(paths.VS_AANTALLEN), store.scan(paths.VROEGSIGNALEN))
    return dg.AssetCheckResult(
        passed=bad.height == 0 and open_d.height == 0 and open_types.height == 0,
        metadata={"rijen_onjuist": bad.height, "herleidbaar_indicator_jaar": open_d.height,
                  "herleidbaar_gemeente_jaar": open_types.height},
    )


ASSETS = [vroegsignalering_model, vroegsignalering_tabellen]
CHECKS = [vroegsignalering_plausibel]
