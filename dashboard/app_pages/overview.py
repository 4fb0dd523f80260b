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

    st.subheader("1. Headline figures")
    st.caption("Single figures, each from one cited sentence (hover the question mark for the quote); none is a sum "
               "of sources that disagree.")
    _headlines(ds)

    st.subheader("2. Where to go next")
    _page_links()

    st.subheader("3. How to read it")
    _reading_notes(ds)


def _headlines(ds) -> None:
    heads = loaders.derive(ds, views.headlines).table
    if heads.empty:
        ui.empty("None of the headline records is in the data.")
        return
    for start in range(0, len(heads), 3):
        chunk = heads.iloc[start:start + 3].to_dict("records")
        for col, h in zip(st.columns(3), chunk, strict=False):
            with col, st.container(border=True):
                ui.metric(ds, h["label"], h["value"], h, note=h["note"])
    with st.expander("The quotes behind these figures"):
        for h in heads.to_dict("records"):
            ui.evidence(ds, h, heading=f"{h['label']}: {h['value']}")
            if h["date_row"] is not None:
                d = h["date_row"]
                ui.evidence(ds, d, heading=f"The date: {d['date_kind']} {sources.fmt_date(d['date'])}")


def _page_links() -> None:
    for url, title, _module in nav.PAGES:
        if url == "overview":
            continue
        c1, c2 = st.columns([1, 3])
        with c1:
            nav.link(url, title)
        with c2:
            st.markdown(md(QUESTIONS.get(url, "")))


def _reading_notes(ds) -> None:
    tkm = ds["countries"].set_index("iso3")
    lines = [
        "Each figure carries a qualifier when its source does (“about”, “more than”); a figure the documents do not "
        "give is shown as “not given”.",
        "Evidence is labelled: verbatim from a seed document, or the project's reference note on a primary record.",
    ]
    if "TKM" in tkm.index:
        lines.append(f"Turkmenistan: {tkm.loc['TKM', 'coverage_note']}")
    lines.append("Add ?present=1 to any page's address for a full-screen presentation view.")
    st.markdown("\n".join(f"- {md(x)}" for x in lines))
    st.caption(f"Data as of {md(ui.as_of(ds))} · version {md(ds.descriptor.get('version', ''))}")


if __name__ == "__main__":
    render()
