"""The briefing: the key charts in presenting order, each with its finding, source and the rows it rests on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.geo import make_map_figure
from dashboard.charts.markets import make_cameras_figure, make_hikvision_figure
from dashboard.charts.money import make_debt_figure, make_dushanbe_figure, make_financing_figure
from dashboard.charts.sanctions import make_entity_list_figure, make_timeline_figure
from dashboard.data import Dataset
from dashboard.transforms import geo, money
from dashboard.transforms import sanctions as sx

EVIDENCE_COLS = ["table", "row_id", "source_id", "quote", "locator"]
# A slide is one 1280x720 image: it draws at most this many rows (the first ones, as a page's first page does), about
# as many as the real data's fullest slide (11 loans, 10 dated actions), so a slide at scale reads like the real one.
# Its title still reads every row and its evidence lists every row; the real data never reaches the cap.
SLIDE_ROWS = 12
SOURCES_NAMED = 3  # a slide's source line names this many sources and counts the rest (the real data cites 3 or fewer)


def first_rows(n: int) -> tuple[int, int] | None:
    """shown=(0, SLIDE_ROWS) for a chart builder when n rows would not fit on a slide; None (all rows) otherwise."""
    return (0, SLIDE_ROWS) if n > SLIDE_ROWS else None


def first_placed(placed: pd.Series) -> tuple[int, int] | None:
    """Like first_rows for the timeline, which draws only actions placed on its axis (the rest are listed in words):
    the first rows holding SLIDE_ROWS placed actions, or None when all of them fit."""
    flags = placed.fillna(False).astype(bool).to_numpy()
    if flags.sum() <= SLIDE_ROWS:
        return None
    return (0, int(flags.nonzero()[0][SLIDE_ROWS - 1]) + 1)


@dataclass(frozen=True)
class Slide:
    slug: str
    figure: go.Figure
    evidence: pd.DataFrame  # the rows behind the chart: table, row_id, source_id, quote, locator

    @property
    def title(self) -> str:
        return self.figure.layout.meta["title"]

    @property
    def finding(self) -> str:
        return self.figure.layout.meta["alt"]

    @property
    def source(self) -> str:
        return self.figure.layout.meta["source"]

    # The View names (dashboard.views.View), so code written against views also reads a Slide.
    @property
    def alt(self) -> str:
        return self.finding

    @property
    def as_of(self) -> str:
        return self.figure.layout.meta.get("as_of", "")

    @property
    def link(self) -> str:
        from dashboard.views.briefing import LINKS

        return LINKS.get(self.slug, "")


def as_of(ds: Dataset) -> str:
    return ds.descriptor.get("created", "")[:10]


def rows(df: pd.DataFrame, table: str, id_col: str) -> pd.DataFrame:
    """The evidence columns of some rows, labelled with their table, for a slide's citation list."""
    out = df[[id_col, "source_id", "quote", "locator"]].rename(columns={id_col: "row_id"}).copy()
    out.insert(0, "table", table)
    return out


def _map(ds: Dataset, present: bool) -> Slide:
    pts, ev, layer = geo.deployment_points(ds), geo.event_points(ds), geo.country_layer(ds, "debt")
    fig = make_map_figure(pts, ev, layer, ds.boundary_features, layer_name="debt", layer_label=geo.LAYERS["debt"],
                          year_label="all years, including undated records", as_of=as_of(ds), present=present,
                          source="Caspian Policy Center brief (seed 002), US Federal Register, AidData")
    evidence = pd.concat([rows(ds["deployments"], "deployments", "deployment_id"), rows(ds["debt"], "debt", "debt_id"),
                          rows(ds["events"][ds["events"]["place_id"].isin(ev["place_id"])], "events", "event_id")])
    return Slide("central-asia-map", fig, evidence)


def _timeline(ds: Dataset, present: bool) -> Slide:
    actions = sx.actions_table(ds)
    window = first_placed(actions["placed_on_axis"])
    shown = actions if window is None else actions.iloc[window[0]:window[1]]
    points = sx.date_points(ds, shown["action_id"])
    page = {} if window is None else dict(shown=shown, note=f"actions 1–{window[1]:,} of {len(actions):,}")
    fig = make_timeline_figure(actions, points, source=sx.source_text(ds, points["source_id"]), as_of=as_of(ds),
                               present=present, **page)
    dates = ds["action_dates"][ds["action_dates"]["action_id"].isin(actions["action_id"])]
    return Slide("sanctions-timeline", fig, rows(dates, "action_dates", "action_date_id"))


def _entity_list(ds: Dataset, present: bool) -> Slide:
    steps = sx.entity_list_steps(ds)
    acts = ds["actions"].set_index("action_id").loc[steps["action_id"]]
    fig = make_entity_list_figure(steps, source=sx.source_text(ds, acts["source_id"]), as_of=as_of(ds),
                                  present=present)
    links = ds["action_entities"][ds["action_entities"]["action_id"].isin(steps["action_id"])].copy()
    links["link_id"] = links["action_id"] + ":" + links["entity_id"]
    dates = ds["action_dates"][ds["action_dates"]["action_id"].isin(steps["action_id"])]
    return Slide("entity-list-growth", fig, pd.concat([rows(dates, "action_dates", "action_date_id"),
                                                       rows(links, "action_entities", "link_id")]))


def _financing(ds: Dataset, present: bool) -> Slide:
    fin = money.financing_rows(ds)
    shown = first_rows(len(fin))
    cited = fin["source_id"] if shown is None else fin["source_id"].iloc[shown[0]:shown[1]]
    fig = make_financing_figure(fin, scope="all countries, all outcomes", present=present, as_of=as_of(ds),
                                source=money.sources_text(ds, cited, most=SOURCES_NAMED), shown=shown)
    return Slide("loans-deals-offers", fig, rows(fin, "financing", "financing_id"))


def _dushanbe(ds: Dataset, present: bool) -> Slide:
    split = money.dushanbe_split(ds)
    fig = make_dushanbe_figure(split, source=money.sources_text(ds, split["source_id"], most=SOURCES_NAMED),
                               as_of=as_of(ds), present=present)
    fin = ds["financing"][ds["financing"]["financing_id"].isin(split["financing_id"].dropna())]
    dep = ds["deployments"][ds["deployments"]["deployment_id"].isin(fin["deployment_id"].dropna())]
    return Slide("dushanbe-funding", fig, pd.concat([rows(fin, "financing", "financing_id"),
                                                     rows(dep, "deployments", "deployment_id")]))


def _debt(ds: Dataset, present: bool) -> Slide:
    debt = ds["debt"]
    debt = debt[debt["country_iso3"].isin(money.CA_ORDER)]  # the chart's countries: only their rows stand behind it
    caveat = "; ".join(dict.fromkeys(debt["caveat"].dropna()))
    fig = make_debt_figure(money.debt_shares(ds), caveat, source=money.sources_text(ds, debt["source_id"]),
                           as_of=as_of(ds), present=present)
    return Slide("debt-to-china", fig, rows(debt, "debt", "debt_id"))


def _cameras(ds: Dataset, present: bool) -> Slide:
    cams = money.camera_counts(ds)
    shown = first_rows(len(cams))
    cited = cams["source_id"] if shown is None else cams["source_id"].iloc[shown[0]:shown[1]]
    fig = make_cameras_figure(cams, source=money.sources_text(ds, cited, most=SOURCES_NAMED) + ", citing IHS Markit",
                              as_of=as_of(ds), present=present, shown=shown)
    return Slide("cameras-china-us", fig, rows(cams, "indicators", "indicator_id"))


def _hikvision(ds: Dataset, present: bool) -> Slide:
    shares = money.hikvision_shares(ds)
    shown = first_rows(len(shares))
    cited = shares["source_id"] if shown is None else shares["source_id"].iloc[shown[0]:shown[1]]
    fig = make_hikvision_figure(shares, source=money.sources_text(ds, cited, most=SOURCES_NAMED), as_of=as_of(ds),
                                present=present, shown=shown)
    return Slide("hikvision-ownership-share", fig, rows(shares, "indicators", "indicator_id"))


# Presenting order. Each builder: (dataset, present) -> Slide.
SLIDES: list[tuple[str, Callable[[Dataset, bool], Slide]]] = [
    ("central-asia-map", _map),
    ("loans-deals-offers", _financing),
    ("dushanbe-funding", _dushanbe),
    ("debt-to-china", _debt),
    ("sanctions-timeline", _timeline),
    ("entity-list-growth", _entity_list),
    ("cameras-china-us", _cameras),
    ("hikvision-ownership-share", _hikvision),
]


def slides(ds: Dataset, present: bool = True) -> list[Slide]:
    return [build(ds, present) for _, build in SLIDES]


def slide(ds: Dataset, index: int, present: bool = True) -> Slide:
    return SLIDES[index][1](ds, present)
