"""The map of Central Asia: a chosen country layer, Xinjiang outlined, and a clickable marker per deployment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import fmt
from dashboard.charts import OKABE_ITO, VENDOR_COLOURS, esc, finish, wrap
from dashboard.transforms.geo import detailed, position_groups

SYMBOLS = {"installed or contracted": "circle", "planned": "circle-open", "declined": "x-thin-open"}
LAYER_SCALES = {"debt": "Oranges", "financing": "Blues", "deployments": "Greens"}
WINDOW = dict(lon=(45.5, 91.0), lat=(34.5, 55.8))


def marker_size(cameras) -> float:
    """Area grows with cameras (square-root scale); an unknown count gets a small fixed marker."""
    if cameras is None or pd.isna(cameras):
        return 11.0
    return float(12 + 26 * np.sqrt(min(float(cameras), 2500) / 2500))


def _geojson(features: dict[str, dict], keys) -> dict:
    return {"type": "FeatureCollection", "features": [features[k] for k in keys if k in features]}


def make_map_figure(points: pd.DataFrame, events: pd.DataFrame, layer: pd.DataFrame, features: dict[str, dict],
                    *, layer_name: str, layer_label: str, year_label: str, source: str, as_of: str,
                    present: bool = False, groups: dict | None = None) -> go.Figure:
    """Choropleth of the chosen layer, context neighbours, Xinjiang outline, deployment and event markers.

    features: the boundary GeoJSON features keyed by iso3 (Dataset.boundary_features).
    Small views get one marker per record (a trace per vendor); larger ones (transforms.geo.detailed) one marker per
    map position, sized by its number of records, with the counts and main vendors in its hover (groups: the
    caller's transforms.geo.position_groups(points, events), if it already has them).
    """
    fig = go.Figure()
    layer = layer[layer["iso3"].isin(features.keys())]  # a country without a shape cannot be drawn
    ctx = [k for k, f in features.items() if f["properties"]["role"] == "context"]
    fig.add_trace(go.Choropleth(
        geojson=_geojson(features, ctx), locations=ctx, featureidkey="properties.iso3",
        z=[0] * len(ctx), colorscale=[[0, "#EDEDED"], [1, "#EDEDED"]], showscale=False,
        text=[esc(features[k]["properties"]["name"]) for k in ctx], hovertemplate="%{text}<extra></extra>",
        marker_line=dict(color="#B0B0B0", width=0.6), name="Neighbours", showlegend=False,
    ))
    has = layer[layer["value"].notna()]
    none = layer[layer["value"].isna()]
    if len(none):
        fig.add_trace(go.Choropleth(
            geojson=_geojson(features, none["iso3"]), locations=none["iso3"], featureidkey="properties.iso3",
            z=[0] * len(none), colorscale=[[0, "#F7F7F7"], [1, "#F7F7F7"]], showscale=False,
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
            colorbar=dict(title=dict(text=wrap(layer_label, 22), side="top"), thickness=14, len=0.38,
                          x=0.83, xanchor="left", y=0.02, yanchor="bottom"),
        ))
    fig.add_trace(go.Choropleth(
        geojson=_geojson(features, ["CN-XJ"]), locations=["CN-XJ"], featureidkey="properties.iso3",
        z=[0], colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
        marker_line=dict(color=OKABE_ITO["purple"], width=2.5),
        hovertemplate="Xinjiang (China): context<extra></extra>",
        name="Xinjiang (China)", showlegend=False,
    ))
    # Country and Xinjiang names, so a viewer never has to guess which shape is which.
    labels = {"KAZ": (67.5, 48.3), "KGZ": (74.6, 41.75), "TJK": (71.3, 38.9), "TKM": (59.0, 39.3), "UZB": (63.6, 42.0),
              "CN-XJ": (85.0, 42.0)}
    names = {k: f["properties"]["name"] for k, f in features.items()}
    fig.add_trace(go.Scattergeo(
        lon=[v[0] for v in labels.values()], lat=[v[1] for v in labels.values()], mode="text",
        text=[esc("Xinjiang (China)" if k == "CN-XJ" else names.get(k, k)) for k in labels],
        textfont=dict(size=18 if present else 12, color="#333"), hoverinfo="skip", showlegend=False,
    ))
    grouped = not detailed(points, events)
    if grouped:
        groups = groups or position_groups(points, events)
        _grouped_markers(fig, groups["deployments"], groups["events"])
    else:
        _record_markers(fig, points, events)
    fig.update_geos(
        domain=dict(x=[0.0, 0.78], y=[0.0, 1.0]), projection_type="mercator", resolution=50,
        lonaxis_range=list(WINDOW["lon"]), lataxis_range=list(WINDOW["lat"]),
        showland=True, landcolor="#FAFAFA", showocean=True, oceancolor="#EAF3FA",
        showlakes=True, lakecolor="#DCEBF5", showcountries=True, countrycolor="#C8C8C8",
        showcoastlines=False, showframe=False, bgcolor="rgba(0,0,0,0)",
    )
    n_dep, n_cities = len(points), points["place_id"].nunique()
    listed_n = int(points["vendor_listed"].sum())
    title = (f"{listed_n:,} of {n_dep:,} documented Central Asian deployments use vendors on a US list"
             if n_dep else "No documented deployments in this period")
    alt = (f"Map of Central Asia ({year_label}): {n_dep:,} deployment records in {n_cities:,} cities, "
           f"{listed_n:,} from vendors on a US list; countries shaded by {layer_label[0].lower() + layer_label[1:]}; "
           f"Turkmenistan has no documented data.")
    sizing = "markers sized by cameras"
    legend_title = "Vendor (black ring = on a US list)<br>● in place  ○ planned  ✕ declined"
    if grouped:
        n_markers = len(groups["deployments"]) + len(groups["events"])
        where = "place" if groups["cell"] is None else f"{groups['cell']:g}° map square"
        sizing = f"{n_dep + len(events):,} records, grouped by {where}"
        legend_title = f"Records in one {where}, sized by count<br>(black ring = a vendor on a US list)"
        alt += (f" Each of the {n_markers:,} markers groups the records in one {where}; its hover gives its counts "
                "and main vendors.")
    finish(fig, title=title, subtitle=f"{layer_label}; {sizing}; {year_label}", source=source,
           alt=alt, as_of=as_of, present=present, height=680 if present else 620)
    fig.update_layout(
        margin=dict(l=10, r=10, t=100, b=120), clickmode="event+select", dragmode=False,
        legend=dict(orientation="v", x=1.0, y=0.98, xanchor="right", yanchor="top", bgcolor="rgba(255,255,255,0.9)",
                    title=dict(text=legend_title, font=dict(size=18 if present else 13))),
    )
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


def _record_markers(fig: go.Figure, points: pd.DataFrame, events: pd.DataFrame) -> None:
    """One marker per record: a trace per vendor (colour, black ring if listed), one for events."""
    for vendor_key, grp in points.groupby("vendor_key", sort=False):
        colour = VENDOR_COLOURS.get(vendor_key, OKABE_ITO["sky"])
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
            lon=grp["mlon"], lat=grp["mlat"], mode="markers",
            name=esc(vendor) + (" ◆ on a US list" if listed else ""),
            marker=dict(size=[marker_size(c) for c in grp["cameras_shown"]], color=colour,
                        symbol=[SYMBOLS[s] for s in grp["status_group"]],
                        line=dict(color="#000" if listed else "#FFF", width=2.5 if listed else 1), opacity=0.92),
            customdata=np.stack([grp["place_id"], grp["deployment_id"]], axis=-1),
            text=hover, hovertemplate="%{text}<extra></extra>",
        ))
    if len(events):
        fig.add_trace(go.Scattergeo(
            lon=events["lon"], lat=events["lat"], mode="markers", name="Protest or incident",
            marker=dict(size=13, symbol="triangle-up", color=OKABE_ITO["yellow"], line=dict(color="#000", width=1.2)),
            customdata=np.stack([events["place_id"], events["event_id"]], axis=-1),
            text=["<b>" + esc(r.place) + "</b><br>" + wrap(r.title, 60) + "<br><i>Click for the quote and source</i>"
                  for r in events.itertuples()],
            hovertemplate="%{text}<extra></extra>",
        ))
