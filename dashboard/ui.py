"""Streamlit pieces every page shares: charts with offline config, evidence blocks, cited metrics, headers."""

from __future__ import annotations

import math
import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import exports_ui, fmt, loaders, query
from dashboard.data import Dataset
from dashboard.safe import md
from dashboard.transforms.sources import given as present
from dashboard.views import View

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


def chart(fig: go.Figure | View, key: str, *, selectable: bool = False):
    """Draw a figure (or a View's figure) with the shared config and print its one-line summary; returns the
    selection event. The image it exports is named after the view and its source line carries the view's link
    (exports_ui); a View also lends its evidence to 'Download this view'."""
    view = fig if isinstance(fig, View) else None
    fig = view.figure if view is not None else fig
    meta = fig.layout.meta or {}
    fmt = export_format()
    fig, name = exports_ui.prepare(loaders.dataset(), fig, key, view)
    # theme=None: the screen shows exactly the figure that exports and the briefing pack render.
    event = st.plotly_chart(
        fig, key=key, config=plot_config(name, fmt), width="stretch", theme=None,
        on_select="rerun" if selectable else "ignore", selection_mode="points",
    )
    if meta.get("alt"):
        st.caption(f"Summary: {md(meta['alt'])}")
    return event


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
    """The quote, its source and locator, the kind of evidence, and any caveat or disagreement: all as text."""
    if heading:
        st.markdown(f"**{md(heading)}**")
    st.markdown(f"> “{md(row['quote'])}”")
    kind = EVIDENCE_LABELS.get(row.get("evidence"), "") if given(row.get("evidence")) else ""
    st.caption(f"Source: {md(source_line(ds, row['source_id']))} · {md(row['locator'])}"
               + (f" · {md(kind)}" if kind else ""))
    if given(row.get("caveat")):
        st.caption(f"Note: {md(row['caveat'])}")
    if given(row.get("conflict_id")):
        d = disagreement(ds, row["conflict_id"])
        st.warning(f"Sources disagree: {md(d['topic'])}. {md(d['summary'])}", icon="⚠️")


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


def metric(ds: Dataset, label: str, value: str, row, *, note: str = "") -> None:
    """A headline figure with its source underneath and the full quote in the tooltip (hover or tap)."""
    st.metric(md(label), value, help=md(f"“{row['quote']}” ({source_line(ds, row['source_id'])}, {row['locator']})"))
    st.caption(f"{md(note) + ' · ' if note else ''}Source: {md(source_line(ds, row['source_id']))}")


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
</style>
"""


def _keep_format() -> None:
    st.session_state["_export_format"] = st.session_state["export_format_choice"]


def chrome() -> None:
    """Static CSS (never data), the presentation-mode switch, and the image format for every camera button."""
    if presenting():
        st.html(PRESENT_CSS)
        if st.button("Exit presentation mode", key="exit_present"):
            del st.query_params["present"]
            st.session_state["present_toggle"] = False
            st.rerun()
        return
    st.html(BASE_CSS)
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
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    with c1:
        page = int(st.number_input(f"Page (1–{pages:,})", min_value=1, max_value=pages, step=1, key=wkey))
    first = (page - 1) * per_page
    last = min(first + per_page, n)
    with c2:
        st.caption(f"Showing {noun} {first + 1:,}–{last:,} of {n:,}, {per_page} per page.")
    if url_key:
        query.put(url_key, page, default=1)
    return items.iloc[first:last] if isinstance(items, (pd.DataFrame, pd.Series)) else items[first:last]


def header(title: str, intro: str) -> None:
    st.title(title)
    st.markdown(intro)


def empty(message: str) -> None:
    st.info(message, icon="ℹ️")
