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
GROUP_PAGE = 10  # disagreements or Entity List rules per page of their collapsible group


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


def _sanctions_ids(ds, authorities: list, instruments: list) -> list[str]:
    return _actions(ds, authorities, instruments)["action_id"].tolist()


def _sanctions_by_id(ds) -> pd.DataFrame:
    return _actions(ds).set_index("action_id")


def _sanctions_positions(ds) -> dict[str, int]:
    return {a: i for i, a in enumerate(ds["actions"]["action_id"])}


def _row(ds, action_id: str) -> dict:
    """One action's row as stored (for its evidence block), found by position rather than by scanning the table."""
    return ds["actions"].iloc[loaders.derive(ds, _sanctions_positions)[action_id]].to_dict()


def _sanctions_ca_summary(ds, authorities: list, instruments: list) -> dict[str, int]:
    return sx.ca_vendor_summary(_actions(ds, authorities, instruments))


def _sync_action(shown: list[str], table_key: str, action_ids) -> None:
    """shown: the ids of the table's rows, in order."""
    # A click on the timeline or a row picked in the table arrives before the page runs: move it into the box.
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
        if (table_key, row) != st.session_state.get("_sanctions_last_row") and row < len(shown):
            st.session_state["_sanctions_last_row"] = (table_key, row)
            st.session_state["q_action"] = shown[row]


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
        with st.container(horizontal=True):  # side by side, sharing the row (one element, not three columns)
            auth_keys = _multi_bound("authority", opts["authority"], "Authority", "All authorities")
            inst_keys = _multi_bound("instrument", opts["instrument"], "Instrument", "All instruments")
        authorities = [opts["authority"][k] for k in auth_keys]
        instruments = [opts["instrument"][k] for k in inst_keys]
        actions = _actions(ds, authorities, instruments)
        st.caption(f"Showing {len(actions):,} of {len(everything):,} actions."
                   + (" Clear both boxes to show all." if len(actions) < len(everything) else ""))

    ui.section("2. Each action on a time axis: announced and in force")
    # One pager for the timeline and the table (section 4): a long list is read a page at a time, and every action
    # is on exactly one page. With PER_PAGE actions or fewer it draws nothing and both show every action.
    span = ui.paged(range(len(actions)), "sanctions_actions", per_page=PER_PAGE, noun="actions", url_key="page")
    first, last = span.start, span.stop
    paged = len(span) < len(actions)
    table_key = _table_key(auth_keys, inst_keys, first // PER_PAGE + 1)
    _sync_action(loaders.derive(ds, _sanctions_ids, authorities, instruments)[first:last], table_key, titles)
    if paged:
        st.caption("The timeline, the lists under it and the table in section 4 show the actions on this page, in "
                   "date order (undated last); change the page to see the others.")
    _timeline(ds, actions, authorities, instruments, (first, last) if paged else None)

    st.header("3. Parties added to the US Entity List")
    _entity_list(ds)

    st.header("4. All actions shown" if not paged else "4. The actions on this page")
    _table(ds, actions.empty, table_key, authorities, instruments, (first, last) if paged else None)

    st.header("5. One action: its dates, quote and the parties it names")
    action = query.bound("action", st.selectbox, ["", *everything["action_id"]], "", "Action",
                         fmt=lambda k: titles.get(k, "— choose an action —"))
    if action:
        _action_panel(ds, action)
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


def _sanctions_notes(ds, authorities: list, instruments: list, window=None) -> str:
    """Under the timeline: which actions name a vendor active in Central Asia, and which are not placed (no date, or
    a partial one)."""
    actions = _actions(ds, authorities, instruments)
    parts = []
    named = loaders.derive(ds, _sanctions_ca_summary, authorities, instruments)
    if named:
        who = ", ".join(f"{k} ({v:,} action{'s' if v > 1 else ''})" for k, v in named.items())
        parts.append(f"{CA_MARK} **{int(actions['names_ca_vendor'].sum()):,} of {len(actions):,} actions shown name a "
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
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _sanctions_sides_group(ds, authorities: list, instruments: list, window, first: int, last: int) -> str:
    """One page of the disagreements over dates, as one collapsible group: each disagreement's topic and how the
    data handles it, then for each action it touches the dated claims side by side, with their quotes."""
    sides = loaders.derive(ds, _sanctions_sides, authorities, instruments, window)
    titles = loaders.derive(ds, _sanctions_labels)
    topics = dict.fromkeys(ui.disagreement(ds, cid)["topic"] for cid in sides)
    body = []
    for cid in list(sides)[first:last]:
        d = ui.disagreement(ds, cid)
        body += [f"**{md(d['topic'])}**", f":small[:gray[{md(d['summary'])} How the data handles it: "
                                          f"{md(d['handling'])}]]"]
        for action_id, grp in sides[cid].groupby("action_id", sort=False):
            body.append(f"*{md(titles.get(action_id, action_id))}*")
            body.append(ui.grid([ui.card("\n\n".join(ui.evidence_parts(ds, [_date_item(r, show_conflict=False)])))
                                 for r in grp.to_dict("records")]))
    return ui.disclosure(f"⚠ Sources disagree on dates: {'; '.join(topics)}. Both sides, with quotes",
                         "\n\n".join(body))


def _paged_group(head: list[str], n: int, key: str, noun: str, group) -> None:
    """head (Markdown parts), then the collapsible group group(first, last) holds for one page of n items: one
    element; a list long enough for a pager puts the pager between the two (a widget cannot sit inside)."""
    if n <= GROUP_PAGE:
        ui.blocks([*head, group(0, n)])
        return
    ui.blocks(head)
    span = ui.paged(range(n), key, per_page=GROUP_PAGE, noun=noun)
    ui.blocks([group(span.start, span.stop)])


def _timeline(ds, actions: pd.DataFrame, authorities: list, instruments: list, window) -> None:
    fig = loaders.derive(ds, views.timeline, present=ui.presenting(), authorities=authorities,
                         instruments=instruments, window=window)
    if actions.empty:
        ui.empty("No action matches these filters. Clear the authority and instrument boxes to see all.")
    ui.chart(fig, TIMELINE_KEY, selectable=True, summary=False)
    head = [ui.summary_text(fig), loaders.derive(ds, _sanctions_notes, authorities, instruments, window)]
    n = len(loaders.derive(ds, _sanctions_sides, authorities, instruments, window))
    if not n:
        ui.blocks(head)
        return
    _paged_group(head, n, "sanctions_sides", "disagreements",
                 lambda first, last: loaders.derive(ds, _sanctions_sides_group, authorities, instruments, window,
                                                    first, last))


def _date_item(r, *, show_conflict: bool = True) -> tuple[dict, str]:
    """One dated claim (a dict or Series row of action_dates) and its heading, for ui.evidence_parts."""
    when = fmt.date(r["date"]) if fmt.given(r["date"]) else fmt.as_written(r["date_as_written"])
    row = r if show_conflict else {k: v for k, v in r.items() if k != "conflict_id"}
    return row, f"{sx.DATE_LABELS.get(r['date_kind'], r['date_kind'])}: {when}"


def _sanctions_effective_rows(ds, action_id: str) -> list[dict]:
    """An action's 'effective' date rows, in table order (looked up by position, not by scanning the table)."""
    d = ds["action_dates"]
    rows = d.iloc[loaders.derive(ds, sx.date_rows).get(action_id, [])]
    return rows[rows["date_kind"] == "effective"].to_dict("records")


def _sanctions_steps_group(ds, first: int, last: int) -> str:
    """One page of the Entity List's steps, as one collapsible group: each rule's date in force and the parties it
    lists, with their quotes (and the disagreement box where a date is disputed)."""
    body = []
    for r in loaders.derive(ds, sx.entity_list_steps).iloc[first:last].itertuples():
        items = [_date_item(d) for d in loaders.derive(ds, _sanctions_effective_rows, r.action_id)]
        items.append((_row(ds, r.action_id), f"Parties listed (the rule states {int(r.listed_count)})"
                      if pd.notna(r.listed_count) else "Parties listed"))
        body += [f"**+{r.added} → {r.cumulative}: {md(r.title)}**", *ui.evidence_parts(ds, items)]
    return ui.disclosure("Evidence for each step: date in force and the parties the rule lists", "\n\n".join(body))


def _entity_list(ds) -> None:
    view = loaders.derive(ds, views.entity_list, present=ui.presenting())
    ui.chart(view, STEPS_KEY, summary=False)
    head = [ui.summary_text(view), ":small[:gray[This chart shows every US Entity List rule in the documents; the "
                                   "filters above do not change it.]]"]
    _paged_group(head, len(loaders.derive(ds, sx.entity_list_steps)), "sanctions_steps", "rules",
                 lambda first, last: loaders.derive(ds, _sanctions_steps_group, first, last))


def _table(ds, empty: bool, table_key: str, authorities: list, instruments: list, window) -> None:
    if empty:
        ui.empty("No action matches these filters.")
        return
    view = loaders.derive(ds, views.table, authorities=authorities, instruments=instruments, window=window).table
    st.dataframe(ui.arrow(view), key=table_key, on_select="rerun", selection_mode="single-row", hide_index=True,
                 width="stretch", height=38 + 35 * min(len(view), PER_PAGE),
                 column_config={"Action": st.column_config.TextColumn(width="large"),
                                "Who": st.column_config.TextColumn(width="small")})
    st.caption("Select a row for its dates, quotes and named parties (section 5)."
               + (" The page is chosen above the timeline (section 2)." if window else ""))


DATES_PAGE = PARTIES_PAGE = 30  # an action's dates or parties per page (the real data's fullest action: 69 parties)


def _sanctions_action_head(ds, action_id: str) -> str:
    """An action's title, who took it, its status and summary, whether it names a vendor active in Central Asia, and
    what the source says about it; then the heading of its dates and any disagreement over them (stated once: the
    action's own quote already states its own)."""
    a = loaders.derive(ds, _sanctions_by_id).loc[action_id]
    parts = [f"### {md(a['title'])}",
             f"{md(a['jurisdiction'])} · {md(a['authority'])} · {md(a['instrument'])} · status: **{md(a['status'])}**"
             + (f" · {md(a['citation'])}" if a["citation"] else ""),
             md(a["summary"])]
    if a["names_ca_vendor"]:
        parts.append(f"{CA_MARK} **Names a vendor active in Central Asia: {md(', '.join(a['ca_vendor_names']))}**")
    parts += ui.evidence_parts(ds, [(_row(ds, action_id), "What the source says about this action")])
    parts.append("#### Dates")
    dates = loaders.derive(ds, sx.action_dates, action_id)
    if dates.empty:
        parts.append("No date in the documents; this action is not placed on the time axis.")
    for cid in sorted(set(dates["conflict_id"].dropna()) - {a["conflict_id"]}):
        parts.append(ui.disagreement_text(ds, cid))
    return "\n\n".join(parts)


def _sanctions_action_dates(ds, action_id: str, first: int, last: int) -> str:
    """One page of an action's dated claims, side by side, each with its quote."""
    dates = loaders.derive(ds, sx.action_dates, action_id).iloc[first:last].to_dict("records")
    if not dates:
        return ""
    return ui.grid([ui.card("\n\n".join(ui.evidence_parts(ds, [_date_item(d, show_conflict=False)]))) for d in dates])


def _sanctions_parties_head(ds, action_id: str) -> str:
    a = loaders.derive(ds, _sanctions_by_id).loc[action_id]
    parts = [f"#### Parties named: {md(sx.parties_text(a))}"]
    if a["stated_differs"]:
        parts.append(f":small[:gray[The source states {int(a['listed_count'])}; the data names the parties listed "
                     "below." + (f" Note: {md(a['caveat'])}" if a["caveat"] else "") + "]]")
    if loaders.derive(ds, sx.action_entities, action_id).empty:
        parts.append("The documents name no party for this action.")
    return "\n\n".join(parts)


def _sanctions_party_records(ds, action_id: str) -> list[dict]:
    return loaders.derive(ds, sx.action_entities, action_id).to_dict("records")


def _sanctions_parties(ds, action_id: str, first: int, last: int) -> str:
    """One page of the parties an action names: each a collapsible group (name, count, whether it is active in
    Central Asia) holding the quote that names it."""
    out = []
    for e in loaders.derive(ds, _sanctions_party_records, action_id)[first:last]:
        n = e["party_count"]
        count = ("" if not e["is_group"] else " — count not given" if pd.isna(n)
                 else f" — counts as {int(n)} part{'y' if int(n) == 1 else 'ies'}")
        label = ["", e["name"], count + (f" · {CA_MARK} active in Central Asia" if e["ca_vendor"] else "")]
        out.append(ui.disclosure(label, "\n\n".join(
            ui.evidence_parts(ds, [(e, f"Where the source names {e['name']}")]))))
    return "\n\n".join(out)


def _action_panel(ds, action_id: str) -> None:
    """One action: its quote, dates and parties, each with its quote, in as few elements as the pagers allow (a list
    long enough for a pager is split round it), then links to the named companies' profiles."""
    n_dates = len(loaders.derive(ds, sx.action_dates, action_id))
    parties = loaders.derive(ds, _sanctions_party_records, action_id)
    with st.container(border=True):
        parts = [loaders.derive(ds, _sanctions_action_head, action_id)]
        if n_dates > DATES_PAGE:
            ui.blocks(parts)
            parts = []
        span = ui.paged(range(n_dates), f"sanctions_dates_{action_id}", per_page=DATES_PAGE, noun="dates")
        parts += [loaders.derive(ds, _sanctions_action_dates, action_id, span.start, span.stop),
                  loaders.derive(ds, _sanctions_parties_head, action_id)]
        if len(parties) > PARTIES_PAGE:
            ui.blocks(parts)
            parts = []
        span = ui.paged(range(len(parties)), f"sanctions_parties_{action_id}", per_page=PARTIES_PAGE,
                        noun="parties")
        parts.append(loaders.derive(ds, _sanctions_parties, action_id, span.start, span.stop))
        ui.blocks(parts)
        companies = [e for e in parties[span.start:span.stop] if not e["is_group"]]
        if companies:
            with st.container(horizontal=True, vertical_alignment="center"):
                st.markdown("Open a company profile:", width="content")
                for e in companies:
                    nav.link("companies", md(e["name"]), entity=e["entity_id"])


# ---- Section 6 (issue 11): statements and calls to act, apart from the binding actions. Logic: transforms/statements.
def _sanctions_statements_head(ds) -> str:
    """What the section holds: none of it binds anyone; the actions on the timeline that are not in force either;
    how many statements of each kind."""
    rows = loaders.derive(ds, stx.all_statements)
    pending = loaders.derive(ds, stx.non_binding_actions)
    parts = ["Who said what about these actions and the companies they name. **None of these binds anyone**: "
             "they are not on the timeline or in the table above, which hold government actions only."]
    if len(pending):
        parts.append(":small[:gray[On the timeline, these actions are not in force either: "
                     + md("; ".join(f"{t} ({s})" for t, s in zip(pending["title"], pending["status"], strict=True)))
                     + ".]]")
    if len(rows):
        parts.append(":small[:gray[" + md(" · ".join(f"{stx.KIND_MARKS.get(k, k)}: {n:,}"
                                                      for k, n in stx.kind_counts(rows).items())) + "]]")
    return "\n\n".join(parts)


def _sanctions_statements_page(ds, first: int, last: int) -> str:
    """One page of statements, each a collapsible group (who, when, which side) holding its summary, what it
    answers, and its quote with source (and the disagreement box where the row has one)."""
    out = []
    for r in loaders.derive(ds, stx.all_statements).iloc[first:last].to_dict("records"):
        lead = md(r["summary"]) + (f"\n\n:small[:gray[{md(r['replying_to'])}]]" if r["replying_to"] else "")
        out.append(ui.disclosure(f"{r['mark']} — {r['speaker']}, {r['when']} · {r['stance']}",
                                 "\n\n".join([lead, *ui.evidence_parts(ds, [(r, None)])])))
    return "\n\n".join(out)


def _statements(ds) -> None:
    n = len(loaders.derive(ds, stx.all_statements))
    st.markdown(loaders.derive(ds, _sanctions_statements_head))
    if not n:
        ui.empty("The documents quote no statement or call to act.")
        return
    span = ui.paged(range(n), "sanctions_statements", per_page=10, noun="statements")
    ui.blocks([loaders.derive(ds, _sanctions_statements_page, span.start, span.stop)])

if __name__ == "__main__":
    render()
