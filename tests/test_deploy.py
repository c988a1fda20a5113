"""Deployment test: the shipped deploy/ folder on a real PostgreSQL server.

Marked `deploy` (run with `pytest -m deploy`). It starts a throwaway PostgreSQL cluster
(Debian's `postgresql` package; as the `postgres` user when run as root), then
`dagster-daemon` and `dagster-webserver` with the command lines of the systemd units, the
environment of the example environment files and deploy/dagster.yaml unchanged. Then:

1. a new landing folder makes the sensor start a run, which succeeds and is recorded in
   PostgreSQL; a second request made while it runs waits in the queue;
2. that second run's process is killed (SIGKILL): the run is marked failed, and the run
   queued behind it publishes the whole output set, equal to a clean `ddas run`.

Everything it starts (daemon, webserver, their code servers and runs, PostgreSQL) is
stopped at the end, also when a step fails.
"""
from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from tests.conftest import TEST_KEY

pytestmark = [pytest.mark.deploy,  # dagster-graphql's client calls gql the old way
              pytest.mark.filterwarnings("ignore:Using variable_values:DeprecationWarning")]
ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
PEILDATUM = "2026-06-30"
# Quoted into the connection URL by Dagster: '@', ':', '/' and '%' must survive.
PG_PASSWORD = "t3st@pass:w/rd%x"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path:
    """The folder of initdb, pg_ctl and psql of one PostgreSQL version: the initdb on PATH
    (followed through links), else Debian's newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not versions:
        pytest.fail("PostgreSQL's initdb not found: apt-get install postgresql")
    return versions[-1].parent


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{shlex.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def _wait(what: str, probe, timeout: float, every: float = 0.5):
    """Poll `probe` until it returns something truthy; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@pytest.fixture(scope="module")
def postgres():
    """A throwaway cluster on 127.0.0.1 and a free port, in a folder the postgres user owns."""
    initdb, pg_ctl, psql = (str(_pg_bin() / tool) for tool in ("initdb", "pg_ctl", "psql"))
    folder = Path(tempfile.mkdtemp(prefix="ddas-deploy-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()
    try:
        # Local socket (in `folder`) for the test's admin, a password over TCP for Dagster.
        _run(_as_postgres([initdb, "-D", str(data), "-U", "postgres", "--auth-local=trust",
                           "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8"]))
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(_as_postgres([pg_ctl, "-D", str(data), "-l", str(folder / "postgres.log"), "-o", options,
                           "-w", "-t", "60", "start"]))
        admin = [psql, "-h", str(folder), "-p", str(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
        _run(_as_postgres([*admin, "-c", f"CREATE ROLE ddas_dagster LOGIN PASSWORD '{PG_PASSWORD}'",
                           "-c", "CREATE DATABASE ddas_dagster OWNER ddas_dagster"]))
        yield SimpleNamespace(port=port, db="ddas_dagster", user="ddas_dagster", password=PG_PASSWORD,
                              folder=folder, admin=admin)
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a systemd environment file (comments and blank lines skipped)."""
    pairs = [line.split("=", 1) for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return {k.strip(): v.strip() for k, v in pairs}


def _unit(name: str) -> tuple[list[str], list[str]]:
    """ExecStart as argv and the EnvironmentFile paths of a shipped systemd unit."""
    lines = (DEPLOY / "systemd" / name).read_text().splitlines()
    exec_start = next(line.split("=", 1)[1] for line in lines if line.startswith("ExecStart="))
    return shlex.split(exec_start), [line.split("=", 1)[1] for line in lines if line.startswith("EnvironmentFile=")]


def _env_refs(node) -> set[str]:
    """Every `{ env: NAME }` in a parsed dagster.yaml."""
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return {node["env"]}
        return set().union(*(_env_refs(v) for v in node.values()))
    return set().union(*(_env_refs(v) for v in node)) if isinstance(node, list) else set()


def _graphql(url: str, query: str) -> dict:
    req = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["data"]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the service's process group (its code servers and runs), SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 45), (signal.SIGKILL, 15)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            os.killpg(proc.pid, signal.SIGKILL)  # children that outlived the service
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def deployment(postgres, tmp_path_factory):
    """Daemon and webserver as the systemd units start them, on the shipped dagster.yaml."""
    work = tmp_path_factory.mktemp("deploy")
    home = work / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    shutil.copy(DEPLOY / "workspace.yaml", work / "workspace.yaml")
    port = _free_port()
    values = {
        "DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(postgres.port),
        "DAGSTER_PG_DB": postgres.db, "DAGSTER_PG_USERNAME": postgres.user, "DAGSTER_PG_PASSWORD": postgres.password,
        "DDAS_LANDING_DIR": str(work / "landing"), "DDAS_OUTPUT_DIR": str(work / "output"),
        "DDAS_PSEUDONYM_KEY": TEST_KEY,
    }
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DDAS_", "DAGSTER_"))}
    # This checkout's code, also when the venv holds another install of the package.
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    base["DDAS_PEILDATUM"] = PEILDATUM  # fixed for a comparable output; unset in production

    def unit_env(unit: str) -> dict[str, str]:
        """The variables the unit's environment files name, with this test's values."""
        names = {n for f in _unit(unit)[1] for n in _env_file(DEPLOY / (Path(f).name + ".example"))}
        return {**base, **{n: values[n] for n in names}}

    def service(unit: str, log) -> subprocess.Popen:
        argv = _unit(unit)[0]
        argv = [str(BIN / Path(argv[0]).name), *argv[1:]]
        argv = [str(work / "workspace.yaml") if a == "/etc/ddas/workspace.yaml" else a for a in argv]
        if "-p" in argv:
            argv[argv.index("-p") + 1] = str(port)
        return subprocess.Popen(argv, cwd=work, env=unit_env(unit), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    # First install and upgrade alike: the schema is created/migrated before the services start.
    _run([str(BIN / "dagster"), "instance", "migrate"], cwd=work, env=unit_env("dagster-webserver.service"))

    daemon_log, web_log = work / "daemon.log", work / "webserver.log"
    procs: list[subprocess.Popen] = []
    mp = pytest.MonkeyPatch()
    instance = None
    try:
        with daemon_log.open("w") as d_out, web_log.open("w") as w_out:
            procs.append(service("dagster-daemon.service", d_out))
            procs.append(service("dagster-webserver.service", w_out))
        for name in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_DB", "DAGSTER_PG_USERNAME", "DAGSTER_PG_PASSWORD"):
            mp.setenv(name, values[name])
        from dagster import DagsterInstance

        instance = DagsterInstance.from_config(str(home))
        url = f"http://127.0.0.1:{port}"
        _wait("the webserver", lambda: _answers(f"{url}/server_info"), timeout=120)
        yield SimpleNamespace(work=work, home=home, url=url, instance=instance, values=values,
                              daemon_pgid=procs[0].pid, pg=postgres, logs=[daemon_log, web_log])
    finally:
        for proc in procs:
            _stop(proc)
        if instance is not None:
            instance.dispose()
        mp.undo()
        for log in (daemon_log, web_log):
            print(f"--- last lines of {log.name} ---\n{_tail(log)}")


def test_shipped_files_agree():
    """dagster.yaml reads only variables that the example environment files define."""
    config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    defined = set(_env_file(DEPLOY / "ddas.env.example"))
    assert _env_refs(config) == {n for n in defined if n.startswith("DAGSTER_PG_")}
    assert "DDAS_PSEUDONYM_KEY" not in defined, "the key belongs in the daemon's key file only"
    assert len(_env_file(DEPLOY / "ddas-key.env.example")["DDAS_PSEUDONYM_KEY"]) < 32, "a placeholder that a run refuses"
    limits = {lim["key"]: lim for lim in config["concurrency"]["runs"]["tag_concurrency_limits"]}
    assert limits["ddas/uitvoermap"]["limit"] == 1 and limits["ddas/uitvoermap"]["value"] == {"applyLimitPerUniqueValue": True}


def _query(pg, sql: str, *args, db: str | None = None) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=pg.port, dbname=db or pg.db, user=pg.user, password=pg.password)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


def _status_in_postgres(pg, run_ids: list[str]) -> dict[str, str]:
    """Read the runs table itself: proof that the history is in PostgreSQL, not a SQLite fallback."""
    return dict(_query(pg, "SELECT run_id, status FROM runs WHERE run_id = ANY(%s)", run_ids))


def _event_time(instance, run_id: str, event: str) -> float:
    """When `run_id` logged its first event of type `event` (a DagsterEventType name)."""
    from dagster import DagsterEventType

    records = instance.all_logs(run_id, of_type={DagsterEventType[event]})
    assert records, f"run {run_id} has no {event} event"
    return records[0].timestamp


def _finished(instance, run_id: str):
    run = instance.get_run_by_id(run_id)
    return run if run.status.value in FINISHED else None


def _submit(url: str, **tags) -> str:
    from dagster_graphql import DagsterGraphQLClient

    client = DagsterGraphQLClient("127.0.0.1", port_number=int(url.rsplit(":", 1)[1]))
    return client.submit_job_execution("ddas_job", tags={"ddas/test": "deploy", **tags})


def _output_set(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def reference(deployment):
    """The output set of a clean `ddas run` on the same landing, key and peildatum."""
    gen = deployment.work / "generated"
    _run([sys.executable, "-m", "pipelines.cli", "generate", "--out", str(gen), "--persons", "300", "--seed", "1"], cwd=ROOT)
    staged = deployment.work / "landing.staged"
    staged.mkdir()
    for kind in ("ddas", "shv_csv", "nazorg"):
        shutil.move(gen / kind, staged / kind)
    out = deployment.work / "reference"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DDAS_", "DAGSTER_"))},
           "DDAS_PSEUDONYM_KEY": TEST_KEY, "DAGSTER_HOME": str(deployment.work / "cli_home")}
    _run([sys.executable, "-m", "pipelines.cli", "run", "--landing", str(staged), "--output", str(out),
          "--peildatum", PEILDATUM], cwd=ROOT, env=env)
    return SimpleNamespace(landing=staged, outputs=_output_set(out))


@pytest.fixture(scope="module")
def sensor_run(deployment, reference):
    """The landing appears; the sensor starts a run; a second request is made while it runs."""
    from dagster._core.definitions.run_request import InstigatorType
    from dagster._core.scheduler.instigation import TickStatus
    from dagster._core.storage.dagster_run import RunsFilter

    inst = deployment.instance

    def skipped_tick():  # the sensor has looked at the (still missing) landing folder once
        for state in inst.all_instigator_state(instigator_type=InstigatorType.SENSOR):
            if state.instigator_name == "landing_sensor":
                ticks = inst.get_ticks(state.instigator_origin_id, state.selector_id, limit=5)
                return any(t.status == TickStatus.SKIPPED for t in ticks)
        return False

    _wait("the sensor's first tick", skipped_tick, timeout=180)
    os.rename(reference.landing, deployment.values["DDAS_LANDING_DIR"])  # all files appear at once

    def sensor_runs():
        return inst.get_runs(filters=RunsFilter(tags={"dagster/sensor_name": "landing_sensor"}))

    # minimum_interval_seconds=60: the next tick comes within a minute or so
    first = _wait("a run started by the sensor", sensor_runs, timeout=150)[0]
    # NOT_STARTED -> QUEUED -> STARTING -> STARTED: ask for the second run once the first holds the slot
    _wait("the sensor's run to leave the queue",
          lambda: inst.get_run_by_id(first.run_id).status.value not in ("NOT_STARTED", "QUEUED"), timeout=120, every=0.2)
    second = _submit(deployment.url)
    status_after_submit = _status_in_postgres(deployment.pg, [second, first.run_id])
    _wait("the sensor's run to finish", lambda: _finished(inst, first.run_id), timeout=600)
    return SimpleNamespace(first=first.run_id, second=second, seen=status_after_submit)


def test_sensor_run_succeeds_recorded_in_postgres(deployment, sensor_run):
    inst, first = deployment.instance, sensor_run.first
    assert inst.get_run_by_id(first).status.value == "SUCCESS", _tail(deployment.logs[0], 80)
    assert _status_in_postgres(deployment.pg, [first]) == {first: "SUCCESS"}
    assert not (deployment.home / "history").exists(), "no SQLite run storage beside PostgreSQL"
    tags = inst.get_run_by_id(first).tags
    assert tags["ddas/uitvoermap"] == deployment.values["DDAS_OUTPUT_DIR"]
    daemons = _graphql(deployment.url, "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } } }")
    healthy = {d["daemonType"]: d["healthy"] for d in daemons["instance"]["daemonHealth"]["allDaemonStatuses"]}
    assert {"SENSOR", "SCHEDULER", "QUEUED_RUN_COORDINATOR", "MONITORING"} <= {d for d, ok in healthy.items() if ok}, healthy


def test_second_request_waits_in_the_queue(deployment, sensor_run):
    inst = deployment.instance
    assert sensor_run.seen[sensor_run.second] == "QUEUED"
    assert sensor_run.seen[sensor_run.first] not in FINISHED, "the first run must still run when the second is asked"
    assert inst.get_run_by_id(sensor_run.second).tags["ddas/uitvoermap"] == deployment.values["DDAS_OUTPUT_DIR"]
    _wait("the second run to leave the queue", lambda: _finished(inst, sensor_run.first) and
          inst.get_run_by_id(sensor_run.second).status.value != "QUEUED", timeout=120)
    assert _event_time(inst, sensor_run.second, "RUN_STARTING") >= _event_time(inst, sensor_run.first, "RUN_SUCCESS")


def _worker_pid(instance, run_id: str) -> int | None:
    """The run worker's pid, from its 'Started process for run (pid: N)' engine event."""
    from dagster import DagsterEventType

    for record in instance.all_logs(run_id, of_type={DagsterEventType.ENGINE_EVENT}):
        data = record.dagster_event.engine_event_data
        if (record.message or "").startswith("Started process for run") and "pid" in data.metadata:
            return int(data.metadata["pid"].value)
    return None


def test_killed_run_is_failed_and_next_run_publishes_whole_set(deployment, sensor_run, reference):
    from dagster import DagsterEventType

    inst, second = deployment.instance, sensor_run.second
    pid = _wait("the second run's worker process", lambda: _worker_pid(inst, second), timeout=120, every=0.2)
    third = _submit(deployment.url)  # waits behind the second run
    # Kill it mid-run: after it has written something, before it has finished.
    _wait("the second run to materialise an asset",
          lambda: inst.all_logs(second, of_type={DagsterEventType.ASSET_MATERIALIZATION}), timeout=120, every=0.2)
    assert os.getpgid(pid) == deployment.daemon_pgid, "only ever kill a process this test started"
    os.kill(pid, signal.SIGKILL)

    killed = _wait("the killed run to be marked finished", lambda: _finished(inst, second), timeout=120)
    assert killed.status.value == "FAILURE"
    messages = [r.message or "" for r in inst.all_logs(second, of_type={DagsterEventType.ENGINE_EVENT})]
    assert any("signal 9" in m for m in messages), messages[-5:]

    done = _wait("the run queued behind the killed one", lambda: _finished(inst, third), timeout=300)
    assert done.status.value == "SUCCESS", _tail(deployment.logs[0], 80)
    assert _event_time(inst, third, "RUN_STARTING") >= _event_time(inst, second, "RUN_FAILURE")
    assert _status_in_postgres(deployment.pg, [second, third]) == {second: "FAILURE", third: "SUCCESS"}
    published = _output_set(Path(deployment.values["DDAS_OUTPUT_DIR"]))
    assert sorted(published) == sorted(reference.outputs), "leftovers of the killed run, or files missing"
    assert published == reference.outputs
    leftovers = [p for p in deployment.work.rglob(f"*{second}*") if deployment.home not in p.parents]
    assert not leftovers, "the killed run's work folder is cleaned up by the next run"


def test_instance_backup_restores(deployment):
    """docs/deployment.md's backup: pg_dump of the instance, restored into an empty database."""
    pg = deployment.pg
    dump = pg.folder / "instance.dump"
    _run(_as_postgres([str(_pg_bin() / "pg_dump"), "-h", str(pg.folder), "-p", str(pg.port), "-U", "postgres",
                       "-Fc", "-f", str(dump), pg.db]))
    _run(_as_postgres([*pg.admin, "-c", "CREATE DATABASE ddas_dagster_herstel OWNER ddas_dagster"]))
    _run(_as_postgres([str(_pg_bin() / "pg_restore"), "-h", str(pg.folder), "-p", str(pg.port), "-U", "postgres",
                       "--no-owner", "--role=ddas_dagster", "-d", "ddas_dagster_herstel", str(dump)]))
    sql = "SELECT run_id, status FROM runs ORDER BY run_id"
    assert _query(pg, sql, db="ddas_dagster_herstel") == _query(pg, sql)
    assert len(_query(pg, sql)) >= 3
