"""The whole app in Debian's Chromium: every page renders, nothing leaves the machine, clicks and URLs work."""

from __future__ import annotations

import struct
import time
from urllib.parse import urlparse

import pytest

from dashboard.nav import PAGES
from tests.browser.conftest import ARTIFACTS, wait_for_app

MIN_CHARTS = {"overview": 0, "map": 1, "sanctions": 2, "money": 1, "markets": 1, "companies": 0, "sources": 0,
              "briefing": 1}


def _off_host(requests: list[str], app_url: str) -> list[str]:
    host = urlparse(app_url).netloc
    return [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != host]


def _assert_clean(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0, "a Python exception reached the page"
    body = pg.locator("body").inner_text()
    assert "This view could not be drawn" not in body
    assert "Traceback" not in body
    assert "Page not found" not in body


@pytest.mark.parametrize("url_path", [p[0] for p in PAGES])
def test_every_page_renders_offline_and_is_saved_as_a_screenshot(page, url_path):
    # the default page lives at "/" (Streamlit answers /overview with "page not found", then falls back)
    page.goto(f"{page.app_url}/{'' if url_path == PAGES[0][0] else url_path}")
    wait_for_app(page, charts=MIN_CHARTS[url_path])
    _assert_clean(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page-{url_path}.png"), full_page=True)
    assert _off_host(page.requests_made, page.app_url) == []
    # the base map must come from the app itself, never from Plotly's CDN
    if url_path == "map":
        assert any("/app/static/topojson/" in u for u in page.requests_made)
    # the tab icon is the app's own, inlined (a file path made every run read and resize it)
    icon = page.locator('link[rel~="icon"]').first.get_attribute("href")
    assert icon.startswith("data:image/png;base64,") and len(icon) > 200


def test_clicking_a_map_marker_opens_its_detail_panel(page):
    page.goto(f"{page.app_url}/map")
    wait_for_app(page, charts=1)
    points = page.locator(".js-plotly-plot .scattergeo path.point")
    assert points.count() > 5
    # the largest marker (Nur-Sultan's 2,000 Huawei cameras) is the easiest target
    boxes = [points.nth(i).bounding_box() for i in range(points.count())]
    box = max((b for b in boxes if b), key=lambda b: b["width"] * b["height"])
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    time.sleep(0.3)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("text=Records for", timeout=30000)
    wait_for_app(page, charts=1)
    _assert_clean(page)
    assert "city=" in page.url
    assert page.locator("blockquote").count() >= 1  # the quote is on screen, one click from the marker


def test_a_changed_filter_survives_reopening_the_url(page, browser):
    page.goto(f"{page.app_url}/map")
    wait_for_app(page, charts=1)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Country layer").click()
    page.get_by_role("option", name="Documented financing").click()
    wait_for_app(page, charts=1)
    deadline = time.time() + 10
    while "layer=financing" not in page.url and time.time() < deadline:
        time.sleep(0.2)
    assert "layer=financing" in page.url
    other = browser.new_page(viewport={"width": 1280, "height": 720})
    other.goto(page.url)
    wait_for_app(other, charts=1)
    box = other.locator('[data-testid="stSelectbox"]').filter(has_text="Country layer")
    assert box.locator("input").first.input_value() == "Documented financing"
    assert "Documented financing" in other.locator(".js-plotly-plot").first.text_content()
    other.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_camera_button_downloads_a_1920_wide_png(page, tmp_path):
    page.goto(f"{page.app_url}/map")
    wait_for_app(page, charts=1)
    chart = page.locator(".js-plotly-plot").first
    chart.hover()
    button = page.locator('.modebar-btn[data-title^="Download plot"]').first
    with page.expect_download(timeout=60000) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    width, height = _png_size(path.read_bytes())
    assert (width, height) == (1920, 1080)
    assert path.name.endswith(".png") and len(path.stem) > 5  # named after the chart, not "newplot"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "camera-export.png").write_bytes(path.read_bytes())


@pytest.mark.parametrize("url_path", ["map", "sanctions"])
def test_presentation_mode_hides_chrome_and_raises_chart_text(page, url_path):
    page.goto(f"{page.app_url}/{url_path}?present=1")
    wait_for_app(page, charts=1)
    _assert_clean(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    sizes = page.eval_on_selector_all(
        ".js-plotly-plot .main-svg text",
        "els => els.filter(e => e.textContent.trim() && e.getBBox().width > 0)"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))",
    )
    assert sizes and min(sizes) >= 18, f"smallest chart text {min(sizes)}px"
    page.screenshot(path=str(ARTIFACTS / f"present-{url_path}.png"))
