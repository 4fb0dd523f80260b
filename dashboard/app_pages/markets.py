"""Cameras and markets page: China's cameras against the US, the market's growth, Hikvision, detention estimates."""

from __future__ import annotations

from itertools import count

import pandas as pd
import streamlit as st

from dashboard import editorial, loaders, query, ui
from dashboard.safe import md
from dashboard.transforms import markets as mk
from dashboard.views import markets as views

CARDS_PER_ROW = 2
CARDS_PAGE = 10  # cited cards per page of a long list (the real data has at most 6 per topic: no pager)
BARS_PAGE = 10  # bars per chart page (the real data has at most 4)
DETENTION_COLS, DETENTION_PAGE = 3, 6  # estimates side by side, and per page (the real data has 3)


def _quotes(ds, rows: list[dict], label: str = "Quotes behind this chart") -> None:
    with st.expander(label):
        ui.evidence_blocks(ds, [(r, f"{r['card_label']}: {r['text']} ({r['year_text']})") for r in rows])


# ---- derived once per dataset: the page itself only slices lists of plain dicts

def _hikvision_caveat(ds) -> str | None:
    ent = ds["entities"]
    c = ent.loc[ent["entity_id"] == editorial.HIKVISION, "caveat"]
    return c.iloc[0] if len(c) and c.iloc[0] else None


def _detention_table(ds) -> list[str]:
    """Markdown table rows (header, then one per estimate; all data text escaped) for slicing one page at a time:
    row k + 2 is estimate k, so a page's table is lines[:2] + lines[2 + first: 2 + last]."""
    table = loaders.derive(ds, views.detention).table
    return ["| " + " | ".join(md(c) for c in table.columns) + " |", "| --- " * len(table.columns) + "|",
            *("| " + " | ".join(md(v) for v in row) + " |" for row in table.itertuples(index=False))]


def _detention_note(ds) -> dict | None:
    d = ds["disagreements"]
    d = d[d["conflict_id"] == editorial.DETENTION_CONFLICT]
    return d.iloc[0].to_dict() if len(d) else None


# ---- sections

def _cards(ds, topic: str) -> None:
    rows = loaders.derive(ds, views.cards, topic).table
    rows = ui.paged(rows, f"markets_cards_{topic}", per_page=CARDS_PAGE, noun="figures").to_dict("records")
    for start in range(0, len(rows), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for col, r in zip(cols, rows[start:start + CARDS_PER_ROW], strict=False):
            with col, st.container(border=True):
                ui.metric(ds, r["card_label"], r["card_value"], r, note=r["note"])


def _chart_page(rows: pd.DataFrame, key: str) -> tuple[list[dict], tuple[int, int] | None]:
    """The rows one chart draws, as dicts for their quotes: all of them, or one page (pager above the chart) and
    their (first, last) positions."""
    span = ui.paged(range(len(rows)), key, per_page=BARS_PAGE, noun="figures in this chart")
    shown = None if len(span) == len(rows) else (span.start, span.stop)
    return rows.iloc[span.start:span.stop].to_dict("records"), shown


def _quotes_label(shown: tuple[int, int] | None, total: int) -> str:
    if shown is None:
        return "Quotes behind this chart"
    return f"Quotes behind this chart (figures {shown[0] + 1:,}–{shown[1]:,} of {total:,})"


def _cameras(ds, n: int) -> None:
    ui.section(f"{n}. Cameras: China against the US", "header")
    if not ui.presenting():  # presenting, the chart comes first and its figures' cards follow it
        _cards(ds, "cameras")
    cams = loaders.derive(ds, mk.camera_counts)
    page, shown = _chart_page(cams, "markets_cameras")
    ui.chart(loaders.derive(ds, views.cameras, present=ui.presenting(), shown=shown), "markets_cameras")
    if ui.presenting():
        _cards(ds, "cameras")
    st.caption("The hatched bar is a projection of new cameras by 2020, not a count; it is not comparable with the "
               "2017 counts.")
    _quotes(ds, page, _quotes_label(shown, len(cams)))


def _market(ds, n: int) -> None:
    st.header(f"{n}. The market: how fast it grew")
    _cards(ds, "market")
    growth = loaders.derive(ds, mk.market_growth)
    share = loaders.derive(ds, views.market_share)
    page, shown = _chart_page(growth, "markets_growth")
    ui.chart(loaders.derive(ds, views.market, present=ui.presenting(), shown=shown), "markets_growth")
    _quotes(ds, [*page, *([share] if share else [])], _quotes_label(shown, len(growth)))


def _hikvision(ds, n: int) -> None:
    st.header(f"{n}. Hikvision: who owns it, and how much of the market it holds")
    _cards(ds, "company")
    shares = loaders.derive(ds, mk.hikvision_shares)
    page, shown = _chart_page(shares, "markets_hikvision")
    ui.chart(loaders.derive(ds, views.hikvision, present=ui.presenting(), shown=shown), "markets_hikvision")
    caveat = loaders.derive(ds, _hikvision_caveat)
    if caveat:
        st.caption(f"Note: {md(caveat)}")
    _quotes(ds, page, _quotes_label(shown, len(shares)))


def _detention(ds, n: int) -> None:
    st.header(f"{n}. How many people are detained in Xinjiang: the sources differ")
    est = loaders.derive(ds, mk.detention_estimates)
    if est.empty:
        ui.empty("No detention estimate in the documents.")
        return
    d = loaders.derive(ds, _detention_note)
    if d:
        st.warning(f"Sources disagree: {md(d['summary'])} {md(d['handling'])}", icon="⚠️")
    # The estimates side by side: a Markdown table (a few rows: no table component for the browser to load) and each
    # one's quote, for the estimates of the current page when there are many.
    span = ui.paged(range(len(est)), "markets_detention", per_page=DETENTION_PAGE, noun="estimates")
    lines = loaders.derive(ds, _detention_table)
    st.markdown("\n".join([*lines[:2], *lines[2 + span.start:2 + span.stop]]))
    page = [{**{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}, "conflict_id": None}
            for r in est.iloc[span.start:span.stop].to_dict("records")]
    for start in range(0, len(page), DETENTION_COLS):
        chunk = page[start:start + DETENTION_COLS]
        cols = st.columns(len(chunk) if len(page) == len(est) else DETENTION_COLS)
        for col, r in zip(cols, chunk, strict=False):
            with col, st.container(border=True):
                ui.evidence_block(ds, r, heading=f"{r['source']}: {r['text']}")


def render() -> None:
    ds = loaders.dataset()
    ui.header("Cameras and markets",
              "How many surveillance cameras China had compared with the US, how fast its camera market grew, and "
              "who owns Hikvision, the market leader. Figures keep the source's own hedges (“more than”, “about”, "
              "“around”); **hover over any figure for its quote**.")
    with ui.filters("Topic"):
        topic = query.bound("topic", st.radio, ["all", *mk.TOPICS], "all", "Topic", fmt=mk.TOPIC_LABELS.get,
                            horizontal=True)
    topics = mk.TOPICS if topic == "all" else (topic,)
    if not ui.presenting():
        st.caption("Hover over (or tap) the question mark beside a figure for its exact quote; each chart's quotes "
                   "are listed under it.")
    n = count(1)
    if "cameras" in topics:
        _cameras(ds, next(n))
    if "market" in topics:
        _market(ds, next(n))
    if "company" in topics:
        _hikvision(ds, next(n))
    _detention(ds, next(n))


if __name__ == "__main__":
    render()
