"""Asset checks shown in the UI. Blocking checks stop downstream assets in the same run.

Check metadata holds counts, file names and column names only: never values.
"""
import os

import dagster as dg
import polars as pl

from assets.common import paths
from assets.common.settings import DdasSettings
from assets.ingest.inventory import KINDS
from assets.quality.checks import bsn_like_cells, indicator_violations, quarantine_shares, unreconciled_files
from assets.quality.gather import gather_quarantine

DEFAULT_MAX_SHARE = 0.05

# Which files each asset writes: the BSN scan reads exactly these.
OUTPUT_FILES = {
    "inventaris": [paths.INVENTARIS],
    **{f"{b}_records": [paths.staging(b, t) for t in ("records", "quarantaine", "leveringen", "schema_afwijkingen")] for b in KINDS},
    "leveringen": [paths.LEVERINGEN],
    "quarantaine": [paths.QUARANTAINE],
    "schema_afwijkingen": [paths.SCHEMA_AFWIJKINGEN],
    "trajecten": [paths.TRAJECTEN],
    "trajectclienten": [paths.TRAJECTCLIENTEN],
    "traject_herkomst": [paths.HERKOMST],
    "nazorg_gebeurtenissen": [paths.NAZORG_GEBEURTENISSEN],
    "indicatoren": [paths.INDICATOREN],
    "indicatoren_breed": [paths.INDICATOREN_BREED],
    "terugval_doel": [paths.TERUGVAL_DOEL],
}


def max_share() -> float:
    return float(os.environ.get("DDAS_QUARANTAINE_MAX_AANDEEL", DEFAULT_MAX_SHARE))


@dg.asset_check(asset="leveringen", blocking=True, description="Per file: read = accepted + quarantined, and the quarantine holds exactly that many rows.")
def leveringen_sluiten(settings: DdasSettings) -> dg.AssetCheckResult:
    ledger = pl.read_parquet(paths.out(settings.output, paths.LEVERINGEN))
    staged = [pl.read_parquet(paths.out(settings.output, paths.staging(b, "quarantaine"))) for b in KINDS]
    bad = unreconciled_files(ledger, gather_quarantine(staged))
    return dg.AssetCheckResult(
        passed=bad.height == 0,
        metadata={"bestanden": ledger.height, "bestanden_niet_sluitend": bad.height,
                  "voorbeelden": dg.MetadataValue.json(bad.head(20)["bestand"].to_list())},
    )


@dg.asset_check(asset="quarantaine", description="Share of quarantined records per source; warns above DDAS_QUARANTAINE_MAX_AANDEEL (default 5%).")
def quarantaine_aandeel(settings: DdasSettings) -> dg.AssetCheckResult:
    shares = quarantine_shares(pl.read_parquet(paths.out(settings.output, paths.LEVERINGEN)), max_share())
    too_high = shares.filter(pl.col("te_hoog"))["bron"].to_list()
    meta = {f"aandeel_{b}": float(round(a, 4)) for b, a in zip(shares["bron"], shares["aandeel"])}
    meta["drempel"] = max_share()
    return dg.AssetCheckResult(passed=not too_high, severity=dg.AssetCheckSeverity.WARN,
                               metadata={**meta, "te_hoog": dg.MetadataValue.json(too_high)})


@dg.asset_check(asset="schema_afwijkingen", description="DDAS files that deviate from the official JSON Schema (warning: deviations alone reject nothing).")
def ddas_schema_conform(settings: DdasSettings) -> dg.AssetCheckResult:
    f = pl.read_parquet(paths.out(settings.output, paths.SCHEMA_AFWIJKINGEN))
    per_file = f.group_by("bestand").len().sort("len", descending=True)
    return dg.AssetCheckResult(
        passed=f.height == 0, severity=dg.AssetCheckSeverity.WARN,
        metadata={"afwijkingen": f.height, "bestanden": per_file.height,
                  "meeste_afwijkingen": dg.MetadataValue.json(dict(per_file.head(10).iter_rows()))},
    )


@dg.asset_check(asset="indicatoren", blocking=True, description="teller <= noemer, no unsuppressed cell under 10, suppressed cells empty.")
def indicatoren_plausibel(settings: DdasSettings) -> dg.AssetCheckResult:
    bad = indicator_violations(pl.read_parquet(paths.out(settings.output, paths.INDICATOREN)))
    return dg.AssetCheckResult(passed=bad.height == 0, metadata={"rijen_fout": bad.height})


def scan_outputs(output: str, rels: list[str]) -> dict[str, dict[str, int]]:
    """{file: {column: cells with a valid-BSN-like number}} for the files that have hits."""
    hits = {}
    for rel in rels:
        path = paths.out(output, rel)
        if path.exists():
            found = bsn_like_cells(pl.scan_parquet(path))
            if found.height:
                hits[rel] = dict(found.iter_rows())
    return hits


def _bsn_scan_check(asset: str, rels: list[str]):
    @dg.asset_check(asset=asset, name="geen_bsn", blocking=True,
                    description="Scans every text cell this asset wrote for a 9-digit number that passes the elfproef.")
    def _check(settings: DdasSettings) -> dg.AssetCheckResult:
        hits = scan_outputs(settings.output, rels)
        return dg.AssetCheckResult(passed=not hits, metadata={"bestanden": len(rels),
                                                               "verdachte_cellen": dg.MetadataValue.json(hits)})

    return _check


BSN_CHECKS = [_bsn_scan_check(asset, rels) for asset, rels in OUTPUT_FILES.items()]
CHECKS = [leveringen_sluiten, quarantaine_aandeel, ddas_schema_conform, indicatoren_plausibel, *BSN_CHECKS]
