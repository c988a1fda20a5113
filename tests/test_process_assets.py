"""The four process tables as Dagster assets (assets/indicators/dagster_tabellen.py):
materialised over a model written to an output folder, each is validated, written,
carries lineage and its blocking `tabel_plausibel` check passes; a suppressed cell
could not be recovered by subtraction."""
from __future__ import annotations

import datetime as dt
import hashlib

import dagster as dg

from assets.common import paths
from assets.common.settings import DdasSettings
from assets.indicators.dagster_tabellen import CHECK, TABLE_ASSETS
from assets.indicators.tabellen import TABLES
from tests import reference_process as ref
from tests.process_builders import frames
from tests.reference_process import Client

d = dt.date


def _hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _model(tmp) -> None:
    a = d(2024, 5, 1)
    trajs = [ref.PT(f"{i:016x}", ["GM0518", "GM0363", None][i % 3], a + dt.timedelta(days=i),
                    (Client(_hex(f"p{i}"), "tot 27", "vrouw"),), eind=a + dt.timedelta(days=200), reden="Afgerond",
                    gesprek=a + dt.timedelta(days=i + 3), crisis=i % 2 == 0, beschikking=a + dt.timedelta(days=i + 40),
                    schuldbedrag=1000 + i, schulden=(("Nuts", 10 * i, False, "12345678"),))
             for i in range(45)]
    f = frames(trajs)
    from assets.indicators import compute_indicators

    tables = {paths.TRAJECTEN: f["trajecten"], paths.TRAJECTCLIENTEN: f["clienten"], paths.SCHULDEN_MODEL: f["schulden"]}
    for rel, lf in tables.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        lf.collect().write_parquet(tmp / rel)
    ind = compute_indicators(f["trajecten"], f["clienten"], f["events"], d(2026, 6, 30), begeleiding=f["begeleiding"])
    (tmp / paths.INDICATOREN).parent.mkdir(parents=True, exist_ok=True)
    ind.collect().write_parquet(tmp / paths.INDICATOREN)


def test_the_four_table_assets_materialise_with_their_checks(tmp_path):
    _model(tmp_path)
    settings = DdasSettings(output_dir=str(tmp_path), peildatum="2026-06-30")
    result = dg.materialize(TABLE_ASSETS, resources={"settings": settings})
    assert result.success
    checks = {(e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    for t in TABLES:  # the run wrote into its work folder (published only by `publicatie`)
        assert checks[(t.naam, CHECK)] and checks[(t.naam, "geen_bsn")], t.naam
        meta = next(m for m in result.asset_materializations_for_node("tabellen")
                    if m.asset_key == dg.AssetKey(t.naam)).metadata
        assert "dagster/column_lineage" in meta and "rijen_onderdrukt" in meta
        assert meta["dagster/row_count"].value > meta["rijen_onderdrukt"].value, t.naam


def test_trace_a_cell_of_every_table(tmp_path, capsys):
    import io

    import polars as pl

    from assets.indicators.tabel_basis import invoer
    from assets.indicators.tabellen import compute_table
    from pipelines.trace import TraceError
    from pipelines.trace_tabellen import CATEGORIE, trace_table_cell

    _model(tmp_path)
    scan = lambda rel: pl.scan_parquet(tmp_path / rel)  # noqa: E731
    inv = invoer(scan(paths.TRAJECTEN), scan(paths.TRAJECTCLIENTEN), scan(paths.SCHULDEN_MODEL), scan(paths.INDICATOREN),
                 d(2026, 6, 30))
    for t in TABLES:
        df = compute_table(t.naam, inv)
        df.write_parquet(tmp_path / t.pad)
        row = df.filter(~pl.col("onderdrukt") & (pl.col("regio_code") == "GM0518")).row(0, named=True)
        col, count, _ = CATEGORIE[t.naam]
        trace_table_cell(tmp_path, t.naam, "GM0518", row["jaar"], row[col] if col else None, row.get("dimensie"),
                         "csv", None, 0)
        out = capsys.readouterr()
        members = pl.read_csv(io.StringIO(out.out))
        assert members.height == row[count], t.naam
        assert "published" in out.err and "WARNING" not in out.err
    try:
        trace_table_cell(tmp_path, "uitstroom", "GM0518", 2024, None, None, "csv", None, 0)
        raise AssertionError("a cell of uitstroom without --categorie must be refused")
    except TraceError as e:
        assert "--categorie" in str(e)
