"""Briefing page: step through the key charts in order (position in the URL); in presentation mode, a slide show."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import export, exports_ui, loaders, query, ui
from dashboard.charts.geo import ASPECT
from dashboard.data import fingerprint
from dashboard.safe import md
from dashboard.views import briefing

EVIDENCE_PAGE = 500  # rows of a slide's evidence table per page (the real data's largest slide has under 50)
# Keys a presenter's clicker or keyboard sends, and the step each one asks for. Streamlit's own button shortcuts
# carry them: one key per button, so the extra keys sit on buttons the slide hides.
FORWARD, BACK = ("Right", "PageDown", "Space"), ("Left", "PageUp")
# Static CSS (never data) for the slide: nothing but the figure and one slim row of controls, inside the window.
SLIDE_CSS = """
<style>
  [data-testid="stMainBlockContainer"] { padding: 0.4rem 1rem 0 1rem !important; }
  [data-testid="stMain"] { overflow: hidden !important; }
  [data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { gap: 0.3rem !important; }
  [data-testid="stLayoutWrapper"]:has(> .st-key-slide_keys),
  [data-testid="stLayoutWrapper"]:has(> .st-key-present_exit) { display: none !important; }
  .st-key-slide_chart { flex: 0 0 auto !important; height: calc(100vh - 3.2rem) !important; min-height: 240px; }
  .st-key-slide_chart [data-testid="stPlotlyChart"], .st-key-slide_chart .stPlotlyChart { height: 100% !important; }
  .st-key-slide_bar { height: 2.6rem; align-items: center; }
  .st-key-slide_bar button { min-height: 2.2rem !important; padding: 0 0.9rem !important; }
</style>
"""


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


def _go(step: int, total: int) -> None:
    st.session_state["brief_step"] = _step(step, total)


def _current(total: int) -> int:
    """The step: from the URL when it is new (a shared link, or a link to this same page), else the session's."""
    url = st.query_params.get("step")
    if "brief_step" not in st.session_state or url != st.session_state.get("_brief_step_written"):
        st.session_state["brief_step"] = query.get("step", parse=int, allowed=range(1, total + 1), default=1)
    return st.session_state["brief_step"]


def _keep_in_url(step: int) -> None:
    query.put("step", step, default=1)
    st.session_state["_brief_step_written"] = st.query_params.get("step")


def _key_buttons(step: int, total: int) -> None:
    """Buttons the slide hides, one per extra key: PageDown and Space forward, PageUp back, Home and End jump."""
    with st.container(key="slide_keys"):
        for key in FORWARD[1:]:
            st.button(f"Next ({key})", key=f"slide_{key}", shortcut=key, on_click=_go, args=(step + 1, total),
                      disabled=step >= total)
        st.button("Previous (PageUp)", key="slide_PageUp", shortcut="PageUp", on_click=_go, args=(step - 1, total),
                  disabled=step <= 1)
        st.button("First (Home)", key="slide_Home", shortcut="Home", on_click=_go, args=(1, total))
        st.button("Last (End)", key="slide_End", shortcut="End", on_click=_go, args=(total, total))


def _exit_present() -> None:
    st.query_params.pop("present", None)
    st.session_state["present_toggle"] = False


def _map_frame_css(fig) -> str:
    """The map slide's box: as large as the window allows with a plot area of the map window's shape, so the map
    fills its frame and the legend inside it lands on the map, not on a blank band (static numbers, never data)."""
    m = fig.layout.margin
    side, tall = (m.l or 0) + (m.r or 0), (m.t or 0) + (m.b or 0)
    height = f"min(100vh - 3.2rem, (100vw - 2rem - {side}px) / {ASPECT} + {tall}px)"
    return (f"<style>.st-key-slide_chart {{ height: calc({height}) !important; width: min(100%, calc(({height} - "
            f"{tall}px) * {ASPECT} + {side}px)) !important; margin: 0 auto; }}</style>")


def _slide_show(ds, step: int, total: int) -> None:
    """One slide filling the window: the figure (its finding as title, its source line inside) and a slim row with
    Previous, 'N / 8', Next and Exit. Nothing else, so nothing scrolls."""
    st.html(SLIDE_CSS)
    slide = loaders.derive(ds, briefing.slide, step - 1, present=True)
    if slide.figure.layout.geo.lonaxis.range:
        st.html(_map_frame_css(slide.figure))
    with st.container(key="slide_chart"):
        ui.chart(slide, f"briefing_{slide.slug}", height="stretch", summary=False)
    with st.container(key="slide_bar", horizontal=True, vertical_alignment="center", gap="small"):
        st.button("◀ Previous", key="slide_prev", shortcut="Left", on_click=_go, args=(step - 1, total),
                  disabled=step <= 1)
        st.markdown(f"**{step} / {total}**", width="content")
        st.button("Next ▶", key="slide_next", shortcut="Right", on_click=_go, args=(step + 1, total),
                  disabled=step >= total)
        st.space("stretch")
        st.button("Exit presentation", key="slide_exit", shortcut="Esc", on_click=_exit_present)
    _key_buttons(step, total)


def render() -> None:
    ds = loaders.dataset()
    total = len(briefing.SLIDES)
    step = _current(total)
    _keep_in_url(step)
    if ui.presenting():
        _slide_show(ds, step, total)
        return
    ui.header("Briefing", "The key charts in order, each with its finding and source. Use **Next** and "
                          "**Previous** (or the arrow keys); the step is in the link, so a shared URL opens on the "
                          "same chart. Presentation mode shows them as full-window slides.")

    # 1. Navigation
    c1, c2, c3 = st.columns([1, 4, 1])
    with c1:
        st.button("◀ Previous", disabled=step <= 1, width="stretch", shortcut="Left", on_click=_go,
                  args=(step - 1, total))
    with c3:
        st.button("Next ▶", disabled=step >= total, width="stretch", shortcut="Right", on_click=_go,
                  args=(step + 1, total))
    with c2:
        st.markdown(f"**Chart {step} of {total}**")

    # 2. The chart, its finding, its source
    slide = loaders.derive(ds, briefing.slide, step - 1, present=False)
    ui.chart(slide, f"briefing_{slide.slug}")
    st.markdown(f"**Finding:** {md(slide.alt)}")
    st.caption(f"Source: {md(slide.source)} · Data as of {md(slide.as_of)}")
    with st.expander(f"The {len(slide.evidence):,} records behind this chart, with their quotes"):
        # a page of rows at a time: a table is sent whole on every run, even in a closed expander
        rows = ui.paged(slide.evidence, f"brief_evidence_{slide.slug}", per_page=EVIDENCE_PAGE, noun="records")
        st.dataframe(ui.arrow(rows), hide_index=True, width="stretch")

    # 3. The pack
    st.divider()
    st.header("Briefing pack")
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
