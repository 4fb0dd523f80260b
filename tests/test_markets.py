"""Cameras and markets page: indicator transforms, figures, and the page in AppTest (topic filter, URL, quotes)."""

import json
import re

import pandas as pd
import pytest

from dashboard import fmt
from dashboard.charts.markets import (
    cameras_title,
    make_cameras_figure,
    make_hikvision_figure,
    make_market_figure,
    market_title,
)
from dashboard.transforms import markets

MAX_TITLE = 88


# --- transforms ---

@pytest.mark.parametrize("ratio, words", [
    (176 / 50, "more than three times"), (14.7 / 5.5, "more than twice"), (2.0, "twice"), (3.0, "three times"),
    (1.5, "1.5 times"), (12.34, "12.3 times"),
])
def test_times_phrase_never_overstates(ratio, words):
    assert fmt.times(ratio) == words


@pytest.mark.parametrize("value, unit, qualifier, text", [
    (20_000_000, "cameras", "more than", "more than 20 million"),
    (450_000_000, "cameras", "about", "about 450 million"),
    (42, "percent", "around", "around 42%"),
    (14.7, "percent", None, "14.7%"),
    (39_000_000_000, "USD", None, "US$39 billion"),
    (150, "countries and regions", "more than", "more than 150 countries and regions"),
    (2001, "year", None, "2001"),
    (1_500_000, "people", "an estimated", "an estimated 1.5 million"),
    (None, "cameras", None, "not given"),
])
def test_figure_text_keeps_the_qualifier(value, unit, qualifier, text):
    assert markets.figure_text(value, unit, qualifier) == text


def test_indicator_topics(dataset):
    assert len(markets.indicator_rows(dataset, "cameras")) == 5
    assert len(markets.indicator_rows(dataset, "market")) == 3
    assert len(markets.indicator_rows(dataset, "company")) == 6
    everything = markets.indicator_rows(dataset)
    assert set(everything["topic"]) == set(markets.TOPICS)  # detention and telecom are not headline market figures
    cards = everything.set_index("indicator_id")
    assert cards.loc["cn-skynet-2017", "card_value"] == "more than 20 million"
    assert cards.loc["hikvision-countries", "card_value"] == "more than 150"
    assert cards.loc["hikvision-soe-control", "card_value"] == "around 42%"
    assert cards.loc["cn-market-share-global-revenue", "year_text"] == "year not given"


def test_camera_counts_flag_the_projection(dataset):
    cams = markets.camera_counts(dataset)
    assert list(cams["indicator_id"]) == ["cn-cameras-2017", "us-cameras-2017", "cn-skynet-2017",
                                          "cn-new-cameras-by-2020"]
    assert list(cams["projection"]) == [False, False, False, True]
    assert "projection" in cams["label"].iloc[-1]


def test_market_growth_and_hikvision_shares(dataset):
    growth = markets.market_growth(dataset)
    assert list(growth["label"]) == ["China", "Rest of the world"]
    assert list(growth["value"]) == [14.7, 5.5]
    shares = markets.hikvision_shares(dataset).set_index("indicator_id")
    assert shares.loc["hikvision-soe-control", "text"] == "around 42%"
    assert shares.loc["hikvision-cethik-stake", "value"] == 39.6
    assert shares.loc["hikvision-global-share-2017", "kind"] == "market share"


def test_detention_estimates_keep_each_source(dataset):
    est = markets.detention_estimates(dataset)
    assert len(est) == 3 and est["source_id"].is_unique
    assert set(est["text"]) == {"an estimated 1.5 million", "approximately more than 1 million",
                                "more than 1 million"}
    assert (est["conflict_id"] == "detention-estimate").all()


# --- figures ---

def test_cameras_title_computes_the_ratio_from_the_data(dataset):
    cams = markets.camera_counts(dataset)
    assert cameras_title(cams) == "China had more than three times as many surveillance cameras as the US in 2017"
    made_up = cams.copy()
    made_up.loc[made_up["indicator_id"] == "cn-cameras-2017", "value"] = 100_000_000
    assert cameras_title(made_up) == "China had twice as many surveillance cameras as the US in 2017"


def test_cameras_figure_marks_the_projection_and_keeps_qualifiers(dataset):
    fig = make_cameras_figure(markets.camera_counts(dataset), source="S", as_of="d")
    proj = next(t for t in fig.data if t.name == "Projection (not a count)")
    assert proj.marker.pattern.shape == "/"
    assert "projection, not a count" in proj.text[0] and proj.text[0].startswith("about 450 million")
    counts = next(t for t in fig.data if t.name == "Count as reported")
    assert any(t.startswith("more than 20 million") for t in counts.text)
    assert len(fig.layout.meta["title"]) <= MAX_TITLE
    assert any("Source: S" in a.text for a in fig.layout.annotations)


def test_market_figure_title_and_bars(dataset):
    growth = markets.market_growth(dataset)
    assert market_title(growth) == "China's video-surveillance market grew more than twice as fast as elsewhere in 2017"
    fig = make_market_figure(growth, "China accounts for 44% of global revenue", source="S", as_of="d")
    assert list(fig.data[0].y) == [14.7, 5.5]
    assert "44%" in fig.layout.title.subtitle.text
    assert len(fig.layout.meta["title"]) <= MAX_TITLE


def test_hikvision_figure_keeps_figures_separate(dataset):
    fig = make_hikvision_figure(markets.hikvision_shares(dataset), source="S", as_of="d")
    title = fig.layout.meta["title"]
    assert "around 42%" in title and "21.4%" in title and len(title) <= MAX_TITLE
    assert fig.layout.barmode != "stack"  # ownership figures are separate statements, never added
    values = sorted(v for t in fig.data for v in t.x)
    assert values == [21.4, 39.6, 42]


@pytest.mark.parametrize("make", [make_cameras_figure, make_hikvision_figure])
def test_empty_input_says_so(make):
    fig = make(pd.DataFrame(), source="S", as_of="d")
    assert "No " in fig.layout.annotations[0].text and "match" in fig.layout.annotations[0].text


def test_empty_market_input_says_so():
    fig = make_market_figure(pd.DataFrame(), source="S", as_of="d")
    assert "No market-growth figures" in fig.layout.annotations[0].text


def test_figures_escape_markup_in_data(dataset):
    cams = markets.camera_counts(dataset).copy()
    cams.loc[0, "label"] = "<img src=x onerror=alert(1)>"
    cams.loc[0, "name"] = "<script>x</script>"
    fig = make_cameras_figure(cams, source="S", as_of="d")
    texts = " ".join(a.text for a in fig.layout.annotations) + " ".join(" ".join(t.hovertext) for t in fig.data)
    assert "<img" not in texts and "<script>" not in texts


# --- the page, in a real Streamlit run ---

def _titles(at):
    return [json.loads(c.proto.spec)["layout"]["meta"]["title"] for c in at.get("plotly_chart")]


def test_markets_page_draws_three_charts_and_cited_cards(open_page):
    at = open_page("markets")
    titles = _titles(at)
    assert len(titles) == 3
    assert titles[0] == "China had more than three times as many surveillance cameras as the US in 2017"
    metrics = at.metric
    assert len(metrics) == 14
    skynet = next(m for m in metrics if m.label.replace("\\", "") == "Skynet cameras in public spaces")
    assert skynet.value == "more than 20 million"
    assert "20 million cameras installed" in skynet.proto.help.replace("\\", "")
    # every card carries its note and source inside it (the metric's description), the quote in its tooltip
    assert all("Source: " in m.proto.delta_description for m in metrics)
    assert "measured by Chinese state media" in skynet.proto.delta_description
    # detention estimates, side by side in a table: one row per source
    text = "\n".join(m.value for m in at.markdown)
    lines = text.replace("\\", "").splitlines()
    head = lines.index("| Source | Estimate, as stated | What it counts |")
    rows = lines[head + 2:head + 5]
    assert rows[0].startswith("| Seed 003 (Charles Rollet) | an estimated 1.5 million |")
    assert not lines[head + 5].startswith("|")
    # the disagreement box, drawn as st.warning draws one, stated once above the estimates
    assert re.search(r'<div class="ca-warn" role="note">\s+⚠️ Sources disagree: Seed 003 cites', text)
    # each chart's quotes in a collapsible group under it, with the disagreement box where a quote has one
    assert len(re.findall(r"<summary>Quotes behind this chart</summary>", text)) == 3
    hik = re.findall(r"<summary>Quotes behind this chart</summary>(.*?)</details>", text, re.S)[2]
    assert "Hikvision controlled by state firms" in hik and "ca-warn" in hik and "Sources disagree" in hik


def test_topic_filter_changes_the_view_and_the_url(open_page):
    at = open_page("markets")
    at.radio(key="q_topic").set_value("company").run()
    assert not at.exception
    assert len(_titles(at)) == 1 and "Hikvision" in _titles(at)[0]
    assert at.query_params.get("topic") in ("company", ["company"])
    labels = {m.label.replace("\\", "") for m in at.metric}
    assert labels >= {"Hikvision controlled by state firms", "Hikvision's size as a business"}


def test_topic_from_url_round_trips(open_page):
    at = open_page("markets", query={"topic": "market"})
    assert at.radio(key="q_topic").value == "market"
    assert len(_titles(at)) == 1 and "grew" in _titles(at)[0]
    assert len(at.metric) == 3
    at.radio(key="q_topic").set_value("all").run()
    assert "topic" not in at.query_params  # the default view keeps a plain URL


@pytest.mark.parametrize("bad", ["detention", "<script>alert(1)</script>", "x" * 5000, "ÄÖÜ😀"])
def test_bad_topic_in_url_is_ignored_with_a_notice(open_page, bad):
    at = open_page("markets", query={"topic": bad})
    assert any("Ignored" in c.value for c in at.caption)
    assert at.radio(key="q_topic").value == "all"
    assert len(_titles(at)) == 3
