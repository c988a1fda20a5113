"""The two early-warning steps (vroegsignalering_model, vroegsignalering_tabellen) piece by
piece, CPU and wall seconds (best of 2), on the output of a `ddas run`, its staging records
repeated X times with suffixed IDs (x5 of a 200k-person run is about 1M persons):

    POLARS_MAX_THREADS=1 PYTHONPATH=. .venv/bin/python benchmarks/bench_vroegsignalering_steps.py OUTPUT [X]

Writes its scaled tables to a temporary folder only.
"""
import shutil, sys, tempfile, time, datetime as dt
import polars as pl
from assets.common import bsn_guard
from assets.common.bsn_scan import bsn_like_cells
from assets.vroegsignalering.model import model_tables, vroegsignalen, vroegsignaalzaken, link
from assets.vroegsignalering.indicators import vs_indicators, vs_aantallen
from schemas.vroegsignalering import VsRecord, Vroegsignalen, Vroegsignaalzaken, VsIndicatoren, VsAantallen

OUT = sys.argv[1]; X = int(sys.argv[2]) if len(sys.argv) > 2 else 5
def t(label, fn):
    best = None
    for _ in range(2):
        c, w = time.process_time(), time.perf_counter(); r = fn()
        c, w = time.process_time() - c, time.perf_counter() - w
        best = (c, w) if best is None or c < best[0] else best
    print(f"{label:32s} cpu {best[0]:6.2f}  wall {best[1]:6.2f}", flush=True); return r

rec_path = f"{OUT}/staging/vroegsignalering/records.parquet"
rec = pl.read_parquet(rec_path)
def sfx(i):
    if i == 0: return rec
    s = f"x{i}"
    return rec.with_columns(
        pl.col("signaal_id") + s, pl.col("zaak_id") + s,
        pl.col("signaal_ids").list.eval(pl.element() + s),
        pl.col("persoon_id").str.slice(0, 60) + pl.lit(f"{i:04d}"),
        pl.col("adres_id").str.slice(0, 60) + pl.lit(f"{i:04d}"),
    )
big = pl.concat([sfx(i) for i in range(X)])
TMP = tempfile.mkdtemp(prefix="bench_vs_")
bp = f"{TMP}/records.parquet"; big.write_parquet(bp)
print("records", big.height, "cols", big.width)
cols = list(VsRecord.to_schema().columns)
lf = lambda: pl.scan_parquet(bp).select(cols)
t("read staging", lambda: lf().collect())
s, z, u = t("model_tables", lambda: model_tables(lf()))
t(" latest signals", lambda: vroegsignalen(lf()).collect())
t(" latest zaken", lambda: vroegsignaalzaken(lf()).collect())
S, Z = vroegsignalen(lf()).collect(), vroegsignaalzaken(lf()).collect()
t(" link", lambda: link(S, Z))
t("validate signalen", lambda: bsn_guard.validate(Vroegsignalen, s))
t("validate zaken", lambda: bsn_guard.validate(Vroegsignaalzaken, z))
t("bsn scan signalen", lambda: bsn_like_cells(s))
t("bsn scan zaken", lambda: bsn_like_cells(z))
t("write signalen", lambda: s.write_parquet(f"{TMP}/s.parquet"))
t("write zaken", lambda: z.write_parquet(f"{TMP}/z.parquet"))
sl, zl = pl.scan_parquet(f"{TMP}/s.parquet"), pl.scan_parquet(f"{TMP}/z.parquet")
tr, cl = pl.scan_parquet(f"{OUT}/model/trajecten.parquet"), pl.scan_parquet(f"{OUT}/model/trajectclienten.parquet")
peil = dt.date(2026, 6, 30)
ind = t("vs_indicators", lambda: vs_indicators(sl, zl, tr, cl, peil))
aan = t("vs_aantallen", lambda: vs_aantallen(sl))
t("validate ind", lambda: bsn_guard.validate(VsIndicatoren, ind))
t("validate aantallen", lambda: bsn_guard.validate(VsAantallen, aan))
t("bsn scan ind+aant", lambda: (bsn_like_cells(ind), bsn_like_cells(aan)))
shutil.rmtree(TMP)
