"""The map made for a slide: a window of the frame's shape, names readable on any shading, markers apart, a zoom."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard.charts import geo as cg
from dashboard.charts.geo import make_map_figure
from dashboard.transforms import geo


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


@pytest.fixture(scope="module")
def figure(dataset):
    return make_map_figure(geo.deployment_points(dataset), geo.event_points(dataset),
                           geo.country_layer(dataset, "debt"), dataset.boundary_features, layer_name="debt",
                           layer_label=geo.LAYERS["debt"], year_label="all years", source="S", as_of="d", present=True)


def test_the_window_holds_the_region_and_has_the_slide_frame_shape(figure):
    lon, lat = figure.layout.geo.lonaxis.range, figure.layout.geo.lataxis.range
    assert lon[0] <= cg.REGION["lon"][0] and lon[1] >= cg.REGION["lon"][1]
    assert lat[0] <= cg.REGION["lat"][0] and lat[1] >= cg.REGION["lat"][1]
    aspect = math.radians(lon[1] - lon[0]) / (_merc(lat[1]) - _merc(lat[0]))
    assert aspect == pytest.approx(cg.ASPECT, rel=0.01)
    assert list(figure.layout.geo.domain.x) == [0, 1] and list(figure.layout.geo.domain.y) == [0, 1]


def test_legend_and_colour_bar_sit_inside_the_map(figure):
    leg = figure.layout.legend
    assert 0 <= leg.x <= 1 and 0 <= leg.y <= 1 and leg.xanchor == "right" and leg.yanchor == "top"
    bar = next(t for t in figure.data if t.type == "choropleth" and t.showscale is not False and t.colorbar.len)
    assert bar.colorbar.orientation == "h" and 0 <= bar.colorbar.y <= 1 and 0 <= bar.colorbar.x <= 1


def test_country_and_city_names_read_at_4_5_to_1_on_any_shading(figure, dataset):
    """Each name is dark text with a white halo all round it: the halo, not the shading, is what the text sits on."""
    names = [t for t in figure.data if t.type == "scattergeo" and t.mode == "text"]
    assert {t.name for t in names} == {"Country names", "City names"}
    for t in names:
        halo = t.textfont.shadow
        offsets = {tuple(part.split()[:2]) for part in halo.split(",")}
        assert all(part.strip().endswith("#FFFFFF") for part in halo.split(","))
        assert {("-1px", "0px"), ("1px", "0px"), ("0px", "-1px"), ("0px", "1px")} <= {
            tuple(o.strip() for o in off) for off in offsets}  # all four sides
        assert contrast(t.textfont.color, "#FFFFFF") >= 4.5
    # the shading really is too dark for plain text, which is why the halo is there
    darkest = "#7F2704"  # the end of Plotly's Oranges scale, Tajikistan's fill
    assert contrast("#333333", darkest) < 4.5
    # every city with a marker is named
    cities = next(t for t in names if t.name == "City names")
    placed = set(geo.deployment_points(dataset)["place"]) | set(geo.event_points(dataset)["place"])
    assert set(cities.text) == placed


def test_markers_at_one_city_are_spread_apart_with_leader_lines(figure, dataset):
    records = [t for t in figure.data if t.type == "scattergeo" and t.customdata is not None]
    xy = np.array([(x, y) for t in records for x, y in zip(t.lon, t.lat, strict=True)], dtype=float)
    n = len(geo.deployment_points(dataset)) + len(geo.event_points(dataset))
    assert len(xy) == n
    lat_span = figure.layout.geo.lataxis.range[1] - figure.layout.geo.lataxis.range[0]
    scaled = xy.copy()
    scaled[:, 0] *= np.cos(np.radians(xy[:, 1]))
    gaps = [np.hypot(*(scaled[i] - scaled[j])) for i in range(n) for j in range(i + 1, n)]
    # Before: up to six markers within half a degree at Bishkek. Now no two are closer than a third of the spread.
    assert min(gaps) > 0.3 * cg.SPREAD * lat_span
    leaders = next(t for t in figure.data if t.name == "Leader lines")
    ends = {(round(x, 6), round(y, 6)) for x, y in zip(leaders.lon, leaders.lat, strict=True) if x == x}
    pts = geo.deployment_points(dataset)
    bishkek = pts[pts["place"] == "Bishkek"]
    assert (round(float(bishkek["lon"].iloc[0]), 6), round(float(bishkek["lat"].iloc[0]), 6)) in ends
    moved = [(round(x, 6), round(y, 6)) for x, y in xy]
    assert sum(m in ends for m in moved) >= len(bishkek)  # each spread Bishkek marker has its line


def test_vendor_is_shown_by_shape_as_well_as_colour(figure):
    vendors = [t for t in figure.data if t.type == "scattergeo" and t.customdata is not None
               and t.name != "Protest or incident"]
    assert len(vendors) >= 5
    shapes = [re.sub(r"(-x)?-open$", "", str(t.marker.symbol[0])) for t in vendors]
    assert len(set(shapes)) == len(vendors), shapes
    assert len({t.marker.color for t in vendors}) == len(vendors)


def test_status_symbols_keep_the_vendor_shape():
    assert cg.status_symbol("square", "installed or contracted") == "square"
    assert cg.status_symbol("square", "planned") == "square-open"
    assert cg.status_symbol("square", "declined") == "square-x-open"
    for symbol in ("square-open", "square-x-open", "pentagon-open", "x-open"):
        go.scattergeo.Marker(symbol=symbol)  # a symbol Plotly knows


def test_zooming_to_a_country_frames_that_country(dataset):
    kgz = geo.feature_bounds(dataset.boundary_features["KGZ"])
    window = cg.map_window(dataset.boundary_features, "KGZ")
    region = cg.map_window(dataset.boundary_features)
    assert window["lon"][0] < kgz[0] and window["lon"][1] > kgz[2]
    assert window["lat"][0] < kgz[1] and window["lat"][1] > kgz[3]
    assert (window["lon"][1] - window["lon"][0]) < 0.4 * (region["lon"][1] - region["lon"][0])
    assert cg.map_window(dataset.boundary_features, "XXX") == region


def test_the_map_page_zooms_to_the_country_in_the_url_and_keeps_it(open_page, dataset):
    at = open_page("map", query={"country": "KGZ"})
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    lon = spec["layout"]["geo"]["lonaxis"]["range"]
    kgz = geo.feature_bounds(dataset.boundary_features["KGZ"])
    assert lon[0] < kgz[0] < kgz[2] < lon[1] and lon[1] - lon[0] < 25
    assert at.query_params.get("country") in ("KGZ", ["KGZ"])
    box = next(s for s in at.selectbox if s.label == "Zoom to country")
    assert box.value == "KGZ"
    box.set_value("TJK").run()
    assert at.query_params.get("country") in ("TJK", ["TJK"])
    lon = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["geo"]["lonaxis"]["range"]
    tjk = geo.feature_bounds(dataset.boundary_features["TJK"])
    assert lon[0] < tjk[0] < tjk[2] < lon[1]
    box.set_value("").run()
    assert "country" not in at.query_params
    lon = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["geo"]["lonaxis"]["range"]
    assert lon[1] - lon[0] > 50


def test_an_unknown_country_in_the_url_is_ignored_with_a_notice(open_page):
    at = open_page("map", query={"country": "<b>x</b>"})
    assert any("Ignored" in c.value for c in at.caption)
    lon = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["geo"]["lonaxis"]["range"]
    assert lon[1] - lon[0] > 50
