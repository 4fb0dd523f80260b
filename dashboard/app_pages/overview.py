"""Overview page: what the dashboard links, five single cited headline figures, and where each page goes."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders, nav, ui
from dashboard.safe import md
from dashboard.transforms import sources
from dashboard.views import overview as views

INTRO = (
    "This dashboard links a Central Asian city's surveillance cameras to the company that supplied them, to whoever "
    "lent the money, and to the US or UK action taken against that company. "
    "It is built from five documents and the government records behind their dates, and every number on screen "
    "opens the exact sentence it comes from. "
    "Where two sources disagree, both are shown side by side; where the documents give no figure, none is invented."
)
# What each page answers, in one line (pages listed in nav.PAGES without an entry here are linked by title only).
QUESTIONS = {
    "map": "Where were Chinese surveillance systems documented, who supplied them, and is that vendor on a US list?",
    "sanctions": "When did the US and UK act, against whom, and which of those named work in Central Asia?",
    "money": "Who lent or paid for these systems, and how much of each country's public debt is owed to China?",
    "markets": "How large is China's camera market, and how big is Hikvision within it?",
    "companies": "Is a given company on a US list, since when, and what did it build or lend in Central Asia?",
    "sources": "Which document says what, where sources disagree, how the data was made, and the data to download.",
    "briefing": "Step through the key charts in order for a presentation, and download the briefing pack.",
}


def render() -> None:
    ds = loaders.dataset()
    ui.header("Surveillance in Central Asia: who built it, who paid, who was sanctioned", md(INTRO))

    st.header("1. Headline figures")
    st.caption("Single figures, each from one cited sentence (hover the question mark for the quote); none is a sum "
               "of sources that disagree.")
    _headlines(ds)

    st.header("2. Where to go next")
    _page_links()

    st.header("3. How to read it")
    _reading_notes(ds)


def _overview_heads(ds) -> list[dict]:
    return loaders.derive(ds, views.headlines).table.to_dict("records")


def _overview_quotes(ds) -> str:
    """Each headline figure's quote (and its date's, where the figure is dated), as one collapsible group."""
    items = []
    for h in loaders.derive(ds, _overview_heads):
        items.append((h, f"{h['label']}: {h['value']}"))
        if h["date_row"] is not None:
            d = h["date_row"]
            items.append((d, f"The date: {d['date_kind']} {sources.fmt_date(d['date'])}"))
    return ui.disclosure("The quotes behind these figures", "\n\n".join(ui.evidence_parts(ds, items)))


def _headlines(ds) -> None:
    heads = loaders.derive(ds, _overview_heads)
    if not heads:
        ui.empty("None of the headline records is in the data.")
        return
    cols = st.columns(3)  # one set of columns, filled in turn (read down each, in order, by eye and screen reader)
    per = -(-len(heads) // 3)
    for k, h in enumerate(heads):
        with cols[k // per]:
            ui.metric(ds, h["label"], h["value"], h, note=h["note"])
    ui.blocks([loaders.derive(ds, _overview_quotes)])


def _page_links() -> None:
    # Real page links (they switch pages inside the session and carry ?present=1 when presenting), each with the
    # question its page answers under it: no columns around them.
    for url, title, _module in nav.PAGES:
        if url == "overview":
            continue
        nav.link(url, title)
        st.caption(md(QUESTIONS.get(url, "")))


def _overview_notes(ds) -> str:
    tkm = ds["countries"].set_index("iso3")
    lines = [
        "Each figure carries a qualifier when its source does (“about”, “more than”); a figure the documents do not "
        "give is shown as “not given”.",
        "Evidence is labelled: verbatim from a seed document, or the project's reference note on a primary record.",
    ]
    if "TKM" in tkm.index:
        lines.append(f"Turkmenistan: {tkm.loc['TKM', 'coverage_note']}")
    lines.append("Add ?present=1 to any page's address for a full-screen presentation view.")
    return ("\n".join(f"- {md(x)}" for x in lines)
            + f"\n\n:small[:gray[Data as of {md(ui.as_of(ds))} · version {md(ds.descriptor.get('version', ''))}]]")


def _reading_notes(ds) -> None:
    st.markdown(loaders.derive(ds, _overview_notes))


if __name__ == "__main__":
    render()
