"""Cameras and markets page at scale: cards, chart bars, quotes and detention estimates are paged, so what one run
sends does not grow with the data; every figure stays reachable; charts keep titles computed over all rows."""

import json
import re

import pytest

from dashboard import data
from dashboard.charts.markets import make_cameras_figure, make_hikvision_figure, make_market_figure
from dashboard.transforms import markets

FACTOR = 20
PAGERS = ["_page_markets_cards_cameras", "_page_markets_cameras", "_page_markets_cards_market",
          "_page_markets_growth", "_page_markets_cards_company", "_page_markets_detention"]


@pytest.fixture(scope="module")
def big_dirs(synthetic):
    """Synthetic packages at FACTOR and twice FACTOR (the real data copied k times, with fresh ids per copy)."""
    return {k: synthetic(k) for k in (FACTOR, 2 * FACTOR)}


@pytest.fixture(scope="module")
def big(big_dirs):
    return data.load(big_dirs[FACTOR])


@pytest.fixture
def at_scale(big_dirs, use_data):
    """Point the app at the synthetic package of factor k."""
    return lambda k=FACTOR: use_data(big_dirs[k])


def _count(node) -> int:
    kids = getattr(node, "children", None)
    return 1 + sum(_count(c) for c in (kids.values() if isinstance(kids, dict) else []))


def _figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _ids(fig: dict) -> list[str]:
    return [c[0] for t in fig["data"] for c in t.get("customdata", [])]


def test_elements_sent_do_not_grow_with_the_data(open_page, at_scale):
    sizes = {}
    for k in (FACTOR, 2 * FACTOR):
        at_scale(k)
        at = open_page("markets")
        sizes[k] = _count(at.main)
        assert [n.key for n in at.number_input] == PAGERS
        assert len(at.metric) == 3 * 10  # one page of cards per topic
        assert [len(_ids(f)) for f in _figures(at)] == [10, 10, 3]  # Hikvision's own figures: one replica's
    assert sizes[FACTOR] == sizes[2 * FACTOR]
    assert sizes[FACTOR] < 320  # 136 at 1x


def test_real_data_draws_no_pager(open_page):
    at = open_page("markets")
    assert not at.number_input
    assert [len(_ids(f)) for f in _figures(at)] == [4, 2, 3]


def test_camera_chart_pages_through_every_figure_and_its_quotes_follow(open_page, at_scale, big):
    at_scale()
    cams = markets.camera_counts(big)
    at = open_page("markets")
    fig = _figures(at)[0]
    assert _ids(fig) and set(_ids(fig)) == set(cams["indicator_id"].iloc[:10])
    # the title is the finding over all the rows, not over the page
    assert fig["layout"]["meta"]["title"] == "China had more than three times as many surveillance cameras as the US " \
                                              "in 2017"
    assert f"figures 1–10 of {len(cams):,}" in fig["layout"]["title"]["subtitle"]["text"]
    assert f"<summary>Quotes behind this chart (figures 1–10 of {len(cams):,})</summary>" in _text(at)
    last = -(-len(cams) // 10)
    at.number_input(key="_page_markets_cameras").set_value(last).run()
    assert not at.exception
    fig = _figures(at)[0]
    assert set(_ids(fig)) == set(cams["indicator_id"].iloc[(last - 1) * 10:])
    quotes = re.search(r"<summary>Quotes behind this chart \(figures[^<]*</summary>(.*?)</details>", _text(at), re.S)
    heads = re.findall(r"\*\*(.+?)\*\*", quotes.group(1).replace("\\", ""))
    assert len(heads) == len(cams) - (last - 1) * 10
    assert heads[-1].startswith(f"{cams['card_label'].iloc[-1]}: {cams['text'].iloc[-1]}")


def test_cards_pager_reaches_the_last_card(open_page, at_scale, big):
    at_scale()
    cards = markets.indicator_rows(big, "company")
    at = open_page("markets", query={"topic": "company"})
    assert len(at.metric) == 10
    pages = -(-len(cards) // 10)
    at.number_input(key="_page_markets_cards_company").set_value(pages).run()
    assert not at.exception
    labels = [m.label.replace("\\", "") for m in at.metric]
    assert len(labels) == len(cards) - (pages - 1) * 10
    assert labels[-1] == cards["card_label"].iloc[-1]


def test_market_bars_never_share_a_category_at_scale(big):
    growth = markets.market_growth(big)
    fig = make_market_figure(growth, "", source="S", as_of="d", shown=(0, 10))
    assert len(set(fig.data[0].x)) == len(fig.data[0].x) == 10  # 'China' ten times would draw one slot
    assert fig.layout.meta["title"].startswith("China's video-surveillance market grew more than twice")


def test_real_market_bars_keep_their_plain_labels(dataset):
    fig = make_market_figure(markets.market_growth(dataset), "", source="S", as_of="d")
    assert list(fig.data[0].x) == ["China", "Rest of the world"]


def test_figure_pages_draw_only_their_rows(big):
    cams = markets.camera_counts(big)
    fig = make_cameras_figure(cams, source="S", as_of="d", shown=(10, 20))
    assert {c[0] for t in fig.data for c in t.customdata} == set(cams["indicator_id"].iloc[10:20])
    assert sum(1 for a in fig.layout.annotations if a.yref == "y") == 10  # one label per drawn bar
    shares = markets.hikvision_shares(big)
    assert len(make_hikvision_figure(shares, source="S", as_of="d").layout.annotations) == len(shares) + 1


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _table_sources(at) -> list[str]:
    """The first column of the detention table (inside the section's one Markdown element)."""
    lines = _text(at).splitlines()
    head = next(k for k, line in enumerate(lines) if line.startswith("| Source |"))
    rows = lines[head + 2:]
    rows = rows[:next((k for k, line in enumerate(rows) if not line.startswith("|")), len(rows))]
    return [line.replace("\\", "").split(" | ")[0].removeprefix("| ") for line in rows]


def test_detention_estimates_are_paged_table_and_quotes_together(open_page, at_scale, big):
    at_scale()
    est = markets.detention_estimates(big)
    assert len(est) == 3 * FACTOR
    at = open_page("markets", query={"topic": "market"})
    assert _table_sources(at) == list(est["source"].iloc[:6])
    pages = -(-len(est) // 6)
    at.number_input(key="_page_markets_detention").set_value(pages).run()
    assert _table_sources(at) == list(est["source"].iloc[(pages - 1) * 6:])
    text = " ".join(m.value.replace("\\", "") for m in at.markdown)
    r = est.iloc[-1]
    assert f"**{r['source']}: {r['text']}**" in text
