"""Asset checks shown in the UI. Blocking checks stop downstream assets in the same run.

Check metadata holds counts, file names and column names only: never values.
"""
import dagster as dg
import polars as pl

from assets.common import paths
from assets.common.settings import DdasSettings
from assets.indicators.table_checks import row_violations, rule_failures, subtraction_violations
from assets.quality.checks import quarantine_shares, unreconciled_files
from assets.quality.gather import gather_quarantine
from schemas.kinds import names

@dg.asset_check(asset="leveringen", blocking=True, description="Per file: read = accepted + quarantined, and the quarantine holds exactly that many rows.")
def leveringen_sluiten(settings: DdasSettings) -> dg.AssetCheckResult:
    store = settings.store
    ledger = store.read(paths.LEVERINGEN)
    staged = [store.read(paths.staging(b, "quarantaine")) for b in names()]
    bad = unreconciled_files(ledger, gather_quarantine(staged))
    return dg.AssetCheckResult(
        passed=bad.height == 0,
        metadata={"bestanden": ledger.height, "bestanden_niet_sluitend": bad.height,
                  "voorbeelden": dg.MetadataValue.json(bad.head(20)["bestand"].to_list())},
    )


@dg.asset_check(asset="quarantaine", description="Share of quarantined records per source; warns above DDAS_QUARANTAINE_MAX_AANDEEL (default 5%).")
def quarantaine_aandeel(settings: DdasSettings) -> dg.AssetCheckResult:
    shares = quarantine_shares(settings.store.read(paths.LEVERINGEN), settings.max_share)
    too_high = shares.filter(pl.col("te_hoog"))["bron"].to_list()
    meta = {f"aandeel_{b}": float(round(a, 4)) for b, a in zip(shares["bron"], shares["aandeel"])}
    meta["drempel"] = settings.max_share
    return dg.AssetCheckResult(passed=not too_high, severity=dg.AssetCheckSeverity.WARN,
                               metadata={**meta, "te_hoog": dg.MetadataValue.json(too_high)})


@dg.asset_check(asset="schema_afwijkingen", description="DDAS files that deviate from the official JSON Schema (warning: deviations alone reject nothing).")
def ddas_schema_conform(settings: DdasSettings) -> dg.AssetCheckResult:
    f = settings.store.read(paths.SCHEMA_AFWIJKINGEN)
    per_file = f.group_by("bestand").len().sort("len", descending=True)
    return dg.AssetCheckResult(
        passed=f.height == 0, severity=dg.AssetCheckSeverity.WARN,
        metadata={"afwijkingen": f.height, "bestanden": per_file.height,
                  "meeste_afwijkingen": dg.MetadataValue.json(dict(per_file.head(10).iter_rows()))},
    )


@dg.asset_check(asset="indicatoren", blocking=True, description="teller <= noemer, no unsuppressed cell under 10, suppressed and geen_gegevens cells empty, no suppressed cell recoverable as NL minus the published gemeenten (D in 1..9).")
def indicatoren_plausibel(settings: DdasSettings) -> dg.AssetCheckResult:
    ind = settings.store.read(paths.INDICATOREN)
    bad, open_d = row_violations(ind), subtraction_violations(ind)
    return dg.AssetCheckResult(passed=bad.height == 0 and open_d.height == 0,
                               metadata={"rijen_fout": bad.height, "herleidbaar_door_aftrekken": open_d.height,
                                         "rijen_fout_per_regel": dg.MetadataValue.json(rule_failures(ind)),
                                         "voorbeelden": dg.MetadataValue.json(open_d.head(10).select("indicator", "jaar").rows())})


# The BSN scan of every written table is the `geen_bsn` check of the asset that writes
# it (assets/common/bsn_guard.py, through the store): it runs before the files are written.
CHECKS = [leveringen_sluiten, quarantaine_aandeel, ddas_schema_conform, indicatoren_plausibel]
