"""Bad data shows one clear error page (never a traceback); hostile URLs and data text never break or inject."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import data as data_module
from dashboard.nav import PAGES
from dashboard.safe import md
from tests.conftest import APP
from tests.test_bad_data import CASES

# --- bad data: the app's error page -------------------------------------------------------------------------


@pytest.mark.parametrize("damage,file,row,field,words", CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_data_gives_one_clear_error_page(damage, file, row, field, words, data_copy, monkeypatch):
    import streamlit
    from streamlit.testing.v1 import AppTest

    damage(data_copy)
    monkeypatch.setattr(data_module, "DATA_DIR", data_copy)
    streamlit.cache_data.clear()
    streamlit.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "could not be loaded" in message
    assert file.replace(".", "\\.").replace("_", "\\_") in message or file in message
    if row is not None:
        assert f"row {row}" in message
    assert "Traceback" not in message


# --- hostile URLs -------------------------------------------------------------------------------------------

URL_KEYS = ["city", "year", "layer", "entity", "source", "step", "authority", "instrument", "action", "country",
            "status", "topic", "present", "page", "dpage", "junk"]
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["<script>alert(1)</script>", "![x](http://evil.example/x.png)", ":red[boom]", "$$x$$",
                     "-1", "0", "99999999999999999999", "1e309", "nan", "", " ", "%00", "\u202e", "😀" * 20,
                     "a" * 10_000, "bishkek,narnia", "2019.5"]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.sampled_from([p[0] for p in PAGES]),
       params=st.dictionaries(st.sampled_from(URL_KEYS), VALUES, min_size=1, max_size=4))
def test_any_query_string_gives_no_exception(open_page, page, params):
    at = open_page(page, query=params)  # open_page asserts there is no exception
    shown = " ".join(e.value for e in at.markdown) + " ".join(c.value for c in at.caption)
    assert "<script>" not in shown


def test_known_bad_values_get_a_notice(open_page):
    at = open_page("map", query={"layer": "<b>gdp</b>"})
    notes = [c.value for c in at.caption if "Ignored" in c.value]
    assert notes and "<b>" not in notes[0]


# --- hostile data text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                  "![tracker](http://evil.example/t.png)", "[click](javascript:alert(1))",
                                  ":material/home: :red[x]", "$\\frac{1}{2}$", "**bold** _it_ `code`"])
def test_md_escape_leaves_no_live_markup(text):
    out = md(text)
    # every character Markdown or Streamlit could act on is backslash-escaped
    assert not re.search(r"(?<!\\)[<>\[\]()!:$*_`]", out), out
    assert out.replace("\\", "") == text.replace("\n", " ").replace("\\", "")


def test_html_in_a_data_field_renders_as_text_on_the_page(data_copy, monkeypatch):
    import streamlit
    from streamlit.testing.v1 import AppTest

    path = data_copy / "deployments.csv"
    text = path.read_text(encoding="utf-8")
    evil = "<script>alert(1)</script> ![t](http://evil.example/t.png)"
    path.write_text(text.replace("Huawei cameras overlooking the capital.", evil, 1), encoding="utf-8")
    monkeypatch.setattr(data_module, "DATA_DIR", data_copy)
    streamlit.cache_data.clear()
    streamlit.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["city"] = "nur-sultan"
    at.run().switch_page("app_pages/map.py").run()
    assert not at.exception
    bodies = [m.value for m in at.markdown]
    assert any("script" in b for b in bodies), "the text is shown"
    assert not any("<script>" in b or "![t](" in b for b in bodies), "but never as live markup"
    fig = json.dumps(at.get("plotly_chart")[0].proto.spec)
    assert "<script>" not in fig
