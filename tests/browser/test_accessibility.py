"""WCAG 2.1 AA in Chromium: axe-core finds nothing serious on any page or in presentation mode; charts are named,
headings do not skip levels, keyboard focus is visible, and the map's labels stay legible on every fill."""

from __future__ import annotations

import pytest

from dashboard.nav import PAGES
from tests.browser.axe_run import axe
from tests.browser.conftest import ARTIFACTS, wait_for_app
from tests.browser.test_browser import MIN_CHARTS

MODES = {"normal": ("", {"width": 1280, "height": 2400}), "present": ("?present=1", {"width": 1920, "height": 1080})}


def _open(page, url_path: str, mode: str) -> None:
    query, viewport = MODES[mode]
    page.set_viewport_size(viewport)
    page.goto(f"{page.app_url}/{'' if url_path == PAGES[0][0] else url_path}{query}")
    wait_for_app(page, charts=MIN_CHARTS[url_path])


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("url_path", [p[0] for p in PAGES])
def test_axe_finds_nothing_serious_and_every_chart_is_named(page, url_path, mode):
    _open(page, url_path, mode)
    found = axe(page) + [v for v in axe(page, ["best-practice"]) if v["id"] == "heading-order"]
    bad = [v for v in found if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"]
    if bad:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"axe-{url_path}-{mode}.png"), full_page=True)
    assert not bad, "\n".join(f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} nodes, first: "
                              f"{v['nodes'][0]['html']} {v['nodes'][0]['summary']})" for v in bad)
    levels = page.eval_on_selector_all(
        "h1, h2, h3, h4, h5, h6, [role=heading]",
        "els => els.filter(e => e.getClientRects().length).map(e => [Number(e.getAttribute('aria-level') || "
        "e.tagName.slice(1)), e.textContent.trim().slice(0, 50)])")
    # the briefing's slide show has no heading at all (each chart is a named figure); any other page opens with h1
    assert not levels or levels[0][0] == 1, f"the page does not open with its h1: {levels[:3]}"
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b[0] > a[0] + 1]
    assert not skips, f"headings skip a level: {skips[:3]}"
    charts = page.eval_on_selector_all(
        '[data-testid="stPlotlyChart"]', "els => els.map(e => [e.getAttribute('role'), e.getAttribute('aria-label')])")
    assert len(charts) >= MIN_CHARTS[url_path]
    for role, label in charts:
        assert role == "figure" and label and len(label) > 20, f"a chart without an accessible name: {role} {label}"


def _contrast(rgb_a: str, rgb_b: str = "rgb(255, 255, 255)") -> float:
    def lum(css: str) -> float:
        r, g, b = (int(float(x)) / 255 for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])
        f = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2]

    hi, lo = sorted([lum(rgb_a), lum(rgb_b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


FOCUS_RING = """() => {
  let el = document.activeElement;
  const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
  // a toggle's or radio's real input is drawn over by its styled label: the focus must show on that label
  if (['checkbox', 'radio'].includes(el.type) || r.width <= 1 || r.height <= 1 || cs.opacity === '0')
    el = el.closest('label') || el;
  const s = getComputedStyle(el);
  return [el.tagName + (el.getAttribute('role') ? '[' + el.getAttribute('role') + ']' : '') + ' ' +
          (el.innerText || el.getAttribute('aria-label') || '').slice(0, 30), s.outlineStyle, s.outlineWidth,
          s.outlineColor];
}"""


def test_keyboard_focus_is_visible_on_sidebar_links_toggle_and_radio(page):
    _open(page, "overview", "normal")
    seen = []
    for _ in range(14):
        page.keyboard.press("Tab")
        page.wait_for_timeout(80)
        what, style, width, colour = page.evaluate(FOCUS_RING)
        if what.startswith("BODY"):  # focus fell back to the page while Streamlit redrew: not a control
            continue
        seen.append(what)
        assert style != "none" and float(width.removesuffix("px")) >= 2, f"no visible focus on {what} after {seen}"
        assert _contrast(colour) >= 3, f"focus ring on {what} is {colour}, under 3:1 on white"
    kinds = " ".join(seen)
    assert "A " in kinds and "LABEL" in kinds, f"the walk should cross sidebar links and a toggle or radio: {seen}"


def test_map_labels_carry_a_white_halo_and_dark_text(page):
    _open(page, "map", "normal")
    labels = page.eval_on_selector_all(
        ".js-plotly-plot .scattergeo text",
        "els => els.map(e => [e.textContent, getComputedStyle(e).fill, getComputedStyle(e).textShadow])")
    assert len(labels) >= 6, labels
    for text, fill, shadow in labels:
        assert _contrast(fill) >= 12, f"label {text} is {fill}"
        assert "255, 255, 255" in shadow or "#fff" in shadow, f"label {text} has no halo: {shadow!r}"
