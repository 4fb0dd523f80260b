"""Map views: the map of Central Asia's documented systems, with a country layer, up to a year."""

from __future__ import annotations

from dashboard.charts.geo import make_map_figure
from dashboard.data import Dataset
from dashboard.memo import derive
from dashboard.transforms import geo
from dashboard.views import View, as_of, evidence, link, make, rows

SOURCE = "Caspian Policy Center brief (seed 002), US Federal Register, AidData; see Sources"
LAYER_TABLES = {"debt": ("debt", "debt_id"), "financing": ("financing", "financing_id"), "deployments": None}


def data(ds: Dataset, until: int | None = None):
    """Markers, events up to a year, and their grouping by map position when there are too many for a marker each
    (None otherwise)."""
    points = geo.deployment_points(ds, until)
    events = geo.event_points(ds, until)
    return points, events, None if geo.detailed(points, events) else geo.position_groups(points, events)


def central_asia(ds: Dataset, *, present: bool = False, layer: str = "debt", year: int | str | None = None,
                 country: str | None = None) -> View:
    """The map: deployments by vendor and listing, events, and the chosen country layer; zoomed to a country (iso3)
    when one is given."""
    until = None if year in (None, "all") else int(year)
    points, events, groups = derive(ds, data, until)
    layer_df = derive(ds, geo.country_layer, layer, until)
    year_label = "all years, including undated records" if until is None else f"records dated up to {until}"
    fig = make_map_figure(points, events, layer_df, ds.boundary_features, layer_name=layer, groups=groups,
                          layer_label=geo.LAYERS[layer], year_label=year_label, present=present, as_of=as_of(ds),
                          source=SOURCE, country=country)
    dep = ds["deployments"]
    parts = [rows(dep[dep["deployment_id"].isin(points["deployment_id"])], "deployments", "deployment_id")]
    if LAYER_TABLES[layer]:
        table, key = LAYER_TABLES[layer]
        t = ds[table]
        parts.append(rows(t[t["country_iso3"].isin(layer_df.loc[layer_df["value"].notna(), "iso3"])], table, key))
    ev = ds["events"]
    parts.append(rows(ev[ev["event_id"].isin(events["event_id"])], "events", "event_id"))
    return make("central-asia-map", fig, evidence(*parts), link("map", layer=None if layer == "debt" else layer,
                                                                  year=until, country=country), ds)
