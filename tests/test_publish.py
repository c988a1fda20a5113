"""Publishing as one step, in-process: the swap, its journal, refusals, writes that fail.

The fault tests that kill a real `ddas run` are in test_publish_faults.py.
"""
from __future__ import annotations

import errno
import json
import os
import stat

import polars as pl
import pytest

from assets.common import parquet_io, paths, publish, run_lock


def _tree(root):
    """{relative path: bytes} of every file under root (the published set as a reader sees it)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _write(root, files):
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


OLD = {"indicatoren/indicatoren.parquet": "oud-i", "model/trajecten.parquet": "oud-t", "kwaliteit/leveringen.parquet": "oud-l"}
NEW = {"indicatoren/indicatoren.parquet": "nieuw-i", "model/trajecten.parquet": "nieuw-t", "kwaliteit/leveringen.parquet": "nieuw-l",
       "staging/inventaris.parquet": "nieuw-s"}


@pytest.fixture
def run(tmp_path):
    out = tmp_path / "out"
    _write(out, OLD)
    rf = publish.begin_run(out, "run-1")
    yield rf
    publish.end_run(rf)


def _stage_new(rf):
    for rel in OLD:
        (rf.work / rel).unlink()  # a writer replaces a seeded link; it never writes into it
    _write(rf.work, NEW)


def test_work_folder_is_beside_the_output_and_seeded_with_links(run):
    assert run.root == run.published.parent / ".out.ddas-werk" and run.work == run.root / "run-1"
    for rel in OLD:
        assert os.path.samefile(run.work / rel, run.published / rel)
    assert not any(p.name.startswith(".") for p in run.published.iterdir())  # nothing of ours in the published tree


def test_a_write_replaces_a_seeded_link_and_leaves_the_published_file(run):
    before = (run.published / "model/trajecten.parquet").read_bytes()
    parquet_io.write_parquet_atomic(pl.DataFrame({"a": [1]}), run.work / "model/trajecten.parquet")
    assert (run.published / "model/trajecten.parquet").read_bytes() == before


def test_publish_replaces_every_folder_together(run):
    _stage_new(run)
    assert publish.publish(run) == ["indicatoren", "kwaliteit", "model", "staging"]
    assert _tree(run.published) == {k: v.encode() for k, v in NEW.items()}
    assert not (run.root / publish.JOURNAL).exists() and not run.trash.exists()
    # late (non-blocking) checks still find the files in the work folder
    assert (run.work / "model/trajecten.parquet").read_text() == "nieuw-t"


def test_a_crash_in_the_middle_of_the_swap_is_rolled_forward(run):
    _stage_new(run)
    journal = run.root / publish.JOURNAL
    journal.write_text(json.dumps({"run_id": run.run_id, "mappen": ["indicatoren", "kwaliteit", "model", "staging"]}))
    publish._swap_one(run, "indicatoren")  # the crash came after the first folder
    os.rename(run.published / "kwaliteit", run.trash / "kwaliteit")  # and between the two renames of the second
    publish.recover(run.published)
    assert _tree(run.published) == {k: v.encode() for k, v in NEW.items()}
    assert [p.name for p in run.root.iterdir()] == [publish.LOCK]


def test_a_failed_rename_puts_the_old_set_back(run, monkeypatch):
    _stage_new(run)
    real, calls = os.rename, []

    def flaky(src, dst):
        calls.append(src)
        if len(calls) == 4:  # indicatoren swapped, kwaliteit moved aside, then its new one fails
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real(src, dst)

    monkeypatch.setattr(publish.os, "rename", flaky)
    with pytest.raises(OSError):
        publish.publish(run)
    monkeypatch.setattr(publish.os, "rename", real)
    assert _tree(run.published) == {k: v.encode() for k, v in OLD.items()}
    assert not (run.root / publish.JOURNAL).exists()


def test_next_run_removes_what_killed_runs_left(tmp_path):
    out = tmp_path / "out"
    _write(out, OLD)
    root = publish.work_root(out)
    _write(root, {"dode-run/model/trajecten.parquet": "half", "dode-run.oud/x/y": "z"})
    _write(out, {"model/.trajecten.parquet.ab12cd34.tmp": "half", "kwaliteit/.ddas-write-test-x": ""})
    rf = publish.begin_run(out, "run-2")
    try:
        assert sorted(p.name for p in root.iterdir()) == ["lock", "run-2"]
        assert _tree(out) == {k: v.encode() for k, v in OLD.items()}
    finally:
        publish.end_run(rf)
    assert [p.name for p in root.iterdir()] == ["lock"]


def test_work_root_falls_back_inside_the_output_when_the_parent_is_not_ours(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(publish, "_same_fs_writable", lambda parent, output: False)
    assert publish.work_root(out) == out / ".ddas-werk"
    rf = publish.begin_run(out, "r")
    try:
        assert rf.work == out / ".ddas-werk" / "r" and publish.published_folders(out) == []
    finally:
        publish.end_run(rf)


def test_read_only_output_subfolder_is_refused_before_anything_moves(tmp_path):
    out = tmp_path / "out"
    _write(out, OLD)
    os.chmod(out / "kwaliteit", 0o555)
    try:
        with pytest.raises(publish.PublishError, match="output subfolder is read-only: .*/kwaliteit"):
            publish.begin_run(out, "r")
        assert not run_lock.held(publish.lock_path(out))  # a refused start leaves the lock free
    finally:
        os.chmod(out / "kwaliteit", 0o755)
    assert _tree(out) == {k: v.encode() for k, v in OLD.items()}


def test_landing_without_kind_subfolders_is_refused(tmp_path):
    with pytest.raises(publish.PublishError, match="holds none of ddas/, shv_csv/, nazorg/, vroegsignalering/"):
        publish.check_landing(tmp_path)
    with pytest.raises(publish.PublishError, match="does not exist"):
        publish.check_landing(tmp_path / "nope")
    (tmp_path / "vroegsignalering").mkdir()
    publish.check_landing(tmp_path)  # one kind is enough


def test_shrink_guard():
    assert publish.check_krimp(None, 10, False)["krimp_geaccepteerd"] is False  # nothing published yet
    assert publish.check_krimp(100, 80, False)["krimp_geaccepteerd"] is False  # exactly 80 %: fine
    with pytest.raises(publish.PublishError, match="fell from 100 to 79 .*--accepteer-krimp"):
        publish.check_krimp(100, 79, False)
    meta = publish.check_krimp(100, 0, True)
    assert meta["krimp_geaccepteerd"] is True and meta["krimp_procent"] == 100.0


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_are_readable_as_the_umask_allows(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        parquet_io.write_parquet_atomic(pl.DataFrame({"a": [1]}), tmp_path / "x/a.parquet")
        parquet_io.write_parquet_atomic(pl.DataFrame({"a": [1]}).lazy(), tmp_path / "x/b.parquet")
    finally:
        os.umask(old)
    for name in ("a", "b"):
        assert stat.S_IMODE((tmp_path / f"x/{name}.parquet").stat().st_mode) == mode


def test_a_full_disk_says_so_with_the_path_and_leaves_no_tmp(tmp_path, monkeypatch):
    def full(self, file, **kw):
        raise pl.exceptions.ComputeError("parquet: File out of specification: underlying IO error: No space left on device (os error 28)")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    target = tmp_path / "levering_123456782" / "a.parquet"
    with pytest.raises(parquet_io.OutputWriteError) as e:
        parquet_io.write_parquet_atomic(pl.DataFrame({"a": [1]}), target)
    assert e.value.errno == errno.ENOSPC
    assert str(e.value) == f"no space left on device writing {tmp_path}/levering_#########/a.parquet"
    assert list(target.parent.iterdir()) == []


def test_a_transient_error_is_tried_again_and_a_permanent_one_is_not(tmp_path, monkeypatch):
    real, calls = pl.DataFrame.write_parquet, []

    def hiccup(self, file, **kw):
        calls.append(file)
        if len(calls) == 1:
            raise OSError(errno.ESTALE, "Stale file handle")
        return real(self, file, **kw)

    monkeypatch.setattr(parquet_io, "RETRY_PAUSES_S", (0.0, 0.0))
    monkeypatch.setattr(pl.DataFrame, "write_parquet", hiccup)
    assert parquet_io.write_parquet_atomic(pl.DataFrame({"a": [1, 2]}), tmp_path / "a.parquet") == 2
    assert len(calls) == 2

    def denied(self, file, **kw):
        calls.append(file)
        raise PermissionError(errno.EACCES, "Permission denied")

    calls.clear()
    monkeypatch.setattr(pl.DataFrame, "write_parquet", denied)
    with pytest.raises(parquet_io.OutputWriteError, match="^permission denied writing "):
        parquet_io.write_parquet_atomic(pl.DataFrame({"a": [1]}), tmp_path / "b.parquet")
    assert len(calls) == 1


def test_digit_runs_are_masked():
    assert paths.mask_digits("/data/levering_123456782/x_12345678.json") == "/data/levering_#########/x_12345678.json"
    assert paths.mask_digits("a1234567890b") == "a##########b"


def test_metadata_shows_the_published_path(run):
    from assets.common.metadata import table_metadata

    meta = table_metadata(pl.DataFrame({"a": [1]}), run.work / paths.TRAJECTEN)
    assert meta["path"].value == str(run.published / paths.TRAJECTEN)
    assert publish.published_path(run.published / ".ddas-werk" / "r" / paths.TRAJECTEN) == run.published / paths.TRAJECTEN


def test_the_error_line_is_the_cause_below_dagsters_wrappers():
    from dagster._utils.error import SerializableErrorInfo as E

    from pipelines.run_errors import cause_line

    wrapped = E("dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while executing op \"x\"::\n", [],
                "DagsterExecutionStepExecutionError",
                cause=E("assets.common.parquet_io.OutputWriteError: no space left on device writing /o/levering_123456782/a\n", [],
                        "OutputWriteError", cause=E("ComputeError: (os error 28)\n", [], "ComputeError")))
    assert cause_line(wrapped) == "no space left on device writing /o/levering_#########/a"
    check = E("dagster._core.errors.DagsterAssetCheckFailedError: 1 blocking asset check failed with ERROR severity:\n"
              "leveringen: leveringen_sluiten\n", [], "DagsterAssetCheckFailedError")
    assert cause_line(check) == "1 blocking asset check failed with ERROR severity: leveringen: leveringen_sluiten"
    assert cause_line(E("KeyError: 'kolom'\n", [], "KeyError")) == "KeyError: 'kolom'"


def test_the_lock_is_reentrant_for_its_thread_only(tmp_path):
    import threading

    lock = tmp_path / "lock"
    run_lock.acquire(lock, "uit")
    run_lock.acquire(lock, "uit")  # the in-process Dagster run of `ddas run`
    errors = []
    t = threading.Thread(target=lambda: errors.append(pytest.raises(run_lock.RunBusy, run_lock.acquire, lock, "uit")))
    t.start()
    t.join()
    assert f"pid {os.getpid()}" in str(errors[0].value)
    run_lock.release(lock)
    assert run_lock.held(lock)
    run_lock.release(lock)
    assert not run_lock.held(lock) and lock.read_text() == ""
