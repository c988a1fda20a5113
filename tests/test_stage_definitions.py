"""Each stage's Definitions stands on its own, and pipelines/definitions.py is their union."""
from __future__ import annotations

import importlib

import dagster as dg
import pytest

from assets.common.settings import DdasSettings
from pipelines.definitions import defs

STAGES = ["ingest", "quality", "harmonise", "indicators", "vroegsignalering", "report", "publish"]


def _stage(name: str) -> dg.Definitions:
    return importlib.import_module(f"assets.{name}.definitions").defs


def _keys(d: dg.Definitions) -> set[str]:
    return {k.to_user_string() for a in d.assets or () for k in (a.keys if isinstance(a, dg.AssetsDefinition) else [a.key])}


@pytest.mark.parametrize("name", STAGES)
def test_a_stage_loads_alone_with_the_settings_resource(name):
    stage = dg.Definitions.merge(_stage(name), dg.Definitions(resources={"settings": DdasSettings()}))
    dg.Definitions.validate_loadable(stage)
    assert _keys(stage)


def test_the_merged_definitions_hold_every_stage_once():
    per_stage = [_keys(_stage(n)) for n in STAGES]
    union = set().union(*per_stage)
    assert sum(map(len, per_stage)) == len(union)  # no asset in two stages
    assert {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()} == union


def test_publicatie_waits_for_every_asset_of_every_other_stage():
    graph = defs.resolve_asset_graph()
    materialisable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert graph.get(dg.AssetKey("publicatie")).parent_keys == materialisable - {dg.AssetKey("publicatie")}


def test_only_the_indicator_table_carries_the_freshness_policy():
    fresh = {s.key.to_user_string() for s in defs.resolve_all_asset_specs() if s.freshness_policy is not None}
    assert fresh == {"indicatoren"}


def test_the_workspace_loads_as_dagster_dev_loads_it(tmp_path):
    """`dagster dev -w workspace.yaml` loads the module, not the name `defs`: it refuses a
    module that holds more than one Definitions object."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    dagster = Path(sys.executable).with_name("dagster")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    done = subprocess.run([str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful for code location ddas" in done.stderr + done.stdout
