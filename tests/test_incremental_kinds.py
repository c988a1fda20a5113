"""The per-file cache of reader results (assets/ingest/file_cache.py, docs/incremental.md):
after every kind of change, each kind's result built from the cache equals a full read of
the same landing exactly (every table, its types and its row order).

One generated world per module, with hand-made files for the peildatum cases and names
whose shown order (digit runs masked) differs from their path order."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from assets.common.bsn_scan import bsn_like_cells
from assets.ingest import file_cache
from assets.common.parquet_io import write_parquet_atomic
from assets.ingest.file_cache import CURRENT, INDEX, TABLES, FileCache, key_fingerprint, read_cached
from assets.ingest.inventory import inventory, inventory_table, to_read, with_paths
from assets.ingest.kinds import kinds, reader
from tests import builders
from tests.conftest import TEST_KEY, valid_bsns

KEY = TEST_KEY.encode()
OTHER_KEY = b"another-test-key-0123456789abcdef-xyz"
P0 = dt.date(2026, 6, 30)
P1 = dt.date(2026, 9, 1)  # the hand-made future file and future record are due by then
BSNS = valid_bsns(12, seed=17)


def _hand_made(land: Path) -> None:
    """Files whose result depends on the peildatum, and names whose order changes when masked."""
    t = builders.traject
    builders.ddas_file(land / "ddas" / "extra" / "later.json", [t([BSNS[0]]), t([BSNS[1]], aanmelding="2024-02-01")],
                       aanlever="2026-08-01T09:00:00+02:00")  # toekomstig at P0, due at P1
    builders.ddas_file(land / "ddas" / "extra" / "toekomst_record.json",
                       [t([BSNS[2]]), t([BSNS[3]], aanmelding="2026-07-15")],  # datum_in_toekomst at P0 only
                       aanlever="2026-06-01T09:00:00+02:00")
    # shown as ddas/extra/x#########.json: before x5.json when shown, after it by path
    builders.ddas_file(land / "ddas" / "extra" / "x999999999.json", [t([BSNS[4]])])
    builders.ddas_file(land / "ddas" / "extra" / "x5.json", [t([BSNS[5]])])
    day = dt.date(2024, 3, 1)
    builders.xlsx_file(land / "nazorg" / "999999999" / "GM0518_20240301.xlsx", [[BSNS[6], day, "Contact", None, "Telefonisch", ""]])
    builders.xlsx_file(land / "nazorg" / "5" / "GM0518_20240302.xlsx", [[BSNS[7], day, "Contact", None, "Telefonisch", ""]])
    builders.xlsx_file(land / "nazorg" / "GM0518_20260601.xlsx",
                       [[BSNS[8], dt.date(2026, 7, 20), "Contact", None, "Telefonisch", ""]])  # datum_in_toekomst at P0
    builders.csv_file(land / "shv_csv" / "GM0518_20260801.csv",  # toekomstig at P0
                      [["D1", BSNS[9], "1980-01-01", "2026-05-01", "", "schuldregeling", "2026-05-01", "", "", "", "", ""]])


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    from ddas_generator import generate

    land = tmp_path_factory.mktemp("incr") / "landing"
    generate(land, persons=150, seed=5)
    shutil.rmtree(land / "ground_truth")
    # fewer years keep the module fast; every kind keeps its odd files (duplicates, refusals, 2099)
    for kind, years in (("ddas", range(2016, 2023)), ("nazorg", range(2016, 2023)), ("vroegsignalering", (2023, 2024))):
        for year in years:
            shutil.rmtree(land / kind / str(year), ignore_errors=True)
    _hand_made(land)
    return land


@pytest.fixture(scope="module")
def full_p0(world) -> dict:
    """A full read of the unchanged world at P0 (the copies have the same relative names)."""
    return read_all(world, P0)


@pytest.fixture
def land(world, tmp_path) -> Path:
    """A copy of the world this test may change."""
    return Path(shutil.copytree(world, tmp_path / "landing"))


def read_all(land: Path, peil: dt.date, key: bytes = KEY, cache: FileCache | None = None) -> dict:
    """{bron: (IngestResult, ReadCounts)} for every kind, as delivered_records reads them:
    staging written (beside the cache), then kept."""
    inv = with_paths(inventory_table(inventory(land)), land)
    out = {}
    for k in kinds():
        def read(files, k=k, **kw):
            return reader(k)(files, peil, key, **kw)

        result, counts, keep = read_cached(k.name, read, to_read(inv, k.name), cache)
        if cache is not None:
            staged = {t: cache.root.parent / "staging" / k.name / f"{t}.parquet" for t in TABLES}
            for t, path in staged.items():
                write_parquet_atomic(getattr(result, t), path)
            keep(staged)
        out[k.name] = (result, counts)
    return out


def make_cache(root: Path, peil: dt.date, key: bytes = KEY, **kw) -> FileCache:
    return FileCache(root, key_fingerprint(key), file_cache.code_version(), peil, **kw)


def assert_same(full: dict, cached: dict) -> None:
    for bron in full:
        for t in TABLES:
            assert_frame_equal(getattr(full[bron][0], t), getattr(cached[bron][0], t), check_exact=True), (bron, t)


def counts(run: dict) -> dict:
    return {bron: (c.uit_cache, c.gelezen) for bron, (_, c) in run.items()}


def entries(root: Path, bron: str) -> int:
    """Files the kind's index names."""
    return len(json.loads((root / bron / CURRENT / INDEX).read_text())["bestanden"])


def test_warm_cache_reads_nothing_and_equals_a_full_read(land, full_p0, tmp_path):
    root = tmp_path / "cache"
    cold = read_all(land, P0, cache=make_cache(root, P0))
    warm = read_all(land, P0, cache=make_cache(root, P0))
    full = full_p0
    assert_same(full, cold)
    assert_same(full, warm)
    assert all(c[1] == 0 and c[0] > 0 for c in counts(warm).values()), counts(warm)
    assert all(c[0] == 0 for c in counts(cold).values())
    # the hand-made names put the nazorg ledger's input order apart from its bestand order
    ledger = full["nazorg"][0].ledger["bestand"].to_list()
    assert ledger != sorted(ledger)
    assert any("#" in b for b in full["ddas"][0].ledger["bestand"])


def test_new_file_is_the_only_file_read(land, full_p0, tmp_path):
    root = tmp_path / "cache"
    new = land / "ddas" / "extra" / "x5.json"
    aside = tmp_path / "x5.json"
    shutil.move(new, aside)
    read_all(land, P0, cache=make_cache(root, P0))
    shutil.move(aside, new)
    got = read_all(land, P0, cache=make_cache(root, P0))
    assert_same(full_p0, got)
    assert counts(got)["ddas"][1] == 1
    assert all(c[1] == 0 for bron, c in counts(got).items() if bron != "ddas")


def test_removed_file_leaves_result_and_cache(land, tmp_path):
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    before = {k.name: entries(root, k.name) for k in kinds()}
    (land / "ddas" / "extra" / "x5.json").unlink()
    (land / "nazorg" / "5" / "GM0518_20240302.xlsx").unlink()
    got = read_all(land, P0, cache=make_cache(root, P0))
    full = read_all(land, P0)
    assert_same(full, got)
    assert all(c[1] == 0 for c in counts(got).values())
    assert entries(root, "ddas") == before["ddas"] - 1 == full["ddas"][0].ledger.height
    assert entries(root, "nazorg") == before["nazorg"] - 1


def test_changed_file_same_name_is_read_again(land, tmp_path):
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    path = land / "ddas" / "extra" / "x999999999.json"
    doc = json.loads(path.read_text())
    doc["leveringen"][0]["schuldhulptrajecten"].append(builders.traject([BSNS[10]], aanmelding="2024-05-05"))
    path.write_text(json.dumps(doc))
    builders.csv_file(land / "shv_csv" / "GM0637_20210101.csv",
                      [["Z9", BSNS[11], "1970-01-01", "2020-05-01", "", "schuldregeling", "2020-05-01", "", "", "", "", ""]])
    got = read_all(land, P0, cache=make_cache(root, P0))
    full = read_all(land, P0)
    assert_same(full, got)
    assert counts(got)["ddas"][1] == 1 and counts(got)["shv_csv"][1] == 1
    assert full["ddas"][0].records.filter(pl.col("bestand") == "ddas/extra/x#########.json").height == 2


def test_new_key_reads_everything_again(land, tmp_path):
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    got = read_all(land, P0, key=OTHER_KEY, cache=make_cache(root, P0, key=OTHER_KEY))
    full = read_all(land, P0, key=OTHER_KEY)
    assert_same(full, got)
    assert all(c[0] == 0 for c in counts(got).values())
    assert entries(root, "ddas") == full["ddas"][0].ledger.height  # the old key's entries are gone
    # the fingerprint names the key without showing it
    assert TEST_KEY not in "".join(p.name for p in root.rglob("*")) and key_fingerprint(KEY) != key_fingerprint(OTHER_KEY)


def test_new_code_version_reads_everything_again(land, full_p0, tmp_path, monkeypatch):
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    monkeypatch.setattr(file_cache, "code_version", lambda mapping_dir=None: "een-andere-versie")
    got = read_all(land, P0, cache=make_cache(root, P0))
    assert_same(full_p0, got)
    assert all(c[0] == 0 for c in counts(got).values())


def test_code_version_follows_the_mapping_folder(tmp_path):
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "a.csv").write_text("x\n")
    first = file_cache.code_version(str(maps))
    (maps / "a.csv").write_text("y\n")
    assert file_cache.code_version(str(maps)) != first != file_cache.code_version(None)


def test_later_peildatum_rereads_only_what_it_decided(land, tmp_path):
    root = tmp_path / "cache"
    at_p0 = read_all(land, P0, cache=make_cache(root, P0))
    got = read_all(land, P1, cache=make_cache(root, P1))
    full = read_all(land, P1)
    assert_same(full, got)
    # the cases this test is about really happen: a future file becomes due, a future record acceptable
    ledger0, ledger1 = at_p0["ddas"][0].ledger, full["ddas"][0].ledger
    later = pl.col("bestand") == "ddas/extra/later.json"
    assert ledger0.filter(later)["status"].to_list() == ["toekomstig"]
    assert ledger1.filter(later)["status"].to_list() == ["geladen"]
    rec = pl.col("bestand") == "ddas/extra/toekomst_record.json"
    assert at_p0["ddas"][0].quarantine.filter(rec)["reden_code"].to_list() == ["datum_in_toekomst"]
    assert full["ddas"][0].records.filter(rec).height == 2
    assert full["nazorg"][0].records.filter(pl.col("bestand") == "nazorg/GM0518_20260601.xlsx").height == 1
    # files the peildatum did not decide came from the cache
    assert counts(got)["ddas"][0] > 0 and counts(got)["ddas"][1] < full["ddas"][0].ledger.height


def test_earlier_peildatum_reads_everything_again(land, full_p0, tmp_path):
    root = tmp_path / "cache"
    read_all(land, P1, cache=make_cache(root, P1))
    got = read_all(land, P0, cache=make_cache(root, P0))
    assert_same(full_p0, got)
    assert all(c[0] == 0 for c in counts(got).values())


def test_damaged_cache_is_a_miss_with_one_line(land, full_p0, tmp_path):
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    kept = {k.name: root / k.name / CURRENT for k in kinds()}
    (kept["ddas"] / "records.parquet").unlink()  # kept files are links: replaced, never written into
    (kept["ddas"] / "records.parquet").write_bytes(b"not parquet")
    (kept["vroegsignalering"] / INDEX).unlink()
    quarantine = pl.read_parquet(kept["nazorg"] / "quarantine.parquet").with_columns(extra=pl.lit(1))
    (kept["nazorg"] / "quarantine.parquet").unlink()
    quarantine.write_parquet(kept["nazorg"] / "quarantine.parquet")  # readable, but other columns
    lines: list[str] = []
    got = read_all(land, P0, cache=make_cache(root, P0, log=lines.append))
    assert_same(full_p0, got)
    assert counts(got)["ddas"][0] == counts(got)["vroegsignalering"][0] == counts(got)["nazorg"][0] == 0
    assert counts(got)["shv_csv"][1] == 0
    assert len(lines) == 3 and all(line.startswith("cache:") for line in lines)
    warm = read_all(land, P0, cache=make_cache(root, P0))  # rebuilt by that run
    assert all(c[1] == 0 for c in counts(warm).values())


def test_cache_that_cannot_be_written_is_one_line(land, full_p0, tmp_path):
    root = tmp_path / "cache"
    root.mkdir()
    for k in kinds():
        (root / k.name).write_text("a file where the kind's folder should be")
    lines: list[str] = []
    got = read_all(land, P0, cache=make_cache(root, P0, log=lines.append))
    assert_same(full_p0, got)
    assert len(lines) == len(kinds()) and all(line.startswith("cache:") for line in lines)


def test_volledig_reads_everything_and_rebuilds(land, full_p0, tmp_path):
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    got = read_all(land, P0, cache=make_cache(root, P0, rebuild=True))
    assert_same(full_p0, got)
    assert all(c[0] == 0 for c in counts(got).values())
    warm = read_all(land, P0, cache=make_cache(root, P0))
    assert all(c[1] == 0 for c in counts(warm).values())


def test_cache_holds_no_raw_bsn(land, tmp_path):
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    assert sum(entries(root, k.name) for k in kinds()) > 50
    for k in kinds():
        for t in TABLES:
            frame = pl.read_parquet(root / k.name / CURRENT / f"{t}.parquet")
            assert bsn_like_cells(frame).height == 0, (k.name, t)
            for col, dtype in frame.schema.items():
                if dtype == pl.Utf8:
                    assert not frame[col].is_in(BSNS).any(), (k.name, t, col)
    index = "".join((root / k.name / CURRENT / INDEX).read_text() for k in kinds())
    assert TEST_KEY not in index and not any(b in index for b in BSNS)


def _files(land: Path, bron: str) -> pl.DataFrame:
    return to_read(with_paths(inventory_table(inventory(land)), land), bron)


def test_unchanged_kind_is_its_kept_tables(land, full_p0, tmp_path):
    """Every file as kept: the kept tables are the staging, and the kept ledger is the one a
    read gives (the aftercare ledger in input order); anything else is read as usual."""
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    cache = make_cache(root, P0)
    for k in kinds():
        files = _files(land, k.name)
        found = cache.unchanged(k.name, files, lambda ledger: ledger)
        assert found is not None, k.name
        tables, ledger = found
        assert tables == {t: root / k.name / CURRENT / f"{t}.parquet" for t in TABLES}
        assert_frame_equal(ledger, full_p0[k.name][0].ledger, check_exact=True)
        for t in TABLES:
            assert_frame_equal(pl.read_parquet(tables[t]), getattr(full_p0[k.name][0], t), check_exact=True)
        # a ledger row the caller adds that was not kept, a file fewer, a later peildatum
        # for a file the peildatum decided: not the kept tables
        assert cache.unchanged(k.name, files, lambda ledger: pl.concat([ledger, ledger.head(1)])) is None
        assert cache.unchanged(k.name, files.slice(1), lambda ledger: ledger) is None
    assert make_cache(root, P1).unchanged("ddas", _files(land, "ddas"), lambda ledger: ledger) is None


def test_tampered_kept_table_is_read_again_not_published(land, full_p0, tmp_path):
    """A BSN written into a kept table after it was kept: its size and mtime no longer match
    the index, so the kind's files are read again (and scanned) instead of taking the table."""
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    kept = root / "ddas" / CURRENT / "records.parquet"
    records = pl.read_parquet(kept)
    text = next(c for c, d in records.schema.items() if d == pl.String and c != "bestand")
    tampered = records.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(BSNS[11]))
                                    .otherwise(pl.col(text)).alias(text))
    tampered.write_parquet(kept)  # in place, as a hand or a tool would, not by our rename
    assert bsn_like_cells(tampered).height == 1
    logged = []
    cache = make_cache(root, P0, log=logged.append)
    assert cache.unchanged("ddas", _files(land, "ddas"), lambda ledger: ledger) is None
    assert cache.load("ddas", _files(land, "ddas")) == ({}, {})
    assert any("gewijzigd" in line for line in logged)
    again = read_all(land, P0, cache=make_cache(root, P0))
    assert counts(again)["ddas"][0] == 0  # nothing of ddas taken from the cache
    assert_same(full_p0, again)
    assert bsn_like_cells(again["ddas"][0].records).height == 0


def test_fresh_part_holds_only_the_files_read(land, tmp_path):
    """ReadCounts.gelezen_deel: the rows the BSN scan still needs, those of the files read now."""
    root = tmp_path / "cache"
    read_all(land, P0, cache=make_cache(root, P0))
    source = sorted((land / "ddas").rglob("*.json"))[0]
    source.write_bytes(source.read_bytes().replace(b'"aanleverdatumEnTijd":"', b'"aanleverdatumEnTijd" : "', 1))
    run = read_all(land, P0, cache=make_cache(root, P0))
    result, c = run["ddas"]
    assert c.gelezen == 1 and c.uit_cache > 0
    shown = set(c.gelezen_deel.ledger["bestand"])
    assert len(shown) == 1
    for t in ("records", "quarantine", "schema_findings"):
        part, whole = getattr(c.gelezen_deel, t), getattr(result, t)
        assert_frame_equal(part, whole.filter(pl.col("bestand").is_in(shown)), check_exact=True)
    assert c.gelezen_deel.records.height > 0
