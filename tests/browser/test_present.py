"""Presenting in Chromium at 1280x720 and 1920x1080: slides that fit the window, clicker keys, pages in present mode."""

from __future__ import annotations

import time

import pytest

from dashboard import briefing
from dashboard.nav import PAGES
from tests.browser.conftest import ARTIFACTS, wait_for_app

SIZES = [(1280, 720), (1920, 1080)]
TOTAL = len(briefing.SLIDES)

# Boxes of the slide's parts: the chart, its title (the finding), its source line, and the "N / 8" counter.
BOXES = """() => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height}; };
  const chart = document.querySelector('.st-key-slide_chart .js-plotly-plot');
  const texts = [...document.querySelectorAll('.st-key-slide_chart .annotation-text')];
  return {chart: box(chart), title: box(document.querySelector('.st-key-slide_chart .gtitle')),
          source: box(texts.find(t => t.textContent.startsWith('Source:'))),
          counter: box([...document.querySelectorAll('.st-key-slide_bar p')].find(p => / \\/ /.test(p.textContent))),
          counterText: ([...document.querySelectorAll('.st-key-slide_bar p')].find(p => / \\/ /.test(p.textContent))
                        || {}).textContent};
}"""
# Every element that scrolls (or would, if its overflow were visible to the user): none may on a slide.
SCROLLERS = """() => {
  const doc = document.documentElement;
  const out = doc.scrollHeight > innerHeight ? [['document', doc.scrollHeight, innerHeight]] : [];
  for (const e of document.querySelectorAll('body *')) {
    const cs = getComputedStyle(e);
    if (['auto', 'scroll'].includes(cs.overflowY) && e.scrollHeight > e.clientHeight + 1)
      out.push([e.getAttribute('data-testid') || e.className.toString().slice(0, 40), e.scrollHeight, e.clientHeight]);
  }
  return out;
}"""


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def screen(request, browser, app_url):
    w, h = request.param
    ctx = browser.new_context(viewport={"width": w, "height": h})
    pg = ctx.new_page()
    pg.app_url, pg.size = app_url, (w, h)
    yield pg
    ctx.close()


def _step(pg) -> str:
    return dict(p.split("=") for p in pg.url.split("?", 1)[1].split("&")).get("step", "1") if "?" in pg.url else "1"


def _inside(box: dict, w: int, h: int) -> bool:
    return box is not None and box["top"] >= 0 and box["left"] >= 0 and box["bottom"] <= h and box["right"] <= w


@pytest.mark.parametrize("step", range(1, TOTAL + 1))
def test_every_slide_fits_the_window_with_nothing_to_scroll(screen, step):
    pg, (w, h) = screen, screen.size
    pg.goto(f"{pg.app_url}/briefing?present=1&step={step}")
    wait_for_app(pg, charts=1)
    time.sleep(0.5)  # the chart re-lays itself out to the window's height
    boxes = pg.evaluate(BOXES)
    slug = briefing.SLIDES[step - 1][0]
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"slide-{w}x{h}-{step}-{slug}.png"))
    for part in ("chart", "title", "source", "counter"):
        assert _inside(boxes[part], w, h), f"slide {step} at {w}x{h}: the {part} is not inside the window: {boxes}"
    assert boxes["counterText"].strip() == f"{step} / {TOTAL}"
    assert boxes["chart"]["height"] >= h / 3, f"the chart takes {boxes['chart']['height']}px of {h}px"
    assert pg.evaluate(SCROLLERS) == []
    assert not pg.locator('[data-testid="stSidebar"]').is_visible()
    assert not pg.locator('header[data-testid="stHeader"]').is_visible()
    assert pg.locator('[data-testid="stException"]').count() == 0


def test_clicker_and_keyboard_keys_move_the_step_and_the_url(screen):
    pg = screen
    pg.goto(f"{pg.app_url}/briefing?present=1")
    wait_for_app(pg, charts=1)
    for key, want in [("PageDown", 2), (" ", 3), ("ArrowRight", 4), ("ArrowLeft", 3), ("PageUp", 2),
                      ("End", TOTAL), ("ArrowRight", TOTAL), ("Home", 1), ("ArrowLeft", 1)]:
        pg.keyboard.press(key)
        deadline = time.time() + 20
        while time.time() < deadline and _step(pg) != str(want):
            time.sleep(0.1)
        wait_for_app(pg, charts=1)
        assert _step(pg) == str(want), f"after {key!r} the URL says step {_step(pg)}, wanted {want}"
        assert pg.evaluate(BOXES)["counterText"].strip() == f"{want} / {TOTAL}"


def test_a_shared_slide_link_opens_on_its_slide_and_the_switch_leaves_the_step(screen):
    pg = screen
    pg.goto(f"{pg.app_url}/briefing?step=3")
    wait_for_app(pg, charts=1)
    assert pg.locator('[data-testid="stExpander"]').count() == 1  # the evidence table, out of presentation mode
    pg.get_by_test_id("stCheckbox").get_by_text("Presentation mode").click()
    deadline = time.time() + 20
    while time.time() < deadline and "present=1" not in pg.url:
        time.sleep(0.1)
    wait_for_app(pg, charts=1)
    assert "present=1" in pg.url and _step(pg) == "3"
    pg.wait_for_selector(".st-key-slide_chart .js-plotly-plot")
    assert pg.evaluate(BOXES)["counterText"].strip() == f"3 / {TOTAL}"


@pytest.mark.parametrize("url_path", [p[0] for p in PAGES if p[0] != "briefing"])
def test_every_page_in_presentation_mode_shows_its_first_chart_on_the_first_screen(screen, url_path):
    pg, (w, h) = screen, screen.size
    # the default page lives at "/" (Streamlit answers /overview with "page not found")
    pg.goto(f"{pg.app_url}/{'' if url_path == PAGES[0][0] else url_path}?present=1")
    charts = 0 if url_path in ("overview", "companies", "sources") else 1
    wait_for_app(pg, charts=charts)
    time.sleep(0.5)
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"present-{w}x{h}-{url_path}.png"))
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert "Page not found" not in pg.locator("body").inner_text()
    first = pg.evaluate("() => { const c = document.querySelector('.js-plotly-plot'); if (!c) return null;"
                        " const r = c.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left,"
                        " right: r.right, height: r.height}; }")
    if charts:
        assert _inside(first, w, h), f"{url_path} at {w}x{h}: first chart at {first}"
        assert first["height"] >= h / 3


def test_the_map_slide_fills_the_frame_with_its_legend_inside(screen):
    pg, (w, h) = screen, screen.size
    pg.goto(f"{pg.app_url}/briefing?present=1&step=1")
    wait_for_app(pg, charts=1)
    pg.wait_for_selector(".st-key-slide_chart .geolayer .geo .frame")
    time.sleep(0.5)
    boxes = pg.evaluate("""() => {
      const b = s => { const r = document.querySelector(s).getBoundingClientRect();
                       return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, w: r.width, h: r.height}; };
      return {frame: b('.st-key-slide_chart .geolayer .geo .frame'), legend: b('.st-key-slide_chart .legend'),
              bar: b('.st-key-slide_chart .colorbar')};
    }""")
    frame = boxes["frame"]
    assert frame["w"] * frame["h"] >= 0.45 * w * h, f"land and sea take {frame['w'] * frame['h'] / (w * h):.0%}"
    for part in ("legend", "bar"):
        box = boxes[part]
        assert (frame["left"] - 1 <= box["left"] and box["right"] <= frame["right"] + 1
                and frame["top"] - 1 <= box["top"] and box["bottom"] <= frame["bottom"] + 1), (part, boxes)
