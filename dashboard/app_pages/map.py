"""Map page: choose a country layer and a year, click a marker (or pick a city) to see every record with its quote."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import fmt, loaders, nav, query, ui
from dashboard.safe import md
from dashboard.transforms import geo
from dashboard.views import geo as views

LAYER_SHORT = {"debt": "Debt owed to China", "financing": "Documented financing", "deployments": "Number of systems"}
MAP_KEY = "map_chart"


def _place_names(ds) -> dict[str, str]:
    """place_id -> label for the city box, in its order (by name); built once per dataset. A name shared by several
    places carries the place id: the box tells options apart by their label."""
    places = geo.map_places(ds)
    shared = places["name"].duplicated(keep=False)
    labels = places["name"].where(~shared, places["name"] + " (" + places["place_id"] + ")")
    return dict(zip(places["place_id"], labels, strict=True))


def _city_options(ds) -> tuple[str, ...]:
    return ("", *loaders.derive(ds, _place_names))


def _undated(ds) -> int:
    return int(ds["deployments"]["year"].isna().sum())


def _sync_city_from_click(names: dict[str, str]) -> None:
    # A click arrives in session state before the page runs; move it into the city box so URL and panel follow it.
    picked = ui.selected_customdata(st.session_state.get(MAP_KEY))
    if picked and picked != st.session_state.get("_map_last_pick"):
        st.session_state["_map_last_pick"] = picked
        if picked[0] in names:
            st.session_state["q_city"] = picked[0]


def render() -> None:
    ds = loaders.dataset()
    ui.header("Map of Central Asia",
              "Documented surveillance systems, their vendors, and whether those vendors are on a US list. "
              "**Click a marker, or pick a city, for every record with its quote.**")
    names = loaders.derive(ds, _place_names)
    _sync_city_from_click(names)

    with ui.filters("Layer, year, country, city"):
        c1, c2, c3, c4 = st.columns([2, 3, 2, 2])
        with c1:
            layer = query.bound("layer", st.selectbox, list(geo.LAYERS), "debt", "Country layer",
                                fmt=LAYER_SHORT.get)
        with c2:
            years = ["all", *loaders.derive(ds, geo.map_years)]
            year = query.bound("year", st.select_slider, years, "all", "Show records up to",
                               fmt=lambda y: "All years (incl. undated)" if y == "all" else str(y),
                               parse=lambda s: s if s == "all" else int(s))
        with c3:
            countries = loaders.derive(ds, _country_names)
            country = query.bound("country", st.selectbox, ["", *countries], "", "Zoom to country",
                                  fmt=lambda k: countries.get(k, "— all of Central Asia —"))
        with c4:
            city = query.bound("city", st.selectbox, loaders.derive(ds, _city_options), "", "City",
                               fmt=lambda k: names.get(k, "— choose a city —"))

    until = None if year == "all" else int(year)
    points, events, groups = loaders.derive(ds, views.data, until)
    place_pos = None if groups is None else groups["place_pos"]
    view = loaders.derive(ds, views.central_asia, present=ui.presenting(), layer=layer, year=until,
                         country=country or None)
    if until is not None:
        hidden = loaders.derive(ds, _undated)
        st.caption(f"{hidden} undated deployment records are hidden when a year is chosen; choose 'All years' to "
                   "see them.")
    if points.empty and events.empty:
        ui.empty(f"No documented deployment or event is dated {until} or earlier.")
    ui.chart(view, MAP_KEY, selectable=True)
    if place_pos is not None:
        st.caption(f"{len(points) + len(events):,} records are too many for a marker each: each marker groups the "
                   "records at one map position. Click one for its largest city's records; choose any city in the "
                   "City box.")
    st.caption("Turkmenistan: none of the five documents names a deployment, loan or debt figure there; it is "
               "shown blank, not as zero.")

    if city:
        _city_panel(ds, city, names[city])
        if place_pos is not None:
            _same_marker(ds, city, until, names)
    else:
        st.info("Click a marker on the map, or choose a city above, to see its records and sources.", icon="👆")


def _country_names(ds) -> dict[str, str]:
    """iso3 -> name of the Central Asian countries the map can zoom to (those with a shape), by name."""
    c = ds["countries"]
    c = c[(c["region"] == "central_asia") & c["iso3"].isin(ds.boundary_features.keys())].sort_values("name")
    return dict(zip(c["iso3"], c["name"], strict=True))


def _marker_places(ds, until: int | None) -> dict[str, list[str]]:
    """Map position -> its places (by name), for the view's grouped markers."""
    return geo.places_by_position(loaders.derive(ds, views.data, until)[2]["place_pos"],
                                  loaders.derive(ds, _place_names))


def _same_marker(ds, city: str, until: int | None, names: dict[str, str]) -> None:
    """The other cities the chosen city's marker groups, each a link (paged: a position may hold thousands)."""
    pos = loaders.derive(ds, views.data, until)[2]["place_pos"].get(city)
    others = [p for p in loaders.derive(ds, _marker_places, until).get(pos, []) if p != city]
    if not others:
        return
    with st.container(border=True):
        st.markdown(f"**{len(others):,} other cities share this city's marker on the map**")
        view = {k: st.query_params.get(k) for k in ("layer", "year")}  # the link keeps the view
        for place_id in ui.paged(others, f"map_same_{city}", per_page=20, noun="cities"):
            nav.link("map", names.get(place_id, place_id), city=place_id, **view)


def _figures(r) -> str:
    when = fmt.year_month(r.get("year"), r.get("month"))
    if fmt.given(r.get("target_year")):
        when += f"; target {int(r['target_year'])}"
    return " · ".join([*fmt.deployment_figures(r), when])


def _city_records(ds, place_id: str) -> dict:
    """One city's records, from the index of every city built once per dataset; financing grouped by deployment."""
    recs = geo.city_records(ds, place_id, index=loaders.derive(ds, geo.city_index))
    fin = recs["financing"]
    by_dep = {d: grp.to_dict("records") for d, grp in fin.groupby("deployment_id", sort=False)} if len(fin) else {}
    return {**recs, "financing_by_deployment": by_dep}


def _city_panel(ds, place_id: str, name: str) -> None:
    recs = loaders.derive(ds, _city_records, place_id)
    st.header(f"Records for {name}")
    dep, events = recs["deployments"], recs["events"]
    shown = ui.paged(dep, f"map_dep_{place_id}", per_page=10, noun="deployment records")
    for r in shown.to_dict("records"):
        with st.container(border=True):
            st.markdown(f"**{md(r['system_type'].capitalize())} — {md(r['status'])}**"
                        + (" · national system, shown at the capital" if r["scope"] == "national" else ""))
            st.markdown(md(r["description"]))
            st.markdown(f"Figures: {md(_figures(r))}")
            if pd.notna(r["vendor_id"]):
                listed = (f" — on a US list since {fmt.date(r['listed_since'])} ({md(r['first_action_title'])})"
                          if r["vendor_listed"] else " — not on a US list in these documents")
                st.markdown(f"Vendor: **{md(r['vendor'])}**{listed}")
                nav.link("companies", f"Open {r['vendor']}'s profile", entity=r["vendor_id"])
            else:
                st.markdown("Vendor: not named in the source")
            ui.evidence(ds, r)
            fins = recs["financing_by_deployment"].get(r["deployment_id"], [])
            for f in ui.paged(fins, f"map_fin_{r['deployment_id']}", per_page=10, noun="financing records"):
                amount = fmt.money(f["amount_usd"])
                ui.evidence(ds, f, heading=f"Financing: {f['kind']} from {f['lender_as_written'] or 'unnamed'}"
                                           f" — {amount} — {f['status']}")
    for e in ui.paged(events, f"map_ev_{place_id}", per_page=10, noun="events").to_dict("records"):
        with st.container(border=True):
            st.markdown(f"**Event: {md(e['title'])}**")
            ui.evidence(ds, e)
    if dep.empty and events.empty:
        ui.empty(f"No records for {name}.")


if __name__ == "__main__":
    render()
