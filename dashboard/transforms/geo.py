"""Map transforms: deployments and events placed on the map, country layers, and every record for one city."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.transforms.links import Tables, vendor_listings

IN_PLACE = {"installed", "launched", "upgraded", "operating", "deal closed", "contracted"}
# Money the documents say was actually provided or committed; offers declined and requests not met are not.
FINANCING_COUNTED = {"funded", "signed", "closed", "completed", "agreed; protested"}
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
    offsets = []
    for _, grp in dep.groupby("place_id", sort=True):
        offsets += _ring_offsets(len(grp), float(grp["lat"].iloc[0]))
    dep["mlon"] = dep["lon"] + [o[0] for o in offsets]
    dep["mlat"] = dep["lat"] + [o[1] for o in offsets]
    return dep


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
        notes = {iso: f"{r.share_qualifier} {r.share_pct:g}% of public debt owed to {r.creditor}".strip()
                 for iso, r in d.iterrows()}
        out["note"] = out["iso3"].map(notes)
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
        out["note"] = out["value"].map(lambda v: f"US${v / 1e6:,.1f} million documented" if pd.notna(v) else "")
    elif layer == "deployments":
        dep = t["deployments"]
        if until_year is not None:
            dep = dep[dep["year"].notna() & (dep["year"] <= until_year)]
        counts = dep.groupby("country_iso3")["system_id"].nunique()
        out["value"] = out["iso3"].map(counts).astype(float)
        out["note"] = out["value"].map(lambda v: f"{int(v)} documented system(s)" if pd.notna(v) else "")
    else:
        raise ValueError(f"unknown layer {layer!r}")
    out["note"] = out["note"].where(out["value"].notna(), "No figure in the documents")
    return out.reset_index(drop=True)


def city_records(t: Tables, place_id: str) -> dict[str, pd.DataFrame]:
    """Every record for a city: its deployment claims, the financing tied to them, and events there."""
    dep = deployment_points(t)
    dep = dep[dep["place_id"] == place_id]
    fin = t["financing"]
    fin = fin[fin["deployment_id"].isin(dep["deployment_id"])]
    fin = fin.merge(t["entities"][["entity_id", "name"]].rename(columns={"entity_id": "lender_id", "name": "lender"}),
                    on="lender_id", how="left")
    ev = t["events"][t["events"]["place_id"] == place_id]
    return {"deployments": dep, "financing": fin, "events": ev}


def map_places(t: Tables) -> pd.DataFrame:
    """Every Central Asian place with a deployment or an event, for the city select box."""
    ca = set(t["countries"].loc[t["countries"]["region"] == "central_asia", "iso3"])
    used = set(t["deployments"]["place_id"]) | set(t["events"]["place_id"].dropna())
    p = t["places"]
    return p[p["place_id"].isin(used) & p["country_iso3"].isin(ca)].sort_values("name").reset_index(drop=True)
