"""Checks on the offline map data built by scripts/build_boundaries.py."""

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

ROOT = Path(__file__).resolve().parent.parent
GEOJSON = ROOT / "data" / "boundaries.geojson"
TOPOJSON_DIR = ROOT / "dashboard" / "static" / "topojson"

CENTRAL_ASIA = {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
CONTEXT = {"CHN", "AFG", "RUS", "MNG", "IRN", "PAK"}
XINJIANG = "CN-XJ"
WINDOW = (44.0, 30.0, 97.0, 56.0)


@pytest.fixture(scope="module")
def raw():
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gdf():
    return gpd.read_file(GEOJSON)


def _signed_area(ring):
    # Shoelace in lon/lat; negative means clockwise.
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def _polygons(geometry):
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def test_file_under_size_budget():
    assert GEOJSON.stat().st_size < 300_000


def test_expected_ids(raw, gdf):
    expected = CENTRAL_ASIA | CONTEXT | {XINJIANG}
    ids = [f["id"] for f in raw["features"]]
    assert len(ids) == 12
    assert set(ids) == expected
    assert ids == sorted(ids), "features should be sorted by iso3 for deterministic output"
    assert [f["properties"]["iso3"] for f in raw["features"]] == ids
    assert set(gdf["iso3"]) == expected


def test_roles_and_names(raw):
    for f in raw["features"]:
        props = f["properties"]
        iso3 = props["iso3"]
        if iso3 in CENTRAL_ASIA:
            assert props["role"] == "central_asia"
        elif iso3 in CONTEXT:
            assert props["role"] == "context"
        else:
            assert iso3 == XINJIANG and props["role"] == "xinjiang"
        assert isinstance(props["name"], str) and props["name"]


def test_geometries_valid_and_non_empty(gdf):
    assert gdf.geometry.notna().all()
    assert not gdf.geometry.is_empty.any()
    invalid = gdf.loc[~gdf.geometry.is_valid, "iso3"].tolist()
    assert not invalid, f"invalid geometries: {invalid}"
    assert set(gdf.geometry.geom_type) <= {"Polygon", "MultiPolygon"}


def test_exterior_rings_clockwise_in_raw_json(raw):
    # Plotly's d3-geo renderer fills the complement of counter-clockwise shapes,
    # and GeoJSON readers may silently re-wind rings, so read the file as text.
    for f in raw["features"]:
        for poly in _polygons(f["geometry"]):
            assert _signed_area(poly[0]) < 0, f"{f['id']}: exterior ring is counter-clockwise"
            for hole in poly[1:]:
                assert _signed_area(hole) > 0, f"{f['id']}: hole is clockwise"


def test_coordinates_rounded(raw):
    for f in raw["features"]:
        for poly in _polygons(f["geometry"]):
            for ring in poly:
                for x, y in ring:
                    assert round(x, 3) == x and round(y, 3) == y


def test_bounds_within_window(gdf):
    minx, miny, maxx, maxy = gdf.total_bounds
    wminx, wminy, wmaxx, wmaxy = WINDOW
    assert minx >= wminx and miny >= wminy and maxx <= wmaxx and maxy <= wmaxy


def test_countries_share_borders_without_overlaps(gdf):
    geoms = gdf.set_index("iso3").geometry
    countries = [geoms[i] for i in sorted(CENTRAL_ASIA | CONTEXT)]
    assert shapely.coverage_is_valid(countries)


def test_xinjiang_lies_in_china(gdf):
    geoms = gdf.set_index("iso3").geometry
    xj, chn = geoms[XINJIANG], geoms["CHN"]
    # Different source scales, so allow a thin mismatch along the border.
    assert xj.difference(chn).area < 0.01 * xj.area


@pytest.mark.parametrize("name", ["world_110m.json", "world_50m.json"])
def test_plotly_topojson_present(name):
    path = TOPOJSON_DIR / name
    assert path.is_file()
    topo = json.loads(path.read_text(encoding="utf-8"))
    assert topo["type"] == "Topology"
    assert "countries" in topo["objects"]
