"""Cameras and markets page: China's cameras against the US, the market's growth, Hikvision, detention estimates."""

from __future__ import annotations

from itertools import count

import pandas as pd
import streamlit as st

from dashboard import loaders, query, ui
from dashboard.charts.markets import make_cameras_figure, make_hikvision_figure, make_market_figure
from dashboard.safe import md
from dashboard.transforms import money

CARDS_PER_ROW = 2


def _quotes(ds, rows: pd.DataFrame, label: str = "Quotes behind this chart") -> None:
    with st.expander(label):
        for _, r in rows.iterrows():
            ui.evidence(ds, r, heading=f"{r['card_label']}: {r['text']} ({r['year_text']})")


def _note(r) -> str:
    bits = [r["year_text"]]
    if r["projection"]:
        bits.append("a projection, not a count")
    if r["measured_by"]:
        bits.append(f"measured by {r['measured_by']}")
    if r["caveat"] and not r["projection"]:
        bits.append(r["caveat"])
    return " · ".join(bits)


def _cards(ds, topic: str) -> None:
    rows = loaders.derive(ds, money.indicator_rows, topic)
    for start in range(0, len(rows), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for col, (_, r) in zip(cols, rows.iloc[start:start + CARDS_PER_ROW].iterrows(), strict=False):
            with col, st.container(border=True):
                ui.metric(ds, r["card_label"], r["card_value"], r, note=_note(r))


def _cameras_figure(ds, present: bool):
    cams = money.camera_counts(ds)
    return make_cameras_figure(cams, source=money.sources_text(ds, cams["source_id"]) + ", citing IHS Markit",
                               as_of=ui.as_of(ds), present=present)


def _market_figure(ds, note: str, present: bool):
    growth = money.market_growth(ds)
    return make_market_figure(growth, note, source=money.sources_text(ds, growth["source_id"]) + ", citing IHS Markit",
                              as_of=ui.as_of(ds), present=present)


def _hikvision_figure(ds, present: bool):
    shares = money.hikvision_shares(ds)
    return make_hikvision_figure(shares, source=money.sources_text(ds, shares["source_id"]), as_of=ui.as_of(ds),
                                 present=present)


def _cameras(ds, n: int) -> None:
    st.header(f"{n}. Cameras: China against the US")
    _cards(ds, "cameras")
    cams = loaders.derive(ds, money.camera_counts)
    ui.chart(loaders.derive(ds, _cameras_figure, ui.presenting()), "markets_cameras")
    st.caption("The hatched bar is a projection of new cameras by 2020, not a count; it is not comparable with the "
               "2017 counts.")
    _quotes(ds, cams)


def _market(ds, n: int) -> None:
    st.header(f"{n}. The market: how fast it grew")
    _cards(ds, "market")
    growth = loaders.derive(ds, money.market_growth)
    share = loaders.derive(ds, money.indicator_rows, "market")
    share = share[share["indicator_id"] == "cn-market-share-global-revenue"]
    note = (f"China accounts for {share['text'].iloc[0]} of global revenue ({share['year_text'].iloc[0]})"
            if len(share) else "")
    ui.chart(loaders.derive(ds, _market_figure, note, ui.presenting()), "markets_growth")
    _quotes(ds, pd.concat([growth, share]))


def _hikvision(ds, n: int) -> None:
    st.header(f"{n}. Hikvision: who owns it, and how much of the market it holds")
    _cards(ds, "company")
    shares = loaders.derive(ds, money.hikvision_shares)
    ui.chart(loaders.derive(ds, _hikvision_figure, ui.presenting()), "markets_hikvision")
    ent = ds["entities"].set_index("entity_id")
    if "hikvision" in ent.index and ent.loc["hikvision", "caveat"]:
        st.caption(f"Note: {md(ent.loc['hikvision', 'caveat'])}")
    _quotes(ds, shares)


def _detention(ds, n: int) -> None:
    st.header(f"{n}. How many people are detained in Xinjiang: the sources differ")
    est = loaders.derive(ds, money.detention_estimates)
    if est.empty:
        ui.empty("No detention estimate in the documents.")
        return
    d = ds["disagreements"].set_index("conflict_id")
    if "detention-estimate" in d.index:
        st.warning(f"Sources disagree: {md(d.loc['detention-estimate', 'summary'])} "
                   f"{md(d.loc['detention-estimate', 'handling'])}", icon="⚠️")
    st.dataframe(pd.DataFrame({"Source": est["source"], "Estimate, as stated": est["text"],
                               "What it counts": est["name"]}), hide_index=True, width="stretch")
    cols = st.columns(len(est))
    for col, (_, r) in zip(cols, est.iterrows(), strict=True):
        with col, st.container(border=True):
            row = {k: (None if isinstance(v, float) and v != v else v) for k, v in dict(r).items()}
            ui.evidence(ds, {**row, "conflict_id": None}, heading=f"{r['source']}: {r['text']}")


def render() -> None:
    ds = loaders.dataset()
    ui.header("Cameras and markets",
              "How many surveillance cameras China had compared with the US, how fast its camera market grew, and "
              "who owns Hikvision, the market leader. Figures keep the source's own hedges (“more than”, “about”, "
              "“around”); **hover over any figure for its quote**.")
    topic = query.bound("topic", st.radio, ["all", *money.TOPICS], "all", "Topic", fmt=money.TOPIC_LABELS.get,
                        horizontal=True)
    topics = money.TOPICS if topic == "all" else (topic,)
    st.caption("Hover over (or tap) the question mark beside a figure for its exact quote; each chart's quotes are "
               "listed under it.")
    n = count(1)
    if "cameras" in topics:
        _cameras(ds, next(n))
    if "market" in topics:
        _market(ds, next(n))
    if "company" in topics:
        _hikvision(ds, next(n))
    _detention(ds, next(n))


if __name__ == "__main__":
    render()
