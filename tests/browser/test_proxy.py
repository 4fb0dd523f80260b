"""Every page through `make serve-team` (nginx + two replicas) in Chromium: drawn, no console error under the CSP."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dashboard.nav import PAGES
from deploy.serve_team import NGINX
from tests.browser.conftest import ARTIFACTS, wait_for_app
from tests.browser.test_browser import MIN_CHARTS, _assert_clean, _off_host

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(),
                                reason="no nginx: `make setup` (as root) or `apt-get install nginx` installs it")


# Streamlit's client, opened at /map, first asks /map/_stcore/health and /map/_stcore/host-config in case the app is
# served under a /map base path; the 404s are how it learns the base path is /, with or without a proxy.
PROBE = re.compile(r"(HTTP 404 |404 \(Not Found\) at )http://[^/]+/[a-z]+/_stcore/(health|host-config)$")


# Each name drawn alone in the icon font at 20 px: an icon is about 20 px wide, a name the font lacks ten times that.
ICON_WIDTHS = """(names) => Object.fromEntries(names.map((n) => {
    const s = document.createElement('span');
    s.style.cssText = "font-family:'Material Symbols Rounded';font-size:20px;position:absolute;white-space:nowrap";
    s.textContent = n;
    document.body.appendChild(s);
    const w = s.getBoundingClientRect().width;
    s.remove();
    return [n, w];
}))"""


CASES = [(p[0], "") for p in PAGES] + [("map", "?present=1"), ("briefing", "?present=1")]  # + presentation CSS


@pytest.mark.parametrize("url_path,query", CASES, ids=[u + q for u, q in CASES])
def test_every_page_through_the_proxy_under_its_csp(browser, team, url_path, query):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    problems, requests, encodings = [], [], {}
    pg.on("console", lambda m: problems.append(f"console {m.text} at {m.location.get('url')}")
          if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("websocket", lambda w: requests.append(w.url))
    pg.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    pg.on("response", lambda r: encodings.__setitem__(urlparse(r.url).path, r.headers.get("content-encoding")))
    try:
        pg.goto(f"{team.url}/{'' if url_path == PAGES[0][0] else url_path}{query}")
        wait_for_app(pg, charts=MIN_CHARTS[url_path])
        # a CSP that blocked a style or script shows up here (Chromium logs every refusal as a console error)
        pg.wait_for_timeout(500)
        _assert_clean(pg)
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"proxy-{url_path}{'-present' if query else ''}.png"), full_page=True)
        assert [p for p in problems if not PROBE.search(p)] == []
        assert _off_host(requests, team.url) == []
        # nginx's Material Symbols is cut to the icons in use (deploy/precompress.py): each icon on the page is still
        # one glyph (a name the font lacks would be drawn as its letters, many times wider)
        names = pg.evaluate("""() => [...new Set([...document.querySelectorAll('*')].filter((e) =>
            e.childElementCount === 0 && getComputedStyle(e).fontFamily.includes('Material Symbols')
            && e.textContent.trim()).map((e) => e.textContent.trim()))]""")
        assert "keyboard_double_arrow_left" in names  # the sidebar's collapse button, on every page
        assert {n: w for n, w in pg.evaluate(ICON_WIDTHS, names).items() if w > 24} == {}
        bundle = next(p for p in encodings if p.startswith("/static/js/index."))
        assert encodings[bundle] in ("gzip", "br")  # br where Chromium asks for it (HTTPS, localhost)
        assert any(u.endswith("/_stcore/stream") for u in requests)
    finally:
        ctx.close()


def test_a_page_fetches_the_latin_fonts_only_and_the_rest_when_a_character_needs_it(browser, team):
    """deploy/precompress.py splits Streamlit's text fonts: Latin (and the app's own characters) in the preloaded
    file, the rest fetched only for text that needs it, and then drawn in the same font."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    fonts: list[str] = []
    pg.on("requestfinished", lambda r: fonts.append(urlparse(r.url).path) if r.url.endswith(".woff2") else None)
    try:
        pg.goto(f"{team.url}/sources")
        wait_for_app(pg, charts=MIN_CHARTS["sources"])
        pg.wait_for_timeout(500)
        assert any(f.endswith("/SourceSansVF-Upright.ttf.BsWL4Kly.woff2") for f in fonts)
        assert [f for f in fonts if ".full." in f] == []
        pg.evaluate("""() => { const p = document.createElement('p');
                              p.textContent = 'Қазақстан Республикасы';
                              document.querySelector('[data-testid="stMain"]').prepend(p); }""")
        pg.wait_for_function("() => document.fonts.check('16px \"Source Sans\"', 'Қазақстан')", timeout=10_000)
        pg.wait_for_timeout(300)
        assert any(f.endswith("/SourceSansVF-Upright.ttf.BsWL4Kly.full.woff2") for f in fonts)
        # drawn in Source Sans, not in the fallback font (which would measure the same as the fallback alone)
        widths = pg.evaluate("""() => ['"Source Sans", sans-serif', 'sans-serif'].map((f) => {
            const c = document.createElement('canvas').getContext('2d');
            c.font = `16px ${f}`;
            return c.measureText('Қазақстан').width; })""")
        assert widths[0] != widths[1]
    finally:
        ctx.close()
