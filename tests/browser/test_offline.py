"""The offline briefing file: opened from file:// with every network request blocked, every chart draws, the keys move
between charts, and nothing is requested."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.browser.conftest import ARTIFACTS, ROOT

SHOTS = ARTIFACTS / "offline"
DRAWN = """el => {
  const svg = el.querySelector('.main-svg');
  const marks = el.querySelectorAll('.barlayer .point path, .scatterlayer .trace path, .scatterlayer .point,'
                                    + ' .choroplethlocation, .geo .scattergeo .point').length;
  return {svg: !!svg, marks, traces: (el.data || []).length};
}"""


@pytest.fixture(scope="module")
def offline_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("offline") / "briefing.html"
    proc = subprocess.run([sys.executable, "-m", "dashboard.offline", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def test_offline_file_is_one_file_under_6_mb_with_plotly_once(offline_file):
    text = offline_file.read_text(encoding="utf-8")
    assert offline_file.stat().st_size <= 6 * 1024 * 1024
    assert text.count("* plotly.js v") == 1  # the library inlined once
    assert "<script src" not in text and "<link" not in text and "@import" not in text and "@font-face" not in text
    assert "MathJax" not in text.split("* plotly.js v")[0]  # no MathJax loader in the page's own markup


def test_offline_file_draws_every_chart_with_the_network_blocked(browser, offline_file, dataset):
    from dashboard import export
    from dashboard.views import briefing

    views = briefing.slides(dataset, True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    attempts: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})

    def guard(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            attempts.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    page = ctx.new_page()
    page.on("request", lambda r: None if r.url.startswith(("file://", "data:", "blob:")) else attempts.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(offline_file.as_uri())
    try:
        for i, v in enumerate(views, start=1):
            if i > 1:
                page.keyboard.press(("ArrowRight", "PageDown", "Space")[i % 3])
            chart = page.locator(f"#chart-{i}")
            chart.wait_for(state="visible", timeout=20000)
            page.wait_for_selector(f"#chart-{i}[data-drawn='1']", timeout=20000)
            page.wait_for_timeout(300)
            got = chart.evaluate(DRAWN)
            assert got["svg"] and got["traces"] == len(v.figure.data) and got["marks"] > 0, (v.slug, got)
            assert page.locator(f"#slide-{i} h2").text_content() == v.title
            assert v.source in page.locator(f"#slide-{i} .source").inner_text()
            assert page.url.endswith(f"#{i}")
            link = export.briefing_link(i, v)
            assert any(f"View: {link}" in x for x in chart.locator(".annotation-text").all_text_contents())
            page.screenshot(path=str(SHOTS / f"{i:02d}-{v.slug}.png"))
        # the map's base layer came from the file: land and country lines drawn
        page.keyboard.press("Home")
        page.wait_for_function("window.briefing.current() === 0")
        assert page.locator("#chart-1 .geo .layer.land path, #chart-1 .geo .layer.countries path").count() > 0
        page.keyboard.press("End")
        page.wait_for_function(f"window.briefing.current() === {len(views) - 1}")
        page.keyboard.press("PageUp")
        page.wait_for_function(f"window.briefing.current() === {len(views) - 2}")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(f"window.briefing.current() === {len(views) - 3}")
        # quotes of the current chart are in the file, as text
        assert views[len(views) - 3].evidence["quote"].iloc[0] in page.locator(
            f"#slide-{len(views) - 2} details").text_content()
        # hover works offline: a bar chart shows its hover label
        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")
        page.wait_for_selector("#chart-2[data-drawn='1']")
        box = page.locator("#chart-2 .barlayer .point path").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector("#chart-2 .hoverlayer .hovertext", timeout=5000)
        # print: every chart laid out, one per page
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.wait_for_function(f"document.querySelectorAll('.chart[data-drawn=\"1\"]').length === {len(views)}")
        assert page.locator("section.slide:visible").count() == len(views)
        breaks = page.evaluate("[...document.querySelectorAll('section.slide')].map(s => getComputedStyle(s)"
                               ".breakAfter)")
        assert breaks[:-1] == ["page"] * (len(views) - 1)
        page.pdf(path=str(SHOTS / "print.pdf"), landscape=True)
    finally:
        ctx.close()
    assert not errors, errors
    assert attempts == [], f"requests left the file: {attempts}"
