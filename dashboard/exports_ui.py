"""Exports that keep the view: the URL names and cites each chart's image, and 'Download this view' (PNG, SVG, PPTX)."""

from __future__ import annotations

import functools
import io
import threading
import zipfile
from collections import OrderedDict
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.data import Dataset
from dashboard.safe import md
from dashboard.views import EVIDENCE_COLS, View

# URL parameters that change how a page looks (presentation mode) or which record's quote is open below a chart, not
# what the chart draws: left out of the link, so selecting a record does not re-stamp the figure.
LOOK = {"present", "record"}
# ...and, with pagers and the briefing's step, left out of file names, which name a view by its filters.
NOT_FILTERS = LOOK | {"page", "dpage", "step", "source", "svg"}
_STATE_PAGE, _STATE_CHARTS = "_view_page", "_view_charts"


def begin_run(url_path: str) -> None:
    """Called by the router on every run: which page this is, and no charts drawn yet."""
    st.session_state[_STATE_PAGE] = url_path
    st.session_state[_STATE_CHARTS] = []


def _params() -> dict[str, str]:
    return {k: st.query_params.get(k) for k in st.query_params}


def view_link(params: dict | None = None, page: str | None = None) -> str:
    """The current view as a link: '/page?filters' (everything in the URL but LOOK), sorted."""
    page = page if page is not None else st.session_state.get(_STATE_PAGE, "")
    params = _params() if params is None else params
    q = {k: v for k, v in sorted(params.items()) if k not in LOOK and v not in (None, "")}
    return f"/{page}" + (f"?{urlencode(q)}" if q else "")


def _names(ds: Dataset) -> dict[str, str]:
    """Every id a filter can hold (country, entity, place) -> its name, built once per dataset."""
    out: dict[str, str] = {}
    for table, id_col, name_col in (("places", "place_id", "name"), ("entities", "entity_id", "name"),
                                    ("countries", "iso3", "name")):
        try:
            df = ds[table]
        except KeyError:
            continue
        out.update(zip(df[id_col].astype(str), df[name_col].astype(str), strict=True))
    return out


def _readable(ds: Dataset | None, key: str, value: str) -> str:
    """A filter value as a reader knows it: KGZ -> Kyrgyzstan, an entity id -> its name; else as written."""
    if ds is None:
        return value
    from dashboard import loaders

    return loaders.derive(ds, _names).get(value, value)


def slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:80]


def view_name(ds: Dataset | None = None, params: dict | None = None, page: str | None = None) -> str:
    """'money-kyrgyzstan': the page and its filters' values in words; just the page when nothing is filtered."""
    page = page if page is not None else st.session_state.get(_STATE_PAGE, "")
    params = _params() if params is None else params
    words = [_readable(ds, k, v) for k, v in sorted(params.items()) if k not in NOT_FILTERS and v not in (None, "")]
    return slug("-".join([page, *words])) or "chart"


def filtered(params: dict | None = None) -> bool:
    params = _params() if params is None else params
    return any(k not in NOT_FILTERS and v not in (None, "") for k, v in params.items())


def chart_name(ds: Dataset | None, key: str, title: str) -> str:
    """A chart's file name. On a filtered view the page's first chart is the view itself ('money-kyrgyzstan'), and
    the others add their own name; on an unfiltered page a chart is named after its finding, as before."""
    charts = st.session_state.get(_STATE_CHARTS, [])
    page = st.session_state.get(_STATE_PAGE, "")
    if not filtered():
        return slug(title) or slug(key)
    own = key.split("_", 1)[1] if key.startswith(page + "_") else key
    return view_name(ds) if not charts else f"{view_name(ds)}-{slug(own)}"


# Stamped copies of memoised figures, most recently used kept: a copy costs tens of ms, so a rerun must not redo it,
# and a map figure is large, so only so many are kept.
STAMPED_MAX = 64
_stamped: OrderedDict = OrderedDict()
_lock = threading.Lock()


def stamp(fig: go.Figure, link: str) -> go.Figure:
    """A copy of the figure whose source line ends with the view's link, so a saved image says how to reopen it.
    Figures are memoised and shared across sessions, so the original is never changed; copies are kept per
    (figure, link) so a rerun does not copy again."""
    if not link:
        return fig
    key = (id(fig), link)
    with _lock:
        hit = _stamped.get(key)
        if hit is not None and hit[0] is fig:
            _stamped.move_to_end(key)
            return hit[1]
    from dashboard.export import with_link

    out = with_link(fig, link)
    with _lock:
        _stamped[key] = (fig, out)
        while len(_stamped) > STAMPED_MAX:
            _stamped.popitem(last=False)
    return out


def prepare(ds: Dataset | None, fig: go.Figure, key: str, view: View | None = None) -> tuple[go.Figure, str]:
    """The figure to draw (stamped with the link of what the URL shows) and its file name; remembers the chart, as a
    View, for 'Download this view' (with the view's evidence when the page passed its View)."""
    meta = fig.layout.meta or {}
    link = view_link()
    name = chart_name(ds, key, meta.get("title", key))
    drawn = stamp(fig, link)
    evidence = view.evidence if view is not None else pd.DataFrame(columns=EVIDENCE_COLS)
    st.session_state.setdefault(_STATE_CHARTS, []).append(View(
        slug=name, figure=drawn, title=meta.get("title", "") or (view.title if view else ""),
        source=meta.get("source", "") or (view.source if view else ""),
        alt=meta.get("alt", "") or (view.alt if view else ""), evidence=evidence, link=link,
        as_of=meta.get("as_of", "") or (view.as_of if view else "")))
    return drawn, name


# --- files ---

def image_bytes(fig: go.Figure, fmt: str) -> bytes:
    from dashboard import export

    export._start_renderer()
    return fig.to_image(format=fmt, width=export.WIDTH, height=export.HEIGHT, scale=export.SCALE)


def images(charts: list, fmt: str) -> bytes:
    """One chart: its image. Several: a zip of them, each named after its view."""
    if len(charts) == 1:
        return image_bytes(charts[0].figure, fmt)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for c in charts:
            z.writestr(f"{c.slug}.{fmt}", image_bytes(c.figure, fmt))
    return buf.getvalue()


def deck_bytes(ds: Dataset, charts: list, page_title: str) -> bytes:
    from dashboard import deck

    link = charts[0].link if charts else ""
    return deck.build(ds, charts, title=page_title, links=[c.link for c in charts],
                      what=f"This view of the dashboard ({link}): {len(charts)} chart"
                           f"{'s' if len(charts) != 1 else ''}, each titled with its finding, with its source "
                           "line and link on the slide.")


@functools.lru_cache(maxsize=1)
def _can_render() -> bool:
    """Whether this server can render images (a Chromium for kaleido): looked up once, not on every run."""
    from dashboard import export

    return export.find_chromium() is not None


def download_this_view(ds: Dataset, page_title: str = "") -> None:
    """PNG, SVG and PPTX of the charts the page just drew, named after the view; built only when clicked."""
    from functools import partial

    charts = list(st.session_state.get(_STATE_CHARTS, []))
    if not charts:
        return
    with st.sidebar:
        if not _can_render():
            st.markdown("**Download this view**\n\n:small[:gray[Image and slide downloads need Chromium on the "
                        "server (`apt-get install chromium`).]]")
            return
        # heading and note in one element: each element is a message per run and session
        st.markdown(f"**Download this view**\n\n:small[:gray[Each file names and links this view: "
                    f"{md(view_link())}]]")
        base = view_name(ds) if filtered() else charts[0].slug if len(charts) == 1 else view_name(ds)
        many = len(charts) > 1
        for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
            name = f"{base}-{fmt}.zip" if many else f"{charts[0].slug}.{fmt}"
            st.download_button(f"{fmt.upper()} ({len(charts)} chart{'s' if many else ''})",
                               data=partial(images, charts, fmt), file_name=name,
                               mime="application/zip" if many else mime, key=f"view_{fmt}", on_click="ignore",
                               width="stretch")
        st.download_button("PowerPoint (.pptx)", data=partial(deck_bytes, ds, charts, page_title or base),
                           file_name=f"{base}.pptx", key="view_pptx", on_click="ignore", width="stretch",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")


def briefing_downloads(ds: Dataset) -> None:
    """The whole briefing as an editable deck and as one offline file, each built on first click and kept."""
    from functools import partial

    from dashboard import deck, loaders, offline

    st.markdown("**Take the briefing anywhere:** `briefing.pptx` (PowerPoint: native, editable charts; speaker "
                "notes quote every record) and `briefing.html` (one file that works offline in any browser: "
                "interactive charts, ← → keys, prints one chart per page).")
    c1, c2 = st.columns(2)
    with c1:
        if _can_render():
            st.download_button("Download briefing.pptx", data=partial(loaders.derive, ds, deck.briefing_deck),
                               file_name="briefing.pptx", key="download_deck", on_click="ignore", width="stretch",
                               mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")
        else:
            st.caption("The deck's map and timeline pictures need Chromium on the server (`apt-get install "
                       "chromium`).")
    with c2:
        st.download_button("Download briefing.html", data=partial(loaders.derive, ds, offline.briefing_html),
                           file_name="briefing.html", mime="text/html", key="download_html", on_click="ignore",
                           width="stretch")
