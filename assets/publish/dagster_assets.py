"""Thin Dagster wiring: `publicatie`, the asset that publishes a run's outputs as one set.

It depends on every other asset (pipelines/definitions.py), so it runs last and
only when every asset before it succeeded and every blocking check passed: a failed
blocking check skips it and nothing is published. Runs started by the schedule, the
sensor or the UI publish through it as `ddas run` does. A run of a few assets from the UI
publishes only when `publicatie` is part of its selection (materialise "with downstream").
"""

import dagster as dg

from assets.common import publish
from assets.common.paths import mask_digits
from assets.common.settings import DdasSettings

GROUP = "publicatie"
DESCRIPTION = ("Publishes the run's outputs into the output folder as one set (every folder replaced together), "
               "after every asset and blocking check passed; refuses a drop of more than 20 % in accepted "
               "records unless --accepteer-krimp (DDAS_ACCEPTEER_KRIMP=1).")


def build_publicatie(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(name="publicatie", group_name=GROUP, deps=deps, description=DESCRIPTION)
    def publicatie(context: dg.AssetExecutionContext, settings: DdasSettings) -> dg.MaterializeResult:
        rf = settings.run_folder
        if rf is None:
            raise dg.Failure(description="no output folder for this run: set DDAS_OUTPUT_DIR", allow_retries=False)
        try:
            meta = publish.check_krimp(publish.accepted_records(rf.published), publish.accepted_records(rf.work),
                                       settings.krimp_accepted)
            folders = publish.publish(rf)
        except publish.PublishError as e:
            raise dg.Failure(description=str(e), allow_retries=False) from None
        except OSError as e:
            where = mask_digits(str(e.filename or rf.published))
            raise dg.Failure(description=f"publishing failed: {(e.strerror or str(e)).lower()}: {where}; "
                                         "the previous outputs are kept", allow_retries=False) from None
        if meta["krimp_geaccepteerd"]:
            context.instance.add_run_tags(context.run.run_id, {"ddas/krimp_geaccepteerd": f"-{meta['krimp_procent']} %"})
            context.log.warning(f"accepted records fell from {meta['records_geaccepteerd_vorige_publicatie']} to "
                                f"{meta['records_geaccepteerd']} (-{meta['krimp_procent']} %); published with --accepteer-krimp")
        metadata = {k: v for k, v in meta.items() if v is not None}
        metadata["uitvoermap"] = dg.MetadataValue.path(mask_digits(str(rf.published)))
        metadata["mappen"] = dg.MetadataValue.json(folders)
        return dg.MaterializeResult(metadata=metadata)

    return publicatie
