"""Cameras and markets page: China's cameras against the US, the market's growth, Hikvision, detention estimates."""

from __future__ import annotations

from itertools import count

import streamlit as st

from dashboard import editorial, loaders, query, ui
from dashboard.safe import md
from dashboard.transforms import markets as mk
from dashboard.views import markets as views

CARDS_PER_ROW = 2  # cards abreast
CARDS_PAGE = 10  # cited cards per page of a long list (the real data has at most 6 per topic: no pager)
BARS_PAGE = 10  # bars per chart page (the real data has at most 4)
DETENTION_PAGE = 6  # estimates per page (the real data has 3)


# ---- derived once per dataset (and page of a long list): the page itself only slices lists and sends strings

def _records(ds, name: str) -> list[dict]:
    """A markets transform's rows (mk.<name>) as plain dicts."""
    return loaders.derive(ds, getattr(mk, name)).to_dict("records")


def _card_records(ds, topic: str) -> list[dict]:
    return loaders.derive(ds, views.cards, topic).table.to_dict("records")


def _hikvision_caveat(ds) -> str | None:
    ent = ds["entities"]
    c = ent.loc[ent["entity_id"] == editorial.HIKVISION, "caveat"]
    return c.iloc[0] if len(c) and c.iloc[0] else None


def _quotes(ds, name: str, first: int, last: int, label: str, with_share: bool = False) -> str:
    """The quotes behind one page of a chart's figures, as one collapsible group (with the revenue-share figure the
    market chart's subtitle quotes, when asked)."""
    rows = loaders.derive(ds, _records, name)[first:last]
    share = loaders.derive(ds, views.market_share) if with_share else None
    items = [(r, f"{r['card_label']}: {r['text']} ({r['year_text']})") for r in [*rows, *([share] if share else [])]]
    return ui.disclosure(label, "\n\n".join(ui.evidence_parts(ds, items)))


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


def _detention(ds, first: int, last: int) -> str:
    """The disagreement, the estimates side by side in a table, and each one's quote in a card beside the others:
    one Markdown element (the disagreement is stated once, above, so the quotes carry no box of their own)."""
    d = loaders.derive(ds, _detention_note)
    lines = loaders.derive(ds, _detention_table)
    rows = [{**{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}, "conflict_id": None}
            for r in loaders.derive(ds, _records, "detention_estimates")[first:last]]
    return "\n\n".join([
        ui.warning(f"Sources disagree: {md(d['summary'])} {md(d['handling'])}") if d else "",
        "\n".join([*lines[:2], *lines[2 + first:2 + last]]),
        ui.grid([ui.card(ui.evidence_text(ds, r, heading=f"{r['source']}: {r['text']}")) for r in rows]),
    ])


# ---- sections

def _cards(ds, topic: str) -> None:
    """The topic's cited figures as cards, two abreast: one set of columns, filled in turn, so the cards read in
    order down each column, by eye and by screen reader (China's cameras above the US's)."""
    rows = ui.paged(loaders.derive(ds, _card_records, topic), f"markets_cards_{topic}", per_page=CARDS_PAGE,
                    noun="figures")
    if not rows:
        return
    cols = st.columns(CARDS_PER_ROW)
    per = -(-len(rows) // CARDS_PER_ROW)
    for k, r in enumerate(rows):
        with cols[k // per]:
            ui.metric(ds, r["card_label"], r["card_value"], r, note=r["note"])


def _chart_page(ds, name: str, key: str) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """The rows one chart draws: all of them, or one page (pager above the chart). Returns (first, last) and, for a
    page of a longer list, the same pair for the chart (None when it draws every row)."""
    n = len(loaders.derive(ds, _records, name))
    span = ui.paged(range(n), key, per_page=BARS_PAGE, noun="figures in this chart")
    return (span.start, span.stop), (None if len(span) == n else (span.start, span.stop))


def _quotes_label(shown: tuple[int, int] | None, total: int) -> str:
    if shown is None:
        return "Quotes behind this chart"
    return f"Quotes behind this chart (figures {shown[0] + 1:,}–{shown[1]:,} of {total:,})"


def _cameras(ds, n: int) -> None:
    ui.section(f"{n}. Cameras: China against the US", "header")
    if not ui.presenting():  # presenting, the chart comes first and its figures' cards follow it
        _cards(ds, "cameras")
    (first, last), shown = _chart_page(ds, "camera_counts", "markets_cameras")
    view = loaders.derive(ds, views.cameras, present=ui.presenting(), shown=shown)
    ui.chart(view, "markets_cameras", summary=False)
    if ui.presenting():
        _cards(ds, "cameras")
    total = len(loaders.derive(ds, _records, "camera_counts"))
    ui.blocks([ui.summary_text(view),
               ":small[:gray[The hatched bar is a projection of new cameras by 2020, not a count; it is not comparable "
               "with the 2017 counts.]]",
               loaders.derive(ds, _quotes, "camera_counts", first, last, _quotes_label(shown, total))])


def _market(ds, n: int) -> None:
    st.header(f"{n}. The market: how fast it grew")
    _cards(ds, "market")
    (first, last), shown = _chart_page(ds, "market_growth", "markets_growth")
    view = loaders.derive(ds, views.market, present=ui.presenting(), shown=shown)
    ui.chart(view, "markets_growth", summary=False)
    total = len(loaders.derive(ds, _records, "market_growth"))
    ui.blocks([ui.summary_text(view),
               loaders.derive(ds, _quotes, "market_growth", first, last, _quotes_label(shown, total), True)])


def _hikvision(ds, n: int) -> None:
    st.header(f"{n}. Hikvision: who owns it, and how much of the market it holds")
    _cards(ds, "company")
    (first, last), shown = _chart_page(ds, "hikvision_shares", "markets_hikvision")
    view = loaders.derive(ds, views.hikvision, present=ui.presenting(), shown=shown)
    ui.chart(view, "markets_hikvision", summary=False)
    caveat = loaders.derive(ds, _hikvision_caveat)
    total = len(loaders.derive(ds, _records, "hikvision_shares"))
    ui.blocks([ui.summary_text(view), f":small[:gray[Note: {md(caveat)}]]" if caveat else "",
               loaders.derive(ds, _quotes, "hikvision_shares", first, last, _quotes_label(shown, total))])


def _detention_section(ds, n: int) -> None:
    st.header(f"{n}. How many people are detained in Xinjiang: the sources differ")
    total = len(loaders.derive(ds, _records, "detention_estimates"))
    if not total:
        ui.empty("No detention estimate in the documents.")
        return
    # The estimates side by side: a Markdown table (a few rows: no table component for the browser to load) and each
    # one's quote, for the estimates of the current page when there are many.
    span = ui.paged(range(total), "markets_detention", per_page=DETENTION_PAGE, noun="estimates")
    ui.blocks([loaders.derive(ds, _detention, span.start, span.stop)])


def render() -> None:
    ds = loaders.dataset()
    ui.header("Cameras and markets",
              "How many surveillance cameras China had compared with the US, how fast its camera market grew, and "
              "who owns Hikvision, the market leader. Figures keep the source's own hedges (“more than”, “about”, "
              "“around”); **hover over any figure for its quote**."
              + "\n\n:small[:gray[Hover over (or tap) the question mark beside a figure for its exact quote; each "
                "chart's quotes are listed under it.]]")
    with ui.filters("Topic"):
        topic = query.bound("topic", st.radio, ["all", *mk.TOPICS], "all", "Topic", fmt=mk.TOPIC_LABELS.get,
                            horizontal=True)
    topics = mk.TOPICS if topic == "all" else (topic,)
    n = count(1)
    if "cameras" in topics:
        _cameras(ds, next(n))
    if "market" in topics:
        _market(ds, next(n))
    if "company" in topics:
        _hikvision(ds, next(n))
    _detention_section(ds, next(n))


if __name__ == "__main__":
    render()
