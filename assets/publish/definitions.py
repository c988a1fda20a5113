"""The publish stage's Definitions: `publicatie`, which waits for every asset of the other stages.

Leaves alone are not enough: in a run of a few assets Dagster orders steps only by the
edges between selected assets, so `publicatie` would run before a selected reader whose
downstream is not selected. Hence it depends on every materialisable asset, taken from
the stage Definitions themselves, so a new asset in any stage is waited for without
being listed here.
"""
import dagster as dg

from assets.harmonise.definitions import defs as harmonise
from assets.indicators.definitions import defs as indicators
from assets.ingest.definitions import defs as ingest
from assets.publish.dagster_assets import build_publicatie
from assets.quality.definitions import defs as quality
from assets.report.definitions import defs as report
from assets.vroegsignalering.definitions import defs as vroegsignalering

UPSTREAM = (ingest, quality, harmonise, indicators, vroegsignalering, report)


def every_asset(*stages: dg.Definitions) -> list[dg.AssetKey]:
    """Every materialisable asset key of the given stages, in a stable order."""
    keys = {k for d in stages for a in d.assets or () if isinstance(a, dg.AssetsDefinition) and a.is_materializable
            for k in a.keys}
    return sorted(keys, key=lambda k: k.to_user_string())


defs = dg.Definitions(assets=[build_publicatie(every_asset(*UPSTREAM))])
