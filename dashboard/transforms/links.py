"""Resolve references across tables: who an action names, when a vendor was first listed, what a row's source is."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboard import editorial, fmt

Tables = Mapping[str, pd.DataFrame]
# A party counts as "on a US list" when a US action in force names it through one of these instruments.
US_LIST_INSTRUMENTS = ("Entity List rule", "Statute (NDAA)", "Executive order", "Procurement rule (FAR)")
DATE_PREFERENCE = editorial.DATE_PREFERENCE
PACKAGE = Path(__file__).resolve().parents[2] / "data" / "datapackage.json"


@lru_cache(maxsize=1)
def _package_descriptor() -> dict:
    return json.loads(PACKAGE.read_text(encoding="utf-8"))


def date_kinds(t: Tables) -> tuple[str, ...]:
    """The kinds of an action's dates in the order they happen (announced … effective): the schema's enum order, from
    the dataset's own descriptor (or the package's, for bare tables)."""
    descriptor = getattr(t, "descriptor", None) or _package_descriptor()
    return fmt.enum(descriptor, "action_dates", "date_kind")


def action_dates_wide(t: Tables) -> pd.DataFrame:
    """One row per action: the earliest full date of each kind, and the date used to place it on a time axis."""
    d = t["action_dates"].dropna(subset=["date"])
    wide = d.pivot_table(index="action_id", columns="date_kind", values="date", aggfunc="min")
    wide = wide.reindex(columns=list(DATE_PREFERENCE))
    placed = wide[list(DATE_PREFERENCE)].bfill(axis=1).iloc[:, 0]
    wide["placed"] = placed
    wide["placed_kind"] = wide[list(DATE_PREFERENCE)].notna().idxmax(axis=1)
    return wide.reset_index()


def parties_named(t: Tables) -> pd.DataFrame:
    """Per action: parties named in the data (a group counts as its party_count) and the distinct entities."""
    links = t["action_entities"].merge(t["entities"][["entity_id", "party_count"]], on="entity_id", how="left")
    links["parties"] = links["party_count"].fillna(1).astype(int)
    out = links.groupby("action_id")["parties"].sum().rename("parties_named").reset_index()
    entities: dict[str, list] = {}  # a plain loop: groupby(...).agg(list) runs Python per group, 40x slower
    for action_id, entity_id in zip(links["action_id"], links["entity_id"], strict=True):
        entities.setdefault(action_id, []).append(entity_id)
    out["entities"] = pd.Series([entities[a] for a in out["action_id"]], index=out.index, dtype=object)
    return out


def central_asia_vendors(t: Tables) -> set[str]:
    """Entities that supplied, offered or owned a system in Central Asia according to the deployments table."""
    ca = set(t["countries"].loc[t["countries"]["region"] == "central_asia", "iso3"])
    dep = t["deployments"]
    return set(dep.loc[dep["country_iso3"].isin(ca), "vendor_id"].dropna())


def actions_overview(t: Tables) -> pd.DataFrame:
    """One row per action with its dates, parties named, and whether it names a vendor active in Central Asia."""
    a = t["actions"].merge(action_dates_wide(t), on="action_id", how="left")
    a = a.merge(parties_named(t), on="action_id", how="left")
    a["parties_named"] = a["parties_named"].fillna(0).astype(int)
    a["entities"] = a["entities"].apply(lambda v: v if isinstance(v, list) else [])
    vendors = central_asia_vendors(t)
    a["names_ca_vendor"] = a["entities"].apply(lambda es: bool(vendors.intersection(es)))
    a["ca_vendors_named"] = a["entities"].apply(lambda es: sorted(vendors.intersection(es)))
    return a


def vendor_listings(t: Tables, overview: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per entity named by a US listing in force: the first such action and the date it took effect (or was signed).

    overview: actions_overview(t), when the caller already has it.
    """
    a = actions_overview(t) if overview is None else overview
    a = a[(a["jurisdiction"] == "US") & (a["status"] == "in force") & a["instrument"].isin(US_LIST_INSTRUMENTS)]
    rows = a.explode("entities").dropna(subset=["entities"]).rename(columns={"entities": "entity_id"})
    rows = rows.sort_values(["entity_id", "placed"])
    first = rows.groupby("entity_id").agg(
        first_action_id=("action_id", "first"), first_action_title=("title", "first"),
        listed_since=("placed", "first"), listed_since_kind=("placed_kind", "first"),
    )
    actions: dict[str, list] = {}  # as in parties_named: a plain loop, not a per-group Python aggregation
    for entity_id, action_id in zip(rows["entity_id"], rows["action_id"], strict=True):
        actions.setdefault(entity_id, []).append(action_id)
    first["us_actions"] = pd.Series([actions[e] for e in first.index], index=first.index, dtype=object)
    return first.reset_index()


def source_titles(t: Tables) -> dict[str, str]:
    s = t["sources"]
    return dict(zip(s["source_id"], s["title"], strict=True))


def source_label(t: Tables, source_id: str) -> str:
    """Short label for a source line: publisher or author, and title."""
    s = t["sources"].set_index("source_id").loc[source_id]
    who = s["publisher"] or s["author"] or ""
    return f"{who}, “{s['title']}”" if who else f"“{s['title']}”"
