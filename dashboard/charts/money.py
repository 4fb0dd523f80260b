"""Money and debt figures: loans, deals and offers by status; the two accounts of Dushanbe's funding; debt shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import editorial
from dashboard.charts import OKABE_ITO, empty_figure, esc, finish, short, wrap
from dashboard.fmt import money
from dashboard.transforms.money import STATUS_GROUPS

GROUP_COLOURS = {
    "funded or committed": OKABE_ITO["blue"],
    "declined offer": OKABE_ITO["vermillion"],
    "request not met": OKABE_ITO["orange"],
}
GROUP_LEGEND = {
    "funded or committed": "Funded or committed",
    "declined offer": "Offer declined",
    "request not met": "Request not met",
}
SEGMENT_COLOURS = [OKABE_ITO["orange"], OKABE_ITO["blue"], OKABE_ITO["purple"], OKABE_ITO["sky"]]
DOMESTIC_COLOUR = OKABE_ITO["green"]
REMAINDER_COLOUR = "#D9D9D9"
LIGHT = {OKABE_ITO["orange"], OKABE_ITO["sky"], OKABE_ITO["yellow"], REMAINDER_COLOUR}  # take dark text


def _an(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def dollar_ticks(top: float, n: int = 5) -> tuple[list[float], list[str]]:
    """Axis ticks in words a presenter reads out: $0, $250 million, $1 billion (never '$1G')."""
    raw = top / n
    mag = 10 ** np.floor(np.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    vals = [float(k * step) for k in range(int(top // step) + 1)]
    return vals, ["US$0" if v == 0 else money(v) for v in vals]


def _purpose(text: str) -> str:
    """The purpose without its parenthetical or second clause, for a row label (the full text is in the hover)."""
    return short(str(text).split(" (")[0].split(";")[0], 48)


def _bar_label(r) -> str:
    """One line above a bar: what the money was for (bold), then who gave it, as what, when."""
    when = r["when"][:4] if r["when"] else "year not given"
    return (f"<b>{esc(r['country'])} · {esc(_purpose(r['purpose']))}</b>  "
            f"<span style='color:#444'>{esc(short(r['lender'], 34))} · {esc(r['kind'])} · {esc(when)}</span>")


def _few(parts: list[str], sep: str, noun: str, most: int = 3) -> str:
    """Distinct parts joined; past `most`, the rest are counted, so a title stays one line at any data size."""
    parts = list(dict.fromkeys(parts))
    if len(parts) <= most:
        return sep.join(parts)
    return f"{sep.join(parts[:most])}{sep}and {len(parts) - most:,} other {noun}"


def financing_title(rows: pd.DataFrame) -> str:
    """A title that states what the filtered rows show (the largest amount, or what was turned down / not met)."""
    groups = set(rows["status_group"])
    with_amount = rows[rows["amount_usd"].notna()]
    if groups == {"declined offer"}:
        parts = [f"{t} offered by {lender}" if pd.notna(a) else f"an offer by {lender}"
                 for t, a, lender in zip(rows["amount_text"], rows["amount_usd"], rows["lender"], strict=True)]
        return f"{_few(sorted(set(rows['country'])), ' and ', 'countries')} turned down {_few(parts, '; ', 'offers')}"
    if groups == {"request not met"}:
        parts = [f"{lender} ({c})" for lender, c in zip(rows["lender"], rows["country"], strict=True)]
        return f"Request not met: {_few(parts, '; ', 'requests')}"
    if with_amount.empty:
        return f"The documents give no amount for any of these {len(rows)} records"
    top = with_amount.loc[with_amount["amount_usd"].idxmax()]
    year = f" ({top['when'][:4]})" if top["when"] else ""
    tail = f", {top['status_group']}" if top["status_group"] != "funded or committed" else ""
    return (f"The largest documented amount is {top['amount_text']}, for {_an(top['kind'])} {top['kind']} in "
            f"{top['country']}{year}{tail}")


def make_financing_figure(rows: pd.DataFrame, *, scope: str, source: str, as_of: str,
                          present: bool = False, shown: tuple[int, int] | None = None) -> go.Figure:
    """One horizontal bar per financing record, labelled above, coloured by status group; records without an
    amount say so in words. The x axis is left out: every bar carries its own amount.

    shown=(first, last): draw only rows[first:last] (one page of a long list); the title and the counts in the
    subtitle still describe every row, and the subtitle says which records the bars are.
    """
    title = f"Loans, deals and offers: {scope}"
    if rows.empty:
        return empty_figure(f"No loan, deal or offer in the documents matches {scope}.", title=title,
                            source=source, as_of=as_of, present=present)
    base = 18 if present else 14
    total = len(rows)
    first, last = shown if shown else (0, total)
    first, last = max(0, first), min(total, last)
    paged = (first, last) != (0, total)
    everything = rows
    rows = rows.iloc[first:last].reset_index(drop=True).copy()
    n = len(rows)
    rows["ypos"] = [float(n - 1 - k) for k in range(n)]  # first record at the top
    recs = rows.to_dict("records")
    rows["bar_text"] = [
        r["amount_text"] + (f" · {r['amount_note']}" if r["amount_note"] else "")
        + (" · ⚠ lender disputed" if r["disputed"] and r["conflict_id"] == editorial.DUSHANBE_LENDER_CONFLICT else
           (" · ⚠ sources disagree" if r["disputed"] and not r["amount_note"] else ""))
        for r in recs
    ]
    rows["hover"] = [
        f"<b>{esc(r['purpose'])}</b><br>{esc(r['country'])} · {esc(r['lender'])}<br>"
        f"{esc(r['kind'].capitalize())}: {esc(r['amount_text'])}<br>Status: {esc(r['status'])}"
        + (f"<br>{wrap(r['caveat'], 60)}" if r["caveat"] else "")
        + ("<br>⚠ Sources disagree on this record" if r["disputed"] else "")
        + "<br><i>Click for the quote and source</i>"
        for r in recs
    ]
    fig = go.Figure()
    has = rows[rows["amount_usd"].notna()]
    for group in STATUS_GROUPS:
        g = has[has["status_group"] == group]
        if g.empty:
            continue
        colour = GROUP_COLOURS[group]
        fig.add_trace(go.Bar(
            x=g["amount_usd"], y=g["ypos"], orientation="h", name=GROUP_LEGEND[group], width=0.42,
            marker=dict(color=colour), text=[esc(t) for t in g["bar_text"]], textposition="auto",
            insidetextanchor="start", cliponaxis=False, constraintext="none",
            insidetextfont=dict(color="#222" if colour in LIGHT else "#FFF", size=base),
            outsidetextfont=dict(color="#222", size=base),
            customdata=np.array(g[["financing_id"]]), hovertext=g["hover"],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    none = rows[rows["amount_usd"].isna()]
    if len(none):
        fig.add_trace(go.Scatter(
            x=[0] * len(none), y=none["ypos"], mode="markers+text", name="Amount not given",
            marker=dict(symbol="line-ns-open", size=18, color=OKABE_ITO["grey"], line=dict(width=2)),
            text=[f"amount not given ({esc(s)})" for s in none["status"]], textposition="middle right",
            textfont=dict(color="#444", size=base), cliponaxis=False,
            customdata=np.array(none[["financing_id"]]), hovertext=none["hover"],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    # All row labels in one layout update: add_annotation per row validates and deep-copies the layout each time.
    fig.update_layout(annotations=[
        dict(x=0, y=r["ypos"] + 0.22, text=_bar_label(r), showarrow=False, xanchor="left", yanchor="bottom",
             xref="x", yref="y", align="left", font=dict(size=base - 1))
        for r in rows.to_dict("records")
    ])
    top = float(has["amount_usd"].max()) if len(has) else 1e6
    fig.update_xaxes(range=[0, top * 1.12], visible=False)
    fig.update_yaxes(range=[-0.5, n - 0.1], visible=False)
    n_none = int(everything["amount_usd"].isna().sum())
    n_disp = int(everything["disputed"].sum())
    bits = [f"{total:,} record{'s' if total != 1 else ''}", f"{n_none:,} without an amount" if n_none else "",
            f"{n_disp:,} where sources disagree" if n_disp else "",
            f"bars: records {first + 1:,}–{last:,}" if paged else ""]
    subtitle = f"{scope.capitalize()} · " + " · ".join(b for b in bits if b)
    listed = "; ".join(f"{r['country']}, {r['lender']}, {r['kind']}, {r['amount_text']}, {r['status']}"
                       for r in recs)
    if paged:
        alt = (f"Bar chart of records {first + 1:,}–{last:,} of {total:,} financing records ({scope}): "
               + listed + ".")
    else:
        alt = f"Bar chart of {n} financing record{'s' if n != 1 else ''} ({scope}): " + listed + "."
    finish(fig, title=financing_title(everything), subtitle=subtitle, source=source, alt=alt, as_of=as_of,
           present=present, height=max(360, 190 + (70 if present else 60) * n))
    fig.update_layout(
        barmode="overlay", clickmode="event+select", dragmode=False,
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", xanchor="left", title_text=""),
        margin=dict(l=20, r=20, t=125),
    )
    return fig


def make_dushanbe_figure(split: pd.DataFrame, *, source: str, as_of: str, present: bool = False) -> go.Figure:
    """Two stacked bars, one per source, each showing how that source splits the project's cost; never merged."""
    title = "How Dushanbe's Safe City was paid for"
    if split.empty:
        return empty_figure("No financing records for Dushanbe's Safe City.", title=title, source=source,
                            as_of=as_of, present=present)
    total = split.attrs.get("total_usd")
    sides = list(dict.fromkeys(split["side"]))
    loans = split[split["role"] == "loan"]
    lenders = list(dict.fromkeys(loans["lender"]))
    colours = {lender: SEGMENT_COLOURS[k % len(SEGMENT_COLOURS)] for k, lender in enumerate(lenders)}
    fig = go.Figure()
    base = 18 if present else 14
    order = {"domestic": 0, "loan": 1, "remainder": 2}
    keyed = split.assign(_o=split["role"].map(order)).sort_values("_o", kind="stable")
    for (segment, role), grp in keyed.groupby(["segment", "role"], sort=False):
        colour = DOMESTIC_COLOUR if role == "domestic" else REMAINDER_COLOUR if role == "remainder" else \
            colours[segment]
        big = grp["amount_usd"] >= 0.2 * float(total or grp["amount_usd"].max())
        name = ("Not broken down by this source" if role == "remainder" else segment)
        fig.add_trace(go.Bar(
            x=grp["amount_usd"], y=grp["side"], orientation="h", name=esc(name),
            marker=dict(color=colour, line=dict(color="#FFF", width=1.5),
                        pattern=dict(shape="/" if role == "remainder" else "", fgcolor="#999")),
            text=[f"{esc(segment)}<br>{esc(money(a))}" if b else "" for a, b in zip(grp["amount_usd"], big,
                                                                                     strict=True)],
            textposition="inside", insidetextanchor="middle",
            textfont=dict(color="#222" if colour in LIGHT else "#FFF", size=base),
            customdata=np.array(grp[["financing_id"]]),
            hovertext=[f"<b>{esc(s)}</b><br>{wrap(segment, 50)}<br>{esc(money(a))}"
                       for s, a in zip(grp["side"], grp["amount_usd"], strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    # Small segments cannot hold their own label: name them beside the bar's end instead.
    for side in sides:
        seg = split[split["side"] == side]
        small = seg[seg["amount_usd"] < 0.2 * float(total or seg["amount_usd"].max())]
        if len(small):
            text = "; ".join(
                (f"{money(r.amount_usd)} not broken down" if r.role == "remainder"
                 else f"{r.segment}: {money(r.amount_usd)}") for r in small.itertuples())
            fig.add_annotation(x=float(seg["amount_usd"].sum()), y=side, text=esc(text), showarrow=False,
                               xanchor="left", xshift=8, font=dict(size=base - 1, color="#222"), align="left")
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(sides)), automargin=True,
                     tickfont=dict(size=base), tickvals=sides, ticktext=[wrap(x, 24) + "  " for x in sides])
    xmax = float(total or split.groupby("side")["amount_usd"].sum().max())
    vals, texts = dollar_ticks(xmax)
    fig.update_xaxes(range=[0, xmax * 1.6], tickvals=vals, ticktext=texts, gridcolor="#E5E5E5")
    if total:
        fig.add_vline(x=total, line=dict(color="#444", dash="dot", width=1.5))
        fig.add_annotation(x=total, y=0.5, yref="paper", text=f"← project total {esc(money(total))}", showarrow=False,
                           xanchor="left", xshift=4, font=dict(size=base - 1, color="#444"))
    amounts = set(loans["amount_usd"])
    if len(lenders) > 1 and len(amounts) == 1:
        head = f"Two sources name different lenders for the same {money(next(iter(amounts)))} Dushanbe loan"
    elif len(lenders) > 1:
        head = "Two sources name different lenders for Dushanbe's Safe City"
    else:
        head = f"Dushanbe's Safe City was financed by {lenders[0] if lenders else 'an unnamed lender'}"
    subtitle = (f"{money(total)} project (2013), " if total else "") + "as each source tells it; never merged"
    alt = ("Two stacked bars: " + "; ".join(
        f"{s}: " + ", ".join(f"{r.segment} {money(r.amount_usd)}" for r in split[split['side'] == s].itertuples())
        for s in sides) + ". The sources are shown side by side, not merged.")
    finish(fig, title=head, subtitle=subtitle, source=source, alt=alt, as_of=as_of, present=present,
           height=440 if present else 400)
    # room under the subtitle for a legend wrapped onto two rows (it touched the subtitle on a 1280-wide slide)
    fig.update_layout(barmode="stack", bargap=0.35, showlegend=True, dragmode=False, margin=dict(t=155),
                      legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", xanchor="left", traceorder="normal"))
    return fig


def debt_title(debt: pd.DataFrame) -> str:
    has = debt[debt["share_pct"].notna()].sort_values("share_pct", ascending=False)
    if has.empty:
        return "The documents give no share of public debt owed to Chinese lenders"
    first = has.iloc[0]
    text = f"{first['country']} owes {first['label']} of its public debt to {first['creditor']}"
    rest = [f"{r.country} {r.label}" for r in has.iloc[1:].itertuples()]
    return text + (", " + ", ".join(rest) if rest else "")


def make_debt_figure(debt: pd.DataFrame, caveat: str, *, source: str, as_of: str, present: bool = False) -> go.Figure:
    """Share of public debt owed to Chinese lenders; a country without a figure says so in words, not as zero."""
    title = "Public debt owed to Chinese lenders"
    if debt.empty:
        return empty_figure("No country matches.", title=title, source=source, as_of=as_of, present=present)
    base = 18 if present else 14
    fig = go.Figure()
    has = debt[debt["share_pct"].notna()]
    none = debt[debt["share_pct"].isna()]
    fig.add_trace(go.Bar(
        x=has["share_pct"], y=has["country"], orientation="h", name="Share of public debt (as stated)",
        marker=dict(color=OKABE_ITO["vermillion"]), text=[esc(t) for t in has["label"]], textposition="outside",
        cliponaxis=False, textfont=dict(size=base + 1),
        hovertext=[f"<b>{esc(r.country)}</b><br>{esc(r.label)} of public debt owed to {esc(r.creditor)}"
                   for r in has.itertuples()],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    if len(none):
        fig.add_trace(go.Scatter(
            x=[1] * len(none), y=none["country"], mode="text", name="No figure in the documents",
            text=["no figure in the documents"] * len(none), textposition="middle right",
            textfont=dict(color="#555", size=base), hoverinfo="skip", showlegend=False,
        ))
    fig.update_xaxes(range=[0, 100], ticksuffix="%", gridcolor="#E5E5E5")
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(debt["country"])), automargin=True,
                     tickfont=dict(size=base), ticksuffix="  ")
    alt = "Debt owed to Chinese lenders: " + "; ".join(f"{r.country}: {r.label}" for r in debt.itertuples()) + "."
    finish(fig, title=debt_title(debt), subtitle=caveat, source=source, alt=alt, as_of=as_of, present=present,
           height=460 if present else 420)
    fig.update_layout(showlegend=False, bargap=0.35, dragmode=False)
    return fig
