"""The report in a real browser: Debian's headless Chromium opens the pages from file://
(as from a file share), the charts are drawn, nothing is fetched; screenshots are kept in
test-artifacts/. Marked `ui` (run with `pytest -m ui`), like tests/test_ui.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from assets.report.build import INDEX, build_report, gemeente_path
from assets.report.write import write_pages
from tests.browser import chromium
from tests.test_report import report_data

pytestmark = pytest.mark.ui
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rapport")
    write_pages(out, build_report(report_data()))
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium"), window="1300,1000", page_load_timeout=60)
    yield driver
    driver.quit()


def _charts(driver) -> list[dict]:
    """Size of every chart and how many drawn values (points, bars) it holds."""
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('svg.grafiek')).map(s => {
            const r = s.getBoundingClientRect();
            return {id: s.id, w: r.width, h: r.height,
                    drawn: s.querySelectorAll('[id*="-punt"], [id*="-balk-"]').length};
        });""")


def _full_page_screenshot(driver, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1300, min(int(height) + 40, 6000))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    driver.set_window_size(1300, 1000)


@pytest.mark.parametrize("rel,min_charts", [(INDEX, 4), (gemeente_path("GM0518"), 2)])
def test_page_draws_its_charts_offline(site, browser, rel, min_charts):
    browser.get((site / rel).as_uri())
    charts = _charts(browser)
    assert len(charts) >= min_charts, charts
    for c in charts:
        assert c["w"] > 100 and c["h"] > 50 and c["drawn"] > 0, c
    # nothing was loaded besides the page itself (no font, style, script or image from anywhere)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    _full_page_screenshot(browser, ARTIFACTS / f"rapport_{Path(rel).stem}.png")


def test_suppressed_years_show_their_label_in_the_chart(site, browser):
    browser.get((site / gemeente_path("GM0518")).as_uri())
    notes = browser.execute_script("""
        return Array.from(document.querySelectorAll('[id^="GM0518-terugval-noot-gm-"]')).map(g => {
            const r = g.getBoundingClientRect();
            return [g.id, g.textContent.trim(), r.width > 0 && r.height > 0];
        });""")
    shown = {i.rsplit("-", 1)[1]: (text, visible) for i, text, visible in notes}
    assert shown["2019"] == ("onderdrukt", True) and shown["2020"] == ("onderdrukt (secundair)", True)
    assert shown["2021"] == ("geen trajecten", True)
    links = browser.execute_script("return Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert links and all(h.startswith("file://") for h in links)
