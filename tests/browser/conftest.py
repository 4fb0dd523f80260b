"""Real-browser fixtures: the app served on a free localhost port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(
                    reason=f"no Chromium at {CHROMIUM}: install Debian's with `apt-get install chromium` "
                           "(Playwright's own browser download cannot work offline)"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(log_name: str = "streamlit.log", env: dict | None = None):
    """`streamlit run dashboard/app.py` on a free port (extra environment in env), its URL while the block runs."""
    port = _free_port()
    log = open(ARTIFACTS.mkdir(exist_ok=True) or ARTIFACTS / log_name, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"the app did not start within 60 s; see test-artifacts/{log_name}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def app_url():
    """The app on a free port for the whole session."""
    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh 1280x720 page that records every request it makes, as `page.requests_made`."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    pg = ctx.new_page()
    pg.requests_made = []
    pg.on("request", lambda r: pg.requests_made.append(r.url))
    pg.app_url = app_url
    yield pg
    ctx.close()


def wait_for_app(pg, charts: int = 0, timeout: float = 45) -> None:
    """Wait until Streamlit has finished running the script and the expected Plotly charts are drawn."""
    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    # The status widget shows only after a script has run a while: a page whose first run is quick but not instant
    # would look finished before it drew anything. The app's script state says when the first run is over.
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout * 1000)
    deadline = time.time() + timeout
    while time.time() < deadline:
        running = pg.locator('[data-testid="stStatusWidget"]').count()
        drawn = pg.locator(".js-plotly-plot .main-svg").count()
        if not running and drawn >= charts:
            time.sleep(0.5)
            if not pg.locator('[data-testid="stStatusWidget"]').count():
                return
        time.sleep(0.25)
    raise AssertionError(f"page not ready after {timeout}s (charts drawn: {drawn}, wanted {charts})")
