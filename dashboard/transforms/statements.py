"""Statements and installations: a company's footprint outside Central Asia, who speaks for and against it."""

from __future__ import annotations

import pandas as pd

from dashboard.transforms.links import Tables

# How a stance reads on screen, in the order a reader weighs them.
STANCES = ("against", "for", "neutral")
STANCE_LABELS = {"against": "Against", "for": "For (defends it or disputes the accusations)",
                 "neutral": "Neither side (asks, publishes or reports)"}
# Calls to act first: they are what a reader of the sanctions timeline might mistake for an action.
KINDS = ("call to act", "statement", "letter", "report", "publication")
KIND_MARKS = {"call to act": "Call to act", "statement": "Statement", "letter": "Letter", "report": "Report",
              "publication": "Publication"}
NOT_BINDING = "not binding"
BINDING_STATUS = "in force"


def _country_names(t: Tables) -> dict[str, str]:
    c = t["countries"]
    return dict(zip(c["iso3"], c["name"], strict=True))


def entity_installations(t: Tables, entity_id: str) -> pd.DataFrame:
    """The vendor's documented installations outside Central Asia, by country name then place; adds 'country'."""
    i = t["installations"]
    i = i[i["vendor_id"] == entity_id].copy()
    i["country"] = i["country_iso3"].map(_country_names(t)).fillna(i["country_iso3"])
    return i.sort_values(["country", "place", "installation_id"], na_position="last", kind="stable").reset_index(
        drop=True)


def footprint_line(inst: pd.DataFrame) -> str:
    """'N records in K countries: A, B and C', counted from the rows (empty when there are none)."""
    if inst.empty:
        return ""
    countries = list(dict.fromkeys(inst["country"]))
    n, k = len(inst), len(countries)
    where = countries[0] if k == 1 else ", ".join(countries[:-1]) + " and " + countries[-1]
    return f"{n:,} record{'s' if n != 1 else ''} in {k:,} countr{'ies' if k != 1 else 'y'}: {where}"


def _with_labels(t: Tables, s: pd.DataFrame) -> pd.DataFrame:
    """Adds when (the date as written), mark (kind, with 'not binding'), replying_to (what it answers, in words)."""
    s = s.copy()
    summaries = dict(zip(t["statements"]["statement_id"], t["statements"]["summary"], strict=True))
    titles = dict(zip(t["actions"]["action_id"], t["actions"]["title"], strict=True))
    s["when"] = ["undated" if p == "not stated" else w for p, w in zip(s["date_precision"], s["date_as_written"],
                                                                         strict=True)]
    s["mark"] = [f"{KIND_MARKS.get(k, k)} · {NOT_BINDING}" for k in s["kind"]]
    s["replying_to"] = [
        f"in reply to: {summaries[r]}" if isinstance(r, str) and r in summaries
        else f"about: {titles[a]}" if isinstance(a, str) and a in titles else ""
        for r, a in zip(s["responds_to_statement_id"], s["about_action_id"], strict=True)]
    return s


def entity_statements(t: Tables, entity_id: str) -> pd.DataFrame:
    """Every statement about the entity, by it, or about an action that names it; 'via' says which.

    A statement spoken by the entity about itself is 'by it'. Ordered by stance (against, for, neutral), then
    table order.
    """
    s = t["statements"]
    named_in = set(t["action_entities"].loc[t["action_entities"]["entity_id"] == entity_id, "action_id"])
    about = (s["about_entity_id"] == entity_id) | (s["also_about_entity_id"] == entity_id)
    by = s["speaker_entity_id"] == entity_id
    via_action = s["about_action_id"].isin(named_in)
    out = s[about | by | via_action].copy()
    out["via"] = ["by it" if b else "about it" if a else "about an action naming it"
                  for a, b in zip(about[out.index], by[out.index], strict=True)]
    out["_order"] = out["stance"].map({k: i for i, k in enumerate(STANCES)}).fillna(len(STANCES))
    out = out.sort_values("_order", kind="stable").drop(columns="_order")
    return _with_labels(t, out).reset_index(drop=True)


def stance_counts(rows: pd.DataFrame) -> dict[str, int]:
    """{stance: number of rows} in STANCES order, only stances present."""
    counts = rows["stance"].value_counts()
    return {k: int(counts[k]) for k in STANCES if k in counts}


def all_statements(t: Tables) -> pd.DataFrame:
    """Every statement, calls to act first, then by kind, table order within a kind; with marks and labels."""
    s = t["statements"].copy()
    s["_order"] = s["kind"].map({k: i for i, k in enumerate(KINDS)}).fillna(len(KINDS))
    s = s.sort_values("_order", kind="stable").drop(columns="_order")
    return _with_labels(t, s).reset_index(drop=True)


def kind_counts(rows: pd.DataFrame) -> dict[str, int]:
    """{kind: number of rows} in KINDS order, only kinds present."""
    counts = rows["kind"].value_counts()
    return {k: int(counts[k]) for k in KINDS if k in counts}


def non_binding_actions(t: Tables) -> pd.DataFrame:
    """Actions on the timeline that bind no one yet (a recommendation, a pending bill): action_id, title, status."""
    a = t["actions"]
    return a.loc[a["status"] != BINDING_STATUS, ["action_id", "title", "status"]].reset_index(drop=True)

