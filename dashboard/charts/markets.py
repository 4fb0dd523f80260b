"""Cameras and markets figures: China vs US camera counts, market growth, Hikvision's ownership and market share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import editorial
from dashboard.charts import OKABE_ITO, empty_figure, esc, finish, wrap
from dashboard.fmt import times as times_phrase

CN_CAMERAS, US_CAMERAS = editorial.CN_CAMERAS, editorial.US_CAMERAS
GEO_COLOURS = {"CHN": OKABE_ITO["vermillion"], "USA": OKABE_ITO["blue"], "Rest of world": OKABE_ITO["blue"]}
PROJECTION_COLOUR = "#F4C7A8"


def _hover(r) -> str:
    return (f"<b>{esc(r['name'])}</b><br>{esc(r['text'])} ({esc(r['year_text'])})"
            + (f"<br>Measured by: {esc(r['measured_by'])}" if r.get("measured_by") else "")
            + (f"<br>{wrap(r['caveat'], 60)}" if r.get("caveat") else ""))


def _scaled_ticks(top: float, unit_word: str, scale: float) -> tuple[list[float], list[str]]:
    raw = top / 5
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    vals = [float(k * step) for k in range(int(top // step) + 1)]
    return vals, ["0" if v == 0 else f"{v / scale:g} {unit_word}" for v in vals]


def cameras_title(cams: pd.DataFrame) -> str:
    ids = cams.set_index("indicator_id")
    if CN_CAMERAS in ids.index and US_CAMERAS in ids.index:
        cn, us = ids.loc[CN_CAMERAS], ids.loc[US_CAMERAS]
        year = cn["year_text"]
        return f"China had {times_phrase(cn['value'] / us['value'])} as many surveillance cameras as the US in {year}"
    top = cams[~cams["projection"]].sort_values("value", ascending=False)
    if top.empty:
        return "Only a projection of camera numbers is documented"
    r = top.iloc[0]
    return f"{r['label']}: {r['text']} cameras ({r['year_text']})"


def label_above(fig: go.Figure, ys, labels, *, base: int) -> None:
    """Name each bar in a line above it (long names never squeeze the bars at narrow widths).

    All labels go in with one layout update (add_annotation per bar validates and deep-copies each time)."""
    fig.update_layout(annotations=[*fig.layout.annotations, *(
        dict(x=0, y=y + 0.24, text=f"<b>{esc(text)}</b>", showarrow=False, xanchor="left", yanchor="bottom",
             xref="x", yref="y", align="left", font=dict(size=base - 1))
        for y, text in zip(ys, labels, strict=True))])


def page_of(rows: pd.DataFrame, shown: tuple[int, int] | None) -> tuple[pd.DataFrame, str]:
    """rows[first:last] for shown=(first, last), and words for the subtitle naming them ('' when all are shown)."""
    total = len(rows)
    first, last = shown if shown else (0, total)
    first, last = max(0, first), min(total, last)
    if (first, last) == (0, total):
        return rows, ""
    return rows.iloc[first:last], f"bars: figures {first + 1:,}–{last:,} of {total:,}"


def _joined(*bits: str) -> str:
    return " · ".join(b for b in bits if b)


def make_cameras_figure(cams: pd.DataFrame, *, source: str, as_of: str, present: bool = False,
                        shown: tuple[int, int] | None = None) -> go.Figure:
    """Horizontal bars of camera counts; the 2020 projection is hatched, pale and labelled as a projection.

    shown=(first, last): draw only those rows (one page of a long list); the title still reads all of them."""
    title = "Surveillance cameras in China and the US"
    if cams.empty:
        return empty_figure("No camera figures match this view.", title=title, source=source, as_of=as_of,
                            present=present)
    base = 18 if present else 14
    everything = cams
    cams, which = page_of(cams, shown)
    cams = cams.reset_index(drop=True).assign(ypos=lambda d: [float(len(d) - 1 - k) for k in range(len(d))])
    fig = go.Figure()
    for projection, grp in cams.groupby("projection", sort=True):
        colours = [PROJECTION_COLOUR if projection else GEO_COLOURS.get(g, OKABE_ITO["grey"])
                   for g in grp["geography"]]
        text = [f"{esc(t)} (projection, not a count)" if projection else f"{esc(t)} ({esc(y)})"
                for t, y in zip(grp["text"], grp["year_text"], strict=True)]
        fig.add_trace(go.Bar(
            x=grp["value"], y=grp["ypos"], orientation="h", width=0.44,
            name="Projection (not a count)" if projection else "Count as reported",
            marker=dict(color=colours, line=dict(color=OKABE_ITO["vermillion"] if projection else "#FFF", width=1.5),
                        pattern=dict(shape="/" if projection else "", fgcolor=OKABE_ITO["vermillion"], fgopacity=0.3)),
            text=text, textposition="auto", insidetextanchor="start", constraintext="none", cliponaxis=False,
            insidetextfont=dict(size=base, color="#222" if projection else "#FFF"),
            outsidetextfont=dict(size=base, color="#222"),
            customdata=np.array(grp[["indicator_id"]]), hovertext=[_hover(r) for r in grp.to_dict("records")],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    label_above(fig, cams["ypos"], cams["label"], base=base)
    fig.update_xaxes(range=[0, float(cams["value"].max()) * 1.1], visible=False)
    fig.update_yaxes(range=[-0.5, len(cams) - 0.15], visible=False)
    who = ", ".join(sorted(set(everything["measured_by"].dropna())))
    alt = (f"Camera counts{f' ({which})' if which else ''}: "
           + "; ".join(f"{r.label}: {r.text} ({r.year_text})" for r in cams.itertuples()) + ".")
    finish(fig, title=cameras_title(everything),
           subtitle=_joined(f"As reported by seed 001, citing {who}" if who else "", which),
           source=source, alt=alt, as_of=as_of, present=present,
           height=(460 if present else 420) if len(cams) <= 4 else (120 if present else 110) + 80 * len(cams))
    fig.update_layout(showlegend=False, dragmode=False, margin=dict(l=20, r=20))
    return fig


def market_title(growth: pd.DataFrame) -> str:
    # One figure per geography (the first, i.e. largest): more rows for a geography must not break the title.
    g = growth.drop_duplicates("geography").set_index("geography")
    if {"CHN", "Rest of world"} <= set(g.index):
        cn, row = g.loc["CHN"], g.loc["Rest of world"]
        return (f"China's video-surveillance market grew {times_phrase(cn['value'] / row['value'])} as fast as "
                f"elsewhere in {cn['year_text']}")
    r = growth.iloc[0]
    return f"{r['label']}'s market grew {r['text']} in {r['year_text']}"


def make_market_figure(growth: pd.DataFrame, share_note: str = "", *, source: str, as_of: str,
                       present: bool = False, shown: tuple[int, int] | None = None) -> go.Figure:
    """Two bars: the growth of China's professional video-surveillance market and the rest of the world's.

    shown=(first, last): draw only those rows (one page of a long list); the title still reads all of them."""
    title = "Growth of the video-surveillance equipment market"
    if growth.empty:
        return empty_figure("No market-growth figures match this view.", title=title, source=source, as_of=as_of,
                            present=present)
    base = 18 if present else 14
    everything = growth
    growth, which = page_of(growth, shown)
    # Bars sit on category labels: labels that repeat (several figures for one geography) would share one slot, so
    # they are numbered by their place in the whole list (the order of the quotes under the chart).
    first = shown[0] if shown and which else 0
    x = growth["label"] if growth["label"].is_unique else [
        f"{label} ({first + k + 1:,})" for k, label in enumerate(growth["label"])]
    fig = go.Figure(go.Bar(
        x=x, y=growth["value"],
        marker=dict(color=[GEO_COLOURS.get(g, OKABE_ITO["grey"]) for g in growth["geography"]]),
        text=[f"{esc(t)} ({esc(y)})" for t, y in zip(growth["text"], growth["year_text"], strict=True)],
        textposition="outside", cliponaxis=False, textfont=dict(size=base + 2),
        customdata=np.array(growth[["indicator_id"]]), hovertext=[_hover(r) for r in growth.to_dict("records")],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    fig.update_yaxes(range=[0, float(growth["value"].max()) * 1.3], ticksuffix="%", title_text="Growth in revenue",
                     gridcolor="#E5E5E5")
    fig.update_xaxes(tickfont=dict(size=base + 1))
    alt = (f"Market growth{f' ({which})' if which else ''}: "
           + "; ".join(f"{r.label}: {r.text} ({r.year_text})" for r in growth.itertuples()) + ".")
    finish(fig, title=market_title(everything), subtitle=_joined(share_note, which), source=source, alt=alt,
           as_of=as_of, present=present, height=460 if present else 420)
    fig.update_layout(showlegend=False, bargap=0.45, dragmode=False)
    return fig


def hikvision_title(shares: pd.DataFrame) -> str:
    ids = shares.set_index("indicator_id")
    soe = ids.loc[editorial.HIKVISION_SOE] if editorial.HIKVISION_SOE in ids.index else None
    mkt = ids.loc[editorial.HIKVISION_MARKET] if editorial.HIKVISION_MARKET in ids.index else None
    if soe is not None and mkt is not None:
        return (f"State-owned firms control {soe['text']} of Hikvision, market leader in {mkt['year_text']} with "
                f"{mkt['text']}")
    if soe is not None:
        return f"State-owned enterprises control {soe['text']} of Hikvision"
    if mkt is not None:
        return f"Hikvision held {mkt['text']} of the global CCTV market in {mkt['year_text']}"
    r = shares.iloc[0]
    return f"{r['label']}: {r['text']}"


def make_hikvision_figure(shares: pd.DataFrame, *, source: str, as_of: str, present: bool = False,
                          shown: tuple[int, int] | None = None) -> go.Figure:
    """Hikvision's percent figures on one 0-100% scale: who owns it, and its share of the world market.

    The figures are separate statements and are never added together. shown=(first, last): draw only those rows
    (one page of a long list); the title still reads all of them.
    """
    title = "Hikvision: ownership and market share"
    if shares.empty:
        return empty_figure("No Hikvision figures match this view.", title=title, source=source, as_of=as_of,
                            present=present)
    base = 18 if present else 14
    everything = shares
    shares, which = page_of(shares, shown)
    colours = {"ownership": OKABE_ITO["purple"], "market share": OKABE_ITO["blue"]}
    shares = shares.reset_index(drop=True).assign(ypos=lambda d: [float(len(d) - 1 - k) for k in range(len(d))])
    fig = go.Figure()
    for kind, grp in shares.groupby("kind", sort=False):
        fig.add_trace(go.Bar(
            x=grp["value"], y=grp["ypos"], orientation="h", width=0.44,
            name="Ownership" if kind == "ownership" else "Market share",
            marker=dict(color=colours.get(kind, OKABE_ITO["grey"])),
            text=[esc(t) for t in grp["text"]], textposition="outside", cliponaxis=False,
            textfont=dict(size=base + 1),
            customdata=np.array(grp[["indicator_id"]]), hovertext=[_hover(r) for r in grp.to_dict("records")],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    label_above(fig, shares["ypos"], shares["label"], base=base)
    fig.update_xaxes(range=[0, 100], ticksuffix="%", gridcolor="#E5E5E5")
    fig.update_yaxes(range=[-0.5, len(shares) - 0.15], visible=False)
    alt = (f"Hikvision{f' ({which})' if which else ''}: "
           + "; ".join(f"{r.label}: {r.text}" for r in shares.itertuples()) + ".")
    finish(fig, title=hikvision_title(everything),
           subtitle=_joined("Separate statements from one article (seed 001); the ownership figures are not added "
                            "together", which),
           source=source, alt=alt, as_of=as_of, present=present,
           height=(460 if present else 420) if len(shares) <= 4 else (120 if present else 110) + 80 * len(shares))
    fig.update_layout(dragmode=False, legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", xanchor="left"),
                      margin=dict(l=20, r=20, t=130))
    return fig
