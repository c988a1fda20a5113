"""End-to-end in a real browser: `dagster dev` serves the asset graph and the last run.

Marked `ui` (run with `pytest -m ui`): it starts the webserver and Debian's headless
Chromium (/usr/bin/chromium with /usr/bin/chromedriver; nothing is downloaded).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import chromium
from tests.builders import csv_file, ddas_file, traject
from tests.conftest import TEST_KEY, valid_bsns

pytestmark = pytest.mark.ui
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("Debian packages chromium and chromium-driver are required (apt-get install chromium chromium-driver)")
    root = tmp_path_factory.mktemp("ui")
    land, out, home = root / "landing", root / "output", root / "home"
    b = valid_bsns(4, seed=11)
    ddas_file(land / "ddas/levering.json", [traject([b[0]], aanmelding="2023-01-10", eind="2023-09-01", reden="Afgerond"),
                                             traject([b[1], b[2]], aanmelding="2024-03-01")])
    csv_file(land / "shv_csv/GM0344_20240131.csv", [["D1", b[3], "", "01-02-2023", "", "MSR", "", "", "", "", "", ""]])
    home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home), "DDAS_LANDING_DIR": str(land), "DDAS_OUTPUT_DIR": str(out),
           "DDAS_PEILDATUM": "2025-06-30", "DDAS_PSEUDONYM_KEY": TEST_KEY}
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    port = _free_port()
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.Popen([str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/server_info")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def _wait_text(driver, needles: list[str], timeout: float = 90) -> str:
    deadline = time.time() + timeout
    body = ""
    while time.time() < deadline:
        body = driver.find_element("tag name", "body").text
        if all(n in body for n in needles):
            return body
        time.sleep(1)
    raise AssertionError(f"not all of {needles} shown; page text starts: {body[:500]!r}")


def _wait_text_scrolling(driver, needles: list[str], timeout: float = 90) -> None:
    """Like _wait_text for a virtualised list that draws only the rows in view: scroll every
    scrollable element down step by step, remembering what has been shown."""
    deadline = time.time() + timeout
    seen = ""
    while time.time() < deadline:
        seen += "\n" + driver.find_element("tag name", "body").text
        if all(n in seen for n in needles):
            return
        driver.execute_script(
            "document.querySelectorAll('*').forEach(e => {"
            " if (e.scrollHeight > e.clientHeight + 10) { e.scrollTop = e.scrollTop + 300 >= e.scrollHeight ? 0 : e.scrollTop + 300; } });")
        time.sleep(0.5)
    missing = [n for n in needles if n not in seen]
    raise AssertionError(f"never shown while scrolling: {missing}; last text: {seen[-3000:]!r}")


def _dismiss_welcome(driver) -> None:
    """The first visit shows a 'Join the Dagster community' dialog; skip it before screenshots."""
    for button in driver.find_elements("xpath", "//button[normalize-space()='Skip']"):
        button.click()
        time.sleep(1)


def test_asset_graph_shows_every_asset(server, browser):
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = [k.to_user_string() for k in graph.get_all_asset_keys()]
    # The catalog lists what can be materialised; the observable landing source shows only
    # once it has been observed (the sensor does that in production, not this test).
    made = [k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_materializable]
    assert "landing" in keys and "landing" not in made
    browser.get(f"{server}/assets")
    _wait_text_scrolling(browser, made)
    browser.get(f"{server}/asset-groups")  # the lineage graph, one box per group
    _wait_text(browser, ["Global asset lineage", "ingest", "quality", "harmonise", "indicators", f"Materialize all ({len(keys) - 1})"])
    time.sleep(2)
    _dismiss_welcome(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "asset_graph.png"))
    assert (ARTIFACTS / "asset_graph.png").stat().st_size > 10_000


def test_last_run_succeeded_and_schedule_is_listed(server, browser):
    browser.get(f"{server}/runs")
    _wait_text(browser, ["Success", "ddas_job"])
    _dismiss_welcome(browser)
    browser.save_screenshot(str(ARTIFACTS / "runs.png"))
    browser.get(f"{server}/automation")
    _wait_text(browser, ["nightly_load", "landing_sensor"])
