"""The `settings` resource from the environment, for the code location and for `ddas run`.

Each field is bound to its DDAS_* variable (assets/common/settings.ENV_VARS) through
Dagster's EnvVar: Dagster reads the value when a run starts and the UI shows only the
variable's name. A field is bound only when its variable is set, because an EnvVar whose
variable is unset fails the whole run (it has no default: dagster-io/dagster#16232);
unbound fields keep their defaults ("": not configured).
"""
from __future__ import annotations

import dagster as dg

from assets.common.settings import ENV_VARS, SECRET_FIELDS, DdasSettings


def _is_set(variable: str) -> bool:
    return dg.EnvVar(variable).get_value() is not None


def settings_from_env() -> DdasSettings:
    """The resource of the code location: every field whose variable is set, as an EnvVar."""
    return DdasSettings(**{f: dg.EnvVar(v) for f, v in ENV_VARS.items() if _is_set(v)})


def settings_run_config(**values: str) -> dict:
    """Run config for the resource: the given field values (flags), every other field
    from its variable when set, as `{"env": VAR}` (run config replaces the resource's
    whole config, so the fields not given must be named too). The key is never a value
    here: only ever `{"env": "DDAS_PSEUDONYM_KEY"}`."""
    if any(f in values for f in SECRET_FIELDS):
        raise ValueError("the pseudonym key is never passed as run config")
    unknown = set(values) - set(ENV_VARS)
    if unknown:
        raise ValueError(f"not a settings field: {sorted(unknown)}")
    config: dict = {f: {"env": v} for f, v in ENV_VARS.items() if f not in values and _is_set(v)}
    config.update({f: str(v) for f, v in values.items() if v is not None})
    return {"resources": {"settings": {"config": dict(sorted(config.items()))}}}
