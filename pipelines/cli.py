"""The `ddas` command: run the pipeline, generate demo deliveries, trace a number.

Every refusal and every failure is one line on standard error and a non-zero exit
(EXIT_REFUSED; EXIT_BUSY when another run holds the output folder); no line ever
contains the key or a BSN (runs of nine or more digits are masked).
"""
from __future__ import annotations

import gc
import logging
import os
import sys
import tempfile
from pathlib import Path

import click

from assets.common import publish, run_lock
from assets.common.bsn import check_key
from assets.common.paths import mask_digits
from assets.common.peildatum import parse_historie_vanaf, parse_peildatum

# Clearly labelled and only for synthetic demo data: `ddas run` never uses it.
DEMO_KEY = "DEMO-ONLY-not-a-secret-key-for-synthetic-data-0000"
DEFAULT_HOME = ".dagster_home"
EXIT_REFUSED = 2  # cannot do its job: a refusal before the run, or a failed run; nothing published
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the output folder; try again later


class Refusal(Exception):
    """Why the command cannot do its job, in one line."""


def _fail(message: str, code: int = EXIT_REFUSED) -> None:
    one_line = " ".join(mask_digits(str(message)).split())
    click.echo(f"ddas: {one_line}", err=True)
    sys.exit(code)


def _check_output(output: Path) -> None:
    try:
        output.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output, prefix=".ddas-write-test-"):
            pass
    except OSError as e:
        raise Refusal(f"output folder is not writable: {output} ({(e.strerror or e.__class__.__name__).lower()})") from None


def _parsed(parse, flag_value: str | None, flag: str, variable: str):
    """Parse a date setting; the refusal names where the bad value came from (the flag or the variable)."""
    source, text = (flag, flag_value) if flag_value else (variable, os.environ.get(variable))
    try:
        return parse(text)
    except ValueError:
        raise Refusal(f"{source} must be a date YYYY-MM-DD, got {text!r}") from None


def prepare_environment(
    landing: str | None, output: str | None, peildatum: str | None, historie_vanaf: str | None = None,
    accepteer_krimp: bool = False, volledig: bool = False,
) -> dict:
    """Resolve flags over variables, check everything a run needs; Refusal when not.
    Returns the resolved values under their variables' names; the run gets them as run
    config of the `settings` resource (`run_config`), the environment is not changed
    (except DAGSTER_HOME, which Dagster itself reads)."""
    landing = landing or os.environ.get("DDAS_LANDING_DIR")
    output = output or os.environ.get("DDAS_OUTPUT_DIR")
    try:
        check_key(os.environ.get("DDAS_PSEUDONYM_KEY"))
    except ValueError as e:
        raise Refusal(str(e)) from None
    if not landing:
        raise Refusal("no landing folder: set DDAS_LANDING_DIR or pass --landing")
    if not Path(landing).is_dir():
        raise Refusal(f"landing folder does not exist: {landing}")
    if not output:
        raise Refusal("no output folder: set DDAS_OUTPUT_DIR or pass --output")
    peil = _parsed(parse_peildatum, peildatum, "--peildatum", "DDAS_PEILDATUM")
    historie = _parsed(parse_historie_vanaf, historie_vanaf, "--historie-vanaf", "DDAS_HISTORIE_VANAF")
    _check_output(Path(output))
    try:
        publish.check_landing(landing)
    except publish.PublishError as e:
        raise Refusal(str(e)) from None
    env = {
        "DDAS_LANDING_DIR": str(Path(landing).resolve()),
        "DDAS_OUTPUT_DIR": str(Path(output).resolve()),
        "DDAS_PEILDATUM": peil.isoformat(),
    }
    if historie:
        env["DDAS_HISTORIE_VANAF"] = historie.isoformat()
    if accepteer_krimp:
        env["DDAS_ACCEPTEER_KRIMP"] = "1"
    if volledig:
        env["DDAS_VOLLEDIG"] = "1"
    # Dagster wants an absolute DAGSTER_HOME (a relative one gave a 36-line traceback).
    home = str(Path(os.environ.get("DAGSTER_HOME") or DEFAULT_HOME).expanduser().resolve())
    try:
        Path(home).mkdir(parents=True, exist_ok=True)
        config = Path(home) / "dagster.yaml"
        if not config.exists():  # a new local home: no telemetry from a municipal machine
            config.write_text("telemetry:\n  enabled: false\n")
    except OSError as e:
        raise Refusal(f"Dagster home is not writable: {home} ({(e.strerror or e.__class__.__name__).lower()})") from None
    os.environ["DAGSTER_HOME"] = home
    return {**env, "DAGSTER_HOME": home}


def run_config(env: dict) -> dict:
    """The run config of the settings resource from `prepare_environment`'s values; the
    fields without a flag (the key, DDAS_WORKERS, ...) as `{"env": VAR}` when set."""
    from pipelines.run_config import settings_run_config

    values = {"landing_dir": env["DDAS_LANDING_DIR"], "output_dir": env["DDAS_OUTPUT_DIR"],
              "peildatum": env["DDAS_PEILDATUM"], "historie_vanaf": env.get("DDAS_HISTORIE_VANAF", "")}
    if env.get("DDAS_ACCEPTEER_KRIMP"):
        values["accepteer_krimp"] = env["DDAS_ACCEPTEER_KRIMP"]
    if env.get("DDAS_VOLLEDIG"):
        values["volledig"] = env["DDAS_VOLLEDIG"]
    return settings_run_config(**values)


def execute(show_progress: bool, env: dict) -> tuple[bool, str | None]:
    """Materialise every asset once, in-process, recorded in the Dagster instance, and
    publish. Dagster's own log lines stay off the terminal (its console logger only
    speaks at CRITICAL); on a terminal one progress line per step is shown instead."""
    import dagster as dg

    from assets.common.run_records import run_tags
    from pipelines.definitions import defs
    from pipelines.run_errors import failure_line

    job = defs.resolve_job_def("ddas_job")
    loggers = {"progress": {}} if show_progress else {"console": {"config": {"log_level": "CRITICAL"}}}
    with dg.DagsterInstance.get() as instance:
        # Everything loaded so far (modules, definitions, the instance) lives as long as the
        # run: out of the cyclic GC's sight, a full collection no longer walks it (full
        # collections took 0.9 s of a small run, 0.6 s frozen: docs/performance.md)
        gc.freeze()
        try:
            result = job.execute_in_process(instance=instance, raise_on_error=False,
                                            run_config={"loggers": loggers, **run_config(env)},
                                            tags=run_tags(env["DDAS_OUTPUT_DIR"]))
        finally:
            gc.unfreeze()  # back in sight (a caller that goes on, a test process)
        if result.success:
            return True, None
        return False, failure_line(result.all_events)


@click.group()
@click.version_option(package_name="ddas-pipeline", prog_name="ddas")
def main() -> None:
    """DDAS pipeline: debt-assistance deliveries in, relapse and aftercare indicators out."""


@main.command()
@click.option("--landing", type=click.Path(file_okay=False), help="Landing folder (DDAS_LANDING_DIR).")
@click.option("--output", type=click.Path(file_okay=False), help="Output folder (DDAS_OUTPUT_DIR).")
@click.option("--peildatum", help="Reference date YYYY-MM-DD (DDAS_PEILDATUM); default today in Europe/Amsterdam.")
@click.option("--historie-vanaf", "historie_vanaf",
              help="Date YYYY-MM-DD where the delivered history starts (DDAS_HISTORIE_VANAF); default the earliest aanmelddatum.")
@click.option("--accepteer-krimp", "accepteer_krimp", is_flag=True, default=False,
              help="Publish although accepted records fell more than 20 % against the published run (DDAS_ACCEPTEER_KRIMP=1).")
@click.option("--volledig", is_flag=True, default=False,
              help="Read every delivery again and compute every step, rebuilding the caches of reader results and step outputs (DDAS_VOLLEDIG=1).")
def run(landing, output, peildatum, historie_vanaf, accepteer_krimp, volledig) -> None:
    """Materialise every asset once through Dagster and publish the outputs as one set.
    Needs DDAS_PSEUDONYM_KEY (>= 32 characters)."""
    try:
        env = prepare_environment(landing, output, peildatum, historie_vanaf, accepteer_krimp, volledig)
    except Refusal as e:
        _fail(str(e))
    _run_and_report(env)


def _run_and_report(env: dict) -> None:
    """Hold the output folder's lock for the whole run: a second run says so at once."""
    tty = sys.stderr.isatty() or os.environ.get("DDAS_PROGRESS") == "1"
    out = Path(env["DDAS_OUTPUT_DIR"])
    lock = publish.lock_path(out)
    try:
        run_lock.acquire(lock, mask_digits(str(out)))
    except run_lock.RunBusy as e:
        _fail(str(e), EXIT_BUSY)
    try:
        publish.check_writable(out, publish.published_folders(out))
        click.echo(f"ddas: peildatum {env['DDAS_PEILDATUM']}, landing {env['DDAS_LANDING_DIR']}")
        ok, why = execute(show_progress=tty, env=env)
    except publish.PublishError as e:
        ok, why = False, str(e)
    finally:
        run_lock.release(lock)
    if not ok:
        _fail(why)
    click.echo(f"ddas: run succeeded; outputs published in {out}")
    for sub in ("indicatoren", "model", "kwaliteit"):
        for f in sorted((out / sub).glob("*.parquet")):
            click.echo(f"  {f}")
    if (out / "rapport" / "index.html").exists():
        click.echo(f"  {out / 'rapport' / 'index.html'} (report: open in a browser)")
    click.echo(f"ddas: run recorded in the Dagster instance at {env['DAGSTER_HOME']}")


@main.command()
@click.option("--workdir", type=click.Path(file_okay=False), default="demo", show_default=True,
              help="Where the demo landing folder and outputs are written.")
@click.option("--persons", type=int, default=5000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo(workdir, persons, seed) -> None:
    """Generate synthetic deliveries and run the pipeline on them with the built-in DEMO key."""
    from ddas_generator import generate

    work = Path(workdir)
    landing, output = work / "landing", work / "output"
    click.echo(f"ddas demo: generating {persons} synthetic persons into {landing} (seed {seed})", err=True)
    generate(landing, persons=persons, seed=seed)
    os.environ["DDAS_PSEUDONYM_KEY"] = DEMO_KEY
    click.echo("ddas demo: using the built-in DEMO key (synthetic data only; a real run needs DDAS_PSEUDONYM_KEY)", err=True)
    try:
        env = prepare_environment(str(landing), str(output), os.environ.get("DDAS_PEILDATUM"),
                                  accepteer_krimp=True)  # a new demo population is not a drop
    except Refusal as e:
        _fail(str(e))
    _run_and_report(env)


@main.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Landing folder to write.")
@click.option("--persons", type=click.IntRange(min=1), required=True, help="Number of synthetic persons (at least 1).")
@click.option("--seed", type=int, default=1, show_default=True)
def generate(out, persons, seed) -> None:
    """Write synthetic deliveries of all four kinds (DDAS, legacy CSV, aftercare, early warning) plus their ground truth (in OUT/ground_truth)."""
    from ddas_generator import generate as gen

    click.echo(f"ddas generate: wrote {out}\n{summary_lines(gen(Path(out), persons=persons, seed=seed))}")


def summary_lines(summary: dict, indent: int = 2) -> str:
    """The generator's summary as indented `name: value` lines (nested counts one level
    deeper, lists joined by commas, integers with thousands separators)."""
    lines = []
    for k, v in summary.items():
        if isinstance(v, dict):
            lines.append(f"{' ' * indent}{k}:")
            lines.append(summary_lines(v, indent + 2))
        elif isinstance(v, list):
            lines.append(f"{' ' * indent}{k}: {', '.join(map(str, v)) or '-'}")
        else:
            lines.append(f"{' ' * indent}{k}: {f'{v:,}' if isinstance(v, int) and not isinstance(v, bool) else v}")
    return "\n".join(lines)


from pipelines.trace import trace; main.add_command(trace)  # noqa: E402,E702  (ddas trace)


def entry() -> None:
    """The `ddas` command. After the command has finished (outputs written, the Dagster
    instance closed, output flushed) the process ends without tearing down the
    interpreter: at national scale freeing the heap object by object took 0.6 s and
    changes nothing on disk (docs/performance.md)."""
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    logging.shutdown()  # flushes every log handler, as the interpreter would at exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    entry()
