"""Briefing page: step through the key charts in order (position in the URL) and download the briefing pack."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import briefing, export, exports_ui, loaders, query, ui
from dashboard.data import fingerprint
from dashboard.safe import md

EVIDENCE_PAGE = 500  # rows of a slide's evidence table per page (the real data's largest slide has under 50)


@st.cache_data(show_spinner=False, max_entries=2)
def _pack(_ds, data_fingerprint: tuple) -> bytes:
    bar = st.progress(0.0, text="Preparing the briefing pack…")
    with tempfile.TemporaryDirectory() as tmp:
        files = export.write_pack(Path(tmp), _ds, progress=lambda f, label: bar.progress(f, text=f"Writing {label}"))
        data = export.zip_pack(files, Path(tmp))
    bar.empty()
    return data


def _step(n: int, total: int) -> int:
    return min(max(n, 1), total)


def render() -> None:
    ds = loaders.dataset()
    total = len(briefing.SLIDES)
    ui.header("Briefing", "The key charts in order, each with its finding and source. Use **Next** and "
                          "**Previous**; the step is in the link, so a shared URL opens on the same chart.")
    current = query.get("step", parse=int, allowed=range(1, total + 1), default=1)
    if "brief_step" not in st.session_state:
        st.session_state["brief_step"] = current

    # 1. Navigation
    c1, c2, c3 = st.columns([1, 4, 1])
    with c1:
        if st.button("◀ Previous", disabled=st.session_state["brief_step"] <= 1, width="stretch"):
            st.session_state["brief_step"] = _step(st.session_state["brief_step"] - 1, total)
    with c3:
        if st.button("Next ▶", disabled=st.session_state["brief_step"] >= total, width="stretch"):
            st.session_state["brief_step"] = _step(st.session_state["brief_step"] + 1, total)
    step = st.session_state["brief_step"]
    query.put("step", step, default=1)
    with c2:
        st.markdown(f"**Chart {step} of {total}**")

    # 2. The chart, its finding, its source
    slide = loaders.derive(ds, briefing.slide, step - 1, present=ui.presenting())
    ui.chart(slide, f"briefing_{slide.slug}")
    st.markdown(f"**Finding:** {md(slide.finding)}")
    st.caption(f"Source: {md(slide.source)} · Data as of {md(briefing.as_of(ds))}")
    with st.expander(f"The {len(slide.evidence):,} records behind this chart, with their quotes"):
        # a page of rows at a time: a table is sent whole on every run, even in a closed expander
        rows = ui.paged(slide.evidence, f"brief_evidence_{slide.slug}", per_page=EVIDENCE_PAGE, noun="records")
        st.dataframe(rows, hide_index=True, width="stretch")

    # 3. The pack
    st.divider()
    st.subheader("Briefing pack")
    st.markdown("Every chart as PNG (1920×1080), SVG and PDF, each citing itself; the data with its "
                "`datapackage.json`; `CITATIONS.md` with each chart's quotes; the sources as BibTeX, RIS and "
                "CSL-JSON; `briefing.pptx` and `briefing.html`.")
    if st.button("Prepare the briefing pack", key="make_pack"):
        try:
            st.session_state["_pack"] = _pack(ds, fingerprint())
        except export.ExportError as err:
            st.error(md(err))
    if st.session_state.get("_pack"):
        st.download_button("Download briefing-pack.zip", st.session_state["_pack"], file_name="briefing-pack.zip",
                           mime="application/zip", key="download_pack")
    exports_ui.briefing_downloads(ds)


if __name__ == "__main__":
    render()
