"""Sanctions timeline: every US and UK action with its announced and in-force dates, the parties it names, and why."""

from __future__ import annotations

import zlib

import pandas as pd
import streamlit as st

from dashboard import loaders, nav, query, ui
from dashboard.charts.sanctions import CA_MARK, make_entity_list_figure, make_timeline_figure
from dashboard.safe import md
from dashboard.transforms import sanctions as sx

TIMELINE_KEY = "sanctions_timeline"
STEPS_KEY = "sanctions_entity_list"
TABLE_KEY = "sanctions_table"


def _parse_list(raw: str, allowed) -> list[str]:
    """'a,b' -> ['a', 'b'] when every item is a known key; any unknown item rejects the whole value."""
    items = [i.strip() for i in raw.split(",") if i.strip()]
    if not items or any(i not in allowed for i in items):
        raise ValueError(raw)
    return list(dict.fromkeys(items))


def _multi_bound(key: str, options: dict[str, str], label: str, placeholder: str) -> list[str]:
    """A multiselect whose keys live in the URL as one comma-separated value (query.bound handles single values)."""
    wkey = f"q_{key}"
    if wkey not in st.session_state:
        st.session_state[wkey] = query.get(key, parse=lambda raw: _parse_list(raw, options), default=[])
    elif any(v not in options for v in st.session_state[wkey]):
        st.session_state[wkey] = [v for v in st.session_state[wkey] if v in options]
    value = st.multiselect(label, options=list(options), format_func=lambda k: options.get(k, k), key=wkey,
                           placeholder=placeholder)
    query.put(key, ",".join(value), default="")
    return value


def _table_key(authorities, instruments) -> str:
    # A new key per filter, so a stale row number never points at a different action.
    return f"{TABLE_KEY}_{zlib.crc32(repr((list(authorities), list(instruments))).encode()):08x}"


def _sync_action(actions: pd.DataFrame, table_key: str, action_ids) -> None:
    """A click on the timeline or a row picked in the table arrives before the page runs: move it into the box."""
    picked = ui.selected_customdata(st.session_state.get(TIMELINE_KEY))
    if picked and picked != st.session_state.get("_sanctions_last_click"):
        st.session_state["_sanctions_last_click"] = picked
        if picked[0] in action_ids:
            st.session_state["q_action"] = picked[0]
    state = st.session_state.get(table_key)
    rows = (state.get("selection", {}).get("rows") if isinstance(state, dict)
            else getattr(getattr(state, "selection", None), "rows", None))
    if rows:
        row = rows[0]
        if (table_key, row) != st.session_state.get("_sanctions_last_row") and row < len(actions):
            st.session_state["_sanctions_last_row"] = (table_key, row)
            st.session_state["q_action"] = actions["action_id"].iloc[row]


def render() -> None:
    ds = loaders.dataset()
    ui.header("Sanctions timeline",
              "Every US and UK action in the documents, with the date it was announced and the date it took "
              "effect, the parties it names, and whether it hits a vendor active in Central Asia. "
              "**Click a row, a marker, or choose an action for its dates, quotes and named parties.**")
    opts = loaders.derive(ds, sx.filter_options)
    everything = loaders.derive(ds, sx.actions_table)
    titles = dict(zip(everything["action_id"], everything["title"], strict=True))

    st.subheader("1. Choose which actions to show")
    c1, c2 = st.columns(2)
    with c1:
        auth_keys = _multi_bound("authority", opts["authority"], "Authority", "All authorities")
    with c2:
        inst_keys = _multi_bound("instrument", opts["instrument"], "Instrument", "All instruments")
    authorities = [opts["authority"][k] for k in auth_keys]
    instruments = [opts["instrument"][k] for k in inst_keys]
    actions = loaders.derive(ds, sx.actions_table, authorities, instruments)
    table_key = _table_key(auth_keys, inst_keys)
    _sync_action(actions, table_key, set(titles))
    st.caption(f"Showing {len(actions)} of {len(everything)} actions."
               + (" Clear both boxes to show all." if len(actions) < len(everything) else ""))

    st.subheader("2. Each action on a time axis: announced and in force")
    _timeline(ds, actions, authorities, instruments)

    st.subheader("3. Parties added to the US Entity List")
    _entity_list(ds)

    st.subheader("4. All actions shown")
    _table(actions, table_key)

    st.subheader("5. One action: its dates, quote and the parties it names")
    action = query.bound("action", st.selectbox, ["", *everything["action_id"]], "", "Action",
                         fmt=lambda k: titles.get(k, "— choose an action —"))
    if action:
        _action_panel(ds, everything.set_index("action_id").loc[action], action)
    else:
        st.info("Pick a row in the table, click a marker on the timeline, or choose an action above.", icon="👆")


def _timeline_figure(ds, authorities: list, instruments: list, present: bool):
    actions = loaders.derive(ds, sx.actions_table, authorities, instruments)
    points = loaders.derive(ds, sx.date_points, actions["action_id"])
    source = sx.source_text(ds, points["source_id"]) if len(points) else "see Sources"
    return make_timeline_figure(actions, points, source=source, as_of=ui.as_of(ds), present=present)


def _entity_list_figure(ds, present: bool):
    steps = loaders.derive(ds, sx.entity_list_steps)
    source = sx.source_text(ds, ds["actions"].set_index("action_id").loc[steps["action_id"], "source_id"])
    return make_entity_list_figure(steps, source=source, as_of=ui.as_of(ds), present=present)


def _timeline(ds, actions: pd.DataFrame, authorities: list, instruments: list) -> None:
    fig = loaders.derive(ds, _timeline_figure, authorities, instruments, ui.presenting())
    if actions.empty:
        ui.empty("No action matches these filters. Clear the authority and instrument boxes to see all.")
    ui.chart(fig, TIMELINE_KEY, selectable=True)
    named = sx.ca_vendor_summary(actions)
    if named:
        who = ", ".join(f"{k} ({v} action{'s' if v > 1 else ''})" for k, v in named.items())
        st.markdown(f"{CA_MARK} **{int(actions['names_ca_vendor'].sum())} of {len(actions)} actions shown name a "
                    f"vendor active in Central Asia:** {md(who)}. They are shaded in the chart and marked "
                    f"{CA_MARK} in the table.")
    missing = loaders.derive(ds, sx.not_placed, actions)
    lines = []
    if missing["undated"]:
        lines.append("- **not placed** — no date in the documents: " + md("; ".join(missing["undated"])))
    if missing["partial"]:
        lines.append("- **not placed** — partial dates (no day or no year; the action's full dates are on the "
                     "chart): " + md("; ".join(missing["partial"])))
    if lines:
        st.markdown("\n".join(lines))
    sides = loaders.derive(ds, sx.conflict_sides, actions["action_id"])
    if sides:
        topics = ds["disagreements"].set_index("conflict_id").loc[list(sides), "topic"]
        with st.expander(f"⚠ Sources disagree on dates: {md('; '.join(topics))}. Both sides, with quotes"):
            for cid, rows in sides.items():
                d = ds["disagreements"].set_index("conflict_id").loc[cid]
                st.markdown(f"**{md(d['topic'])}**")
                st.caption(f"{md(d['summary'])} How the data handles it: {md(d['handling'])}")
                titles = dict(zip(actions["action_id"], actions["title"], strict=True))
                for action_id, grp in rows.groupby("action_id", sort=False):
                    st.markdown(f"*{md(titles.get(action_id, action_id))}*")
                    for col, (_, r) in zip(st.columns(len(grp)), grp.iterrows(), strict=True):
                        with col:
                            _date_evidence(ds, r, show_conflict=False)


def _date_evidence(ds, r, *, show_conflict: bool = True) -> None:
    when = sx.fmt_date(r["date"]) if pd.notna(r["date"]) else f"“{r['date_as_written']}” (partial date)"
    row = r if show_conflict else r.drop(labels=["conflict_id"])
    ui.evidence(ds, row, heading=f"{sx.DATE_LABELS.get(r['date_kind'], r['date_kind'])}: {when}")


def _entity_list(ds) -> None:
    steps = loaders.derive(ds, sx.entity_list_steps)
    fig = loaders.derive(ds, _entity_list_figure, ui.presenting())
    ui.chart(fig, STEPS_KEY)
    st.caption("This chart shows every US Entity List rule in the documents; the filters above do not change it.")
    with st.expander("Evidence for each step: date in force and the parties the rule lists"):
        dates = ds["action_dates"]
        actions = ds["actions"].set_index("action_id")
        for r in steps.itertuples():
            st.markdown(f"**+{r.added} → {r.cumulative}: {md(r.title)}**")
            eff = dates[(dates["action_id"] == r.action_id) & (dates["date_kind"] == "effective")]
            for _, d in eff.iterrows():
                _date_evidence(ds, d)
            ui.evidence(ds, actions.loc[r.action_id].to_dict(),
                        heading=f"Parties listed (the rule states {int(r.listed_count)})"
                        if pd.notna(r.listed_count) else "Parties listed")


def _date_cell(a: pd.Series, kind: str, partial: pd.DataFrame) -> str:
    if pd.notna(a[kind]):
        return sx.fmt_date(a[kind])
    p = partial[(partial["action_id"] == a["action_id"]) & (partial["date_kind"] == kind)]
    return f"“{p['date_as_written'].iloc[0]}” (partial)" if len(p) else "not given"


def _table(actions: pd.DataFrame, table_key: str) -> None:
    if actions.empty:
        ui.empty("No action matches these filters.")
        return
    ds = loaders.dataset()
    partial = ds["action_dates"][ds["action_dates"]["date"].isna()]
    view = pd.DataFrame({
        "Action": [f"{CA_MARK} {t}" if ca else t for t, ca in zip(actions["title"], actions["names_ca_vendor"],
                                                                    strict=True)],
        "Who": actions["jurisdiction"],
        "Announced": [_date_cell(a, "announced", partial) for _, a in actions.iterrows()],
        "In force": [_date_cell(a, "effective", partial) for _, a in actions.iterrows()],
        "Parties named": [sx.parties_text(a, short=True) for _, a in actions.iterrows()],
        "Vendors active in Central Asia": [", ".join(v) for v in actions["ca_vendor_names"]],
        "Dates disputed": ["⚠ yes" if c else "" for c in actions["date_conflicts"]],
        "Instrument": actions["instrument"],
        "Status": actions["status"],
    })
    st.dataframe(view, key=table_key, on_select="rerun", selection_mode="single-row", hide_index=True,
                 width="stretch", height=38 + 35 * len(view),
                 column_config={"Action": st.column_config.TextColumn(width="large"),
                                "Who": st.column_config.TextColumn(width="small")})
    st.caption("Select a row for its dates, quotes and named parties (section 5).")


def _action_panel(ds, a: pd.Series, action_id: str) -> None:
    with st.container(border=True):
        st.markdown(f"### {md(a['title'])}")
        st.markdown(f"{md(a['jurisdiction'])} · {md(a['authority'])} · {md(a['instrument'])} · "
                    f"status: **{md(a['status'])}**" + (f" · {md(a['citation'])}" if a["citation"] else ""))
        st.markdown(md(a["summary"]))
        if a["names_ca_vendor"]:
            st.markdown(f"{CA_MARK} **Names a vendor active in Central Asia: {md(', '.join(a['ca_vendor_names']))}**")
        ui.evidence(ds, ds["actions"].set_index("action_id").loc[action_id].to_dict(),
                    heading="What the source says about this action")
        _action_dates_block(ds, a, action_id)
        _action_parties_block(ds, a, action_id)


def _action_dates_block(ds, a: pd.Series, action_id: str) -> None:
    st.markdown("#### Dates")
    dates = loaders.derive(ds, sx.action_dates, action_id)
    if dates.empty:
        st.markdown("No date in the documents; this action is not placed on the time axis.")
        return
    # A disagreement is stated once (the action's own quote above already states its own); dates sit side by side.
    for cid in sorted(set(dates["conflict_id"].dropna()) - {a["conflict_id"]}):
        d = ds["disagreements"].set_index("conflict_id").loc[cid]
        st.warning(f"Sources disagree: {md(d['topic'])}. {md(d['summary'])}", icon="⚠️")
    per_row = 3
    for i in range(0, len(dates), per_row):
        chunk = dates.iloc[i:i + per_row]
        for col, (_, d) in zip(st.columns(per_row), chunk.iterrows(), strict=False):
            with col:
                _date_evidence(ds, d, show_conflict=False)


def _action_parties_block(ds, a: pd.Series, action_id: str) -> None:
    st.markdown(f"#### Parties named: {md(sx.parties_text(a))}")
    if a["stated_differs"]:
        st.caption(f"The source states {int(a['listed_count'])}; the data names the parties listed below."
                   + (f" Note: {md(a['caveat'])}" if a["caveat"] else ""))
    ents = loaders.derive(ds, sx.action_entities, action_id)
    if ents.empty:
        st.markdown("The documents name no party for this action.")
    for _, e in ents.iterrows():
        n = e["party_count"]
        count = ("" if not e["is_group"] else " — count not given" if pd.isna(n)
                 else f" — counts as {int(n)} part{'y' if int(n) == 1 else 'ies'}")
        c1, c2, c3 = st.columns([5, 4, 2])
        with c1:
            st.markdown(f"**{md(e['name'])}**{md(count)}"
                        + (f" · {CA_MARK} active in Central Asia" if e["ca_vendor"] else ""))
        with c2:
            if not e["is_group"]:
                nav.link("companies", "Open company profile", entity=e["entity_id"])
        with c3:
            with st.popover("Quote", width="stretch"):
                ui.evidence(ds, e, heading=f"Where the source names {e['name']}")


if __name__ == "__main__":
    render()
