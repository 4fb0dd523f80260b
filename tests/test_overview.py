"""Overview page: the cited headline cards, a link to every page with the question it answers, reading notes."""

import pytest

from dashboard import nav
from dashboard.app_pages.overview import QUESTIONS


def test_every_page_but_the_overview_has_a_question():
    others = {url for url, _title, _module in nav.PAGES if url != "overview"}
    assert others == set(QUESTIONS)
    assert all(q.endswith(("?", ".")) for q in QUESTIONS.values())


def test_overview_shows_five_cited_metrics(open_page):
    at = open_page("overview")
    values = [m.value for m in at.metric]
    assert values == ["2,000", "US$22 million", "about 50%", "28", "US$60 million"]
    # each card names its source underneath and carries the quote in its help text
    assert sum("Source:" in c.value for c in at.caption) >= 5
    assert all(m.proto.help.startswith("“") for m in at.metric)
    assert "2,000 Huawei cameras already overlook Nur" in at.metric[0].proto.help


def test_overview_links_every_other_page(open_page):
    at = open_page("overview")
    labels = [p.proto.label for p in at.get("page_link")]
    assert labels == [title for url, title, _m in nav.PAGES if url != "overview"]
    text = " ".join(m.value for m in at.markdown)
    assert "Turkmenistan" in text  # the no-data country is stated, never shown as zero
    assert [s.value for s in at.header] == ["1. Headline figures", "2. Where to go next", "3. How to read it"]


def test_quotes_behind_the_figures_include_the_listing_date(open_page):
    at = open_page("overview")
    quotes = " ".join(m.value for m in at.markdown if "> “" in m.value)  # a quote block, with or without heading
    assert "published and effective 2019" in quotes  # the date in the Entity List card has its own quote
    assert any("Sources disagree" in w.value for w in at.warning)  # Dushanbe's camera count is disputed


def test_presentation_links_keep_present_mode(open_page):
    at = open_page("overview", query={"present": "1"})
    assert not at.exception
    assert [p.proto.query_string for p in at.get("page_link")] == ["present=1"] * (len(nav.PAGES) - 1)


@pytest.mark.parametrize("junk", ["<script>alert(1)</script>", "x" * 5000])
def test_unrelated_url_values_do_not_break_the_overview(open_page, junk):
    at = open_page("overview", query={"entity": junk, "city": junk})
    assert not at.exception
    assert len(at.metric) == 5


def test_pages_are_built_once_and_each_run_gets_its_own_copies(open_page, monkeypatch):
    """st.Page resolves its script on disk (a tenth of a page view under load): once per process. Each run still
    gets fresh objects, since st.navigation marks the chosen one runnable and sessions run in parallel threads."""
    import streamlit as st

    at = open_page("sanctions")
    built, declared = [], []
    real_init, real_nav = st.Page.__init__, st.navigation
    monkeypatch.setattr(st.Page, "__init__", lambda self, *a, **k: built.append(a) or real_init(self, *a, **k))
    monkeypatch.setattr(st, "navigation", lambda pages, **k: declared.append(pages) or real_nav(pages, **k))
    for _ in range(3):
        at.run()
        assert not at.exception and at.title[0].value == "Sanctions timeline"
    assert built == []
    assert len(declared) == 3 and all(len(p) == len(nav.PAGES) for p in declared)
    assert len({id(p) for pages in declared for p in pages}) == 3 * len(nav.PAGES)  # no object shared by two runs
