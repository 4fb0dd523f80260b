"""Exports keep the view: the URL's filters decide what is drawn, the file name says the view, and every exported
image, slide and file carries the view's link."""

import io
import zipfile
from pathlib import Path

import plotly.graph_objects as go
import pytest
from pptx import Presentation

from dashboard import exports_ui

OTHER_CA = ("Tajikistan", "Uzbekistan", "Kazakhstan", "Turkmenistan")


def test_view_name_and_link_from_the_url(dataset):
    params = {"country": "KGZ", "present": "1", "record": "fin-x"}
    assert exports_ui.view_name(dataset, params, page="money") == "money-kyrgyzstan"
    assert exports_ui.view_link(params, page="money") == "/money?country=KGZ"  # look and open quote left out
    assert exports_ui.view_name(dataset, {"entity": "hikvision"}, page="companies") == "companies-hikvision"
    assert exports_ui.view_name(dataset, {"country": "<b>x</b>"}, page="money") == "money-b-x-b"  # safe as a name
    assert exports_ui.view_link({}, page="map") == "/map"


def test_stamp_adds_the_link_to_a_copy_and_keeps_the_shared_figure(dataset):
    from dashboard.views import briefing

    fig = briefing.slide(dataset, 1, True).figure
    before = fig.to_json()
    out = exports_ui.stamp(fig, "/money?country=KGZ")
    assert fig.to_json() == before  # memoised figures are shared across sessions: never changed
    src = [a.text for a in out.layout.annotations if a.text.startswith("Source:")]
    assert src and src[0].endswith("· /money?country=KGZ")
    assert out.layout.meta["link"] == "/money?country=KGZ"
    assert exports_ui.stamp(fig, "/money?country=KGZ") is out  # a rerun reuses the copy


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    """Image exports here start kaleido's browser in this process: stop it with the module, not at exit."""
    yield
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    except Exception:  # never started (an earlier test failed): nothing to stop
        pass


@pytest.fixture(scope="module")
def money_kgz():
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=90)
    at.query_params["country"] = "KGZ"
    at.run()
    at.switch_page("app_pages/money.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_money_kgz_charts_are_named_and_linked_by_the_view(money_kgz):
    charts = money_kgz.session_state["_view_charts"]
    first = charts[0]
    assert first.slug == "money-kyrgyzstan"
    assert all(c.link == "/money?country=KGZ" for c in charts)
    assert [c.slug for c in charts[1:]] == [f"money-kyrgyzstan-{c.slug.rsplit('-', 1)[1]}" for c in charts[1:]]
    labels = " ".join(a.text for a in first.figure.layout.annotations)
    assert "Kyrgyzstan" in labels and not any(f"{c} ·" in labels for c in OTHER_CA)


def test_money_kgz_offers_this_view_as_png_svg_and_pptx(money_kgz):
    buttons = {b.proto.label: b for b in money_kgz.sidebar.get("download_button")}
    assert {"PNG (2 charts)", "SVG (2 charts)", "PowerPoint (.pptx)"} <= set(buttons)
    # the note under the heading, as a reader sees it (the Markdown escapes every punctuation mark of the link)
    assert any("Each file names and links this view: /money?country=KGZ" in c.value.replace("\\", "")
               for c in money_kgz.sidebar.markdown)


def test_exported_image_of_money_kgz_shows_only_kyrgyzstan_and_names_the_view(money_kgz, dataset, tmp_path):
    assert Path("/usr/bin/chromium").exists(), "image export needs Chromium: `apt-get install chromium`"
    charts = money_kgz.session_state["_view_charts"]
    data = exports_ui.images(charts, "svg")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist()[0] == "money-kyrgyzstan.svg"
        svg = z.read("money-kyrgyzstan.svg").decode("utf-8")
    assert "· /money?country=KGZ" in svg  # the image says how to reopen the view
    assert "Kyrgyzstan" in svg and not any(c in svg for c in OTHER_CA)
    png = exports_ui.images(charts[:1], "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "money-kyrgyzstan.png").write_bytes(png)


def test_view_deck_carries_the_link_on_every_chart_slide(money_kgz, dataset):
    charts = money_kgz.session_state["_view_charts"]
    prs = Presentation(io.BytesIO(exports_ui.deck_bytes(dataset, charts, "Money and debt")))
    slides = list(prs.slides)
    assert len(slides) == 2 + len(charts)
    for s, c in zip(slides[1:-1], charts, strict=True):
        text = " ".join(x.text_frame.text for x in s.shapes if x.has_text_frame)
        assert "View: /money?country=KGZ" in text
        assert "View: /money?country=KGZ" in s.notes_slide.notes_text_frame.text
        assert s.shapes.title.text == c.title
    # the page passed its View: the notes quote the records behind the chart (here Kyrgyzstan's financing rows)
    fin = dataset["financing"]
    notes = slides[1].notes_slide.notes_text_frame.text
    for q in fin.loc[fin["country_iso3"] == "KGZ", "quote"]:
        assert f"“{q}”" in notes


def test_briefing_page_offers_deck_and_offline_file(open_page):
    at = open_page("briefing")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download briefing.pptx" in labels and "Download briefing.html" in labels


def test_unfiltered_page_keeps_naming_charts_by_their_finding(open_page):
    at = open_page("markets")
    names = [c.slug for c in at.session_state["_view_charts"]]
    assert names and all(not n.startswith("markets") for n in names)
    assert all(c.link == "/markets" for c in at.session_state["_view_charts"])


def test_stamp_without_a_link_is_the_figure_itself():
    fig = go.Figure()
    assert exports_ui.stamp(fig, "") is fig
