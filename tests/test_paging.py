"""The shared pager: long record lists are cut into pages, every record stays reachable, the page lives in the URL."""

from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st

    from dashboard import ui

    n = int(st.query_params.get("n", "45"))
    for item in ui.paged(list(range(n)), "demo", per_page=20, noun="items", url_key="p"):
        st.markdown(f"item-{item}")


def _items(at) -> list[int]:
    return [int(m.value.removeprefix("item-")) for m in at.markdown if m.value.startswith("item-")]


def test_short_list_is_whole_and_draws_no_pager():
    at = AppTest.from_function(_app)
    at.query_params["n"] = "20"
    at.run()
    assert _items(at) == list(range(20))
    assert not at.number_input


def test_pages_cover_every_item_once_and_follow_the_url():
    at = AppTest.from_function(_app)
    at.run()
    assert _items(at) == list(range(20))
    assert "1–20 of 45" in at.caption[0].value
    seen = []
    for page in (1, 2, 3):
        at.number_input[0].set_value(page).run()
        seen += _items(at)
        assert at.query_params.get("p", ["1"])[0] == str(page) or page == 1
    assert seen == list(range(45))
    assert "41–45 of 45" in at.caption[0].value


def test_page_from_url_and_bad_page_ignored_with_notice():
    at = AppTest.from_function(_app)
    at.query_params["p"] = "3"
    at.run()
    assert _items(at) == list(range(40, 45))
    bad = AppTest.from_function(_app)
    bad.query_params["p"] = "99"
    bad.run()
    assert not bad.exception
    assert _items(bad) == list(range(20))
    assert any("Ignored the link's p=99" in c.value for c in bad.caption)
