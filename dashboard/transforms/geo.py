"""Map transforms: deployments and events placed on the map, country layers, and every record for one city."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard import fmt
from dashboard.transforms.links import Tables, vendor_listings

IN_PLACE = {"installed", "launched", "upgraded", "operating", "deal closed", "contracted"}
# Money the documents say was actually provided or committed; offers declined and requests not met are not.
FINANCING_COUNTED = {"funded", "signed", "closed", "completed", "agreed; protested"}
# Up to this many records (deployments + events) and vendors the map draws one marker per record, in a trace per
# vendor; beyond it markers are grouped by map position (each group's records are one click away in the city panel).
MAX_MARKERS = 250
MAX_VENDORS = 12
LAYERS = {
    "debt": "Share of public debt owed to Chinese lenders (%)",
    "financing": "Documented financing (US$)",
    "deployments": "Number of documented systems",
}


def status_group(status: str) -> str:
    if status == "planned":
        return "planned"
    if status == "declined":
        return "declined"
    return "installed or contracted"


def _ring_offsets(n: int, lat: float, radius: float = 0.55) -> list[tuple[float, float]]:
    """Spread n markers that share a city on a small ring so each stays visible and clickable."""
    if n == 1:
        return [(0.0, 0.0)]
    stretch = 1 / max(math.cos(math.radians(lat)), 0.2)
    return [(radius * stretch * math.cos(2 * math.pi * k / n + math.pi / 2),
             radius * math.sin(2 * math.pi * k / n + math.pi / 2)) for k in range(n)]


def deployment_points(t: Tables, until_year: int | None = None) -> pd.DataFrame:
    """One row per deployment claim, with coordinates (offset around its city), vendor, listing and status group.

    until_year keeps rows dated up to that year; undated rows are kept only when until_year is None.
    """
    dep = t["deployments"]
    if until_year is not None:
        dep = dep[dep["year"].notna() & (dep["year"] <= until_year)]
    dep = dep.merge(t["places"][["place_id", "name", "lat", "lon"]].rename(columns={"name": "place"}), on="place_id")
    ents = t["entities"][["entity_id", "name"]].rename(columns={"entity_id": "vendor_id", "name": "vendor"})
    dep = dep.merge(ents, on="vendor_id", how="left")
    dep["vendor"] = dep["vendor"].fillna("Vendor not named")
    dep["vendor_key"] = dep["vendor_id"].fillna("")
    lst = vendor_listings(t)[["entity_id", "listed_since", "first_action_title"]]
    dep = dep.merge(lst.rename(columns={"entity_id": "vendor_id"}), on="vendor_id", how="left")
    dep["vendor_listed"] = dep["listed_since"].notna()
    dep["status_group"] = dep["status"].map(status_group)
    dep["cameras_shown"] = dep["cameras_installed"].fillna(dep["cameras_planned"])
    dep = dep.sort_values(["place_id", "deployment_id"]).reset_index(drop=True)
    dx, dy = ring_offsets(dep["place_id"], dep["lat"])
    dep["mlon"] = dep["lon"] + dx
    dep["mlat"] = dep["lat"] + dy
    return dep


def ring_offsets(place_id: pd.Series, lat: pd.Series, radius: float = 0.55) -> tuple[np.ndarray, np.ndarray]:
    """_ring_offsets for every row at once: rows sharing a place (in their current order) spread on its ring."""
    groups = place_id.groupby(place_id.to_numpy(), sort=False)
    n = groups.transform("size").to_numpy(dtype=float)
    k = groups.cumcount().to_numpy(dtype=float)
    stretch = 1 / np.maximum(np.cos(np.radians(lat.to_numpy(dtype=float))), 0.2)
    angle = 2 * np.pi * k / np.maximum(n, 1) + np.pi / 2
    alone = n == 1
    return (np.where(alone, 0.0, radius * stretch * np.cos(angle)), np.where(alone, 0.0, radius * np.sin(angle)))


def event_points(t: Tables, until_year: int | None = None) -> pd.DataFrame:
    """Events in Central Asia that have a place, for the map."""
    ca = set(t["countries"].loc[t["countries"]["region"] == "central_asia", "iso3"])
    ev = t["events"]
    ev = ev[ev["country_iso3"].isin(ca) & ev["place_id"].notna()]
    if until_year is not None:
        ev = ev[ev["year"].notna() & (ev["year"] <= until_year)]
    return ev.merge(t["places"][["place_id", "name", "lat", "lon"]].rename(columns={"name": "place"}), on="place_id")


def map_years(t: Tables) -> list[int]:
    years = pd.concat([t["deployments"]["year"], t["events"]["year"]]).dropna().astype(int)
    return sorted(set(years))


def country_layer(t: Tables, layer: str, until_year: int | None = None) -> pd.DataFrame:
    """Per Central Asian country: the layer's value (NaN where the documents give none) and a hover note."""
    c = t["countries"]
    out = c.loc[c["region"] == "central_asia", ["iso3", "name"]].copy()
    if layer == "debt":
        d = t["debt"].set_index("country_iso3")
        out["value"] = out["iso3"].map(d["share_pct"])
        notes = pd.Series([f"{fmt.percent(v, q)} of public debt owed to {c}" for v, q, c in
                           zip(d["share_pct"], d["share_qualifier"], d["creditor"], strict=True)], index=d.index)
        out["note"] = out["iso3"].map(notes[~notes.index.duplicated(keep="last")])
    elif layer == "financing":
        f = t["financing"]
        f = f[f["status"].isin(FINANCING_COUNTED) & f["amount_usd"].notna()]
        if until_year is not None:
            f = f[f["year"].notna() & (f["year"] <= until_year)]
        # Two sources on one loan are one loan: count each disagreement once, at its largest stated amount.
        lone = f[f["conflict_id"].isna()]
        disputed = f[f["conflict_id"].notna()]
        grouped = disputed.groupby(["country_iso3", "conflict_id"], as_index=False)["amount_usd"].max()
        total = pd.concat([lone[["country_iso3", "amount_usd"]], grouped[["country_iso3", "amount_usd"]]])
        sums = total.groupby("country_iso3")["amount_usd"].sum()
        out["value"] = out["iso3"].map(sums).astype(float)
        out["note"] = out["value"].map(lambda v: f"{fmt.money(v)} documented" if pd.notna(v) else "")
    elif layer == "deployments":
        dep = t["deployments"]
        if until_year is not None:
            dep = dep[dep["year"].notna() & (dep["year"] <= until_year)]
        counts = dep.groupby("country_iso3")["system_id"].nunique()
        out["value"] = out["iso3"].map(counts).astype(float)
        out["note"] = out["value"].map(lambda v: f"{fmt.number(v)} documented system(s)" if pd.notna(v) else "")
    else:
        raise ValueError(f"unknown layer {layer!r}")
    out["note"] = out["note"].where(out["value"].notna(), "No figure in the documents")
    return out.reset_index(drop=True)


def city_index(t: Tables) -> dict:
    """Every city's records located once: row positions per place (deployments, events) and per deployment
    (financing), so one city's records are a few iloc lookups rather than a scan of every table."""
    dep = deployment_points(t)
    fin = t["financing"]
    fin = fin[fin["deployment_id"].notna()]
    fin = fin.merge(t["entities"][["entity_id", "name"]].rename(columns={"entity_id": "lender_id", "name": "lender"}),
                    on="lender_id", how="left")
    ev = t["events"]
    return {"deployments": dep, "dep_rows": dep.groupby("place_id").indices,
            "financing": fin, "fin_rows": fin.groupby("deployment_id").indices,
            "events": ev, "ev_rows": ev.groupby("place_id").indices}


def city_records(t: Tables, place_id: str, index: dict | None = None) -> dict[str, pd.DataFrame]:
    """Every record for a city: its deployment claims, the financing tied to them, and events there.

    index: city_index(t), when the caller keeps one (it is rebuilt otherwise).
    """
    ix = city_index(t) if index is None else index
    none = np.array([], dtype=int)
    dep = ix["deployments"].iloc[ix["dep_rows"].get(place_id, none)]
    fin_rows = [ix["fin_rows"][d] for d in dep["deployment_id"] if d in ix["fin_rows"]]
    fin = ix["financing"].iloc[np.sort(np.concatenate(fin_rows)) if fin_rows else none].reset_index(drop=True)
    ev = ix["events"].iloc[ix["ev_rows"].get(place_id, none)]
    return {"deployments": dep, "financing": fin, "events": ev}


def map_places(t: Tables) -> pd.DataFrame:
    """Every Central Asian place with a deployment or an event, for the city select box."""
    ca = set(t["countries"].loc[t["countries"]["region"] == "central_asia", "iso3"])
    used = set(t["deployments"]["place_id"]) | set(t["events"]["place_id"].dropna())
    p = t["places"]
    return p[p["place_id"].isin(used) & p["country_iso3"].isin(ca)].sort_values("name").reset_index(drop=True)


def detailed(points: pd.DataFrame, events: pd.DataFrame) -> bool:
    """Whether a view is small enough to draw one marker per record (and a legend entry per vendor)."""
    return len(points) + len(events) <= MAX_MARKERS and points["vendor_key"].nunique() <= MAX_VENDORS


CELLS = (None, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # exact position first, then ever coarser grids (degrees)


def _position_keys(df: pd.DataFrame, cell: float | None) -> pd.Series:
    if cell is None:
        return df["lat"].round(3).astype(str) + "," + df["lon"].round(3).astype(str)
    return (np.floor(df["lat"] / cell).astype(int).astype(str) + ":"
            + np.floor(df["lon"] / cell).astype(int).astype(str) + f"@{cell:g}")


def position_groups(points: pd.DataFrame, events: pd.DataFrame,
                    max_markers: int = MAX_MARKERS) -> dict[str, pd.DataFrame | pd.Series]:
    """Deployments and events grouped by map position (a city's coordinates; a coarser grid cell if that still
    makes more than max_markers markers), for views too large to draw one marker per record.

    Returns deployments (one row per position: lat, lon, records, cities, the position's largest city as place_id
    and place, counts by status group as in_place, planned and declined, listed, disputed, and the most frequent
    vendors as text), events (position, lat, lon, events, cities, place_id, place, first title), place_pos
    (place_id -> position, for every place) and cell (None for exact positions, else the grid's size in degrees).
    """
    for cell in CELLS:
        dkey, ekey = _position_keys(points, cell), _position_keys(events, cell)
        if dkey.nunique() + ekey.nunique() <= max_markers:
            break
    d = points.assign(pos=dkey.to_numpy())
    e = events.assign(pos=ekey.to_numpy())
    return {"deployments": _deployment_groups(d), "events": _event_groups(e), "cell": cell,
            "place_pos": pd.concat([d[["place_id", "pos"]], e[["place_id", "pos"]]])
            .drop_duplicates("place_id").set_index("place_id")["pos"]}


def _largest_city(df: pd.DataFrame) -> pd.DataFrame:
    """Per position: the place with most records (ties: first place_id) and its name."""
    sizes = df.groupby(["pos", "place_id", "place"], sort=True).size().rename("n").reset_index()
    sizes = sizes.sort_values(["pos", "n", "place_id"], ascending=[True, False, True], kind="stable")
    return sizes.drop_duplicates("pos").set_index("pos")[["place_id", "place"]]


def _deployment_groups(d: pd.DataFrame) -> pd.DataFrame:
    cols = ["pos", "lat", "lon", "records", "cities", "place_id", "place", "in_place", "planned", "declined",
            "listed", "disputed", "vendors"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    g = d.groupby("pos", sort=True)
    out = g.agg(lat=("lat", "mean"), lon=("lon", "mean"), records=("deployment_id", "size"),
                cities=("place_id", "nunique"), listed=("vendor_listed", "sum"), disputed=("conflict_id", "count"))
    out = out.join(_largest_city(d))
    status = pd.crosstab(d["pos"], d["status_group"])
    for col, group in (("in_place", "installed or contracted"), ("planned", "planned"), ("declined", "declined")):
        out[col] = status[group] if group in status else 0
    vend = d.groupby(["pos", "vendor"], sort=True).size().rename("n").reset_index()
    vend = vend.sort_values(["pos", "n", "vendor"], ascending=[True, False, True], kind="stable")
    kinds = vend.groupby("pos")["vendor"].size()
    top = vend.groupby("pos").head(3)
    text = (top["vendor"] + " (" + top["n"].map("{:,}".format) + ")").groupby(top["pos"]).agg(", ".join)
    more = kinds - 3
    out["vendors"] = text + more.map(lambda m: f" and {m:,} more" if m > 0 else "")
    return out.reset_index()[cols]


def _event_groups(e: pd.DataFrame) -> pd.DataFrame:
    cols = ["pos", "lat", "lon", "events", "cities", "place_id", "place", "title"]
    if e.empty:
        return pd.DataFrame(columns=cols)
    g = e.groupby("pos", sort=True)
    out = g.agg(lat=("lat", "mean"), lon=("lon", "mean"), events=("event_id", "size"),
                cities=("place_id", "nunique"), title=("title", "first"))
    return out.join(_largest_city(e)).reset_index()[cols]


def places_by_position(place_pos: pd.Series, names: dict[str, str]) -> dict:
    """Map position -> the place ids grouped at it, by name then id (place_pos: place_id -> position)."""
    frame = place_pos.rename("pos").reset_index()
    frame["name"] = frame["place_id"].map(names)
    frame = frame.sort_values(["name", "place_id"], kind="stable")
    return {pos: list(grp["place_id"]) for pos, grp in frame.groupby("pos", sort=False)}


def fit_window(lon: tuple[float, float], lat: tuple[float, float], aspect: float) -> dict[str, tuple[float, float]]:
    """The smallest lon/lat window holding the given one whose Mercator width/height is `aspect` (a 16:9 frame's plot
    area is about 2.25): Plotly fits a geo window into its frame keeping its shape, so a window of the frame's shape
    fills it instead of leaving bands."""
    def y(deg):
        return math.log(math.tan(math.pi / 4 + math.radians(deg) / 2))

    def lat_of(v):
        return math.degrees(2 * math.atan(math.exp(v)) - math.pi / 2)

    w = math.radians(lon[1] - lon[0])
    y0, y1 = y(lat[0]), y(lat[1])
    if w / (y1 - y0) < aspect:  # too tall: widen around the middle
        grow = math.degrees((y1 - y0) * aspect - w) / 2
        return {"lon": (lon[0] - grow, lon[1] + grow), "lat": lat}
    grow = (w / aspect - (y1 - y0)) / 2
    return {"lon": lon, "lat": (lat_of(y0 - grow), lat_of(y1 + grow))}


def feature_bounds(feature: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a GeoJSON (Multi)Polygon feature."""
    geom = feature["geometry"]
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    pts = np.concatenate([np.asarray(ring, dtype=float)[:, :2] for poly in polys for ring in poly])
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())


def _clusters(xy: np.ndarray, stretch: np.ndarray, radius: float) -> np.ndarray:
    """Cluster number per city: cities closer than `radius` (on screen) share one, transitively."""
    parent = list(range(len(xy)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(xy)):
        d = np.hypot((xy[i + 1:, 0] - xy[i, 0]) / stretch[i], xy[i + 1:, 1] - xy[i, 1])
        for j in np.nonzero(d < radius)[0]:
            parent[root(i + 1 + int(j))] = root(i)
    return np.array([root(i) for i in range(len(xy))])


def _side(angle: float) -> str:
    """Plotly textposition for a label placed at `angle` (radians) from what it names."""
    deg = math.degrees(angle) % 360
    if 45 <= deg < 135:
        return "top center"
    if 135 <= deg < 225:
        return "middle left"
    if 225 <= deg < 315:
        return "bottom center"
    return "middle right"


def spread(points: pd.DataFrame, events: pd.DataFrame,
           radius: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Markers that would pile up moved apart, each joined to its city by a leader line, and where to name each city.

    Cities closer than 0.6 `radius` degrees form one group (Akkol and Nur-Sultan); a group's records (deployments
    first, then events) go on a circle of `radius` degrees of latitude round it, stretched in longitude so it stays
    round on a Mercator map, or on a half circle facing away from a neighbouring group closer than three radii.
    Returns copies of points and events with sx, sy (the marker's position), and labels: place_id, place, lon, lat
    (the city), lx, ly (where its name goes: outside the circle on its city's side, beside a fan, under a lone
    marker) and textposition."""
    pts = points.assign(sx=points["lon"].astype(float), sy=points["lat"].astype(float))
    evs = events.assign(sx=events["lon"].astype(float), sy=events["lat"].astype(float))
    both = pd.concat([pts[["place_id", "place", "lon", "lat"]].assign(kind="p", row=range(len(pts))),
                      evs[["place_id", "place", "lon", "lat"]].assign(kind="e", row=range(len(evs)))],
                     ignore_index=True)
    label_cols = ["place_id", "place", "lon", "lat", "lx", "ly", "textposition"]
    if both.empty:
        return pts, evs, pd.DataFrame(columns=label_cols)
    cities = both.groupby("place_id", sort=False).agg(place=("place", "first"), lon=("lon", "first"),
                                                      lat=("lat", "first"), n=("row", "size"))
    xy = cities[["lon", "lat"]].to_numpy(dtype=float)
    stretch = 1 / np.maximum(np.cos(np.radians(xy[:, 1])), 0.2)
    cities["cluster"] = _clusters(xy, stretch, 0.6 * radius)
    centres = cities.groupby("cluster")[["lon", "lat"]].mean()
    both["cluster"] = both["place_id"].map(cities["cluster"])
    cx, cy = centres["lon"].to_numpy(), centres["lat"].to_numpy()
    labels = []
    for cluster, grp in both.groupby("cluster", sort=False):
        lon0, lat0 = centres.loc[cluster]
        k = math.cos(math.radians(lat0))
        k = 1 / max(k, 0.2)
        members = cities[cities["cluster"] == cluster]
        if len(grp) == 1:
            r = members.iloc[0]
            labels.append((members.index[0], r["place"], r["lon"], r["lat"], r["lon"], r["lat"] - 0.3 * radius,
                           "bottom center"))
            continue
        d = np.hypot((cx - lon0) / k, cy - lat0)
        d[d == 0] = np.inf
        near = int(np.argmin(d))
        fan = d[near] < 3 * radius
        if fan:  # fan out on the side away from the nearest neighbouring group
            away = math.atan2(lat0 - cy[near], (lon0 - cx[near]) / k)
            angles = away + np.linspace(-math.pi / 2, math.pi / 2, len(grp))
        else:
            angles = math.pi / 2 + 2 * math.pi * np.arange(len(grp)) / len(grp)
        sx, sy = lon0 + radius * k * np.cos(angles), lat0 + radius * np.sin(angles)
        for (kind, row), x, y_ in zip(grp[["kind", "row"]].itertuples(index=False), sx, sy, strict=True):
            frame = pts if kind == "p" else evs
            frame.iloc[row, frame.columns.get_loc("sx")] = x
            frame.iloc[row, frame.columns.get_loc("sy")] = y_
        for place_id, r in members.iterrows():
            dx, dy = (r["lon"] - lon0) / k, r["lat"] - lat0
            # a lone city's name goes under its circle; in a group, each name on its own city's side
            angle = -math.pi / 2 if len(members) == 1 or math.hypot(dx, dy) < 1e-9 else math.atan2(dy, dx)
            reach = 1.3 * radius
            if fan and len(members) == 1:  # beside the city, in the gap the fan leaves
                angle, reach = away + math.pi, 0.25 * radius
            labels.append((place_id, r["place"], r["lon"], r["lat"], lon0 + reach * k * math.cos(angle),
                           lat0 + reach * math.sin(angle), _side(angle)))
    return pts, evs, pd.DataFrame(labels, columns=label_cols)
