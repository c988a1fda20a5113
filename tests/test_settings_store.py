"""Configuration as the `settings` resource (dg.EnvVar) and the output store."""
from __future__ import annotations

import ast
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.common import paths
from assets.common.settings import ENV_VARS, DdasSettings
from assets.common.store import OutputStore
from pipelines.run_config import settings_from_env, settings_run_config
from tests.conftest import TEST_KEY, valid_bsns

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clean_env(monkeypatch):
    for v in ENV_VARS.values():
        monkeypatch.delenv(v, raising=False)
    return monkeypatch


def test_run_config_names_the_key_variable_never_its_value(clean_env):
    clean_env.setenv("DDAS_PSEUDONYM_KEY", TEST_KEY)
    clean_env.setenv("DDAS_WORKERS", "3")
    config = settings_run_config(landing_dir="/l", output_dir="/o", peildatum="2025-06-30")
    fields = config["resources"]["settings"]["config"]
    assert fields["pseudonym_key"] == {"env": "DDAS_PSEUDONYM_KEY"}
    assert fields["workers"] == {"env": "DDAS_WORKERS"}
    assert fields["landing_dir"] == "/l" and "historie_vanaf" not in fields  # unset: not named at all
    assert TEST_KEY not in repr(config)
    with pytest.raises(ValueError, match="never passed"):
        settings_run_config(pseudonym_key=TEST_KEY)
    with pytest.raises(ValueError, match="not a settings field"):
        settings_run_config(landng_dir="/l")


def test_resource_binds_only_the_variables_that_are_set(clean_env):
    assert settings_from_env() == DdasSettings()  # nothing set: every field empty, no failing EnvVar
    clean_env.setenv("DDAS_PSEUDONYM_KEY", TEST_KEY)
    clean_env.setenv("DDAS_QUARANTAINE_MAX_AANDEEL", "0.2")
    with dg.build_resources({"settings": settings_from_env()}) as resources:  # as a run or a sensor resolves it
        s = resources.settings
    assert s.key() == TEST_KEY.encode() and s.max_share == 0.2 and s.worker_count is None


def test_flags_and_variables_reach_an_asset_through_run_config(clean_env, tmp_path):
    clean_env.setenv("DDAS_PSEUDONYM_KEY", TEST_KEY)
    clean_env.setenv("DDAS_HISTORIE_VANAF", "2019-01-01")
    seen = {}

    @dg.asset
    def probe(settings: DdasSettings) -> None:
        seen.update(peil=settings.peil.isoformat(), historie=settings.historie_start.isoformat(),
                    key=settings.key() == TEST_KEY.encode(), landing=settings.landing)

    defs = dg.Definitions(assets=[probe], resources={"settings": settings_from_env()},
                          jobs=[dg.define_asset_job("j", selection=[probe])])
    config = settings_run_config(landing_dir=str(tmp_path), peildatum="2025-06-30")
    assert defs.resolve_job_def("j").execute_in_process(run_config=config).success
    assert seen == {"peil": "2025-06-30", "historie": "2019-01-01", "key": True, "landing": str(tmp_path)}


def test_bad_workers_setting_is_refused():
    assert DdasSettings(workers="2").worker_count == 2
    with pytest.raises(ValueError, match="DDAS_WORKERS"):
        DdasSettings(workers="nul").worker_count  # noqa: B018


def test_store_writes_clean_tables_and_nothing_of_a_leaky_asset(tmp_path):
    store = OutputStore(str(tmp_path))
    clean = pl.DataFrame({"bestand": ["a.json"], "n": [1]})
    check, meta = store.write("inventaris", {paths.INVENTARIS: clean})
    assert check.passed and store.read(paths.INVENTARIS).equals(clean)
    assert meta["dagster/row_count"].value == 1 and "dagster/column_schema" in meta
    assert store.read_optional(paths.LEVERINGEN) is None and not store.exists(paths.LEVERINGEN)
    leaky = pl.DataFrame({"vrij": [f"x{valid_bsns(1, seed=2)[0]}"]})
    check, _ = store.write("leveringen", {paths.LEVERINGEN: clean, paths.QUARANTAINE: leaky})
    assert not check.passed and not store.exists(paths.LEVERINGEN) and not store.exists(paths.QUARANTAINE)


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                isinstance(node.value, ast.Name) and node.value.id == "os":
            return True
    return False


def test_no_environment_reads_in_assets_sensors_or_schedules():
    # The CLI may read the environment by design; nothing under assets/ does.
    allowed: set = set()
    files = _python_files("assets") + [ROOT / "pipelines/sensors.py", ROOT / "pipelines/schedules.py",
                                        ROOT / "pipelines/definitions.py", ROOT / "pipelines/jobs.py"]
    readers = [str(f.relative_to(ROOT)) for f in files if f not in allowed and _reads_environment(ast.parse(f.read_text()))]
    assert readers == []


def test_no_stage_imports_a_later_stage():
    later = {"ingest": ("quality", "harmonise", "indicators", "report", "publish"),
             "harmonise": ("indicators", "report", "publish", "quality"),
             "common": ("ingest", "quality", "harmonise", "indicators", "report", "publish")}
    wrong = []
    for stage, forbidden in later.items():
        for f in _python_files(f"assets/{stage}"):
            for node in ast.walk(ast.parse(f.read_text())):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names] if isinstance(node, ast.Import) else []
                wrong += [f"{f.relative_to(ROOT)}: {n}" for n in names if any(n.startswith(f"assets.{s}") for s in forbidden)]
    assert wrong == []


def test_the_mapping_folder_reaches_the_spawned_reader_workers(tmp_path):
    # The settings field mapping_dir (DDAS_MAPPING_DIR) is set around the read; a spawned
    # DDAS worker does not share this process's state, so its initializer carries it.
    from assets.common import reference
    from assets.ingest.ddas_workers import worker_pool

    own = tmp_path / "eigen_mappings"
    own.mkdir()
    with reference.configured_mapping_dir(str(own)), worker_pool(2) as pool:
        assert pool.submit(reference.mapping_dir).result(timeout=120) == own
    assert reference.mapping_dir() != own  # restored after the block
