"""The briefing as one self-contained HTML file: plotly.js and the base map inlined, no request to any host.

Usage: python -m dashboard.offline --out briefing.html
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

import plotly
import plotly.graph_objects as go

from dashboard.data import Dataset

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
TOPOJSON_DIR = Path(__file__).resolve().parent / "static" / "topojson"
# The map's base layer at 1:110m (137 kB) rather than 1:50m (1.1 MB) keeps the file under 6 MB; the countries that
# carry data are drawn from the package's own boundaries either way.
OFFLINE_RESOLUTION = 110
MAX_BYTES = 6 * 1024 * 1024
# Nothing may leave the file: no fetch, no font, no frame; styles and scripts only inline; images only as data.
CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
       "img-src data: blob:; connect-src 'none'; font-src 'none'; frame-src 'none'; worker-src blob:")

CSS = """
:root { --ink: #1a1a1a; --muted: #444; --line: #d0d0d0; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Source Sans Pro", Arial, sans-serif; color: var(--ink); background: #fff; }
header, nav, main { max-width: 1280px; margin: 0 auto; padding: 0 16px; }
header h1 { font-size: 1.5rem; margin: 16px 0 4px; }
header p { margin: 0 0 8px; color: var(--muted); }
nav { display: flex; gap: 12px; align-items: center; padding-top: 8px; padding-bottom: 8px;
      border-bottom: 1px solid var(--line); }
nav button { font: inherit; font-size: 1rem; padding: 6px 14px; border: 1px solid #888; background: #f5f5f5;
             border-radius: 4px; cursor: pointer; }
nav button:focus-visible, section:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
nav button[disabled] { opacity: .45; cursor: default; }
section.slide { display: none; padding: 12px 0 32px; }
section.slide.current { display: block; }
/* the chart draws the finding as its title; the heading names the section for screen readers and the outline */
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.chart { width: 100%; height: 72vh; min-height: 420px; }
.finding { font-size: 1.1rem; }
.source { color: var(--muted); font-size: .95rem; }
details { margin-top: 8px; }
summary { cursor: pointer; font-weight: 600; }
ol.records li { margin: 8px 0; }
blockquote { margin: 4px 0 2px 0; padding-left: 10px; border-left: 3px solid var(--line); }
.cite { color: var(--muted); font-size: .9rem; }
.disagree { border: 1px solid #e0b070; background: #fff7ea; padding: 8px 12px; margin: 8px 0; }
.disagree strong { color: var(--warn); }
@media print {
  @page { size: landscape; margin: 12mm; }
  nav, header, .noprint, .disagree { display: none !important; }
  section.slide { display: block !important; break-after: page; page-break-after: always; padding: 0; }
  section.slide:last-of-type { break-after: auto; page-break-after: auto; }
  .chart { width: 270mm; height: 150mm; min-height: 0; }
  .finding, .source { font-size: 10pt; margin: 2mm 0; }
  details { display: none; }
}
"""

SCRIPT = """
(function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll('section.slide'));
  var drawn = {};
  var config = JSON.parse(document.getElementById('plot-config').textContent);
  function draw(i) {
    if (drawn[i]) return drawn[i];
    var el = slides[i].querySelector('.chart');
    var fig = JSON.parse(document.getElementById('fig-' + (i + 1)).textContent);
    var cfg = Object.assign({}, config, {toImageButtonOptions: Object.assign({}, config.toImageButtonOptions,
                                                                             {filename: el.dataset.slug})});
    drawn[i] = Plotly.newPlot(el, fig.data, fig.layout, cfg).then(function () { el.dataset.drawn = '1'; });
    return drawn[i];
  }
  var at = 0;
  function show(i) {
    at = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach(function (s, j) { s.classList.toggle('current', j === at); });
    document.getElementById('pos').textContent = 'Chart ' + (at + 1) + ' of ' + slides.length;
    document.getElementById('prev').disabled = at === 0;
    document.getElementById('next').disabled = at === slides.length - 1;
    if (location.hash !== '#' + (at + 1)) history.replaceState(null, '', '#' + (at + 1));
    draw(at).then(function () { Plotly.Plots.resize(slides[at].querySelector('.chart')); });
  }
  document.getElementById('prev').addEventListener('click', function () { show(at - 1); });
  document.getElementById('next').addEventListener('click', function () { show(at + 1); });
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key, to = null;
    if (e.target && /^(INPUT|TEXTAREA|SELECT|BUTTON|SUMMARY)$/.test(e.target.tagName) && k === ' ') return;
    // the same keys as the dashboard's slide show: a presenter's clicker sends PageDown/PageUp
    if (k === 'ArrowRight' || k === 'PageDown' || k === ' ') to = at + 1;
    else if (k === 'ArrowLeft' || k === 'PageUp') to = at - 1;
    else if (k === 'Home') to = 0;
    else if (k === 'End') to = slides.length - 1;
    if (to === null) return;
    e.preventDefault();
    show(to);
  });
  window.addEventListener('beforeprint', function () {
    slides.forEach(function (s, j) { draw(j); });
    slides.forEach(function (s) { var c = s.querySelector('.chart'); if (c.dataset.drawn) Plotly.Plots.resize(c); });
  });
  window.briefing = {show: show, draw: draw, count: slides.length, current: function () { return at; }};
  var start = parseInt((location.hash || '#1').slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
})();
"""


def _plotly_js() -> str:
    js = PLOTLY_JS.read_text(encoding="utf-8")
    # inside <script>, only "</script" could end the element early; plotly.min.js has none, and this keeps it so
    return js.replace("</script", "<\\/script")


def _json_script(obj) -> str:
    """JSON that is safe inside a <script> element: no '<' can close it or open a comment."""
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _offline_figure(fig: go.Figure) -> str:
    fig = go.Figure(fig)
    if any(t.type in ("choropleth", "scattergeo") for t in fig.data):
        fig.update_geos(resolution=OFFLINE_RESOLUTION)
    return fig.to_json(engine="json")


def _geo_assets(views) -> dict:
    """The base-map topojson each geo chart would fetch, keyed as plotly.js looks it up (window.PlotlyGeoAssets)."""
    assets = {}
    for v in views:
        if v.figure is not None and any(t.type in ("choropleth", "scattergeo") for t in v.figure.data):
            name = f"world_{OFFLINE_RESOLUTION}m"
            assets[name] = json.loads((TOPOJSON_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return assets


def _esc(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _section(ds: Dataset, i: int, v, link: str) -> str:
    from dashboard import deck

    recs, conflicts = deck.records(ds, v)
    alt = v.alt
    as_of = v.as_of or ds.descriptor.get("created", "")[:10]
    items = []
    for r in recs:
        warn = f" <strong>⚠ sources disagree ({_esc(r['conflict_id'])})</strong>" if r["conflict_id"] else ""
        items.append(f"<li>{_esc(r['label'])}<blockquote>“{_esc(r['quote'])}”</blockquote>"
                     f"<span class=\"cite\">{_esc(r['source'])}, {_esc(r['locator'])} "
                     f"[{_esc(r['table'])} {_esc(r['row_id'])}]</span>{warn}</li>")
    boxes = []
    for d in conflicts:
        sides = "".join(f"<li>{_esc(s['label'])}<blockquote>“{_esc(s['quote'])}”</blockquote><span class=\"cite\">"
                        f"{_esc(s['source'])}, {_esc(s['locator'])}</span></li>" for s in d["sides"])
        boxes.append(f"<div class=\"disagree\"><strong>Sources disagree: {_esc(d['topic'])}.</strong> "
                     f"{_esc(d['summary'])} <em>{_esc(d['handling'])}</em><ul>{sides}</ul></div>")
    view = f" · View in the dashboard: <code>{_esc(link)}</code>" if link else ""
    return (f"<section class=\"slide\" id=\"slide-{i}\" data-slug=\"{_esc(v.slug)}\" aria-labelledby=\"t{i}\" "
            f"tabindex=\"-1\">\n<h2 class=\"sr-only\" id=\"t{i}\">{_esc(v.title)}</h2>\n"
            f"<div class=\"chart\" id=\"chart-{i}\" data-slug=\"{_esc(v.slug)}\" role=\"img\" "
            f"aria-label=\"{_esc(alt)}\"></div>\n"
            f"<p class=\"finding\"><strong>Finding:</strong> {_esc(alt)}</p>\n"
            f"<p class=\"source\">Source: {_esc(v.source)} · Data as of {_esc(as_of)}{view}</p>\n"
            f"{''.join(boxes)}\n<details><summary>The {len(recs)} records behind this chart, with their quotes"
            f"</summary><ol class=\"records\">{''.join(items)}</ol></details>\n</section>")


def briefing_html(ds: Dataset, views: list | None = None, links: list[str] | None = None,
                  title: str = "Surveillance in Central Asia: the briefing") -> str:
    """The whole file as text: every view's chart (interactive), finding, source and quotes, in order."""
    if views is None:
        from dashboard import deck

        views = deck.briefing_views(ds)
        from dashboard.export import briefing_link

        links = links or [briefing_link(i, v) for i, v in enumerate(views, start=1)]
    links = links or [v.link for v in views]
    as_of = ds.descriptor.get("created", "")[:10]
    from dashboard.export import with_link

    figs = "\n".join(f"<script type=\"application/json\" id=\"fig-{i}\">"
                     f"{_json_script(_offline_figure(with_link(v.figure, link)))}</script>"
                     for i, (v, link) in enumerate(zip(views, links, strict=True), start=1))
    config = {"displaylogo": False, "responsive": True, "typesetMath": False,
              "modeBarButtonsToRemove": ["lasso2d", "select2d"],
              "toImageButtonOptions": {"format": "png", "width": 1280, "height": 720, "scale": 1.5}}
    sections = "\n".join(_section(ds, i, v, link) for i, (v, link) in enumerate(zip(views, links, strict=True),
                                                                               start=1))
    assets = _json_script({"topojson": _geo_assets(views)})
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{_esc(title)}</h1>
<p>{len(views)} key charts, each with its finding, source and the quotes it rests on. Data as of {_esc(as_of)}.
Works offline: this one file holds everything. Keys: ← → (or Page Up / Page Down, Space) to move,
Home / End for the first and last chart. Print for one chart per page.</p>
</header>
<nav class="noprint" aria-label="Charts">
<button id="prev" type="button">◀ Previous</button>
<span id="pos" aria-live="polite"></span>
<button id="next" type="button">Next ▶</button>
</nav>
<main>
{sections}
</main>
<script type="application/json" id="geo-assets">{assets}</script>
<script>window.PlotlyGeoAssets = JSON.parse(document.getElementById('geo-assets').textContent);</script>
<script type="application/json" id="plot-config">{_json_script(config)}</script>
{figs}
<script>{_plotly_js()}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> int:
    from dashboard.data import DATA_DIR, DataError, load

    parser = argparse.ArgumentParser(prog="python -m dashboard.offline", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="the .html file to write")
    args = parser.parse_args(argv)
    try:
        text = briefing_html(load(DATA_DIR))
    except DataError as err:
        print(f"error: the data could not be loaded: {err}", file=sys.stderr)
        return 2
    tmp = args.out.with_suffix(args.out.suffix + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
