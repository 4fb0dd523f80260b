"""Markets views: cameras in China against the US, the market's growth, Hikvision's owners and share, detention."""

from __future__ import annotations

import pandas as pd

from dashboard import editorial
from dashboard.charts.markets import make_cameras_figure, make_hikvision_figure, make_market_figure
from dashboard.data import Dataset
from dashboard.memo import derive
from dashboard.transforms import markets as mk
from dashboard.transforms import money
from dashboard.views import SOURCES_NAMED, View, as_of, evidence, link, make, rows


def _cited(ds: Dataset, df: pd.DataFrame, shown: tuple[int, int] | None) -> str:
    """The source line of a chart: its rows' sources (one page's with shown), a few named and the rest counted."""
    ids = df["source_id"] if shown is None else df["source_id"].iloc[shown[0]:shown[1]]
    return money.sources_text(ds, ids, most=SOURCES_NAMED)


def cameras(ds: Dataset, *, present: bool = False, shown: tuple[int, int] | None = None) -> View:
    """Camera counts: China against the US in 2017, Skynet, and the 2020 projection (hatched)."""
    cams = derive(ds, mk.camera_counts)
    fig = make_cameras_figure(cams, source=_cited(ds, cams, shown) + ", citing IHS Markit", as_of=as_of(ds),
                              present=present, shown=shown)
    return make("cameras-china-us", fig, evidence(rows(cams, "indicators", "indicator_id")),
                link("markets", topic="cameras"), ds)


def market_share(ds: Dataset) -> dict | None:
    share = mk.indicator_rows(ds, "market")
    share = share[share["indicator_id"] == editorial.MARKET_SHARE]
    return share.iloc[0].to_dict() if len(share) else None


def market(ds: Dataset, *, present: bool = False, shown: tuple[int, int] | None = None) -> View:
    """Growth of the video-surveillance market, China against the rest of the world, with China's revenue share."""
    growth = derive(ds, mk.market_growth)
    share = market_share(ds)
    note = f"China accounts for {share['text']} of global revenue ({share['year_text']})" if share else ""
    fig = make_market_figure(growth, note, source=_cited(ds, growth, shown) + ", citing IHS Markit",
                             as_of=as_of(ds), present=present, shown=shown)
    cited = growth if share is None else pd.concat([growth, pd.DataFrame([share])])
    return make("market-growth", fig, evidence(rows(cited, "indicators", "indicator_id")),
                link("markets", topic="market"), ds)


def hikvision(ds: Dataset, *, present: bool = False, shown: tuple[int, int] | None = None) -> View:
    """Hikvision's ownership by state firms and its global market share."""
    shares = derive(ds, mk.hikvision_shares)
    fig = make_hikvision_figure(shares, source=_cited(ds, shares, shown), as_of=as_of(ds), present=present,
                                shown=shown)
    return make("hikvision-ownership-share", fig, evidence(rows(shares, "indicators", "indicator_id")),
                link("markets", topic="company"), ds)


def detention(ds: Dataset) -> View:
    """Each source's estimate of people detained in Xinjiang, side by side (a table: none is preferred)."""
    est = derive(ds, mk.detention_estimates)
    table = pd.DataFrame({"Source": est["source"], "Estimate, as stated": est["text"], "What it counts": est["name"]})
    return make("detention-estimates", None, evidence(rows(est, "indicators", "indicator_id")), link("markets"), ds,
                table=table, title="How many people are detained in Xinjiang: the sources differ",
                source=money.sources_text(ds, est["source_id"]),
                alt=f"Table of {len(est):,} estimates of people detained in Xinjiang, one per source, as stated.")


def _note(r) -> str:
    bits = [r["year_text"]]
    if r["projection"]:
        bits.append("a projection, not a count")
    if r["measured_by"]:
        bits.append(f"measured by {r['measured_by']}")
    if r["caveat"] and not r["projection"]:
        bits.append(r["caveat"])
    return " · ".join(bits)


def cards(ds: Dataset, topic: str) -> View:
    """The cited headline figures of one topic (cameras, market, company): a table of cards, one per indicator,
    with the label, the figure as written (hedge kept) and a line of context."""
    rows_ = derive(ds, mk.indicator_rows, topic)
    table = rows_.assign(note=[_note(r) for r in rows_.to_dict("records")])
    return make(f"{topic}-figures", None, evidence(rows(rows_, "indicators", "indicator_id")),
                link("markets", topic=topic), ds, table=table,
                title=f"{editorial.TOPIC_LABELS.get(topic, topic)}: {len(rows_):,} cited figures",
                source=money.sources_text(ds, rows_["source_id"], most=SOURCES_NAMED) or "see Sources",
                alt="; ".join(f"{lab}: {val}" for lab, val in zip(rows_["card_label"], rows_["card_value"],
                                                                   strict=True)) or "No figure in the documents.")
