"""Jobs: the full load materialises every asset once."""
import dagster as dg

ddas_job = dg.define_asset_job(
    "ddas_job",
    selection=dg.AssetSelection.all(),
    description="Full load: ingest every landing file, harmonise, compute indicators.",
)
