"""Company profiles: who an entity is, which US/UK actions name it, what it built or lent in Central Asia."""

from __future__ import annotations

import pandas as pd

from dashboard import editorial, fmt
from dashboard.transforms.links import Tables, actions_overview, central_asia_vendors, date_kinds, vendor_listings
from dashboard.transforms.sources import fmt_date, given, nones

DEFAULT_ENTITY = editorial.HIKVISION


def _ca_countries(t: Tables) -> pd.DataFrame:
    c = t["countries"]
    return c[c["region"] == "central_asia"]


def entity_choices(t: Tables) -> pd.DataFrame:
    """Every entity (entity_id, name), ordered by name for the select box."""
    e = t["entities"][["entity_id", "name"]]
    return e.iloc[e["name"].str.casefold().argsort(kind="stable")].reset_index(drop=True)


def entity_index(t: Tables) -> dict:
    """Built once per dataset: where each entity's records sit in every table, the actions overview, the US listings
    and the name lookups, so one profile reads a few rows by position instead of scanning and merging whole tables.

    Every per-entity function below takes it as `index=`; without it, it is built for that one call.
    """
    overview = actions_overview(t)
    countries = t["countries"]
    listings = vendor_listings(t, overview)
    return {
        "entity_pos": {e: i for i, e in enumerate(t["entities"]["entity_id"])},
        "children": t["entities"].groupby("parent_id", sort=False).indices,
        "country_names": dict(zip(countries["iso3"], countries["name"], strict=True)),
        "ca_iso3": set(_ca_countries(t)["iso3"]),
        "place_names": dict(zip(t["places"]["place_id"], t["places"]["name"], strict=True)),
        "links": t["action_entities"].groupby("entity_id", sort=False).indices,
        "overview": overview,
        "overview_pos": {a: i for i, a in enumerate(overview["action_id"])},
        "dates": t["action_dates"].groupby("action_id", sort=False).indices,
        "deployments": t["deployments"].groupby("vendor_id", sort=False).indices,
        "financing": t["financing"].groupby("lender_id", sort=False).indices,
        "indicators": t["indicators"].groupby("entity_id", sort=False).indices,
        "listings": listings,
        "listing_pos": {e: i for i, e in enumerate(listings["entity_id"])},
        "ca_vendors": central_asia_vendors(t),
    }


def _listing(index: dict, entity_id: str) -> dict | None:
    """The entity's first US listing (a vendor_listings row as a dict), or None."""
    pos = index["listing_pos"].get(entity_id)
    return None if pos is None else index["listings"].iloc[pos].to_dict()


def _rows(t: Tables, table: str, index: dict, part: str, key) -> pd.DataFrame:
    """The rows of a table whose key is `key`, in table order (an empty frame with the table's columns if none)."""
    return t[table].iloc[index[part].get(key, [])]


def entity_profile(t: Tables, entity_id: str, index: dict | None = None) -> dict:
    """The entity's row with its country's name, its parent's name, and the entities whose parent it is."""
    index = entity_index(t) if index is None else index
    e = t["entities"]
    row = e.iloc[index["entity_pos"][entity_id]].drop(labels="entity_id")
    countries = index["country_names"]
    parent = row["parent_id"]
    children = _rows(t, "entities", index, "children", entity_id)
    pos = index["entity_pos"]
    return {
        "entity_id": entity_id,
        "row": {k: (v if given(v) else None) for k, v in row.items()},
        "name": row["name"],
        "aliases": [a.strip() for a in (row["aliases"] or "").split(";") if a.strip()],
        "kind": row["kind"],
        "country": countries.get(row["country_iso3"], row["country_iso3"]) if given(row["country_iso3"]) else None,
        "parent_id": parent if given(parent) else None,
        "parent_name": e["name"].iloc[pos[parent]] if given(parent) and parent in pos else None,
        "children": list(zip(children["entity_id"], children["name"], strict=True)),
        "party_count": int(row["party_count"]) if given(row["party_count"]) else None,
    }


def entity_actions(t: Tables, entity_id: str, index: dict | None = None) -> pd.DataFrame:
    """US and UK actions that name the entity, oldest first (undated last).

    Each row keeps the action's columns (title, status, dates by kind, 'placed') and, as quote/source_id/locator/
    evidence, the action_entities row that says the action names this entity.
    """
    index = entity_index(t) if index is None else index
    links = _rows(t, "action_entities", index, "links", entity_id)
    overview, pos = index["overview"], index["overview_pos"]
    a = overview.iloc[sorted(pos[x] for x in set(links["action_id"]) if x in pos)]
    a = a.drop(columns=["quote", "source_id", "locator", "evidence"])
    a = a.rename(columns={"caveat": "action_caveat", "conflict_id": "action_conflict_id"})
    out = a.merge(links, on="action_id", how="inner")
    out["placed_sort"] = pd.to_datetime(out["placed"])
    out = out.sort_values(["placed_sort", "action_id"], na_position="last").drop(columns="placed_sort")
    return nones(out.reset_index(drop=True))


def action_date_rows(t: Tables, action_id: str, index: dict | None = None) -> pd.DataFrame:
    """Every dated claim about an action, in the order the kinds happen, each with its own quote."""
    if index is None:
        d = t["action_dates"]
        d = d[d["action_id"] == action_id].copy()
    else:
        d = _rows(t, "action_dates", index, "dates", action_id).copy()
    kinds = date_kinds(t)
    d["_k"] = d["date_kind"].map({k: i for i, k in enumerate(kinds)}).fillna(len(kinds))
    return nones(d.sort_values(["_k", "date"], na_position="last").drop(columns="_k").reset_index(drop=True))


def entity_deployments(t: Tables, entity_id: str, index: dict | None = None) -> pd.DataFrame:
    """Central Asian deployment claims whose vendor is the entity, with place and country names."""
    index = entity_index(t) if index is None else index
    dep = _rows(t, "deployments", index, "deployments", entity_id)
    dep = dep[dep["country_iso3"].isin(index["ca_iso3"])]
    dep = dep.assign(place=dep["place_id"].map(index["place_names"]),
                     country=dep["country_iso3"].map(index["country_names"]))
    return nones(dep.sort_values(["country", "year", "deployment_id"], na_position="last").reset_index(drop=True))


def entity_financing(t: Tables, entity_id: str, index: dict | None = None) -> pd.DataFrame:
    """Loans, deals, offers and grants where the entity is the lender (or offering party)."""
    index = entity_index(t) if index is None else index
    f = _rows(t, "financing", index, "financing", entity_id)
    f = f.assign(country=f["country_iso3"].map(index["country_names"]))
    return nones(f.sort_values(["year", "financing_id"], na_position="last").reset_index(drop=True))


def entity_indicators(t: Tables, entity_id: str, index: dict | None = None) -> pd.DataFrame:
    index = entity_index(t) if index is None else index
    return nones(_rows(t, "indicators", index, "indicators", entity_id).reset_index(drop=True))


def vendor_summary(t: Tables, entity_id: str, index: dict | None = None) -> dict:
    """Answer 'Is <X> on a US list, since when, and is it active in Central Asia?' from the data, in one sentence."""
    index = entity_index(t) if index is None else index
    name = t["entities"]["name"].iloc[index["entity_pos"][entity_id]]
    first = _listing(index, entity_id)
    listed = first is not None
    dep = entity_deployments(t, entity_id, index)
    active = entity_id in index["ca_vendors"] and not dep.empty
    acts = entity_actions(t, entity_id, index)
    uk = acts[acts["jurisdiction"] == "UK"]
    out = {"name": name, "question": f"Is {name} on a US list, since when, and is it active in Central Asia?",
           "listed": listed, "active": active, "countries": sorted(dep["country"].dropna().unique()),
           "records": len(dep), "declined": int((dep["status"] == "declined").sum())}
    if listed:
        out.update(since=first["listed_since"], since_kind=first["listed_since_kind"],
                   first_action_id=first["first_action_id"], first_action_title=first["first_action_title"],
                   us_actions=len(first["us_actions"]))
        us = (f"Yes: on a US list since {fmt_date(first['listed_since'])} ({first['listed_since_kind']}), first "
              f"named by “{first['first_action_title']}”; {plural(len(first['us_actions']), 'US listing action')} "
              "in all.")
    else:
        us = "No US listing in force names it in these documents."
    if active:
        extra = f" ({out['declined']} of them declined)" if out["declined"] else ""
        ca = (f"Active in Central Asia: yes, {plural(len(dep), 'documented record')} in "
              f"{_join(out['countries'])}{extra}.")
    else:
        ca = "Active in Central Asia: no deployment in these documents."
    text = f"{us} {ca}"
    if not uk.empty:
        kinds = _join(sorted(uk["status"].unique()))
        none_in_force = "" if (uk["status"] == "in force").any() else ", none of them in force"
        text += f" UK: named in {plural(len(uk), 'action')} ({kinds}){none_in_force}."
    out["answer"] = text
    return out


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _join(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def ca_vendor_table(t: Tables, index: dict | None = None) -> pd.DataFrame:
    """Vendors documented in Central Asia and their first US listing: listed vendors first, by date, then the rest.

    Columns: entity_id, vendor, based_in, ca_countries, records, first_action_id, first_us_action, listed_since
    (Timestamp or NaT), date_kind, us_actions (count). Built in one pass over the Central Asian deployments.
    """
    index = entity_index(t) if index is None else index
    dep = t["deployments"]
    dep = dep[dep["country_iso3"].isin(index["ca_iso3"]) & dep["vendor_id"].notna()]
    names = index["country_names"]
    records: dict[str, int] = {}
    where: dict[str, set] = {}
    for v, iso in zip(dep["vendor_id"], dep["country_iso3"], strict=True):
        records[v] = records.get(v, 0) + 1
        country = names.get(iso)
        where.setdefault(v, set())
        if given(country):
            where[v].add(country)
    ents = t["entities"]
    ents = ents[ents["entity_id"].isin(records)]
    vendor = dict(zip(ents["entity_id"], ents["name"], strict=True))
    based = dict(zip(ents["entity_id"], ents["country_iso3"], strict=True))
    lst = index["listings"]
    lst = lst[lst["entity_id"].isin(records)]
    listing = {e: (a, title, since, kind, len(acts)) for e, a, title, since, kind, acts in zip(
        lst["entity_id"], lst["first_action_id"], lst["first_action_title"], lst["listed_since"],
        lst["listed_since_kind"], lst["us_actions"], strict=True)}
    rows = []
    for v in records:
        first = listing.get(v)
        rows.append({
            "entity_id": v, "vendor": vendor[v],
            "based_in": names.get(based[v], "not given"),
            "ca_countries": ", ".join(sorted(where[v])),
            "records": records[v],
            "first_action_id": None if first is None else first[0],
            "first_us_action": "not on a US list in these documents" if first is None else first[1],
            "listed_since": pd.NaT if first is None else pd.Timestamp(first[2]),
            "date_kind": None if first is None else first[3],
            "us_actions": 0 if first is None else first[4],
        })
    cols = ["entity_id", "vendor", "based_in", "ca_countries", "records", "first_action_id", "first_us_action",
            "listed_since", "date_kind", "us_actions"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    df["listed_since"] = pd.to_datetime(df["listed_since"])
    # entity_id last: names repeat (a vendor and its copies), and the order must not depend on set iteration.
    return nones(df.sort_values(["listed_since", "vendor", "entity_id"], na_position="last").reset_index(drop=True))


def listing_evidence(t: Tables, entity_id: str, action_id: str, date_kind: str | None,
                     index: dict | None = None) -> list[dict]:
    """The rows behind a 'first US action' cell: the naming (action_entities) and the date (action_dates)."""
    out = []
    ae = t["action_entities"] if index is None else _rows(t, "action_entities", index, "links", entity_id)
    naming = ae[(ae["action_id"] == action_id) & (ae["entity_id"] == entity_id)]
    if not naming.empty:
        out.append(nones(naming).to_dict("records")[0])
    if date_kind:
        d = t["action_dates"] if index is None else _rows(t, "action_dates", index, "dates", action_id)
        d = d[(d["action_id"] == action_id) & (d["date_kind"] == date_kind) & d["date"].notna()]
        if not d.empty:
            out.append(nones(d.sort_values("date")).to_dict("records")[0])
    return out


def indicator_value(row) -> str:
    """An indicator's figure with its unit and hedge, as fmt writes it (a year stays a year, US$ in words)."""
    return fmt.quantity(row["value"], row["unit"], row["qualifier"], with_unit=True)


def deployment_figures(row) -> str:
    """The figures a deployment row holds, each with its hedge; 'no figures given' when it holds none."""
    bits = fmt.deployment_figures(row)
    if given(row["target_year"]):
        bits.append(f"target year {int(row['target_year'])}")
    return " · ".join(bits) if bits else "no figures given"
