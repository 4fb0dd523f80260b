"""Sanctions transforms: every US and UK action with its dated claims, the parties it names, and Entity List growth."""

from __future__ import annotations

import re

import pandas as pd

from dashboard import fmt
from dashboard.transforms.links import Tables, actions_overview, central_asia_vendors, date_kinds

DATE_LABELS = {"announced": "Announced", "passed": "Passed", "signed": "Signed", "published": "Published",
               "effective": "In force (effective)"}
ENTITY_LIST = "Entity List rule"
GROUP = "group of listed parties"
SEEDS_NAMED = 5  # a source line names at most this many seed documents; more are counted


def key(text: str) -> str:
    """A URL-safe key for a filter value (authorities contain commas, so the URL carries keys, not names)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def filter_options(t: Tables) -> dict[str, dict[str, str]]:
    """{"authority": {key: name}, "instrument": {key: name}}, each in the order the actions table first uses them."""
    a = t["actions"]
    return {col: {key(v): v for v in dict.fromkeys(a[col])} for col in ("authority", "instrument")}


def _entity_names(t: Tables) -> dict[str, str]:
    e = t["entities"]
    return dict(zip(e["entity_id"], e["name"], strict=True))


def _partial_dates(t: Tables) -> pd.DataFrame:
    """Dated claims without a full date (no day or no year): they cannot be placed on a time axis."""
    d = t["action_dates"]
    return d[d["date"].isna()]


def actions_table(t: Tables, authorities=None, instruments=None) -> pd.DataFrame:
    """One row per action (after the filters; empty or None = no filter), earliest full date first, undated last.

    Adds: one column per date kind, first/last full date, a "placed" flag, parties named in the data versus the
    count the source states, the Central Asian vendors it names (by name), and whether its dates carry a
    known disagreement.
    """
    a = actions_overview(t)
    if authorities:
        a = a[a["authority"].isin(list(authorities))]
    if instruments:
        a = a[a["instrument"].isin(list(instruments))]
    kinds = list(date_kinds(t))
    for kind in kinds:
        a[kind] = pd.to_datetime(a[kind]) if kind in a else pd.NaT
    a["first_date"] = a[kinds].min(axis=1)
    a["last_date"] = a[kinds].max(axis=1)
    a["placed_on_axis"] = a["first_date"].notna()
    names = _entity_names(t)
    a["ca_vendor_names"] = a["ca_vendors_named"].apply(lambda ids: [names.get(i, i) for i in ids])
    a["entity_names"] = a["entities"].apply(lambda ids: [names.get(i, i) for i in ids])
    stated = a["listed_count"]
    a["stated_differs"] = stated.notna() & (stated.astype("Float64") != a["parties_named"].astype("Float64"))
    a["stated_differs"] = a["stated_differs"].fillna(False).astype(bool)
    ents = t["entities"].set_index("entity_id")
    uncounted = set(ents.index[(ents["kind"] == GROUP) & ents["party_count"].isna()])
    a["uncounted_groups"] = a["entities"].apply(lambda ids: [names.get(i, i) for i in ids if i in uncounted])
    dates = t["action_dates"]
    conflicts = dates.dropna(subset=["conflict_id"]).groupby("action_id")["conflict_id"].agg(
        lambda s: sorted(set(s)))
    a["date_conflicts"] = a["action_id"].map(conflicts).apply(lambda v: v if isinstance(v, list) else [])
    partial = _partial_dates(t)
    written = pd.Series([f"{k} “{w}”" for k, w in zip(partial["date_kind"], partial["date_as_written"], strict=True)],
                        index=partial.index, dtype=object)
    a["partial_dates"] = a["action_id"].map(written.groupby(partial["action_id"]).agg(list)).apply(
        lambda v: v if isinstance(v, list) else [])
    a = a.sort_values(["first_date", "action_id"], na_position="last", kind="stable").reset_index(drop=True)
    return a


def date_points(t: Tables, action_ids) -> pd.DataFrame:
    """One row per full-dated claim of the given actions (partial dates are left out: they cannot be placed)."""
    d = t["action_dates"]
    d = d[d["action_id"].isin(list(action_ids)) & d["date"].notna()].copy()
    d["label"] = d["date_kind"].map(DATE_LABELS)
    return d.sort_values(["action_id", "date", "date_kind"]).reset_index(drop=True)


def not_placed(t: Tables, actions: pd.DataFrame) -> dict[str, list[str]]:
    """In words, what the time axis cannot show: shown actions with no full date, and partial dates of shown actions.

    {"undated": ["<title>", ...], "partial": ["<title>: <kind> “<as written>”", ...]}; an action with only partial
    dates is listed under "undated" with them.
    """
    out: dict[str, list[str]] = {"undated": [], "partial": []}
    by_action = partial_written(t)
    for action_id, title, placed in zip(actions["action_id"], actions["title"], actions["placed_on_axis"],
                                        strict=True):
        written = by_action.get(action_id, "")
        if not placed:
            out["undated"].append(f"{title} (only {written})" if written else title)
        elif written:
            out["partial"].append(f"{title}: {written}")
    return out


def partial_written(t: Tables) -> dict[str, str]:
    """{action_id: 'kind “as written”; ...'} for every action with a partial date, in the table's row order."""
    partial = _partial_dates(t)
    out: dict[str, list[str]] = {}
    for action_id, k, w in zip(partial["action_id"], partial["date_kind"], partial["date_as_written"], strict=True):
        out.setdefault(action_id, []).append(f"{k} “{w}”")
    return {k: "; ".join(v) for k, v in out.items()}


def partial_first(t: Tables) -> dict[tuple[str, str], str]:
    """{(action_id, date_kind): the first partial date of that kind, as written}: what a table cell shows."""
    partial = _partial_dates(t)
    out: dict[tuple[str, str], str] = {}
    for action_id, k, w in zip(partial["action_id"], partial["date_kind"], partial["date_as_written"], strict=True):
        out.setdefault((action_id, k), w)
    return out


def date_rows(t: Tables) -> dict:
    """{action_id: positions of its rows in action_dates}: one action's dated claims without scanning the table."""
    return t["action_dates"].groupby("action_id", sort=False).indices


def entity_list_steps(t: Tables) -> pd.DataFrame:
    """US Entity List rules in force, by effective date: the parties each newly adds and the running total.

    A group of listed parties counts as its party_count; an entity already added by an earlier rule is not
    counted again. Columns: action_id, title, effective, announced, added, cumulative, entity_ids.
    """
    a = actions_overview(t)
    a = a[(a["jurisdiction"] == "US") & (a["instrument"] == ENTITY_LIST) & (a["status"] == "in force")]
    a = a.assign(effective=pd.to_datetime(a["effective"]), announced=pd.to_datetime(a["announced"]))
    a = a.dropna(subset=["effective"]).sort_values(["effective", "action_id"])
    counts = dict(zip(t["entities"]["entity_id"], t["entities"]["party_count"], strict=True))
    seen: set[str] = set()
    rows = []
    for r in a.itertuples():
        new = [e for e in r.entities if e not in seen]
        seen.update(new)
        added = int(sum(int(counts.get(e)) if pd.notna(counts.get(e)) else 1 for e in new))
        rows.append(dict(action_id=r.action_id, title=r.title, effective=r.effective, announced=r.announced,
                         added=added, entity_ids=new, listed_count=r.listed_count, conflict_id=r.conflict_id))
    out = pd.DataFrame(rows, columns=["action_id", "title", "effective", "announced", "added", "entity_ids",
                                      "listed_count", "conflict_id"])
    out["cumulative"] = out["added"].cumsum()
    return out.reset_index(drop=True)


def action_dates(t: Tables, action_id: str) -> pd.DataFrame:
    """Every dated claim of one action (full or partial), in date-kind order."""
    d = t["action_dates"]
    d = d[d["action_id"] == action_id].copy()
    d["order"] = d["date_kind"].map({k: i for i, k in enumerate(date_kinds(t))})
    d["label"] = d["date_kind"].map(DATE_LABELS)
    return d.sort_values(["order", "date"]).drop(columns="order").reset_index(drop=True)


def action_entities(t: Tables, action_id: str) -> pd.DataFrame:
    """The entities one action names, each with its own evidence row and whether it is active in Central Asia."""
    links = t["action_entities"]
    links = links[links["action_id"] == action_id]
    ents = t["entities"][["entity_id", "name", "kind", "party_count", "parent_id", "description"]]
    out = links.merge(ents, on="entity_id", how="left")
    out["is_group"] = out["kind"] == GROUP
    out["parties"] = out["party_count"].fillna(1).astype(int)
    out["ca_vendor"] = out["entity_id"].isin(central_asia_vendors(t))
    return out.reset_index(drop=True)


def conflict_sides(t: Tables, action_ids, touching=None) -> dict[str, pd.DataFrame]:
    """Per disagreement touching the given actions' dates: every date row on either side.

    touching (optional): only the disagreements that touch one of these actions (e.g. one page of a long list);
    their sides still come from all of action_ids.
    """
    d = t["action_dates"]
    d = d[d["conflict_id"].notna()]
    if touching is not None:
        d = d[d["conflict_id"].isin(set(d.loc[d["action_id"].isin(list(touching)), "conflict_id"]))]
    d = d[d["action_id"].isin(list(action_ids))]
    return {cid: g.sort_values(["action_id", "date_kind"]).reset_index(drop=True)
            for cid, g in d.groupby("conflict_id", sort=True)}


fmt_date = fmt.date


def parties_text(row, *, short: bool = False) -> str:
    """'69 parties named' and, where the source states a different count, that count too.

    A group the documents name without a count (e.g. unnamed officials) is said in words, not counted as 1.
    """
    if not hasattr(row, "get"):  # a namedtuple from itertuples()
        row = row._asdict()
    n = int(row["parties_named"])
    groups = list(row.get("uncounted_groups") or [])
    counted = n - len(groups)
    if groups and counted == 0:
        text = "a group, count not given" if short else "an unnamed group of parties; the documents give no count"
    elif n == 0:
        text = "no party named" if short else "no party named in the data"
    else:
        text = f"{counted} part{'y' if counted == 1 else 'ies'}" + ("" if short else " named in the data")
        if groups:
            text += " and a group with no count"
    if row["stated_differs"]:
        text += f" ({int(row['listed_count'])} stated)" if short else f"; the source states {int(row['listed_count'])}"
    return text


def source_text(t: Tables, source_ids) -> str:
    """A short, computed source line: the seed documents by number and how many primary records."""
    ids = sorted(set(source_ids))
    s = t["sources"]
    known = s[s["source_id"].isin(ids)]
    is_seed = dict(zip(known["source_id"], known["is_seed"], strict=True))
    seeds = [i.removeprefix("seed-") for i in ids if i in is_seed and bool(is_seed[i])]
    records = [i for i in ids if i in is_seed and not bool(is_seed[i])]
    bits = []
    if records:
        bits.append(f"{len(records):,} US/UK primary record{'s' if len(records) > 1 else ''}")
    if len(seeds) > SEEDS_NAMED:
        bits.append(f"{len(seeds):,} seed documents")
    elif seeds:
        bits.append(f"seed{'s' if len(seeds) > 1 else ''} {', '.join(seeds)}")
    return "; ".join(bits) + "; see Sources" if bits else "see Sources"


def ca_vendor_summary(actions: pd.DataFrame) -> dict[str, int]:
    """How many of the given actions name each vendor active in Central Asia, most-named first."""
    counts = pd.Series([v for vs in actions["ca_vendor_names"] for v in vs], dtype=object).value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
