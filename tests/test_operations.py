"""Nightly operation: schedule, sensor, retries, freshness, asset checks and metadata."""
from __future__ import annotations

import datetime as dt
import os

import dagster as dg
import polars as pl
import pytest

from assets.common import paths
from assets.common.parquet_io import write_parquet_atomic
from assets.common.settings import DdasSettings
from assets.quality import bsn_guard
from assets.quality import dagster_checks as checks
from pipelines.definitions import defs
from schemas.kinds import names
from pipelines.run_config import settings_from_env, settings_run_config
from pipelines.schedules import nightly_schedule
from pipelines.sensors import evaluate, landing_sensor
from tests.builders import ddas_file, traject
from tests.conftest import TEST_KEY, valid_bsns


def test_schedule_runs_the_full_load_at_two_in_amsterdam():
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "Europe/Amsterdam"
    assert nightly_schedule.job_name == "ddas_job"
    ctx = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 3, 29, 2, 0))
    assert isinstance(nightly_schedule.evaluate_tick(ctx).run_requests[0], dg.RunRequest)


def test_sensor_requests_a_run_for_new_or_changed_files_only(tmp_path, monkeypatch):
    land = tmp_path / "landing"
    (land / "ddas").mkdir(parents=True)
    result, cursor = evaluate(str(land), None)
    assert isinstance(result, dg.RunRequest)  # first look: an (empty) state never seen
    result, cursor = evaluate(str(land), cursor)
    assert isinstance(result, dg.SkipReason)
    (land / "ddas" / "a.json").write_text("{}")
    result, cursor2 = evaluate(str(land), cursor)
    assert isinstance(result, dg.RunRequest) and result.tags["ddas/gewijzigde_bestanden"] == "1"
    first_key = result.run_key
    result, cursor3 = evaluate(str(land), cursor2)
    assert isinstance(result, dg.SkipReason)  # unchanged folder: no run
    (land / "ddas" / "a.json").write_text('{"x": 1}')  # same name, new content
    result, _ = evaluate(str(land), cursor3)
    assert isinstance(result, dg.RunRequest) and result.run_key != first_key
    # through Dagster's own sensor context too, the folder from the settings resource (DDAS_LANDING_DIR)
    monkeypatch.setenv("DDAS_LANDING_DIR", str(land))
    resources = {"settings": settings_from_env()}
    with dg.build_sensor_context(cursor=cursor3, resources=resources) as ctx:
        assert isinstance(landing_sensor(ctx), dg.RunRequest)
    with dg.build_sensor_context(cursor=ctx.cursor, resources=resources) as ctx2:
        assert isinstance(landing_sensor(ctx2), dg.SkipReason)
    monkeypatch.delenv("DDAS_LANDING_DIR")
    with dg.build_sensor_context(cursor=None, resources={"settings": settings_from_env()}) as unset:
        assert isinstance(landing_sensor(unset), dg.SkipReason)


def test_sensor_skips_without_landing_folder(tmp_path):
    result, _ = evaluate(str(tmp_path / "nope"), None)
    assert isinstance(result, dg.SkipReason)
    result, _ = evaluate(str(tmp_path), None)  # a folder, but none of the kind subfolders: a wrong path
    assert isinstance(result, dg.SkipReason) and "holds none of ddas/" in result.skip_message


def test_job_retries_no_step_runs_in_one_process_and_has_indicator_freshness():
    """Deterministic failures are not retried (the cause stays the last word); transient
    write errors are retried where they happen (parquet_io); one process holds the lock."""
    job = defs.resolve_job_def("ddas_job")
    assert job.op_retry_policy is None
    assert job.executor_def is dg.in_process_executor
    spec = next(s for s in defs.resolve_all_asset_specs() if s.key == dg.AssetKey("indicatoren"))
    assert spec.freshness_policy is not None
    # the test-only pause hook is attached only when a test asks for a pause (it would
    # store an event per step); test_publish_faults.py runs with it
    assert "DDAS_TEST_PAUSE_AFTER" not in os.environ and not job.hook_defs


# --- asset checks, each made to fail on data built to fail it ---------------------------------

def _ledger(rows):
    return pl.DataFrame(rows, schema={"bron": pl.Utf8, "bestand": pl.Utf8, "sha256": pl.Utf8, "status": pl.Utf8,
                                      "reden": pl.Utf8, "records_gelezen": pl.Int64, "records_geaccepteerd": pl.Int64,
                                      "records_gequarantaineerd": pl.Int64}, orient="row")


def _quarantine(bestanden):
    return pl.DataFrame({"bron": ["ddas"] * len(bestanden), "bestand": bestanden, "locatie": ["1"] * len(bestanden),
                         "reden_code": ["bsn_ongeldig"] * len(bestanden), "reden_tekst": ["x"] * len(bestanden)})


@pytest.fixture
def out(tmp_path):
    for bron in names():  # every registered kind (schemas/kinds.py)
        write_parquet_atomic(_quarantine([]), tmp_path / paths.staging(bron, "quarantaine"))
    return tmp_path


def test_reconciliation_check_fails_on_counts_that_do_not_add_up(out):
    settings = DdasSettings(output_dir=str(out))
    write_parquet_atomic(_ledger([("ddas", "ddas/a.json", "0", "geladen", None, 3, 2, 1)]), out / paths.LEVERINGEN)
    write_parquet_atomic(_quarantine(["ddas/a.json"]), out / paths.staging("ddas", "quarantaine"))
    assert checks.leveringen_sluiten(settings=settings).passed
    write_parquet_atomic(_ledger([("ddas", "ddas/a.json", "0", "geladen", None, 3, 1, 1)]), out / paths.LEVERINGEN)
    assert not checks.leveringen_sluiten(settings=settings).passed
    write_parquet_atomic(_ledger([("ddas", "ddas/a.json", "0", "geladen", None, 3, 1, 2)]), out / paths.LEVERINGEN)
    assert not checks.leveringen_sluiten(settings=settings).passed  # 2 quarantined, 1 quarantine row


def test_quarantine_share_check_warns_above_threshold(out, monkeypatch):
    settings = DdasSettings(output_dir=str(out))
    write_parquet_atomic(_ledger([("ddas", "ddas/a.json", "0", "geladen", None, 100, 96, 4)]), out / paths.LEVERINGEN)
    assert checks.quarantaine_aandeel(settings=settings).passed
    monkeypatch.setenv("DDAS_QUARANTAINE_MAX_AANDEEL", "0.03")
    assert checks.quarantaine_aandeel(settings=settings).passed  # the environment is read by the resource's builder only
    bound = DdasSettings(output_dir=str(out), quarantaine_max_aandeel=dg.EnvVar("DDAS_QUARANTAINE_MAX_AANDEEL"))
    r = checks.quarantaine_aandeel(settings=bound)
    assert not r.passed and r.severity == dg.AssetCheckSeverity.WARN


def test_schema_check_warns_on_findings(out):
    settings = DdasSettings(output_dir=str(out))
    f = pl.DataFrame({"bestand": ["ddas/a.json"], "json_pad": ["$.x"], "melding": ["type: verwacht string"]})
    write_parquet_atomic(f.clear(), out / paths.SCHEMA_AFWIJKINGEN)
    assert checks.ddas_schema_conform(settings=settings).passed
    write_parquet_atomic(f, out / paths.SCHEMA_AFWIJKINGEN)
    r = checks.ddas_schema_conform(settings=settings)
    assert not r.passed and r.severity == dg.AssetCheckSeverity.WARN


def test_bsn_guard_writes_nothing_on_a_planted_bsn_and_never_reports_it(out):
    bsn = valid_bsns(1, seed=99)[0]
    clean = pl.DataFrame({"traject_id": ["0123456789abcdef"], "persoon_id": ["a1" * 32]})
    ok = bsn_guard.write_guarded("trajectclienten", str(out), {paths.TRAJECTCLIENTEN: clean})
    assert ok.passed and pl.read_parquet(out / paths.TRAJECTCLIENTEN).equals(clean)
    leaky = clean.with_columns(pl.lit(f"opmerking {bsn} x").alias("vrij"))
    r = bsn_guard.write_guarded("trajectclienten", str(out), {paths.TRAJECTCLIENTEN: leaky, paths.TRAJECTEN: clean})
    assert not r.passed and bsn not in repr(r.metadata)
    assert r.metadata["verdachte_cellen"].data == {paths.TRAJECTCLIENTEN: {"vrij": 1}}
    # nothing of the asset was written: the earlier file is untouched, the clean sibling absent
    assert pl.read_parquet(out / paths.TRAJECTCLIENTEN).equals(clean) and not (out / paths.TRAJECTEN).exists()
    emitted = bsn_guard.emit(r, dg.MaterializeResult(asset_key="trajectclienten"))
    assert next(emitted) is r  # the failed check is recorded first, then the step stops
    with pytest.raises(dg.Failure) as failure:
        next(emitted)
    assert "vrij (1 cellen" in failure.value.description and bsn not in failure.value.description


def test_a_bsn_in_a_file_name_is_masked_and_never_published(tmp_path, monkeypatch):
    """sources.md (2026-12-01): a file name is shown with its digit runs masked, so the
    run goes on and nothing published, logged or recorded holds the number."""
    land, out = tmp_path / "landing", tmp_path / "out"
    b = valid_bsns(2, seed=8)
    ddas_file(land / f"ddas/client {b[0]}.json", [traject([b[1]])])
    for k, v in {"DDAS_LANDING_DIR": land, "DDAS_OUTPUT_DIR": out, "DDAS_PEILDATUM": "2025-06-30",
                 "DDAS_PSEUDONYM_KEY": TEST_KEY}.items():
        monkeypatch.setenv(k, str(v))
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("ddas_job").execute_in_process(instance=instance, raise_on_error=False,
                                                                     run_config=settings_run_config())
        assert result.success
        messages = " ".join(str(e.message) + repr(e.event_specific_data) for e in result.all_events)
        assert b[0] not in messages
    assert pl.read_parquet(out / paths.LEVERINGEN)["bestand"].to_list() == ["ddas/client #########.json"]
    for f in out.rglob("*.parquet"):
        assert b[0] not in pl.read_parquet(f).write_ndjson(), f


def test_indicator_sanity_check(out):
    settings = DdasSettings(output_dir=str(out))
    good = pl.DataFrame({"indicator": ["terugval_5j"] * 2, "regio_code": ["NL", "GM0518"], "jaar": [2024, 2024],
                         "teller": [3, None], "noemer": [40, None], "waarde": [7.5, None],
                         "onderdrukt": [False, True], "voorlopig": [False, False]})
    write_parquet_atomic(good, out / paths.INDICATOREN)
    assert checks.indicatoren_plausibel(settings=settings).passed
    for bad in (good.with_columns(teller=pl.Series([41, None])), good.with_columns(noemer=pl.Series([9, None])),
                good.with_columns(teller=pl.Series([3, 2]))):
        write_parquet_atomic(bad, out / paths.INDICATOREN)
        assert not checks.indicatoren_plausibel(settings=settings).passed


# --- metadata and staleness through a real in-process run -------------------------------------

def test_metadata_lineage_and_data_versions(tmp_path, monkeypatch):
    land, out = tmp_path / "landing", tmp_path / "out"
    b = valid_bsns(3, seed=5)
    ddas_file(land / "ddas/a.json", [traject([b[0]], aanmelding="2023-01-10", eind="2023-06-01", reden="Afgerond"),
                                     traject([b[1], b[2]], aanmelding="2024-03-01")])
    for k, v in {"DDAS_LANDING_DIR": land, "DDAS_OUTPUT_DIR": out, "DDAS_PEILDATUM": "2025-06-30",
                 "DDAS_PSEUDONYM_KEY": TEST_KEY}.items():
        monkeypatch.setenv(k, str(v))
    job = defs.resolve_job_def("ddas_job")
    with dg.instance_for_test() as instance:
        assert job.execute_in_process(instance=instance, run_config=settings_run_config()).success
        def latest(key):
            return instance.get_latest_materialization_event(dg.AssetKey(key)).asset_materialization
        t = latest("trajecten")
        assert t.metadata["dagster/row_count"].value == 2
        assert "dagster/column_schema" in t.metadata and "dagster/column_lineage" in t.metadata
        assert "dagster/column_lineage" in latest("indicatoren").metadata
        for key in ("trajecten", "trajectclienten", "nazorg_gebeurtenissen", "ddas_records"):
            text = repr(latest(key).metadata)
            assert not any(x in text for x in b), key
            assert "sample" not in text.lower()
        v1 = latest("inventaris").tags["dagster/data_version"]
        check_results = [e for e in instance.get_records_for_run(run_id=instance.get_runs()[0].run_id).records
                         if e.event_log_entry.dagster_event and e.event_log_entry.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"]
        assert len(check_results) == len(defs.resolve_asset_graph().asset_check_keys)
        (land / "ddas/a.json").write_text((land / "ddas/a.json").read_text().replace("2024-03-01", "2024-03-02"))
        assert job.execute_in_process(instance=instance, run_config=settings_run_config()).success
        assert latest("inventaris").tags["dagster/data_version"] != v1


def test_one_reader_asset_can_be_materialised_on_its_own(tmp_path, monkeypatch):
    """The three readers share the step `delivered_records`, yet each is its own asset.
    A run of a few assets publishes when `publicatie` is selected, and then the whole
    set: what it did not rebuild stays as published (its work folder is seeded)."""
    land, out = tmp_path / "landing", tmp_path / "out"
    b = valid_bsns(2, seed=6)
    ddas_file(land / "ddas/a.json", [traject([b[0]]), traject([b[1]])])
    for k, v in {"DDAS_LANDING_DIR": land, "DDAS_OUTPUT_DIR": out, "DDAS_PEILDATUM": "2025-06-30",
                 "DDAS_PSEUDONYM_KEY": TEST_KEY}.items():
        monkeypatch.setenv(k, str(v))
    with dg.instance_for_test() as instance:
        assets = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition)]
        result = dg.materialize(assets, instance=instance, resources={"settings": settings_from_env()},
                                selection=["inventaris", "ddas_records"])
        assert result.success
        done = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
        assert done == {"inventaris", "ddas_records"}
        checks_run = {e.asset_check_evaluation_data.asset_check_key.asset_key.to_user_string()
                      for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
        assert checks_run == {"inventaris", "ddas_records"}
        assert not out.exists() or not any(out.rglob("*.parquet"))  # without publicatie: nothing published
        result = dg.materialize(assets, instance=instance, resources={"settings": settings_from_env()},
                                selection=["inventaris", "ddas_records", "publicatie"])
        assert result.success
        assert pl.read_parquet(out / paths.staging("ddas", "records")).height == 2
        assert not (out / paths.staging("nazorg", "records")).exists() and not (out / paths.staging("shv_csv", "records")).exists()
        inventaris = (out / paths.INVENTARIS).read_bytes()
        result = dg.materialize(assets, instance=instance, resources={"settings": settings_from_env()},
                                selection=["ddas_records", "publicatie"])  # reads the published inventaris
        assert result.success and (out / paths.INVENTARIS).read_bytes() == inventaris
        assert pl.read_parquet(out / paths.staging("ddas", "records")).height == 2
