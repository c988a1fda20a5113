"""The quality stage's Definitions: the quality tables and every asset check beyond the BSN
scan (which each asset declares itself), merged in pipelines/definitions.py."""
import dagster as dg

from assets.quality.dagster_assets import ASSETS
from assets.quality.dagster_checks import CHECKS

defs = dg.Definitions(assets=ASSETS, asset_checks=CHECKS)
