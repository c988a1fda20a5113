"""Steps 1-2 of sources.md: name patterns and duplicates within a kind (2026-12-01)."""
import polars as pl

from assets.ingest.inventory import check_name, inventory, refused_ledger, to_read


def _write(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_name_patterns():
    assert check_name("ddas", "levering.json")[0] is None
    assert check_name("ddas", "levering.JSON")[0] is not None
    assert check_name("shv_csv", "GM0518_20240131.csv")[1:] == ("GM0518", __import__("datetime").date(2024, 1, 31))
    assert check_name("shv_csv", "gm0518_20240131.csv")[1] == "GM0518"  # code values are case-insensitive
    for bad in ("GM0518_20240131.CSV", "GM9999_20240131.csv", "GM0518_20240231.csv", "GM0518-20240131.csv",
                "GM0518_20240131.xlsx", "export.csv", "GM0518_2024013.csv"):
        assert check_name("shv_csv", bad)[0] is not None, bad
    assert check_name("nazorg", "GM0518_20240131.xlsx")[0] is None
    assert check_name("nazorg", "GM0518_20240131.csv")[0] is not None


def test_order_duplicates_and_refusals(tmp_path):
    land = tmp_path / "landing"
    _write(land / "ddas/b.json", b"same")
    _write(land / "ddas/a/a.json", b"same")  # sorts first, so b.json is the duplicate
    _write(land / "ddas/readme.txt", b"same")  # refused by name: does not count as taken
    _write(land / "shv_csv/2024/GM0518_20240131.csv", b"other")
    _write(land / "nazorg/GM0518_20240131.xlsx", b"other")  # same bytes as a file of another kind: not a duplicate
    _write(land / "elders/x.json", b"ignored")  # outside the kind folders
    inv = inventory(land)
    status = dict(zip(inv["bestand"], inv["status"]))
    assert list(inv["bestand"]) == sorted(status)
    assert status == {
        "ddas/a/a.json": None,
        "ddas/b.json": "duplicaat",
        "ddas/readme.txt": "geweigerd",
        "nazorg/GM0518_20240131.xlsx": None,
        "shv_csv/2024/GM0518_20240131.csv": None,
    }
    led = refused_ledger(inv)
    assert led.height == 2 and (led["records_gelezen"] == 0).all() and led["reden"].is_not_null().all()
    assert to_read(inv, "ddas")["bestand"].to_list() == ["ddas/a/a.json"]


def test_missing_kind_folder_is_no_deliveries(tmp_path):
    (tmp_path / "ddas").mkdir()
    assert inventory(tmp_path).height == 0
