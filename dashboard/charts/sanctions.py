"""Sanctions charts: one row per action with its dated claims joined by a line, and Entity List growth as steps."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import OKABE_ITO, empty_figure, esc, finish, short, wrap
from dashboard.transforms.sanctions import DATE_LABELS, fmt_date, parties_text

JURISDICTION_COLOURS = {"US": OKABE_ITO["blue"], "UK": OKABE_ITO["vermillion"]}
JURISDICTION_NAMES = {"US": "United States", "UK": "United Kingdom"}
# Filled = the date it bound; open = the date it was made public; other kinds in between.
DATE_SYMBOLS = {"announced": "circle-open", "passed": "triangle-up-open", "signed": "diamond",
                "published": "square-open", "effective": "circle"}
CA_BAND = "rgba(240, 228, 66, 0.35)"  # Okabe-Ito yellow, light: rows naming a vendor active in Central Asia
CA_MARK = "★"
TIMELINE_TITLE = "Sanctions timeline"
STEPS_TITLE = "US Entity List growth"
STEP_LABELS = 12  # more Entity List steps than this: only the largest carry a text label
STEP_MARKERS = 60  # more Entity List rules than this: the rules in force on one day are drawn as one step
SUBTITLE_CHARS = 120  # about what one subtitle line holds at 1280 px; Plotly does not wrap it


def _bottom_margin(fig: go.Figure, b: int) -> None:
    """Set the bottom margin and keep finish()'s source line at the foot of the image."""
    fig.update_layout(margin_b=b)
    for a in fig.layout.annotations:
        if a.text and a.text.startswith("Source: "):
            a.yshift = -(b - 12)


def _year(value) -> int:
    return pd.Timestamp(value).year


def timeline_title(actions: pd.DataFrame) -> str:
    """The finding, computed from the rows shown: when US actions naming Central Asian vendors began and ran to."""
    placed = actions[actions["placed_on_axis"]]
    us_ca = placed[(placed["jurisdiction"] == "US") & placed["names_ca_vendor"]]
    if len(us_ca) >= 2 and _year(us_ca["first_date"].min()) < _year(us_ca["first_date"].max()):
        title = (f"US curbs on Central Asia's vendors began in {_year(us_ca['first_date'].min())} "
                 f"and widened through {_year(us_ca['first_date'].max())}")
    elif len(us_ca):
        title = (f"{len(us_ca)} US action{'s' if len(us_ca) > 1 else ''} shown name{'' if len(us_ca) > 1 else 's'} "
                 f"a vendor active in Central Asia ({_year(us_ca['first_date'].min())})")
    elif placed["names_ca_vendor"].any():
        title = "Only UK actions shown name a vendor active in Central Asia"
    else:
        title = f"None of the {len(placed)} dated actions shown names a vendor active in Central Asia"
    return title


def timeline_subtitle(actions: pd.DataFrame) -> str:
    placed = actions[actions["placed_on_axis"]]
    text = f"{CA_MARK} shaded rows name a vendor active in Central Asia"
    uk = placed[placed["jurisdiction"] == "UK"]
    if len(uk) and not (uk["status"] == "in force").any():
        text += "; no UK action shown is in force"
    return text


def _label_dates(r) -> str:
    """Announced and in-force dates where full; otherwise the first full date of another kind."""
    start = next((k for k in ("announced", "passed", "signed", "published") if pd.notna(getattr(r, k))), None)
    bits = [f"{start} {fmt_date(getattr(r, start))}"] if start else []
    if pd.notna(r.effective):
        bits.append(f"in force {fmt_date(r.effective)}")
    return " → ".join(bits)


def _label(r) -> str:
    """The right-hand label of a row: its key dates; then parties named, Central Asian vendors, disagreement."""
    bits = [parties_text(r, short=True)]
    if r.status != "in force":  # a recommendation or a pending bill is marked apart from the actions that bind
        bits.insert(0, f"{r.status}: not binding")
    if r.names_ca_vendor:
        bits.append(f"{CA_MARK} {', '.join(r.ca_vendor_names)}")
    if r.date_conflicts:
        bits.append("⚠ sources differ")
    return esc(_label_dates(r)) + "<br>" + esc(" · ".join(bits))


def _tick(r, width: int = 38, lines: int = 3) -> str:
    parts = wrap(r.title, width).split("<br>")
    text = "<br>".join(parts[:lines]) + ("…" if len(parts) > lines else "")
    return f"<b>{CA_MARK} {text}</b>" if r.names_ca_vendor else text


def _dtick(days: int) -> str:
    """Six-monthly ticks as today for a span of a few years; wider steps for long spans, so labels never collide."""
    years = days / 365.25
    return "M6" if years <= 8 else "M12" if years <= 16 else f"M{12 * (int(years) // 16 + 1)}"


def make_timeline_figure(actions: pd.DataFrame, points: pd.DataFrame, *, source: str, as_of: str,
                         present: bool = False, shown: pd.DataFrame | None = None, note: str = "") -> go.Figure:
    """One row per placed action: every full-dated claim as a symbol, joined by a line in the jurisdiction's colour.

    actions: transforms.sanctions.actions_table (rows not placed are skipped; the page lists them in words).
    points: transforms.sanctions.date_points for the rows drawn.
    shown (optional): the rows to draw, a slice of actions (one page of a long list); the title, subtitle and time
    axis still describe all of actions, so pages share one axis. note: what the rows drawn are, in words (added to
    the subtitle and the summary).
    """
    everything = actions[actions["placed_on_axis"]]
    placed = (everything if shown is None else shown[shown["placed_on_axis"]]).reset_index(drop=True)
    if placed.empty or points.empty:
        message = ("No dated action matches these filters." if everything.empty or shown is None
                   else "No action in this view has a full date; they are listed in words below the chart.")
        return empty_figure(message, title=TIMELINE_TITLE, source=source, as_of=as_of, present=present)
    ypos = {a: i for i, a in enumerate(placed["action_id"])}
    points = points[points["action_id"].isin(ypos)]
    fig = go.Figure()
    lo, hi = everything["first_date"].min(), everything["last_date"].max()
    span = max((hi - lo).days, 365)
    x0, x1 = lo - timedelta(days=span * 0.05), hi + timedelta(days=span * 0.05)
    mid = lo + (hi - lo) / 2
    # Built as plain lists and set once: one add_shape/add_annotation per row re-validates and copies the layout.
    shapes = [dict(type="rect", xref="paper", x0=0, x1=1, yref="y", y0=ypos[a] - 0.45, y1=ypos[a] + 0.45,
                   fillcolor=CA_BAND, line_width=0, layer="below")
              for a, ca in zip(placed["action_id"], placed["names_ca_vendor"], strict=True) if ca]
    traces = []
    # The line joining each action's first and last full date, one trace per jurisdiction.
    for jur, grp in placed.groupby("jurisdiction", sort=False):
        xs, ys = [], []
        for a, first, last in zip(grp["action_id"], grp["first_date"], grp["last_date"], strict=True):
            xs += [first, last, None]
            ys += [ypos[a]] * 2 + [None]
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=JURISDICTION_COLOURS.get(jur), width=3),
                                 hoverinfo="skip", showlegend=False))
    info = placed.set_index("action_id")
    size = 18 if present else 13
    for kind, grp in points.groupby("date_kind", sort=False):
        rows = info.loc[grp["action_id"]]
        hover = [
            f"<b>{wrap(a.title, 60)}</b><br>{esc(DATE_LABELS[kind])}: {fmt_date(d)}"
            + (f" (as written: “{esc(w)}”)" if w != fmt_date(d) else "")
            + f"<br>{esc(JURISDICTION_NAMES.get(a.jurisdiction, a.jurisdiction))} · {esc(a.instrument)} · "
            + f"{esc(a.status)}<br>{esc(parties_text(a))}"
            + (f"<br>{CA_MARK} names a vendor active in Central Asia: {esc(', '.join(a.ca_vendor_names))}"
               if a.names_ca_vendor else "")
            + ("<br>⚠ Sources disagree on this date" if isinstance(c, str) and c else "")
            + "<br><i>Click for the dates, quotes and named parties</i>"
            for a, d, w, c in zip(rows.itertuples(), grp["date"], grp["date_as_written"], grp["conflict_id"],
                                  strict=True)
        ]
        traces.append(go.Scatter(
            x=grp["date"], y=[ypos[a] for a in grp["action_id"]], mode="markers", name=esc(DATE_LABELS[kind]),
            marker=dict(symbol=DATE_SYMBOLS.get(kind, "circle"), size=size,
                        color=[JURISDICTION_COLOURS.get(j) for j in rows["jurisdiction"]],
                        line=dict(width=2.5, color=[JURISDICTION_COLOURS.get(j) for j in rows["jurisdiction"]])),
            customdata=list(zip(grp["action_id"], grp["date_kind"], strict=True)),
            text=hover, hovertemplate="%{text}<extra></extra>", showlegend=False,
        ))
    # Labels sit on the empty side of each row: right of early actions, left of late ones, so none is cut off.
    annotations = []
    for r in placed.itertuples():
        late = r.first_date > mid
        annotations.append(dict(x=r.first_date if late else r.last_date, y=ypos[r.action_id], text=_label(r),
                                showarrow=False, xanchor="right" if late else "left",
                                align="right" if late else "left", xshift=-12 if late else 12,
                                font=dict(size=size if present else size - 1, color="#222")))
    # Legend: colour = who acted, symbol = which date; drawn once each in neutral form.
    for jur in [j for j in JURISDICTION_COLOURS if j in set(placed["jurisdiction"])]:
        traces.append(go.Scatter(x=[None], y=[None], mode="lines+markers", name=JURISDICTION_NAMES[jur],
                                 line=dict(color=JURISDICTION_COLOURS[jur], width=3),
                                 marker=dict(color=JURISDICTION_COLOURS[jur], size=size)))
    for kind in [k for k in DATE_SYMBOLS if k in set(points["date_kind"])]:
        traces.append(go.Scatter(x=[None], y=[None], mode="markers", name=esc(DATE_LABELS[kind]),
                                 marker=dict(symbol=DATE_SYMBOLS[kind], size=size, color="#444",
                                             line=dict(width=2.5, color="#444"))))
    fig.add_traces(traces)
    fig.update_layout(shapes=shapes, annotations=annotations)
    n_ca = int(placed["names_ca_vendor"].sum())
    first, last = placed["first_date"].min(), placed["last_date"].max()
    alt = (f"Timeline of {len(placed)} dated US and UK actions from {fmt_date(first)} to {fmt_date(last)}; "
           f"{n_ca} name a vendor active in Central Asia ("
           + ", ".join(sorted({v for vs in placed["ca_vendor_names"] for v in vs})) + "); "
           f"{int((placed['date_conflicts'].str.len() > 0).sum())} have dates on which sources disagree."
           + (f" This view: {note}." if note else ""))
    height = max(420, 150 + 62 * len(placed)) + (60 if present else 0)
    subtitle = timeline_subtitle(actions) + (f"; {note}" if note else "")
    finish(fig, title=timeline_title(actions), source=source, alt=alt, as_of=as_of, present=present, height=height,
           subtitle=subtitle)
    ticks = [_tick(r, lines=2 if present else 3) for r in placed.itertuples()]
    fig.update_yaxes(tickvals=list(ypos.values()), ticktext=ticks,
                     autorange=False, range=[len(placed) - 0.5, -0.5], showgrid=False, zeroline=False,
                     tickfont=dict(size=13 if not present else 18, color="#1a1a1a"))
    fig.update_xaxes(range=[x0, x1], showgrid=True, gridcolor="#E5E5E5", dtick=_dtick(span), tickformat="%b %Y",
                     tickfont=dict(color="#1a1a1a"))
    fig.update_layout(
        # The legend grows upwards from the plot's top and wraps onto a second row (a third on a narrow page) when
        # the plot is narrow: the top margin leaves room for those rows under the subtitle.
        margin=dict(l=10, r=20, t=165 if present else 150), clickmode="event+select", dragmode=False,
        hovermode="closest",
        legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom", entrywidth=0,
                    font=dict(size=14 if not present else 18)),
    )
    _bottom_margin(fig, 70)
    return fig


def steps_title(steps: pd.DataFrame) -> str:
    if steps.empty:
        return "No US Entity List rule is dated in the documents"
    total, n = int(steps["cumulative"].iloc[-1]), len(steps)
    # "in the documents": the real Entity List is far longer; the chart covers only the rules the sources name.
    if n > STEP_MARKERS:  # big numbers: a shorter wording, so the title still fits one line
        return (f"The documents' {n:,} Entity List rules added {total:,} parties, "
                f"{steps['effective'].min():%b %Y}–{steps['effective'].max():%b %Y}")
    return (f"The {n} Entity List rule{'s' if n > 1 else ''} in the documents added {total} parties, "
            f"{steps['effective'].min():%B %Y} to {steps['effective'].max():%B %Y}")


def labelled_steps(steps: pd.DataFrame, most: int = STEP_LABELS) -> pd.DataFrame:
    """The steps that get a text label: all of them when few; otherwise the `most` largest additions (earliest first
    among equals), so labels stay readable and every other step is one hover away."""
    if len(steps) <= most:
        return steps
    keep = steps.assign(_n=range(len(steps))).sort_values(["added", "_n"], ascending=[False, True]).head(most)
    return steps[steps.index.isin(keep.index)]


def step_days(steps: pd.DataFrame) -> pd.DataFrame:
    """The rules in force on one day as one step: effective, rules, added (sum), cumulative (after that day), and the
    day's largest rule (action_id, title, its added as 'largest'); announced = the earliest announcement, conflict_id
    = a disagreement on any of that day's rules."""
    g = steps.groupby("effective", sort=True)
    big = steps.loc[g["added"].idxmax()]
    conflict = steps["conflict_id"].where(steps["conflict_id"].map(lambda c: isinstance(c, str) and bool(c)))
    return pd.DataFrame({
        "effective": list(g.groups), "rules": g.size().to_numpy(), "added": g["added"].sum().to_numpy(),
        "cumulative": g["cumulative"].max().to_numpy(), "action_id": big["action_id"].to_numpy(),
        "title": big["title"].to_numpy(), "largest": big["added"].to_numpy(),
        "announced": g["announced"].min().to_numpy(),
        "conflict_id": conflict.groupby(steps["effective"]).first().reindex(list(g.groups)).to_numpy(),
    })


def _day_hover(r) -> str:
    return (f"<b>{r.rules:,} rule{'s' if r.rules > 1 else ''} in force {fmt_date(r.effective)}</b>"
            f"<br>+{r.added:,} parties → {r.cumulative:,} in total"
            f"<br>Largest: {wrap(short(r.title, 100), 60)} (+{r.largest:,})"
            + ("<br>⚠ Sources disagree: announced vs in force" if isinstance(r.conflict_id, str) else ""))


def make_entity_list_figure(steps: pd.DataFrame, *, source: str, as_of: str, present: bool = False) -> go.Figure:
    """A cumulative step line of parties added to the US Entity List by date in force, announcements as open rings.

    With more than STEP_MARKERS rules, the rules in force on the same day are drawn as one step (hover: how many,
    their total, the largest); with more than STEP_LABELS steps only the largest carry a text label. The subtitle
    says which applies; every rule stays listed, with its evidence, on the page.
    """
    if steps.empty:
        return empty_figure("No US Entity List rule with a date in force matches.", title=STEPS_TITLE,
                            source=source, as_of=as_of, present=present)
    by_day = len(steps) > STEP_MARKERS
    drawn = step_days(steps) if by_day else steps
    xs, ys = [drawn["effective"].iloc[0]], [0]
    for eff, cum in zip(drawn["effective"], drawn["cumulative"], strict=True):
        xs += [eff, eff]
        ys += [ys[-1], cum]
    fig = go.Figure()
    size = 18 if present else 13
    traces = [go.Scatter(x=xs[1:], y=ys[1:], mode="lines", line=dict(color=OKABE_ITO["blue"], width=3.5),
                         name="Parties on the list (by date in force)", hoverinfo="skip")]
    if by_day:
        hover = [_day_hover(r) for r in drawn.itertuples()]
    else:
        hover = [f"<b>{wrap(r.title, 60)}</b><br>In force {fmt_date(r.effective)}; announced {fmt_date(r.announced)}"
                 f"<br>+{r.added} parties → {r.cumulative} in total"
                 + ("<br>⚠ Sources disagree: announced vs in force" if isinstance(r.conflict_id, str) else "")
                 for r in steps.itertuples()]
    traces.append(go.Scatter(
        x=drawn["effective"], y=drawn["cumulative"], mode="markers", name="Rule in force",
        marker=dict(symbol="circle", size=size, color=OKABE_ITO["blue"]), text=hover,
        hovertemplate="%{text}<extra></extra>", customdata=drawn[["action_id"]].to_numpy(),
    ))
    if by_day:
        # One ring per announcement date and step it led to (rules announced together and in force together).
        day_total = dict(zip(drawn["effective"], drawn["cumulative"], strict=True))
        ann = (steps.dropna(subset=["announced"]).groupby(["announced", "effective"], sort=True).size()
               .rename("rules").reset_index())
        ann["cumulative"] = ann["effective"].map(day_total)
        ann_text = [f"<b>{n:,} rule{'s' if n > 1 else ''} announced {fmt_date(a)}</b><br>in force {fmt_date(e)}"
                    for n, a, e in zip(ann["rules"], ann["announced"], ann["effective"], strict=True)]
    else:
        ann = steps.dropna(subset=["announced"])
        ann_text = [h for h, ok in zip(hover, steps["announced"].notna(), strict=True) if ok]
    if len(ann):
        traces.append(go.Scatter(
            x=ann["announced"], y=ann["cumulative"], mode="markers", name="Rule announced",
            marker=dict(symbol="circle-open", size=size, color=OKABE_ITO["vermillion"], line=dict(width=2.5)),
            text=ann_text, hovertemplate="%{text}<extra></extra>",
        ))
    fig.add_traces(traces)
    labelled = labelled_steps(drawn)
    fig.update_layout(annotations=[dict(
        x=r.effective, y=r.cumulative, xanchor="right", yanchor="bottom", showarrow=False, align="right",
        text=(f"<b>+{r.added:,} → {r.cumulative:,}</b><br>{r.rules:,} rules in force that day" if by_day and r.rules > 1
              else f"<b>+{r.added} → {r.cumulative}</b><br>{wrap(short(r.title, 100), 34)}"),
        font=dict(size=size), xshift=-8, yshift=12,
    ) for r in labelled.itertuples()])
    lo, hi = steps["effective"].min(), steps["effective"].max()
    span = max((hi - lo).days, 180)
    total = int(steps["cumulative"].iloc[-1])
    groups = "a group counts as the number of parties the rule states"
    subtitle = f"Cumulative parties by date in force; {groups}"
    if by_day or len(labelled) < len(drawn):
        # A subtitle is one line: the scale notes come first, the group rule only if it still fits (else in the alt).
        notes = (([f"one step per day ({len(steps):,} rules on {len(drawn):,} days)"] if by_day else [])
                 + ([f"labels on the {len(labelled)} largest steps"] if len(labelled) < len(drawn) else []))
        subtitle = "; ".join(["Cumulative parties by date in force", *notes])
        if len(subtitle) + len(groups) < SUBTITLE_CHARS:
            subtitle += f"; {groups}"
        alt = (f"Step chart of parties added to the US Entity List by {len(steps):,} rules in force on "
               f"{len(drawn):,} days from {fmt_date(lo)} to {fmt_date(hi)}, {total:,} in total ({groups}); "
               "largest steps: " + "; ".join(f"{fmt_date(r.effective)} +{r.added:,}" for r in labelled.itertuples())
               + ".")
    else:
        alt = ("Step chart of parties added to the US Entity List: "
               + "; ".join(f"{fmt_date(r.effective)} +{r.added} (total {r.cumulative})" for r in steps.itertuples())
               + ".")
    finish(fig, title=steps_title(steps), source=source, alt=alt, as_of=as_of, present=present,
           height=520 if present else 470, subtitle=subtitle)
    fig.update_xaxes(range=[lo - timedelta(days=span * 0.45), hi + timedelta(days=span * 0.08)],
                     dtick="M3" if span <= 4 * 365 else _dtick(span),
                     tickformat="%b %Y", gridcolor="#E5E5E5", tickfont=dict(color="#1a1a1a"))
    fig.update_yaxes(range=[0, total * 1.3], title=dict(text="Parties on the list"), rangemode="tozero",
                     gridcolor="#E5E5E5", tickfont=dict(color="#1a1a1a"))
    fig.update_layout(legend=dict(orientation="h", x=0, y=-0.12, yanchor="top"), margin=dict(l=70, r=30, t=110),
                      hovermode="closest", dragmode=False)
    _bottom_margin(fig, 130)
    return fig
