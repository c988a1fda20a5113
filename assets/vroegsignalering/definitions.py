"""The vroegsignalering stage's Definitions (merged with the other stages in pipelines/definitions.py)."""
import dagster as dg

from assets.vroegsignalering.dagster_assets import ASSETS, CHECKS

defs = dg.Definitions(assets=ASSETS, asset_checks=CHECKS)
