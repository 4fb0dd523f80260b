"""Sanctions timeline: every US and UK action with its announced and in-force dates, the parties it names, and why."""

from __future__ import annotations

import zlib

import pandas as pd
import streamlit as st

from dashboard import fmt, loaders, nav, query, ui
from dashboard.charts.sanctions import CA_MARK
from dashboard.safe import md
from dashboard.transforms import sanctions as sx
from dashboard.transforms import statements as stx
from dashboard.views import sanctions as views

TIMELINE_KEY = "sanctions_timeline"
STEPS_KEY = "sanctions_entity_list"
TABLE_KEY = "sanctions_table"
PER_PAGE = 20  # actions per page of the timeline and the table (they share one pager); fewer: no pager at all


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


def _table_key(authorities, instruments, page: int = 1) -> str:
    # A new key per filter and page, so a stale row number never points at a different action.
    crc = f"{TABLE_KEY}_{zlib.crc32(repr((list(authorities), list(instruments))).encode()):08x}"
    return crc if page == 1 else f"{crc}_p{page}"


def _actions(ds, authorities=(), instruments=()) -> pd.DataFrame:
    """The actions table for these filters; no filter and empty filters share one cache entry."""
    return loaders.derive(ds, sx.actions_table, list(authorities), list(instruments))


# Page scripts run as __main__ and loaders.derive keys on module + name: helpers it caches carry the page's name, so
# they never share a cache entry with another page's helper of the same name.
def _sanctions_labels(ds) -> dict[str, str]:
    """{action_id: title} for the select box; a title several actions share gets its id, so each option is distinct."""
    a = _actions(ds)
    dup = a["title"].duplicated(keep=False)
    return {i: f"{t} ({i})" if d else t for i, t, d in zip(a["action_id"], a["title"], dup, strict=True)}


def _sanctions_by_id(ds) -> pd.DataFrame:
    return _actions(ds).set_index("action_id")


def _sanctions_positions(ds) -> dict[str, int]:
    return {a: i for i, a in enumerate(ds["actions"]["action_id"])}


def _row(ds, action_id: str) -> dict:
    """One action's row as stored (for its evidence block), found by position rather than by scanning the table."""
    return ds["actions"].iloc[loaders.derive(ds, _sanctions_positions)[action_id]].to_dict()


def _sanctions_ca_summary(ds, authorities: list, instruments: list) -> dict[str, int]:
    return sx.ca_vendor_summary(_actions(ds, authorities, instruments))


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
    everything = _actions(ds)
    titles = loaders.derive(ds, _sanctions_labels)

    ui.section("1. Choose which actions to show")
    with ui.filters("Authority, instrument"):
        c1, c2 = st.columns(2)
        with c1:
            auth_keys = _multi_bound("authority", opts["authority"], "Authority", "All authorities")
        with c2:
            inst_keys = _multi_bound("instrument", opts["instrument"], "Instrument", "All instruments")
        authorities = [opts["authority"][k] for k in auth_keys]
        instruments = [opts["instrument"][k] for k in inst_keys]
        actions = _actions(ds, authorities, instruments)
        st.caption(f"Showing {len(actions):,} of {len(everything):,} actions."
                   + (" Clear both boxes to show all." if len(actions) < len(everything) else ""))

    ui.section("2. Each action on a time axis: announced and in force")
    # One pager for the timeline and the table (section 4): a long list is read a page at a time, and every action
    # is on exactly one page. With PER_PAGE actions or fewer it draws nothing and both show every action.
    page = ui.paged(actions, "sanctions_actions", per_page=PER_PAGE, noun="actions", url_key="page")
    first, last = (int(page.index[0]), int(page.index[-1]) + 1) if len(page) else (0, 0)
    paged = len(page) < len(actions)
    table_key = _table_key(auth_keys, inst_keys, first // PER_PAGE + 1)
    _sync_action(page, table_key, titles)
    if paged:
        st.caption("The timeline, the lists under it and the table in section 4 show the actions on this page, in "
                   "date order (undated last); change the page to see the others.")
    _timeline(ds, actions, page, authorities, instruments, (first, last) if paged else None)

    st.header("3. Parties added to the US Entity List")
    _entity_list(ds)

    st.header("4. All actions shown" if not paged else "4. The actions on this page")
    _table(ds, page, table_key, authorities, instruments, (first, last) if paged else None)

    st.header("5. One action: its dates, quote and the parties it names")
    action = query.bound("action", st.selectbox, ["", *everything["action_id"]], "", "Action",
                         fmt=lambda k: titles.get(k, "— choose an action —"))
    if action:
        _action_panel(ds, loaders.derive(ds, _sanctions_by_id).loc[action], action)
    else:
        st.info("Pick a row in the table, click a marker on the timeline, or choose an action above.", icon="👆")

    st.header("6. Statements and calls to act: not binding")
    _statements(ds)


def _sanctions_not_placed(ds, authorities: list, instruments: list, window=None) -> dict[str, list[str]]:
    actions = _actions(ds, authorities, instruments)
    return sx.not_placed(ds, actions if window is None else actions.iloc[window[0]:window[1]])


def _sanctions_sides(ds, authorities: list, instruments: list, window=None) -> dict[str, pd.DataFrame]:
    """Disagreements touching the actions shown (on this page), with every side among the filtered actions."""
    ids = _actions(ds, authorities, instruments)["action_id"]
    return sx.conflict_sides(ds, ids, touching=None if window is None else ids.iloc[window[0]:window[1]])


def _timeline(ds, actions: pd.DataFrame, page: pd.DataFrame, authorities: list, instruments: list,
              window) -> None:
    fig = loaders.derive(ds, views.timeline, present=ui.presenting(), authorities=authorities,
                         instruments=instruments, window=window)
    if actions.empty:
        ui.empty("No action matches these filters. Clear the authority and instrument boxes to see all.")
    ui.chart(fig, TIMELINE_KEY, selectable=True)
    named = loaders.derive(ds, _sanctions_ca_summary, authorities, instruments)
    if named:
        who = ", ".join(f"{k} ({v:,} action{'s' if v > 1 else ''})" for k, v in named.items())
        st.markdown(f"{CA_MARK} **{int(actions['names_ca_vendor'].sum()):,} of {len(actions):,} actions shown name a "
                    f"vendor active in Central Asia:** {md(who)}. They are shaded in the chart and marked "
                    f"{CA_MARK} in the table.")
    missing = loaders.derive(ds, _sanctions_not_placed, authorities, instruments, window)
    lines = []
    where = " on this page" if window else ""
    if missing["undated"]:
        lines.append(f"- **not placed**{where} — no date in the documents: " + md("; ".join(missing["undated"])))
    if missing["partial"]:
        lines.append(f"- **not placed**{where} — partial dates (no day or no year; the action's full dates are on "
                     "the chart): " + md("; ".join(missing["partial"])))
    if lines:
        st.markdown("\n".join(lines))
    sides = loaders.derive(ds, _sanctions_sides, authorities, instruments, window)
    if sides:
        topics = dict.fromkeys(ui.disagreement(ds, cid)["topic"] for cid in sides)
        with st.expander(f"⚠ Sources disagree on dates: {md('; '.join(topics))}. Both sides, with quotes"):
            titles = loaders.derive(ds, _sanctions_labels)
            for cid in ui.paged(list(sides), "sanctions_sides", per_page=10, noun="disagreements"):
                rows = sides[cid]
                d = ui.disagreement(ds, cid)
                st.markdown(f"**{md(d['topic'])}**")
                st.caption(f"{md(d['summary'])} How the data handles it: {md(d['handling'])}")
                for action_id, grp in rows.groupby("action_id", sort=False):
                    st.markdown(f"*{md(titles.get(action_id, action_id))}*")
                    for col, r in zip(st.columns(len(grp)), grp.to_dict("records"), strict=True):
                        with col:
                            _date_evidence(ds, r, show_conflict=False)


def _date_evidence(ds, r, *, show_conflict: bool = True) -> None:
    """One dated claim (a dict or Series row of action_dates) with its quote."""
    when = fmt.date(r["date"]) if fmt.given(r["date"]) else fmt.as_written(r["date_as_written"])
    row = r if show_conflict else {k: v for k, v in r.items() if k != "conflict_id"}
    ui.evidence(ds, row, heading=f"{sx.DATE_LABELS.get(r['date_kind'], r['date_kind'])}: {when}")


def _sanctions_effective_rows(ds, action_id: str) -> list[dict]:
    """An action's 'effective' date rows, in table order (looked up by position, not by scanning the table)."""
    d = ds["action_dates"]
    rows = d.iloc[loaders.derive(ds, sx.date_rows).get(action_id, [])]
    return rows[rows["date_kind"] == "effective"].to_dict("records")


def _entity_list(ds) -> None:
    steps = loaders.derive(ds, sx.entity_list_steps)
    ui.chart(loaders.derive(ds, views.entity_list, present=ui.presenting()), STEPS_KEY)
    st.caption("This chart shows every US Entity List rule in the documents; the filters above do not change it.")
    with st.expander("Evidence for each step: date in force and the parties the rule lists"):
        for r in ui.paged(steps, "sanctions_steps", per_page=10, noun="rules").itertuples():
            st.markdown(f"**+{r.added} → {r.cumulative}: {md(r.title)}**")
            for d in loaders.derive(ds, _sanctions_effective_rows, r.action_id):
                _date_evidence(ds, d)
            ui.evidence(ds, _row(ds, r.action_id),
                        heading=f"Parties listed (the rule states {int(r.listed_count)})"
                        if pd.notna(r.listed_count) else "Parties listed")


def _table(ds, actions: pd.DataFrame, table_key: str, authorities: list, instruments: list, window) -> None:
    if actions.empty:
        ui.empty("No action matches these filters.")
        return
    view = loaders.derive(ds, views.table, authorities=authorities, instruments=instruments, window=window).table
    st.dataframe(view, key=table_key, on_select="rerun", selection_mode="single-row", hide_index=True,
                 width="stretch", height=38 + 35 * min(len(view), PER_PAGE),
                 column_config={"Action": st.column_config.TextColumn(width="large"),
                                "Who": st.column_config.TextColumn(width="small")})
    st.caption("Select a row for its dates, quotes and named parties (section 5)."
               + (" The page is chosen above the timeline (section 2)." if window else ""))


def _action_panel(ds, a: pd.Series, action_id: str) -> None:
    with st.container(border=True):
        st.markdown(f"### {md(a['title'])}")
        st.markdown(f"{md(a['jurisdiction'])} · {md(a['authority'])} · {md(a['instrument'])} · "
                    f"status: **{md(a['status'])}**" + (f" · {md(a['citation'])}" if a["citation"] else ""))
        st.markdown(md(a["summary"]))
        if a["names_ca_vendor"]:
            st.markdown(f"{CA_MARK} **Names a vendor active in Central Asia: {md(', '.join(a['ca_vendor_names']))}**")
        ui.evidence(ds, _row(ds, action_id), heading="What the source says about this action")
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
        d = ui.disagreement(ds, cid)
        st.warning(f"Sources disagree: {md(d['topic'])}. {md(d['summary'])}", icon="⚠️")
    per_row = 3
    dates = ui.paged(dates, f"sanctions_dates_{action_id}", per_page=30, noun="dates")
    for i in range(0, len(dates), per_row):
        chunk = dates.iloc[i:i + per_row]
        for col, d in zip(st.columns(per_row), chunk.to_dict("records"), strict=False):
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
    for e in ui.paged(ents, f"sanctions_parties_{action_id}", per_page=30, noun="parties").to_dict("records"):
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


# ---- Section 6 (issue 11): statements and calls to act, apart from the binding actions. Logic: transforms/statements.
def _statements(ds) -> None:
    rows = loaders.derive(ds, stx.all_statements)
    pending = loaders.derive(ds, stx.non_binding_actions)
    st.markdown("Who said what about these actions and the companies they name. **None of these binds anyone**: "
                "they are not on the timeline or in the table above, which hold government actions only.")
    if len(pending):
        st.caption("On the timeline, these actions are not in force either: "
                   + md("; ".join(f"{t} ({s})" for t, s in zip(pending["title"], pending["status"], strict=True)))
                   + ".")
    if rows.empty:
        ui.empty("The documents quote no statement or call to act.")
        return
    counts = stx.kind_counts(rows)
    st.caption(md(" · ".join(f"{stx.KIND_MARKS.get(k, k)}: {n:,}" for k, n in counts.items())))
    for r in ui.paged(rows, "sanctions_statements", per_page=10, noun="statements").to_dict("records"):
        with st.expander(f"{md(r['mark'])} — {md(r['speaker'])}, {md(r['when'])} · {md(r['stance'])}"):
            _statement_block(ds, r)


def _statement_block(ds, r: dict) -> None:
    """A statement's summary, what it answers, and its quote with source: one Markdown element (plus a
    disagreement box where the row has one), so a page of statements stays small."""
    lead = md(r["summary"]) + (f"\n\n:small[:gray[{md(r['replying_to'])}]]" if r["replying_to"] else "")
    ui.evidence_blocks(ds, [(r, None)], lead=lead)

if __name__ == "__main__":
    render()
