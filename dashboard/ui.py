"""Streamlit pieces every page shares: charts with offline config, evidence blocks, cited metrics, headers."""

from __future__ import annotations

import base64
import html
import math
import re
import threading
import weakref
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io
import plotly.io._json
import pyarrow as pa
import streamlit as st

from dashboard import exports_ui, fmt, loaders, query
from dashboard.data import Dataset
from dashboard.safe import md, strip_bidi
from dashboard.transforms.sources import given as present
from dashboard.views import View

# The tab icon as a data URL read once: a file path would be read, decoded and resized by Pillow on every run.
FAVICON = "data:image/png;base64," + base64.b64encode(
    (Path(__file__).parent / "static" / "favicon.png").read_bytes()).decode("ascii")
TOPOJSON_URL = "app/static/topojson/"  # relative, so it also works behind a proxy that adds a path prefix
EVIDENCE_LABELS = {
    "seed": "verbatim from the source document",
    "record-quoted": "quoted from the primary record",
    "record-note-read": "reference note on the primary record (fact read in the record)",
    "record-note-secondary": "reference note on the primary record (fact seen only in a secondary summary)",
}


def as_of(ds: Dataset) -> str:
    return ds.descriptor.get("created", "")[:10]


def presenting() -> bool:
    return st.query_params.get("present") == "1"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:60] or "chart"


def plot_config(name: str, fmt: str = "png") -> dict:
    """Offline base map, and a camera button that exports a 1920x1080 image (laid out at 1280x720, 1.5x) named
    after the chart."""
    return {
        "topojsonURL": TOPOJSON_URL,
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": fmt, "filename": slug(name), "width": 1280, "height": 720, "scale": 1.5},
    }


class _Spec(dict):
    """A figure as Plotly's dict, with the JSON Streamlit would send for it (see _serialised)."""

    __slots__ = ("json",)


class _Serialised(go.Figure):
    """Stands in for a figure in st.plotly_chart: to_dict() hands over the dict made once, not a fresh deep copy.

    Built without go.Figure.__init__ (which would validate every property again); Streamlit only calls to_dict().
    """

    def to_dict(self) -> dict:
        return object.__getattribute__(self, "_spec")


_ONCE: dict[tuple[str, int], tuple[weakref.ref, object]] = {}
_ONCE_LOCK = threading.Lock()
_plain_to_json_plotly = plotly.io._json.to_json_plotly


def _once(kind: str, obj, make):
    """make(obj), made on first use and shared by every later run and session while obj lives (keyed by the
    object, dropped with it). Pages draw figures and tables that loaders.derive made once per dataset and view, and
    never modify them."""
    key = (kind, id(obj))
    with _ONCE_LOCK:
        hit = _ONCE.get(key)
        if hit and hit[0]() is obj:
            return hit[1]
    made = make(obj)

    def _drop(_ref, key=key):
        with _ONCE_LOCK:
            _ONCE.pop(key, None)

    with _ONCE_LOCK:
        _ONCE[key] = (weakref.ref(obj, _drop), made)
    return made


def _to_json_plotly(obj, pretty=False, engine=None):
    """Plotly's serialiser, except that a figure serialised before is not serialised again."""
    if type(obj) is _Spec and not pretty and engine is None:
        return obj.json
    return _plain_to_json_plotly(obj, pretty=pretty, engine=engine)


plotly.io._json.to_json_plotly = _to_json_plotly


def _stand_in(fig: go.Figure) -> _Serialised:
    plain = fig.to_dict()
    spec = _Spec(plain)
    spec.json = plotly.io.to_json(plain, validate=False)  # exactly what Streamlit sends (uids removed, NaN as null)
    stand_in = object.__new__(_Serialised)
    object.__setattr__(stand_in, "_spec", spec)
    return stand_in


def _serialised(fig: go.Figure) -> _Serialised:
    """The figure's dict and JSON, made on its first draw and shared: Streamlit would otherwise deep-copy (to_dict)
    and re-encode each figure on every run, the largest part of a chart page's server time under load."""
    return _once("figure", fig, _stand_in)


def arrow(df: pd.DataFrame) -> pa.Table:
    """The table as Arrow, converted once per DataFrame object: handed a DataFrame, st.dataframe would convert it
    again on every run (about a tenth of a page view's server time under load). The index is left out: every table
    here is drawn with hide_index=True."""
    return _once("arrow", df, lambda d: pa.Table.from_pandas(d, preserve_index=False))


def chart(fig: go.Figure | View, key: str, *, selectable: bool = False, height="content", summary: bool = True):
    """Draw a figure (or a View's figure) with the shared config and print its one-line summary; returns the
    selection event. height="stretch": the figure fills its container's height (a slide sized to the window).
    The image it exports is named after the view and its source line carries the view's link (exports_ui); a View
    also lends its evidence to 'Download this view'."""
    view = fig if isinstance(fig, View) else None
    fig = view.figure if view is not None else fig
    if presenting() and height == "content":  # presentation mode: every chart sized to the window's height
        with st.container(key=f"present_chart_{key}"):
            event = chart(view or fig, key, selectable=selectable, height="stretch", summary=False)
        if summary and (fig.layout.meta or {}).get("alt"):
            st.caption(f"Summary: {md(fig.layout.meta['alt'])}")
        return event
    meta = fig.layout.meta or {}
    fmt = export_format()
    fig, name = exports_ui.prepare(loaders.dataset(), fig, key, view)
    # theme=None: the screen shows exactly the figure that exports and the briefing pack render.
    event = st.plotly_chart(
        _serialised(fig), key=key, config=plot_config(name, fmt), width="stretch", theme=None,
        on_select="rerun" if selectable else "ignore", selection_mode="points", height=height,
        alt=chart_name(fig, key),
    )
    if summary and meta.get("alt"):
        st.caption(f"Summary: {md(meta['alt'])}")
    return event


def summary_text(fig: go.Figure | View) -> str:
    """What chart() prints under a chart (its one-line summary, in small grey text) as a ui.blocks part, for a page
    that draws the chart with summary=False and sends the summary in one element with what follows it."""
    fig = fig.figure if isinstance(fig, View) else fig
    alt = (fig.layout.meta or {}).get("alt")
    return f":small[:gray[Summary: {md(alt)}]]" if alt else ""


def chart_name(fig: go.Figure, key: str) -> str:
    """The chart's accessible name (role="figure", aria-label): its title and its one-line summary, as plain text."""
    meta = fig.layout.meta or {}
    title = str(meta.get("title") or key)
    alt = str(meta.get("alt") or "")
    return strip_bidi(f"{title}. {alt}" if alt else title)


def selected_customdata(event) -> list | None:
    """The customdata of the first selected point, from a live event or a session-state dict."""
    if not event:
        return None
    sel = event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    if not sel:
        return None
    points = sel.get("points") if isinstance(sel, dict) else getattr(sel, "points", None)
    if not points:
        return None
    data = points[0].get("customdata") if isinstance(points[0], dict) else None
    if isinstance(data, dict):
        data = list(data.values())
    return list(data) if data is not None else None


def _source_lines(ds: Dataset) -> dict[str, str]:
    lines = {}
    for s in ds["sources"].to_dict("records"):
        who = s["publisher"] or s["author"]
        date = f", {fmt.date(s['date_published'])}" if fmt.given(s["date_published"]) else ""
        lines[s["source_id"]] = f"{who + ', ' if who else ''}“{s['title']}”{date}"
    return lines


def source_line(ds: Dataset, source_id: str) -> str:
    """'Publisher, “Title”, date' for a source id (looked up in a table built once per dataset)."""
    return loaders.derive(ds, _source_lines)[source_id]


def given(value) -> bool:
    """True for a real value; False for None, NaN/NA and blank text (pandas 3 turns empty text cells into NaN)."""
    return present(value) and not (isinstance(value, str) and not value.strip())


def _disagreements(ds: Dataset) -> dict[str, dict]:
    return {r["conflict_id"]: r for r in ds["disagreements"].to_dict("records")}


def disagreement(ds: Dataset, conflict_id: str) -> dict:
    """One disagreement's row as a dict (looked up in a table built once per dataset)."""
    return loaders.derive(ds, _disagreements)[conflict_id]


def evidence(ds: Dataset, row, *, heading: str | None = None) -> None:
    """The quote, its source and locator, the kind of evidence, and any caveat or disagreement: all as text.

    One Markdown element (source line and note in small grey text) plus the disagreement box where there is one:
    each element costs the server a message per run, so a page of quotes sends a third as many."""
    evidence_block(ds, row, heading=heading)


def evidence_text(ds: Dataset, row, *, heading: str | None = None) -> str:
    """What evidence() draws, except the disagreement box, as ONE Markdown block (the source line and note in small
    grey text, as st.caption draws them): a page with many quotes sends one element per quote instead of three or
    four. All data text is escaped with md()."""
    parts = [f"**{md(heading)}**"] if heading else []
    parts.append(f"> “{md(row['quote'])}”")
    kind = EVIDENCE_LABELS.get(row.get("evidence"), "") if given(row.get("evidence")) else ""
    parts.append(f":small[:gray[Source: {md(source_line(ds, row['source_id']))} · {md(row['locator'])}"
                 + (f" · {md(kind)}" if kind else "") + "]]")
    if given(row.get("caveat")):
        parts.append(f":small[:gray[Note: {md(row['caveat'])}]]")
    return "\n\n".join(parts)


def disagreement_text(ds: Dataset, conflict_id: str) -> str:
    """The disagreement box a row with a conflict_id gets, as a ui.blocks part (same words as st.warning's)."""
    d = disagreement(ds, conflict_id)
    return warning(f"Sources disagree: {md(d['topic'])}. {md(d['summary'])}")


def evidence_parts(ds: Dataset, items) -> list[str]:
    """evidence() for each (row, heading) in items as ui.blocks parts: each quote, then its disagreement box."""
    parts = []
    for row, heading in items:
        parts.append(evidence_text(ds, row, heading=heading))
        if given(row.get("conflict_id")):
            parts.append(disagreement_text(ds, row["conflict_id"]))
    return parts


def evidence_blocks(ds: Dataset, items, *, lead: str = "") -> None:
    """evidence() for each (row, heading) in items, with the same content, in as few elements as possible:
    consecutive quotes share one Markdown element, which a disagreement box (st.warning) follows where a row has one.
    lead: already-escaped Markdown put first in the block (a sub-heading)."""
    parts = [lead] if lead else []
    for row, heading in items:
        parts.append(evidence_text(ds, row, heading=heading))
        if given(row.get("conflict_id")):
            st.markdown("\n\n".join(parts))
            parts = []
            d = disagreement(ds, row["conflict_id"])
            st.warning(f"Sources disagree: {md(d['topic'])}. {md(d['summary'])}", icon="⚠️")
    if parts:
        st.markdown("\n\n".join(parts))


def evidence_block(ds: Dataset, row, *, heading: str | None = None) -> None:
    """evidence() in one Markdown element (plus the disagreement box when the row has one): same content."""
    evidence_blocks(ds, [(row, heading)])


def disclosure(label, body: str, *, open: bool = False) -> str:  # noqa: A002 - the HTML attribute's name
    """A collapsible group for ui.blocks: a native <details> (keyboard- and screen-reader-ready, as st.expander),
    drawn inside one Markdown element instead of two elements of its own.

    label: plain text, HTML-escaped here (it sits inside a tag, where Markdown escapes would show as backslashes);
    or a list of plain-text pieces, every second one bold (["Share: ", "21.4%", " (2017)"]).
    body: Markdown whose data text is already escaped with md(), so it can hold no live HTML.
    """
    pieces = [label] if isinstance(label, str) else list(label)
    text = [html.escape(strip_bidi(str(p))) for p in pieces]
    shown = "".join(f"<strong>{t}</strong>" if i % 2 else t for i, t in enumerate(text))
    return (f'<details class="ca-more"{" open" if open else ""}><summary>{shown}</summary>'
            f"\n\n{body}\n\n</details>")


def card(body: str) -> str:
    """A bordered box for ui.blocks (as st.container(border=True) draws one) around md()-escaped Markdown."""
    return f'<div class="ca-card">\n\n{body}\n\n</div>'


def warning(body: str) -> str:
    """A warning box for ui.blocks, drawn as st.warning draws one (⚠️, its colours) around md()-escaped Markdown."""
    return f'<div class="ca-warn" role="note">\n\n⚠️ {body}\n\n</div>'


def grid(parts) -> str:
    """Parts side by side for ui.blocks, as st.columns: at most three a line, fewer on narrow screens."""
    return '<div class="ca-grid">\n\n' + "\n\n".join(parts) + "\n\n</div>"


def blocks(parts) -> None:
    """Many record groups, boxes and paragraphs as ONE element: each element is a message per run and per
    session (about a third of a page view's server time under load went to sending them one by one).

    Only strings built by disclosure(), card(), warning(), grid() and Markdown whose data text went through md()
    may come here: the element allows the HTML of those wrappers, and md() escapes every '<' in data, so data never
    becomes markup (tests/browser/test_hostile_markup.py renders every page with markup in every text field)."""
    st.markdown("\n\n".join(p for p in parts if p), unsafe_allow_html=True)


def metric(ds: Dataset, label: str, value: str, row, *, note: str = "") -> None:
    """A headline figure in its own bordered card, its note and source underneath in small grey text and the full
    quote in the tooltip (hover or tap). One element: the source line is the metric's description (a caption inside
    the card; ACCESSIBLE_CSS lets it wrap), not a container, a metric and a caption."""
    st.metric(md(label), value, delta="", border=True,
              delta_description=f"{md(note) + ' · ' if note else ''}Source: {md(source_line(ds, row['source_id']))}",
              help=md(f"“{row['quote']}” ({source_line(ds, row['source_id'])}, {row['locator']})"))


BASE_CSS = """
<style>
  .block-container, [data-testid="stMainBlockContainer"] { padding-top: 3.4rem; padding-bottom: 2rem; }
  h1 { font-size: 2.0rem !important; padding-top: 0 !important; }
</style>
"""
# Presentation mode: no sidebar or Streamlit chrome, larger text, full width for 16:9 screens.
PRESENT_CSS = """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
  .block-container, [data-testid="stMainBlockContainer"] { padding: 1rem 2rem !important; max-width: 100% !important; }
  html, body, [data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 20px !important; }
  h1 { font-size: 2.4rem !important; }
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 2.6rem !important; }
  details.ca-more > summary { font-size: 18px !important; }
</style>
"""


# Presentation layout (issue 9): the first chart on the first screen. The exit button floats in the top corner
# instead of taking a row, page intros and filter rows are compact, and each chart fills the window's height.
PRESENT_LAYOUT_CSS = """
<style>
  [data-testid="stLayoutWrapper"]:has(> .st-key-present_exit) {
    position: fixed; top: 0.4rem; right: 0.8rem; z-index: 999990; width: auto !important; }
  .st-key-present_exit button { min-height: 2rem !important; padding: 0.1rem 0.7rem !important; opacity: 0.85; }
  .st-key-present_exit button p { font-size: 15px !important; }
  [data-testid="stLayoutWrapper"]:has(> .st-key-present_filters) {
    position: fixed; top: 0.4rem; right: 12.5rem; z-index: 999990; width: auto !important; }
  .st-key-present_filters button { min-height: 2rem !important; padding: 0.1rem 0.7rem !important; }
  .st-key-present_filters button p { font-size: 15px !important; }
  [class*="st-key-present_chart_"] { flex: 0 0 auto !important; height: calc(100vh - 4.8rem) !important;
    min-height: 320px; }
  h1 { font-size: 1.9rem !important; padding: 0 0 0.2rem 0 !important; }
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { gap: 0.6rem !important; }
</style>
"""


def _keep_format() -> None:
    st.session_state["_export_format"] = st.session_state["export_format_choice"]


# WCAG 2.1 AA on top of Streamlit's theme (see README "Accessibility"): small grey text at least 4.5:1 on white
# (Streamlit's caption grey #828180 is 3.88:1), and a focus ring anyone can see on every control, including the
# toggles and radios whose real input is visually hidden.
ACCESSIBLE_CSS = """
<style>
  [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] *,
  [data-testid="stMarkdownContainer"] blockquote, [data-testid="stMarkdownContainer"] small,
  [data-testid="stWidgetLabel"] small, [data-testid="stMetricLabel"] * {
    color: #555555 !important; opacity: 1 !important;
  }
  :focus-visible { outline: 3px solid #1a4fd6 !important; outline-offset: 2px !important; }
  /* a card's source line (ui.metric): wrapped, never cut off; no hover title, which would repeat it with escapes */
  [data-testid="stMetricDeltaDescription"], [data-testid="stMetricDeltaDescription"] * {
    white-space: normal !important; overflow: visible !important; line-height: 1.5; pointer-events: none; }
  details.ca-more, div.ca-card { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; margin: 0 0 1rem 0; }
  details.ca-more > summary { cursor: pointer; padding: 0.6rem 1rem; font-size: 0.875rem; }
  details.ca-more > summary:hover { color: #1a4fd6; }
  details.ca-more[open] > summary { border-bottom: 1px solid rgba(49, 51, 63, 0.1); margin-bottom: 0.75rem; }
  details.ca-more > :not(summary), div.ca-card > * { margin-left: 1rem; margin-right: 1rem; }
  div.ca-card { padding-top: 0.75rem; }
  div.ca-warn { background: #fffae5; border-radius: 0.5rem; padding: 1rem 1rem 0.1rem; margin: 0 0 1rem 0; }
  div.ca-warn, div.ca-warn * { color: #956b0f !important; }
  div.ca-card > div.ca-warn, details.ca-more > div.ca-warn { margin: 0 1rem 1rem 1rem; }
  div.ca-grid { display: grid; column-gap: 1rem;
    grid-template-columns: repeat(auto-fit, minmax(max(15rem, calc((100% - 2rem) / 3)), 1fr)); }
  label:has(input:focus-visible), [role="switch"]:focus-visible, [role="radio"]:focus-visible,
  [data-baseweb="checkbox"]:has(input:focus-visible), [role="radiogroup"] label:has(input:focus-visible) {
    outline: 3px solid #1a4fd6 !important; outline-offset: 2px !important; border-radius: 4px;
  }
</style>
"""


def chrome() -> None:
    """Static CSS (never data), the presentation-mode switch, and the image format for every camera button.

    The style sheets go out as one element: the contrast and focus fixes every page needs (ACCESSIBLE_CSS), then
    either the normal layout or presentation mode's look (PRESENT_CSS) and layout (PRESENT_LAYOUT_CSS)."""
    if presenting():
        st.html(ACCESSIBLE_CSS + PRESENT_CSS + PRESENT_LAYOUT_CSS)
        with st.container(key="present_exit"):
            if st.button("Exit presentation mode", key="exit_present"):
                del st.query_params["present"]
                st.session_state["present_toggle"] = False
                st.rerun()
        return
    st.html(ACCESSIBLE_CSS + BASE_CSS)
    with st.sidebar:
        if st.toggle("Presentation mode", key="present_toggle",
                     help="Hides the sidebar and Streamlit's menus, enlarges chart text, and adds ?present=1 to "
                          "the link so a shared URL opens the same way."):
            st.query_params["present"] = "1"
            st.rerun()
        st.radio("Chart image format (camera button)", ["png", "svg"], format_func=str.upper, horizontal=True,
                 key="export_format_choice", index=["png", "svg"].index(export_format()), on_change=_keep_format)


def export_format() -> str:
    return st.session_state.get("_export_format", "png")


PER_PAGE = 20


def paged(items, key: str, *, per_page: int = PER_PAGE, noun: str = "records", url_key: str | None = None):
    """The rows (DataFrame) or items (list) on the current page of a long record list, with a pager above them.

    Lists of one page are returned whole and draw nothing. With url_key the page number lives in the URL like any
    filter (an out-of-range or malformed value is ignored with a notice); without it, in the session only (for the
    many small lists of one page). Every record stays reachable: this bounds what one run sends, it hides nothing.
    """
    n = len(items)
    if n <= per_page:
        return items
    pages = math.ceil(n / per_page)
    wkey = f"q_{url_key}" if url_key else f"_page_{key}"
    if wkey not in st.session_state:
        st.session_state[wkey] = (query.get(url_key, parse=int, allowed=range(1, pages + 1), default=1)
                                  if url_key else 1)
    if not 1 <= int(st.session_state[wkey]) <= pages:  # the list shrank under a new filter
        st.session_state[wkey] = 1
    with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):  # one element, not 3 columns
        page = int(st.number_input(f"Page (1–{pages:,})", min_value=1, max_value=pages, step=1, key=wkey,
                                   width=180))
        first = (page - 1) * per_page
        last = min(first + per_page, n)
        st.caption(f"Showing {noun} {first + 1:,}–{last:,} of {n:,}, {per_page} per page.")
    if url_key:
        query.put(url_key, page, default=1)
    return items.iloc[first:last] if isinstance(items, (pd.DataFrame, pd.Series)) else items[first:last]


def data_update_notice(ds: Dataset) -> None:
    """Say so when the data changed under this open session (the app reloads on content), instead of switching
    silently: the figures on screen may differ from those seen a moment ago."""
    seen = st.session_state.get("_data_digest")
    st.session_state["_data_digest"] = ds.digest
    if seen and seen != ds.digest:
        st.session_state["_data_updated_at"] = ds.memo.get("_loaded_at")
    when = st.session_state.get("_data_updated_at")
    if when:
        st.info(f"Data updated at {when:%Y-%m-%d %H:%M:%S} UTC: the package changed on the server while this "
                "page was open, and every figure now comes from the new version.", icon="🔄")


def header(title: str, intro: str) -> None:
    st.title(title)
    if not presenting():  # a presenter says it; the chart gets the room
        st.markdown(intro)


def filters(label: str = "Filters"):
    """Where a page's filter row goes: the page itself, or in presentation mode a compact popover, so the first chart
    is on the first screen. Use as `with ui.filters(): ...`."""
    if not presenting():
        return st.container()
    with st.container(key="present_filters"):  # floats beside the exit button: it takes no row above the chart
        return st.popover(label)


def section(text: str, level: str = "header") -> None:
    """A numbered section heading; presentation mode leaves it out (the chart's own title says what it shows)."""
    if not presenting():
        getattr(st, level)(text)


def empty(message: str) -> None:
    st.info(message, icon="ℹ️")
