"""The dashboard in a real browser: Debian's Chromium (scripts/browser installs it) driven by chromedriver, with
JavaScript switched off, against `codi serve` (uvicorn, real Redis) over seeded runs: sign in through the form,
see the rows, narrow them with the stack filter, find the charts' SVG marks drawn, open a report, and no
console error (CSP violations and failed loads included) once signed in. The screenshot is kept: its path is
printed (`$CODI_TEST_ARTIFACTS`, default tests/artifacts/)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from tests.app.conftest import ROOT, SECRET, CodiProcess, test_redis_url
from tests.app.seeded_runs import TOKEN, seed


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium, chromedriver = subprocess.run(
        [ROOT / "scripts" / "browser"], check=True, capture_output=True, text=True
    ).stdout.split()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    yield driver
    driver.quit()


@pytest.fixture
def served(tmp_path: Path, key_path: Path) -> Iterator[str]:
    """`codi serve` on a free port with the API on, over a seeded SQLite database; its base URL."""
    database = f"sqlite:///{tmp_path / 'runs.db'}"
    seed(database)
    environment = {name: value for name, value in os.environ.items() if not name.startswith("CODI_")} | {
        "CODI_WEBHOOK_SECRET": SECRET, "CODI_GITHUB_APP_ID": "1", "CODI_GITHUB_PRIVATE_KEY_PATH": str(key_path),
        "CODI_REDIS_URL": test_redis_url(), "CODI_DATABASE_URL": database, "CODI_DATA_DIR": str(tmp_path / "data"),
        "CODI_API_TOKEN": TOKEN,
    }  # fmt: skip
    server = CodiProcess(["serve", "--port", "0"], environment)
    try:
        yield server.listening()[0]
    finally:
        server.stop()


def artefact(name: str) -> Path:
    folder = Path(os.environ.get("CODI_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def console(driver: webdriver.Chrome) -> list[str]:
    """The browser log's warnings and errors since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def test_the_dashboard_in_chromium(
    browser: webdriver.Chrome, served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    browser.get(f"{served}/dashboard")
    assert browser.find_element(By.TAG_NAME, "h1").text == "codi dashboard"
    assert all("401" in message for message in console(browser))  # the sign-in page is a 401 answer, nothing else
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()

    assert browser.current_url == f"{served}/dashboard"
    assert [row.get_attribute("data-run") for row in browser.find_elements(By.CSS_SELECTOR, "tr.run")] == [
        "6", "5", "4", "3", "2", "1"
    ]  # fmt: skip
    assert "octo/app<script>alert(1)</script>#7" in browser.find_element(By.ID, "runs-table").text
    bars = browser.find_elements(By.CSS_SELECTOR, "#stack-chart g.bar rect")
    assert len(bars) == 2 and all(bar.size["width"] > 1 and bar.size["height"] > 10 for bar in bars)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#trend-chart polyline")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "#trend-chart circle")) == 4
    shot = artefact("dashboard.png")
    assert browser.save_screenshot(str(shot))
    with capsys.disabled():
        print(f"\ndashboard screenshot: {shot}")

    Select(browser.find_element(By.NAME, "stack")).select_by_value("node")
    browser.find_element(By.CSS_SELECTOR, "#filters button").click()
    assert "stack=node" in browser.current_url
    assert [row.get_attribute("data-run") for row in browser.find_elements(By.CSS_SELECTOR, "tr.run")] == [
        "6", "4", "3"
    ]  # fmt: skip
    bars = browser.find_elements(By.CSS_SELECTOR, "#stack-chart g.bar")
    assert [bar.get_attribute("data-stack") for bar in bars] == ["node"]

    browser.find_element(By.LINK_TEXT, "report").click()
    assert browser.current_url == f"{served}/runs/6/report"
    assert browser.find_element(By.TAG_NAME, "h1").text == "codi report: run 6"
    assert console(browser) == []
