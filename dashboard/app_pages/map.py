"""Map page: choose a country layer and a year, click a marker (or pick a city) to see every record with its quote."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import loaders, nav, query, ui
from dashboard.charts.geo import make_map_figure
from dashboard.safe import md
from dashboard.transforms import geo

LAYER_SHORT = {"debt": "Debt owed to China", "financing": "Documented financing", "deployments": "Number of systems"}
MAP_KEY = "map_chart"


def _sync_city_from_click(places: pd.DataFrame) -> None:
    # A click arrives in session state before the page runs; move it into the city box so URL and panel follow it.
    picked = ui.selected_customdata(st.session_state.get(MAP_KEY))
    if picked and picked != st.session_state.get("_map_last_pick"):
        st.session_state["_map_last_pick"] = picked
        if picked[0] in set(places["place_id"]):
            st.session_state["q_city"] = picked[0]


def render() -> None:
    ds = loaders.dataset()
    ui.header("Map of Central Asia",
              "Documented surveillance systems, their vendors, and whether those vendors are on a US list. "
              "**Click a marker, or pick a city, for every record with its quote.**")
    places = geo.map_places(ds)
    names = dict(zip(places["place_id"], places["name"], strict=True))
    _sync_city_from_click(places)

    c1, c2, c3 = st.columns([2, 3, 2])
    with c1:
        layer = query.bound("layer", st.selectbox, list(geo.LAYERS), "debt", "Country layer",
                            fmt=LAYER_SHORT.get)
    with c2:
        years = ["all", *geo.map_years(ds)]
        year = query.bound("year", st.select_slider, years, "all", "Show records up to",
                           fmt=lambda y: "All years (incl. undated)" if y == "all" else str(y),
                           parse=lambda s: s if s == "all" else int(s))
    with c3:
        city = query.bound("city", st.selectbox, ["", *names], "", "City",
                           fmt=lambda k: names.get(k, "— choose a city —"))

    until = None if year == "all" else int(year)
    points, events, fig = loaders.derive(ds, _map, layer, until, ui.presenting())
    if until is not None:
        hidden = int(ds["deployments"]["year"].isna().sum())
        st.caption(f"{hidden} undated deployment records are hidden when a year is chosen; choose 'All years' to "
                   "see them.")
    if points.empty and events.empty:
        ui.empty(f"No documented deployment or event is dated {until} or earlier.")
    ui.chart(fig, MAP_KEY, selectable=True)
    st.caption("Turkmenistan: none of the five documents names a deployment, loan or debt figure there; it is "
               "shown blank, not as zero.")

    if city:
        _city_panel(ds, city, names[city])
    else:
        st.info("Click a marker on the map, or choose a city above, to see its records and sources.", icon="👆")


def _map(ds, layer: str, until: int | None, present: bool):
    """Markers, events and the finished figure for one view; derived once per dataset and view."""
    points = geo.deployment_points(ds, until)
    events = geo.event_points(ds, until)
    layer_df = geo.country_layer(ds, layer, until)
    year_label = "all years, including undated records" if until is None else f"records dated up to {until}"
    fig = make_map_figure(points, events, layer_df, ds.boundary_features, layer_name=layer,
                          layer_label=geo.LAYERS[layer], year_label=year_label, present=present,
                          as_of=ui.as_of(ds),
                          source="Caspian Policy Center brief (seed 002), US Federal Register, AidData; see Sources")
    return points, events, fig


def _figures(r) -> str:
    bits = []
    if pd.notna(r.get("cameras_installed")):
        bits.append(f"{r['cameras_installed_qualifier'] + ' ' if r['cameras_installed_qualifier'] else ''}"
                    f"{int(r['cameras_installed']):,} cameras")
    if pd.notna(r.get("cameras_facial_recognition")):
        bits.append(f"{int(r['cameras_facial_recognition']):,} with facial recognition")
    if pd.notna(r.get("cameras_planned")):
        bits.append(f"{int(r['cameras_planned']):,} cameras planned")
    if pd.notna(r.get("cost_usd")):
        bits.append(f"US${int(r['cost_usd']):,}")
    when = (f"{int(r['year'])}" + (f"-{int(r['month']):02d}" if pd.notna(r.get("month")) else "")
            if pd.notna(r.get("year")) else "date not given")
    if pd.notna(r.get("target_year")):
        when += f"; target {int(r['target_year'])}"
    bits.append(when)
    return " · ".join(bits)


def _city_panel(ds, place_id: str, name: str) -> None:
    recs = loaders.derive(ds, geo.city_records, place_id)
    st.subheader(f"Records for {name}")
    dep = recs["deployments"]
    for _, r in dep.iterrows():
        with st.container(border=True):
            st.markdown(f"**{md(r['system_type'].capitalize())} — {md(r['status'])}**"
                        + (" · national system, shown at the capital" if r["scope"] == "national" else ""))
            st.markdown(md(r["description"]))
            st.markdown(f"Figures: {md(_figures(r))}")
            if pd.notna(r["vendor_id"]):
                listed = (f" — on a US list since {r['listed_since']:%Y-%m-%d} ({md(r['first_action_title'])})"
                          if r["vendor_listed"] else " — not on a US list in these documents")
                st.markdown(f"Vendor: **{md(r['vendor'])}**{listed}")
                nav.link("companies", f"Open {r['vendor']}'s profile", entity=r["vendor_id"])
            else:
                st.markdown("Vendor: not named in the source")
            ui.evidence(ds, r)
            fin = recs["financing"][recs["financing"]["deployment_id"] == r["deployment_id"]]
            for _, f in fin.iterrows():
                amount = f"US${int(f['amount_usd']):,}" if pd.notna(f["amount_usd"]) else "amount not given"
                ui.evidence(ds, f, heading=f"Financing: {f['kind']} from {f['lender_as_written'] or 'unnamed'}"
                                           f" — {amount} — {f['status']}")
    for _, e in recs["events"].iterrows():
        with st.container(border=True):
            st.markdown(f"**Event: {md(e['title'])}**")
            ui.evidence(ds, e)
    if dep.empty and recs["events"].empty:
        ui.empty(f"No records for {name}.")


if __name__ == "__main__":
    render()
