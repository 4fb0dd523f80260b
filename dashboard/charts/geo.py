"""The map of Central Asia: a chosen country layer, Xinjiang outlined, and a clickable marker per deployment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import fmt
from dashboard.charts import OKABE_ITO, VENDOR_COLOURS, esc, finish, wrap
from dashboard.transforms.geo import detailed, fit_window, position_groups, spread
from dashboard.transforms.geo import feature_bounds as geo_bounds

# Vendor by shape as well as colour (a reader who cannot tell the colours apart still tells the vendors apart);
# the shape's fill says the status: filled = in place or contracted, open = planned, crossed = declined.
VENDOR_SHAPES = {"huawei": "circle", "hikvision": "square", "ceiec": "diamond", "vega": "triangle-down",
                 "tk-mobile": "pentagon", "": "hexagon"}
MORE_SHAPES = ["star", "hourglass", "cross", "bowtie", "star-square", "hexagram", "star-diamond"]
CROSSED = {"circle", "square", "diamond"}  # shapes Plotly draws with an x through them
LAYER_SCALES = {"debt": "Oranges", "financing": "Blues", "deployments": "Greens"}
# The region: Kazakhstan's northern tip to Turkmenistan's southern border, the Caspian to Xinjiang. It is widened to
# the slide's shape (fit_window), so the map fills a 16:9 frame; the legend sits over Mongolia at its east edge.
REGION = dict(lon=(45.0, 97.5), lat=(35.0, 55.8))
ASPECT = 2.2  # width/height of the plot area of a 1280x720 image (margins taken off); the map slide is given it too
LEGEND_ROOM = 0.16  # share of the frame's width kept on the east for the legend (over context, never the region)
SPREAD = 0.075  # radius of a city's circle of markers, as a share of the window's height in degrees
LABELS = {"KAZ": (67.5, 48.3), "KGZ": (80.2, 42.0), "TJK": (73.5, 37.7), "TKM": (59.0, 39.3),
          "UZB": (63.6, 42.0), "CN-XJ": (86.0, 41.2)}
# A white halo round dark text: the name reads at over 15:1 on any shading, from the palest grey to the darkest red.
HALO = ", ".join(f"{x}px {y}px 1px #FFFFFF" for x in (-2, -1, 0, 1, 2) for y in (-2, -1, 0, 1, 2) if x or y)
LABEL_COLOUR = "#111111"


def marker_size(cameras) -> float:
    """Area grows with cameras (square-root scale); an unknown count gets a small fixed marker."""
    if cameras is None or pd.isna(cameras):
        return 12.0
    return float(14 + 18 * np.sqrt(min(float(cameras), 2500) / 2500))


def vendor_shape(vendor_key: str, order: list[str]) -> str:
    if vendor_key in VENDOR_SHAPES:
        return VENDOR_SHAPES[vendor_key]
    extra = [k for k in order if k not in VENDOR_SHAPES]
    return MORE_SHAPES[extra.index(vendor_key) % len(MORE_SHAPES)] if vendor_key in extra else "circle"


def status_symbol(shape: str, status_group: str) -> str:
    if status_group == "planned":
        return f"{shape}-open"
    if status_group == "declined":
        return f"{shape}-x-open" if shape in CROSSED else "x-open"
    return shape


def map_window(features: dict[str, dict], country: str | None = None) -> dict[str, tuple[float, float]]:
    """The lon/lat window: the region (widened east for the legend) or one country with a margin round it."""
    if country and country in features:
        x0, y0, x1, y1 = geo_bounds(features[country])
        pad = max(x1 - x0, y1 - y0) * 0.08 + 0.4
        lon, lat = (x0 - pad, x1 + pad), (y0 - pad, y1 + pad)
    else:
        lon, lat = REGION["lon"], REGION["lat"]
    window = fit_window(lon, lat, ASPECT * (1 - LEGEND_ROOM))
    wide = (window["lon"][1] - window["lon"][0]) / (1 - LEGEND_ROOM)
    return {"lon": (window["lon"][0], window["lon"][0] + wide), "lat": window["lat"]}


def _geojson(features: dict[str, dict], keys) -> dict:
    return {"type": "FeatureCollection", "features": [features[k] for k in keys if k in features]}


def make_map_figure(points: pd.DataFrame, events: pd.DataFrame, layer: pd.DataFrame, features: dict[str, dict],
                    *, layer_name: str, layer_label: str, year_label: str, source: str, as_of: str,
                    present: bool = False, groups: dict | None = None, country: str | None = None) -> go.Figure:
    """Choropleth of the chosen layer, context neighbours, Xinjiang outline, deployment and event markers.

    features: the boundary GeoJSON features keyed by iso3 (Dataset.boundary_features).
    Small views get one marker per record (a trace per vendor; a city's markers spread round it with leader lines);
    larger ones (transforms.geo.detailed) one marker per map position, sized by its number of records, with the
    counts and main vendors in its hover (groups: the caller's transforms.geo.position_groups(points, events), if it
    already has them). country: an iso3 to zoom to (the region otherwise).
    """
    fig = go.Figure()
    window = map_window(features, country)
    layer = layer[layer["iso3"].isin(features.keys())]  # a country without a shape cannot be drawn
    ctx = [k for k, f in features.items() if f["properties"]["role"] == "context"]
    fig.add_trace(go.Choropleth(
        geojson=_geojson(features, ctx), locations=ctx, featureidkey="properties.iso3",
        z=[0] * len(ctx), colorscale=[[0, "#EDEDED"], [1, "#EDEDED"]], showscale=False,
        text=[esc(features[k]["properties"]["name"]) for k in ctx], hovertemplate="%{text}<extra></extra>",
        # no outline: the base map draws the borders, and the shapes' clipped edges at the window would show
        marker_line=dict(width=0), name="Neighbours", showlegend=False,
    ))
    has = layer[layer["value"].notna()]
    none = layer[layer["value"].isna()]
    if len(none):
        fig.add_trace(go.Choropleth(
            geojson=_geojson(features, none["iso3"]), locations=none["iso3"], featureidkey="properties.iso3",
            z=[0] * len(none), colorscale=[[0, "#FFFFFF"], [1, "#FFFFFF"]], showscale=False,
            customdata=np.stack([[esc(n) for n in none["name"]], [esc(n) for n in none["note"]]], axis=-1),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
            marker_line=dict(color="#555", width=1.2), name="No figure in the documents", showlegend=False,
        ))
    if len(has):
        fig.add_trace(go.Choropleth(
            geojson=_geojson(features, has["iso3"]), locations=has["iso3"], featureidkey="properties.iso3",
            z=has["value"], colorscale=LAYER_SCALES.get(layer_name, "Blues"), zauto=False, zmin=0,
            zmax=float(has["value"].max()),
            customdata=np.stack([[esc(n) for n in has["name"]], [esc(n) for n in has["note"]]], axis=-1),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
            marker_line=dict(color="#555", width=1.2), name=layer_label,
            colorbar=dict(title=dict(text=wrap(layer_label, 30), side="top", font=dict(size=16 if present else 12)),
                          orientation="h", thickness=12, len=0.2, x=0.98, xanchor="right", y=0.03,
                          yanchor="bottom", bgcolor="rgba(255,255,255,0.92)", outlinewidth=0,
                          tickfont=dict(size=15 if present else 12)),
        ))
    fig.add_trace(go.Choropleth(
        geojson=_geojson(features, ["CN-XJ"]), locations=["CN-XJ"], featureidkey="properties.iso3",
        z=[0], colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
        marker_line=dict(color=OKABE_ITO["purple"], width=2.5),
        hovertemplate="Xinjiang (China): context<extra></extra>",
        name="Xinjiang (China)", showlegend=False,
    ))
    grouped = not detailed(points, events)
    if grouped:
        groups = groups or position_groups(points, events)
        _grouped_markers(fig, groups["deployments"], groups["events"])
    else:
        radius = SPREAD * (window["lat"][1] - window["lat"][0])
        points, events, labels = spread(points, events, radius)
        _leaders_and_cities(fig, points, events, labels, present)
        _record_markers(fig, points, events, present)
    # Country and Xinjiang names last, over everything, so a viewer never has to guess which shape is which.
    names = {k: f["properties"]["name"] for k, f in features.items()}
    fig.add_trace(go.Scattergeo(
        lon=[v[0] for v in LABELS.values()], lat=[v[1] for v in LABELS.values()], mode="text",
        text=[esc("Xinjiang (China)" if k == "CN-XJ" else names.get(k, k)) for k in LABELS],
        textfont=dict(size=19 if present else 14, color=LABEL_COLOUR, shadow=HALO, weight="bold"),
        hoverinfo="skip", showlegend=False, name="Country names",
    ))
    fig.update_geos(
        domain=dict(x=[0.0, 1.0], y=[0.0, 1.0]), projection_type="mercator", resolution=50,
        lonaxis_range=list(window["lon"]), lataxis_range=list(window["lat"]),
        showland=True, landcolor="#EDEDED", showocean=True, oceancolor="#DDEBF5",
        showlakes=True, lakecolor="#DDEBF5", showcountries=True, countrycolor="#B0B0B0",
        showcoastlines=False, showframe=True, framecolor="#BBBBBB", bgcolor="rgba(0,0,0,0)",
    )
    n_dep, n_cities = len(points), points["place_id"].nunique()
    listed_n = int(points["vendor_listed"].sum())
    title = (f"{listed_n:,} of {n_dep:,} documented Central Asian deployments use vendors on a US list"
             if n_dep else "No documented deployments in this period")
    alt = (f"Map of Central Asia ({year_label}): {n_dep:,} deployment records in {n_cities:,} cities, "
           f"{listed_n:,} from vendors on a US list; countries shaded by {layer_label[0].lower() + layer_label[1:]}; "
           f"Turkmenistan has no documented data.")
    sizing = "markers sized by cameras"
    legend_title = ("<b>Vendor</b> (shape and colour)<br>black ring = on a US list<br>"
                    "filled = in place · open = planned<br>crossed = declined")
    if grouped:
        n_markers = len(groups["deployments"]) + len(groups["events"])
        where = "place" if groups["cell"] is None else f"{groups['cell']:g}° map square"
        sizing = f"{n_dep + len(events):,} records, grouped by {where}"
        legend_title = f"Records in one {where},<br>sized by count<br>(black ring = a vendor<br>on a US list)"
        alt += (f" Each of the {n_markers:,} markers groups the records in one {where}; its hover gives its counts "
                "and main vendors.")
    finish(fig, title=title, subtitle=f"{layer_label}; {sizing}; {year_label}", source=source,
           alt=alt, as_of=as_of, present=present, height=680 if present else 560)
    fig.update_layout(
        margin=dict(l=8, r=8, t=96 if present else 88, b=44 if present else 40), clickmode="event+select",
        dragmode=False,
        legend=dict(orientation="v", x=0.98, y=0.98, xanchor="right", yanchor="top", itemsizing="constant",
                    bgcolor="rgba(255,255,255,0.92)", bordercolor="#999", borderwidth=1,
                    font=dict(size=16 if present else 12),
                    title=dict(text=legend_title, font=dict(size=15 if present else 11))),
    )
    for a in fig.layout.annotations:  # keep finish()'s source line at the foot of the image
        if a.text and a.text.startswith("Source: "):
            a.yshift = -(fig.layout.margin.b - 10)
    return fig


def _count_size(n, biggest: int) -> list[float]:
    """Marker size for a group of n records: area grows with n (square-root scale), relative to the biggest."""
    return list(12 + 26 * np.sqrt(np.asarray(n, dtype=float) / max(biggest, 1)))


def _grouped_markers(fig: go.Figure, dep: pd.DataFrame, ev: pd.DataFrame) -> None:
    """One marker per map position: a trace for positions with a vendor on a US list, one for the rest, one for
    events. Clicking a marker picks the position's largest city (customdata: place_id, position)."""
    biggest = int(max(dep["records"].max() if len(dep) else 0, ev["events"].max() if len(ev) else 0))
    hover = []
    for r in dep.itertuples(index=False):
        others = f" and {r.cities - 1:,} other cities here" if r.cities > 1 else ""
        parts = [f"<b>{esc(r.place)}</b>{others}",
                 f"{r.records:,} deployment records: {r.in_place:,} in place or contracted, {r.planned:,} planned, "
                 f"{r.declined:,} declined",
                 f"{r.listed:,} from vendors on a US list",
                 "Vendors: " + wrap(r.vendors, 60)]
        if r.disputed:
            parts.append(f"⚠ Sources disagree on {r.disputed:,} of them")
        parts.append(f"<i>Click for {esc(r.place)}'s records</i>")
        hover.append("<br>".join(parts))
    dep = dep.assign(hover=hover)
    for listed, grp in ((True, dep[dep["listed"] > 0]), (False, dep[dep["listed"] == 0])):
        if grp.empty:
            continue
        fig.add_trace(go.Scattergeo(
            lon=grp["lon"], lat=grp["lat"], mode="markers",
            name="Includes a vendor on a US list" if listed else "No vendor on a US list",
            marker=dict(size=_count_size(grp["records"], biggest),
                        color=OKABE_ITO["vermillion"] if listed else OKABE_ITO["sky"],
                        line=dict(color="#000" if listed else "#FFF", width=2.5 if listed else 1), opacity=0.85),
            customdata=np.stack([grp["place_id"], grp["pos"]], axis=-1),
            text=grp["hover"], hovertemplate="%{text}<extra></extra>",
        ))
    if len(ev):
        fig.add_trace(go.Scattergeo(
            lon=ev["lon"], lat=ev["lat"], mode="markers", name="Protests or incidents",
            marker=dict(size=_count_size(ev["events"], biggest), symbol="triangle-up", color=OKABE_ITO["yellow"],
                        line=dict(color="#000", width=1.2)),
            customdata=np.stack([ev["place_id"], ev["pos"]], axis=-1),
            text=[f"<b>{esc(r.place)}</b>" + (f" and {r.cities - 1:,} other cities here" if r.cities > 1 else "")
                  + f"<br>{r.events:,} protests or incidents, e.g. " + wrap(r.title, 60)
                  + f"<br><i>Click for {esc(r.place)}'s records</i>" for r in ev.itertuples(index=False)],
            hovertemplate="%{text}<extra></extra>",
        ))


def _leaders_and_cities(fig: go.Figure, points: pd.DataFrame, events: pd.DataFrame, labels: pd.DataFrame,
                        present: bool) -> None:
    """Leader lines from each city to its spread markers, a dot at the city's true place, and its name."""
    both = pd.concat([points[["lon", "lat", "sx", "sy"]], events[["lon", "lat", "sx", "sy"]]], ignore_index=True)
    moved = both[(both["sx"] != both["lon"]) | (both["sy"] != both["lat"])]
    if len(moved):
        lon = np.column_stack([moved["lon"], moved["sx"], np.full(len(moved), np.nan)]).ravel()
        lat = np.column_stack([moved["lat"], moved["sy"], np.full(len(moved), np.nan)]).ravel()
        dot = np.tile([7 if present else 5, 0, 0], len(moved))  # a dot at the city's end of each line only
        fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines+markers", line=dict(color="#333", width=1.2),
                                    marker=dict(size=dot, color="#111"), hoverinfo="skip", showlegend=False,
                                    name="Leader lines"))
    fig.add_trace(go.Scattergeo(
        lon=labels["lx"], lat=labels["ly"], mode="text", text=[esc(p) for p in labels["place"]],
        textposition=list(labels["textposition"]), name="City names",
        textfont=dict(size=17 if present else 12, color=LABEL_COLOUR, shadow=HALO),
        hoverinfo="skip", showlegend=False,
    ))


def _record_markers(fig: go.Figure, points: pd.DataFrame, events: pd.DataFrame, present: bool = False) -> None:
    """One marker per record: a trace per vendor (shape and colour; black ring if listed), one for events."""
    order = list(dict.fromkeys(points["vendor_key"]))
    for vendor_key, grp in points.groupby("vendor_key", sort=False):
        # records in place first: the legend draws a trace's first marker, and should show the vendor's plain shape
        grp = grp.sort_values("status_group", key=lambda s: s.ne("installed or contracted"), kind="stable")
        colour = VENDOR_COLOURS.get(vendor_key, OKABE_ITO["sky"])
        shape = vendor_shape(vendor_key, order)
        vendor = grp["vendor"].iloc[0]
        listed = bool(grp["vendor_listed"].iloc[0])
        hover = [
            "<b>" + esc(r.place) + "</b><br>" + wrap(r.description, 60) + "<br>Vendor: " + esc(r.vendor)
            + (f" (on a US list since {fmt.date(r.listed_since)})" if r.vendor_listed else "")
            + f"<br>Status: {esc(r.status)}"
            + "".join(f"<br>{esc(bit)}" for bit in fmt.deployment_figures(r._asdict()))
            + f"<br>Year: {esc(fmt.year_month(r.year, r.month, missing=fmt.NOT_GIVEN))}"
            + ("<br>⚠ Sources disagree" if r.conflict_id else "")
            + "<br><i>Click for the quote and source</i>"
            for r in grp.itertuples()
        ]
        fig.add_trace(go.Scattergeo(
            lon=grp["sx"], lat=grp["sy"], mode="markers",
            name=esc(vendor) + (" · on a US list" if listed else ""),
            marker=dict(size=[marker_size(c) for c in grp["cameras_shown"]], color=colour,
                        symbol=[status_symbol(shape, s) for s in grp["status_group"]],
                        line=dict(color="#000" if listed else "#FFF", width=2.5 if listed else 1), opacity=0.95),
            customdata=np.stack([grp["place_id"], grp["deployment_id"]], axis=-1),
            text=hover, hovertemplate="%{text}<extra></extra>",
        ))
    if len(events):
        fig.add_trace(go.Scattergeo(
            lon=events["sx"], lat=events["sy"], mode="markers", name="Protest or incident",
            marker=dict(size=15 if present else 13, symbol="triangle-up", color=OKABE_ITO["yellow"],
                        line=dict(color="#000", width=1.2)),
            customdata=np.stack([events["place_id"], events["event_id"]], axis=-1),
            text=["<b>" + esc(r.place) + "</b><br>" + wrap(r.title, 60) + "<br><i>Click for the quote and source</i>"
                  for r in events.itertuples()],
            hovertemplate="%{text}<extra></extra>",
        ))
