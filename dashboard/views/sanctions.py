"""Sanctions views: the timeline of US and UK actions, the growth of the Entity List, and the table of actions."""

from __future__ import annotations

import pandas as pd

from dashboard.charts.sanctions import CA_MARK, make_entity_list_figure, make_timeline_figure
from dashboard.data import Dataset
from dashboard.memo import derive
from dashboard.transforms import sanctions as sx
from dashboard.views import View, as_of, evidence, link, make, rows


def _link(authorities, instruments) -> str:
    return link("sanctions", authority=[sx.key(a) for a in authorities or ()],
                instrument=[sx.key(i) for i in instruments or ()])


def _dates(ds: Dataset, action_ids) -> pd.DataFrame:
    d = ds["action_dates"]
    return d[d["action_id"].isin(list(action_ids))]


def timeline(ds: Dataset, *, present: bool = False, authorities=(), instruments=(),
             window: tuple[int, int] | None = None) -> View:
    """Each action on a time axis, announced and in force; window=(first, last) draws only those rows."""
    actions = derive(ds, sx.actions_table, list(authorities), list(instruments))
    shown = actions if window is None else actions.iloc[window[0]:window[1]]
    points = sx.date_points(ds, shown["action_id"])
    source = sx.source_text(ds, points["source_id"]) if len(points) else "see Sources"
    page = {} if window is None else dict(shown=shown, note=f"actions {window[0] + 1:,}–{window[1]:,} of "
                                                              f"{len(actions):,}")
    fig = make_timeline_figure(actions, points, source=source, as_of=as_of(ds), present=present, **page)
    return make("sanctions-timeline", fig, evidence(rows(_dates(ds, actions["action_id"]), "action_dates",
                                                         "action_date_id")), _link(authorities, instruments), ds)


def entity_list(ds: Dataset, *, present: bool = False) -> View:
    """Parties added to the US Entity List, rule by rule (the filters never change it)."""
    steps = derive(ds, sx.entity_list_steps)
    acts = ds["actions"].set_index("action_id").loc[steps["action_id"]]
    fig = make_entity_list_figure(steps, source=sx.source_text(ds, acts["source_id"]), as_of=as_of(ds),
                                  present=present)
    links = ds["action_entities"][ds["action_entities"]["action_id"].isin(steps["action_id"])].copy()
    links["link_id"] = links["action_id"] + ":" + links["entity_id"]
    return make("entity-list-growth", fig, evidence(rows(_dates(ds, steps["action_id"]), "action_dates",
                                                         "action_date_id"),
                                                    rows(links, "action_entities", "link_id")),
                link("sanctions"), ds)


def table(ds: Dataset, *, authorities=(), instruments=(), window: tuple[int, int] | None = None) -> View:
    """The actions as a table, one row each (one page of them with a window): dates, parties, vendors, disputes."""
    actions = derive(ds, sx.actions_table, list(authorities), list(instruments))
    if window is not None:
        actions = actions.iloc[window[0]:window[1]]
    partial = derive(ds, sx.partial_first)

    def cell(kind: str) -> list[str]:
        return [sx.fmt_date(d) if pd.notna(d)
                else f"“{partial[(a, kind)]}” (partial)" if (a, kind) in partial else "not given"
                for a, d in zip(actions["action_id"], actions[kind], strict=True)]

    shown = pd.DataFrame({
        "Action": [f"{CA_MARK} {t}" if ca else t for t, ca in zip(actions["title"], actions["names_ca_vendor"],
                                                                    strict=True)],
        "Who": actions["jurisdiction"].to_numpy(),
        "Announced": cell("announced"),
        "In force": cell("effective"),
        "Parties named": [sx.parties_text(a, short=True) for a in actions.to_dict("records")],
        "Vendors active in Central Asia": [", ".join(v) for v in actions["ca_vendor_names"]],
        "Dates disputed": ["⚠ yes" if c else "" for c in actions["date_conflicts"]],
        "Instrument": actions["instrument"].to_numpy(),
        "Status": actions["status"].to_numpy(),
    })
    acts = ds["actions"]
    n = len(actions)
    return make("sanctions-table", None,
                evidence(rows(acts[acts["action_id"].isin(actions["action_id"])], "actions", "action_id"),
                         rows(_dates(ds, actions["action_id"]), "action_dates", "action_date_id")),
                _link(authorities, instruments), ds, table=shown,
                title=f"{n:,} US and UK action{'s' if n != 1 else ''}, with their announced and in-force dates",
                source=sx.source_text(ds, acts.loc[acts["action_id"].isin(actions["action_id"]), "source_id"]),
                alt=f"Table of {n:,} actions: who took each, when it was announced and took effect, the parties it "
                    "names and the vendors active in Central Asia among them.")
