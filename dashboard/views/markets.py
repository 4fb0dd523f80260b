"""Markets views: cameras in China against the US, the market's growth, Hikvision's owners and share, detention."""

from __future__ import annotations

import pandas as pd

from dashboard import editorial
from dashboard.charts.markets import make_cameras_figure, make_hikvision_figure, make_market_figure
from dashboard.data import Dataset
from dashboard.transforms import markets as mk
from dashboard.transforms import money
from dashboard.views import SOURCES_NAMED, View, as_of, evidence, link, make, rows


def _cited(ds: Dataset, df: pd.DataFrame, shown: tuple[int, int] | None) -> str:
    """The source line of a chart: its rows' sources (one page's with shown), a few named and the rest counted."""
    ids = df["source_id"] if shown is None else df["source_id"].iloc[shown[0]:shown[1]]
    return money.sources_text(ds, ids, most=SOURCES_NAMED)


def cameras(ds: Dataset, *, present: bool = False, shown: tuple[int, int] | None = None) -> View:
    """Camera counts: China against the US in 2017, Skynet, and the 2020 projection (hatched)."""
    cams = mk.camera_counts(ds)
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
    growth = mk.market_growth(ds)
    share = market_share(ds)
    note = f"China accounts for {share['text']} of global revenue ({share['year_text']})" if share else ""
    fig = make_market_figure(growth, note, source=_cited(ds, growth, shown) + ", citing IHS Markit",
                             as_of=as_of(ds), present=present, shown=shown)
    cited = growth if share is None else pd.concat([growth, pd.DataFrame([share])])
    return make("market-growth", fig, evidence(rows(cited, "indicators", "indicator_id")),
                link("markets", topic="market"), ds)


def hikvision(ds: Dataset, *, present: bool = False, shown: tuple[int, int] | None = None) -> View:
    """Hikvision's ownership by state firms and its global market share."""
    shares = mk.hikvision_shares(ds)
    fig = make_hikvision_figure(shares, source=_cited(ds, shares, shown), as_of=as_of(ds), present=present,
                                shown=shown)
    return make("hikvision-ownership-share", fig, evidence(rows(shares, "indicators", "indicator_id")),
                link("markets", topic="company"), ds)


def detention(ds: Dataset) -> View:
    """Each source's estimate of people detained in Xinjiang, side by side (a table: none is preferred)."""
    est = mk.detention_estimates(ds)
    table = pd.DataFrame({"Source": est["source"], "Estimate, as stated": est["text"], "What it counts": est["name"]})
    return make("detention-estimates", None, evidence(rows(est, "indicators", "indicator_id")), link("markets"), ds,
                table=table, title="How many people are detained in Xinjiang: the sources differ",
                source=money.sources_text(ds, est["source_id"]),
                alt=f"Table of {len(est):,} estimates of people detained in Xinjiang, one per source, as stated.")
