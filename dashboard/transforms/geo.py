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
