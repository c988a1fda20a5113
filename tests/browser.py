"""Debian's headless Chromium for the browser tests (nothing is downloaded): one place for
the flags this machine's closed network needs."""
from __future__ import annotations

import shutil

import pytest

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def chromium(profile_dir, window: str = "1600,1000", page_load_timeout: int = 120):
    """A selenium driver for /usr/bin/chromium with a fresh profile in `profile_dir`."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("Debian packages chromium and chromium-driver are required (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in (*FLAGS, f"--window-size={window}", f"--user-data-dir={profile_dir}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(page_load_timeout)
    return driver
