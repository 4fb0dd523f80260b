"""Company profiles: who an entity is, which US/UK actions name it, what it built or lent in Central Asia."""

from __future__ import annotations

import pandas as pd

from dashboard.transforms.links import Tables, actions_overview, central_asia_vendors, vendor_listings
from dashboard.transforms.sources import fmt_date, fmt_number, fmt_usd, given, nones, qualified

DEFAULT_ENTITY = "hikvision"
DATE_KINDS = ["announced", "passed", "signed", "published", "effective"]  # the order an action's dates happen in


def _ca_countries(t: Tables) -> pd.DataFrame:
    c = t["countries"]
    return c[c["region"] == "central_asia"]


def entity_choices(t: Tables) -> pd.DataFrame:
    """Every entity (entity_id, name), ordered by name for the select box."""
    e = t["entities"][["entity_id", "name"]]
    return e.iloc[e["name"].str.casefold().argsort(kind="stable")].reset_index(drop=True)


def entity_profile(t: Tables, entity_id: str) -> dict:
    """The entity's row with its country's name, its parent's name, and the entities whose parent it is."""
    e = t["entities"].set_index("entity_id")
    row = e.loc[entity_id]
    countries = dict(zip(t["countries"]["iso3"], t["countries"]["name"], strict=True))
    parent = row["parent_id"]
    children = e[e["parent_id"] == entity_id]
    return {
        "entity_id": entity_id,
        "row": {k: (v if given(v) else None) for k, v in row.items()},
        "name": row["name"],
        "aliases": [a.strip() for a in (row["aliases"] or "").split(";") if a.strip()],
        "kind": row["kind"],
        "country": countries.get(row["country_iso3"], row["country_iso3"]) if given(row["country_iso3"]) else None,
        "parent_id": parent if given(parent) else None,
        "parent_name": e.loc[parent, "name"] if given(parent) and parent in e.index else None,
        "children": list(zip(children.index, children["name"], strict=True)),
        "party_count": int(row["party_count"]) if given(row["party_count"]) else None,
    }


def entity_actions(t: Tables, entity_id: str) -> pd.DataFrame:
    """US and UK actions that name the entity, oldest first (undated last).

    Each row keeps the action's columns (title, status, dates by kind, 'placed') and, as quote/source_id/locator/
    evidence, the action_entities row that says the action names this entity.
    """
    links = t["action_entities"]
    links = links[links["entity_id"] == entity_id]
    a = actions_overview(t).drop(columns=["quote", "source_id", "locator", "evidence"])
    a = a.rename(columns={"caveat": "action_caveat", "conflict_id": "action_conflict_id"})
    out = a.merge(links, on="action_id", how="inner")
    out["placed_sort"] = pd.to_datetime(out["placed"])
    out = out.sort_values(["placed_sort", "action_id"], na_position="last").drop(columns="placed_sort")
    return nones(out.reset_index(drop=True))


def action_date_rows(t: Tables, action_id: str) -> pd.DataFrame:
    """Every dated claim about an action, in the order the kinds happen, each with its own quote."""
    d = t["action_dates"]
    d = d[d["action_id"] == action_id].copy()
    d["_k"] = d["date_kind"].map({k: i for i, k in enumerate(DATE_KINDS)}).fillna(len(DATE_KINDS))
    return nones(d.sort_values(["_k", "date"], na_position="last").drop(columns="_k").reset_index(drop=True))


def entity_deployments(t: Tables, entity_id: str) -> pd.DataFrame:
    """Central Asian deployment claims whose vendor is the entity, with place and country names."""
    dep = t["deployments"]
    dep = dep[(dep["vendor_id"] == entity_id) & dep["country_iso3"].isin(_ca_countries(t)["iso3"])]
    places = t["places"][["place_id", "name"]].rename(columns={"name": "place"})
    countries = t["countries"][["iso3", "name"]].rename(columns={"iso3": "country_iso3", "name": "country"})
    dep = dep.merge(places, on="place_id", how="left").merge(countries, on="country_iso3", how="left")
    return nones(dep.sort_values(["country", "year", "deployment_id"], na_position="last").reset_index(drop=True))


def entity_financing(t: Tables, entity_id: str) -> pd.DataFrame:
    """Loans, deals, offers and grants where the entity is the lender (or offering party)."""
    f = t["financing"]
    f = f[f["lender_id"] == entity_id]
    countries = t["countries"][["iso3", "name"]].rename(columns={"iso3": "country_iso3", "name": "country"})
    f = f.merge(countries, on="country_iso3", how="left")
    return nones(f.sort_values(["year", "financing_id"], na_position="last").reset_index(drop=True))


def entity_indicators(t: Tables, entity_id: str) -> pd.DataFrame:
    i = t["indicators"]
    return nones(i[i["entity_id"] == entity_id].reset_index(drop=True))


def vendor_summary(t: Tables, entity_id: str) -> dict:
    """Answer 'Is <X> on a US list, since when, and is it active in Central Asia?' from the data, in one sentence."""
    name = t["entities"].set_index("entity_id").loc[entity_id, "name"]
    lst = vendor_listings(t).set_index("entity_id")
    listed = entity_id in lst.index
    dep = entity_deployments(t, entity_id)
    active = entity_id in central_asia_vendors(t) and not dep.empty
    acts = entity_actions(t, entity_id)
    uk = acts[acts["jurisdiction"] == "UK"]
    out = {"name": name, "question": f"Is {name} on a US list, since when, and is it active in Central Asia?",
           "listed": listed, "active": active, "countries": sorted(dep["country"].dropna().unique()),
           "records": len(dep), "declined": int((dep["status"] == "declined").sum())}
    if listed:
        first = lst.loc[entity_id]
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


def ca_vendor_table(t: Tables) -> pd.DataFrame:
    """Vendors documented in Central Asia and their first US listing: listed vendors first, by date, then the rest.

    Columns: entity_id, vendor, based_in, ca_countries, records, first_action_id, first_us_action, listed_since
    (Timestamp or NaT), date_kind, us_actions (count).
    """
    vendors = central_asia_vendors(t)
    ents = t["entities"].set_index("entity_id")
    countries = dict(zip(t["countries"]["iso3"], t["countries"]["name"], strict=True))
    lst = vendor_listings(t).set_index("entity_id")
    rows = []
    for v in vendors:
        dep = entity_deployments(t, v)
        first = lst.loc[v] if v in lst.index else None
        rows.append({
            "entity_id": v, "vendor": ents.loc[v, "name"],
            "based_in": countries.get(ents.loc[v, "country_iso3"], "not given"),
            "ca_countries": ", ".join(sorted(dep["country"].dropna().unique())),
            "records": len(dep),
            "first_action_id": None if first is None else first["first_action_id"],
            "first_us_action": "not on a US list in these documents" if first is None
            else first["first_action_title"],
            "listed_since": pd.NaT if first is None else pd.Timestamp(first["listed_since"]),
            "date_kind": None if first is None else first["listed_since_kind"],
            "us_actions": 0 if first is None else len(first["us_actions"]),
        })
    cols = ["entity_id", "vendor", "based_in", "ca_countries", "records", "first_action_id", "first_us_action",
            "listed_since", "date_kind", "us_actions"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    df["listed_since"] = pd.to_datetime(df["listed_since"])
    return nones(df.sort_values(["listed_since", "vendor"], na_position="last").reset_index(drop=True))


def listing_evidence(t: Tables, entity_id: str, action_id: str, date_kind: str | None) -> list[dict]:
    """The rows behind a 'first US action' cell: the naming (action_entities) and the date (action_dates)."""
    out = []
    ae = t["action_entities"]
    naming = ae[(ae["action_id"] == action_id) & (ae["entity_id"] == entity_id)]
    if not naming.empty:
        out.append(nones(naming).to_dict("records")[0])
    if date_kind:
        d = t["action_dates"]
        d = d[(d["action_id"] == action_id) & (d["date_kind"] == date_kind) & d["date"].notna()]
        if not d.empty:
            out.append(nones(d.sort_values("date")).to_dict("records")[0])
    return out


def indicator_value(row) -> str:
    """An indicator's figure with its unit and qualifier, as stored (a year stays a year, US$ in words when exact)."""
    unit = row["unit"]
    if unit == "year":
        text = str(int(row["value"]))
    elif unit == "percent":
        text = f"{fmt_number(row['value'])}%"
    elif unit == "USD":
        text = fmt_usd(row["value"])
    else:
        text = f"{fmt_number(row['value'])} {unit}"
    return qualified(row["qualifier"], text)


def deployment_figures(row) -> str:
    """The figures a deployment row holds, each with its qualifier; 'no figures given' when it holds none."""
    bits = []
    if given(row["cameras_installed"]):
        cams = f"{fmt_number(row['cameras_installed'])} cameras"
        bits.append(qualified(row["cameras_installed_qualifier"], cams))
    if given(row["cameras_facial_recognition"]):
        bits.append(f"{fmt_number(row['cameras_facial_recognition'])} with facial recognition")
    if given(row["cameras_planned"]):
        bits.append(f"{fmt_number(row['cameras_planned'])} cameras planned")
    if given(row["cost_usd"]):
        bits.append(fmt_usd(row["cost_usd"]))
    if given(row["target_year"]):
        bits.append(f"target year {int(row['target_year'])}")
    return " · ".join(bits) if bits else "no figures given"
