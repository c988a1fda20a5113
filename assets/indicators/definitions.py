"""The indicators stage's Definitions (merged with the other stages in pipelines/definitions.py).

Their plausibility check is a quality check and lives with the others (assets/quality)."""
from datetime import timedelta

import dagster as dg

from assets.indicators.dagster_assets import ASSETS

# A nightly load that did not happen shows in the UI: warn after 26 hours, fail after 50.
INDICATOR_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=50), warn_window=timedelta(hours=26))


def _fresh(spec: dg.AssetSpec) -> dg.AssetSpec:
    return spec.replace_attributes(freshness_policy=INDICATOR_FRESHNESS) if spec.key == dg.AssetKey("indicatoren") else spec


defs = dg.Definitions(assets=dg.map_asset_specs(_fresh, ASSETS))
