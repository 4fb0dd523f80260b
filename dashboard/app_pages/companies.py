"""Companies page: is a vendor on a US list, since when, and what did it build, lend or claim in Central Asia."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import fmt, loaders, nav, query, ui
from dashboard.safe import md
from dashboard.transforms import companies
from dashboard.transforms import statements as stx
from dashboard.transforms.links import date_kinds
from dashboard.views import companies as views

TABLE_KEY = "ca_vendor_table"


# Page scripts run as __main__ and loaders.derive keys on module + name: helpers it caches carry the page's name, so
# they never share a cache entry with another page's helper of the same name.
def _companies_of(ds, name: str, *args):
    """companies.<name>(ds, *args) with the per-dataset entity index (wrap in loaders.derive: cached per args)."""
    return getattr(companies, name)(ds, *args, index=loaders.derive(ds, companies.entity_index))


def _companies_names(ds) -> dict[str, str]:
    """{entity_id: name} in select-box order (by name)."""
    choices = loaders.derive(ds, companies.entity_choices)
    return dict(zip(choices["entity_id"], choices["name"], strict=True))


def _companies_labels(ds) -> dict[str, str]:
    """Select-box labels: the name; a name several entities share gets its id, so each option is distinct."""
    names = loaders.derive(ds, _companies_names)
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    return {k: f"{n} ({k})" if counts[n] > 1 else n for k, n in names.items()}


def _companies_action_pos(ds) -> dict[str, int]:
    return {a: i for i, a in enumerate(ds["actions"]["action_id"])}


def _sync_entity(names: dict, table: pd.DataFrame) -> None:
    """Before the select box is drawn: follow a link to this page with a new ?entity=, or a click in the table."""
    raw = st.query_params.get("entity")
    if raw in names and raw != st.session_state.get("_companies_url") and "q_entity" in st.session_state:
        st.session_state["q_entity"] = raw  # a profile link on this same page (e.g. to the parent company)
        st.query_params["entity"] = raw  # a same-page link leaves the address bar without it; write it back
    try:
        rows = list(st.session_state[TABLE_KEY]["selection"]["rows"])
    except (KeyError, TypeError):
        rows = []
    pick = table.iloc[rows[0]]["entity_id"] if rows and rows[0] < len(table) else None
    if pick and pick != st.session_state.get("_companies_pick"):
        st.session_state["q_entity"] = pick
    st.session_state["_companies_pick"] = pick


def render() -> None:
    ds = loaders.dataset()
    ui.header("Companies",
              "One profile per company, lender or agency in the documents: whether the US or UK has acted against "
              "it and when, and what it built, offered or lent in Central Asia. **Every figure opens its quote.**")
    table = loaders.derive(ds, _companies_of, "ca_vendor_table")
    names = loaders.derive(ds, _companies_names)
    labels = loaders.derive(ds, _companies_labels)
    _sync_entity(names, table)

    st.subheader("1. Vendors working in Central Asia and their US listings")
    _vendor_table(ds, table)

    st.subheader("2. Profile")
    entity = query.bound("entity", st.selectbox, loaders.derive(ds, _companies_options), companies.DEFAULT_ENTITY,
                         "Company, lender or agency", fmt=labels.get)
    st.session_state["_companies_url"] = st.query_params.get("entity")
    _summary(ds, entity)
    _profile(ds, entity)

    st.subheader(f"3. US and UK actions naming {names[entity]}")
    _actions(ds, entity, names[entity])
    st.subheader(f"4. {names[entity]} in Central Asia")
    _deployments(ds, entity, names[entity])
    st.subheader(f"5. Money lent, offered or paid by {names[entity]}")
    _financing(ds, entity, names[entity])
    st.subheader(f"6. Figures about {names[entity]}")
    _indicators(ds, entity, names[entity])
    st.subheader(f"7. {names[entity]} outside Central Asia, and what is said for and against it")
    _outside(ds, entity, names[entity])


def _companies_options(ds) -> list[str]:
    return list(loaders.derive(ds, _companies_names))


def _vendor_table(ds, table: pd.DataFrame) -> None:
    if table.empty:
        ui.empty("No vendor is documented in Central Asia.")
        return
    shown = loaders.derive(ds, views.vendors).table
    st.caption("Select a row to see the quotes behind its listing date and open the vendor's profile below.")
    event = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=TABLE_KEY,
                         column_config={
                             "Vendor": st.column_config.TextColumn(width=95),
                             "Central Asian countries": st.column_config.TextColumn(width=190),
                             "US-listed since": st.column_config.TextColumn(
                                 width=125, help="First US listing in force that names the vendor (Entity List, "
                                 "NDAA section 889, FAR rule or executive order)"),
                             "Date is": st.column_config.TextColumn(width=75),
                             "First US action": st.column_config.TextColumn(width="large"),
                             "Records": st.column_config.NumberColumn(
                                 width="small",
                                 help="Deployment records in the documents (a disputed claim counts on each side)"),
                         })
    rows = event.selection.rows if event and event.selection else []
    if not rows:
        return
    if rows[0] >= len(table):
        return
    r = table.iloc[rows[0]].to_dict()
    with st.container(border=True):
        if r["first_action_id"]:
            st.markdown(f"**{md(r['vendor'])}: first named by a US listing on {fmt.date(r['listed_since'])} "
                        f"({md(r['date_kind'])})**")
            evidence = loaders.derive(ds, _companies_of, "listing_evidence", r["entity_id"], r["first_action_id"],
                                      r["date_kind"])
            for row in evidence:
                ui.evidence(ds, row)
        else:
            st.markdown(f"**{md(r['vendor'])}** is not named by any US listing in these documents; its Central Asian "
                        "records and their quotes are in the profile below.")


def _summary(ds, entity: str) -> None:
    s = loaders.derive(ds, _companies_of, "vendor_summary", entity)
    st.info(f"**{md(s['question'])}**  \n{md(s['answer'])}", icon=":material/help:")


def _profile(ds, entity: str) -> None:
    p = loaders.derive(ds, _companies_of, "entity_profile", entity)
    with st.container(border=True):
        st.markdown(f"### {md(p['name'])}")
        facts = [f"**Kind:** {md(p['kind'])}", f"**Country:** {md(p['country'] or 'not given')}"]
        if p["aliases"]:
            facts.append(f"**Also written:** {md('; '.join(p['aliases']))}")
        if p["party_count"] is not None:
            facts.append(f"**Stands for:** {p['party_count']:,} parties")
        st.markdown(" · ".join(facts))
        if p["parent_id"]:
            nav.link("companies", f"Parent or controlling entity: {p['parent_name']}", entity=p["parent_id"])
        for child_id, child_name in ui.paged(p["children"], f"companies_children_{entity}", noun="entities"):
            nav.link("companies", f"Part of or controlled by {p['name']}: {child_name}", entity=child_id)
        st.markdown(md(p["row"]["description"]))
        with st.expander("Quote behind this description"):
            ui.evidence(ds, p["row"])


def _date_line(dates: pd.DataFrame, kinds) -> str:
    """Announced and effective always (or 'not given'), then any other dated step; partial dates as written."""
    shown = {}
    for d in dates.to_dict("records"):
        text = fmt.date(d["date"]) if fmt.given(d["date"]) else f"“{d['date_as_written']}”"
        shown.setdefault(d["date_kind"], text)
    kinds = ["announced", "effective"] + [k for k in kinds if k not in ("announced", "effective")]
    parts = [f"**{k.capitalize()}:** {md(shown.get(k, 'not given'))}" for k in kinds
             if k in shown or k in ("announced", "effective")]
    return " · ".join(parts)


def _actions(ds, entity: str, name: str) -> None:
    acts = loaders.derive(ds, _companies_of, "entity_actions", entity)
    if acts.empty:
        ui.empty(f"No US or UK action in these documents names {name}.")
        return
    pos = loaders.derive(ds, _companies_action_pos)
    for a in ui.paged(acts, f"companies_actions_{entity}", noun="actions").to_dict("records"):
        with st.container(border=True):
            st.markdown(f"**{md(a['title'])}**")
            bits = [a["jurisdiction"], a["instrument"], a["status"]] + ([a["citation"]] if a["citation"] else [])
            st.caption(md(" · ".join(bits)))
            dates = loaders.derive(ds, _companies_of, "action_date_rows", a["action_id"])
            st.markdown(_date_line(dates, date_kinds(ds)))
            with st.expander("Quotes: that it names this party, the action, and each date"):
                ui.evidence(ds, a, heading=f"The action names {name}")
                ui.evidence(ds, ds["actions"].iloc[pos[a["action_id"]]].to_dict(), heading="The action")
                for d in dates.to_dict("records"):
                    when = fmt.date(d["date"]) if fmt.given(d["date"]) else d["date_as_written"]
                    ui.evidence(ds, d, heading=f"{d['date_kind'].capitalize()}: {when}")


def _deployments(ds, entity: str, name: str) -> None:
    dep = loaders.derive(ds, _companies_of, "entity_deployments", entity)
    if dep.empty:
        ui.empty(f"No deployment by {name} in Central Asia is documented.")
        return
    for r in ui.paged(dep, f"companies_deployments_{entity}", noun="records").to_dict("records"):
        with st.container(border=True):
            st.markdown(f"**{md(r['system_type'].capitalize())} in {md(r['place'])}, {md(r['country'])} — "
                        f"{md(r['status'])}**" + (" · national system" if r["scope"] == "national" else ""))
            st.markdown(md(r["description"]))
            st.markdown(f"Figures: {md(companies.deployment_figures(r))} · "
                        f"When: {md(fmt.year_month(r['year'], r['month']))}")
            nav.link("map", f"See {r['place']} on the map", city=r["place_id"])
            with st.expander("Quote"):
                ui.evidence(ds, r)


def _financing(ds, entity: str, name: str) -> None:
    fin = loaders.derive(ds, _companies_of, "entity_financing", entity)
    if fin.empty:
        ui.empty(f"No loan, deal, offer or grant by {name} is documented.")
        return
    for f in ui.paged(fin, f"companies_financing_{entity}", noun="records").to_dict("records"):
        with st.container(border=True):
            st.markdown(f"**{md(f['kind'].capitalize())}: {md(fmt.money(f['amount_usd']))} — {md(f['status'])}**")
            st.markdown(f"To {md(f['borrower'])} ({md(f['country'] or f['country_iso3'])}), "
                        f"{md(fmt.year_month(f['year'], f['month']))}, for {md(f['purpose'])}. "
                        f"Lender as the source writes it: “{md(f['lender_as_written'] or 'not named')}”.")
            with st.expander("Quote"):
                ui.evidence(ds, f)


def _indicators(ds, entity: str, name: str) -> None:
    ind = loaders.derive(ds, _companies_of, "entity_indicators", entity)
    if ind.empty:
        ui.empty(f"The documents give no national or market figure about {name}.")
        return
    for i in ui.paged(ind, f"companies_indicators_{entity}", noun="figures").to_dict("records"):
        year = f" ({int(i['year'])})" if fmt.given(i["year"]) and i["unit"] != "year" else ""
        with st.expander(f"{md(i['name'])}: **{md(companies.indicator_value(i))}**{year}"):
            if i["measured_by"]:
                st.caption(f"Measured by: {md(i['measured_by'])}")
            ui.evidence(ds, i)


# ---- Section 7 (issue 11): footprint outside Central Asia; statements for and against. Logic: transforms/statements.
def _companies_stx(ds, name: str, *args):
    """statements.<name>(ds, *args) (wrap in loaders.derive: cached per dataset and args)."""
    return getattr(stx, name)(ds, *args)


def _outside(ds, entity: str, name: str) -> None:
    inst = loaders.derive(ds, _companies_stx, "entity_installations", entity)
    st.markdown("#### Footprint outside Central Asia")
    if inst.empty:
        ui.empty(f"The documents place no installation of {name} outside Central Asia.")
    else:
        st.markdown(f"**{md(stx.footprint_line(inst))}**")
        for r in ui.paged(inst, f"companies_installations_{entity}", noun="records").to_dict("records"):
            where = r["country"] + (f", {r['place']}" if fmt.given(r["place"]) else "")
            with st.expander(f"{md(where)} — {md(r['system'])} ({md(r['status'])})"):
                lead = md(r["description"]) + (f"\n\n:small[:gray[Reported by: {md(r['reported_by'])}]]"
                                               if fmt.given(r["reported_by"]) else "")
                ui.evidence_blocks(ds, [(r, None)], lead=lead)
    st.markdown("#### Statements for and against")
    rows = loaders.derive(ds, _companies_stx, "entity_statements", entity)
    if rows.empty:
        ui.empty(f"The documents quote no statement about {name}.")
        return
    counts = stx.stance_counts(rows)
    st.caption("Statements, letters, reports and calls to act about it, by it, or about an action naming it. "
               f"None of them binds anyone. {md('; '.join(f'{k}: {n:,}' for k, n in counts.items()))}.")
    for stance in counts:
        grp = rows[rows["stance"] == stance]
        st.markdown(f"**{md(stx.STANCE_LABELS[stance])}**")
        for r in ui.paged(grp, f"companies_statements_{entity}_{stance}", noun="statements").to_dict("records"):
            with st.expander(f"{md(r['mark'])}: {md(r['speaker'])} — {md(r['when'])} ({md(r['via'])})"):
                lead = md(r["summary"]) + (f"\n\n:small[:gray[{md(r['replying_to'])}]]" if r["replying_to"] else "")
                ui.evidence_blocks(ds, [(r, None)], lead=lead)


if __name__ == "__main__":
    render()
