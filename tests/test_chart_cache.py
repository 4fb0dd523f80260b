"""ui.chart serialises each figure once: the same bytes as Streamlit's own path, shared by runs, dropped with it."""

from __future__ import annotations

import gc

import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

from dashboard import ui


def _script():
    import plotly.graph_objects as go
    import streamlit as st

    from dashboard import ui

    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[2.5, float("nan"), 1], uid="trace-uid", text=["<b>a</b>", "b", "c"]))
    fig.update_layout(title="Cameras", meta={"title": "Cameras"})
    st.plotly_chart(fig, key="plain", theme=None)
    st.plotly_chart(ui._serialised(fig), key="cached", theme=None)


def test_the_cached_spec_is_what_streamlit_sends_for_the_figure():
    at = AppTest.from_function(_script).run()
    plain, cached = at.get("plotly_chart")
    assert cached.proto.spec == plain.proto.spec
    assert '"uid"' not in cached.proto.spec and "null" in cached.proto.spec  # uids removed, NaN as null


def test_one_serialisation_per_figure_object(monkeypatch):
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    calls = []
    real = go.Figure.to_dict
    monkeypatch.setattr(go.Figure, "to_dict", lambda self: calls.append(1) or real(self))
    first = ui._serialised(fig)
    assert ui._serialised(fig) is first and len(calls) == 1
    other = go.Figure(go.Bar(x=["a"], y=[2]))  # equal-looking figures are different objects: never confused
    assert ui._serialised(other).to_dict()["data"][0]["y"] != first.to_dict()["data"][0]["y"]


def test_the_cache_entry_goes_with_the_figure():
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    ui._serialised(fig)
    key = id(fig)
    assert ("figure", key) in ui._ONCE
    del fig
    gc.collect()
    assert ("figure", key) not in ui._ONCE


def test_a_table_is_converted_to_arrow_once_per_dataframe_and_dropped_with_it():
    """st.dataframe converts a DataFrame to Arrow on every run; ui.arrow does it once per (memoised) frame."""
    import gc

    import pandas as pd

    from dashboard import ui

    df = pd.DataFrame({"Action": ["a", "b"], "Year": [2019, 2020]})
    first = ui.arrow(df)
    assert ui.arrow(df) is first
    assert first.column_names == ["Action", "Year"] and first.num_rows == 2
    assert first.to_pandas().equals(df)
    other = pd.DataFrame({"Action": ["c"], "Year": [2021]})
    assert ui.arrow(other) is not first
    key = id(df)
    del df
    gc.collect()
    assert ("arrow", key) not in ui._ONCE  # the cache never outlives the frame it stands for


def test_pages_hand_st_dataframe_arrow_built_before(open_page, monkeypatch):
    import pyarrow as pa
    import streamlit as st

    handed = []
    real = st.dataframe
    monkeypatch.setattr(st, "dataframe", lambda data, *a, **k: handed.append(data) or real(data, *a, **k))
    for page in ("money", "sanctions", "sources", "companies"):
        open_page(page)
    assert len(handed) >= 4 and all(isinstance(d, pa.Table) for d in handed)
