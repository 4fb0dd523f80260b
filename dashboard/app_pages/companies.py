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

    st.header("1. Vendors working in Central Asia and their US listings")
    _vendor_table(ds, table)

    st.header("2. Profile")
    entity = query.bound("entity", st.selectbox, loaders.derive(ds, _companies_options), companies.DEFAULT_ENTITY,
                         "Company, lender or agency", fmt=labels.get)
    st.session_state["_companies_url"] = st.query_params.get("entity")
    _summary(ds, entity)
    _profile(ds, entity)

    # Sections 3-7 go out as one element (headings, boxes, quote groups), split only where a widget (a map link, a
    # notice, a pager) must stand between two parts: each element is a message per run.
    name, parts = names[entity], []
    parts.append(f"## 3. US and UK actions naming {md(name)}")
    _actions(ds, entity, name, parts)
    parts.append(f"## 4. {md(name)} in Central Asia")
    _deployments(ds, entity, name, parts)
    parts.append(f"## 5. Money lent, offered or paid by {md(name)}")
    _financing(ds, entity, name, parts)
    parts.append(f"## 6. Figures about {md(name)}")
    _indicators(ds, entity, name, parts)
    parts.append(f"## 7. {md(name)} outside Central Asia, and what is said for and against it")
    _outside(ds, entity, name, parts)
    _flush(parts)


def _flush(parts: list[str]) -> None:
    """Draw the parts gathered so far as one element, before a widget that must follow them."""
    if parts:
        ui.blocks(parts)
        parts.clear()


def _empty(parts: list[str], message: str) -> None:
    _flush(parts)
    ui.empty(message)


def _companies_options(ds) -> list[str]:
    return list(loaders.derive(ds, _companies_names))


def _vendor_table(ds, table: pd.DataFrame) -> None:
    if table.empty:
        ui.empty("No vendor is documented in Central Asia.")
        return
    shown = ui.arrow(loaders.derive(ds, views.vendors).table)  # Arrow once per dataset: a rerun only sends it
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
    if rows and rows[0] < len(table):
        ui.blocks([loaders.derive(ds, _companies_listing_card, rows[0])])


def _companies_listing_card(ds, pos: int) -> str:
    """The vendor table's row at pos: when a US listing first named it, with the quotes (once per dataset and row)."""
    r = loaders.derive(ds, _companies_of, "ca_vendor_table").iloc[pos].to_dict()
    if not r["first_action_id"]:
        return ui.card(f"**{md(r['vendor'])}** is not named by any US listing in these documents; its Central Asian "
                       "records and their quotes are in the profile below.")
    evidence = loaders.derive(ds, _companies_of, "listing_evidence", r["entity_id"], r["first_action_id"],
                              r["date_kind"])
    head = f"**{md(r['vendor'])}: first named by a US listing on {fmt.date(r['listed_since'])} ({md(r['date_kind'])})**"
    return ui.card("\n\n".join([head, *ui.evidence_parts(ds, [(row, None) for row in evidence])]))


def _summary(ds, entity: str) -> None:
    s = loaders.derive(ds, _companies_of, "vendor_summary", entity)
    st.info(f"**{md(s['question'])}**  \n{md(s['answer'])}", icon=":material/help:")


def _quotes(ds, label: str, items) -> str:
    """A collapsed group holding the quotes of items ((row, heading) pairs), each with its disagreement box."""
    return ui.disclosure(label, "\n\n".join(ui.evidence_parts(ds, items)))


def _companies_profile_text(ds, entity: str) -> tuple[str, str]:
    """The profile box's Markdown above the links to related entities (name, facts) and below them (description,
    its quote), built once per dataset and entity."""
    p = loaders.derive(ds, _companies_of, "entity_profile", entity)
    facts = [f"**Kind:** {md(p['kind'])}", f"**Country:** {md(p['country'] or 'not given')}"]
    if p["aliases"]:
        facts.append(f"**Also written:** {md('; '.join(p['aliases']))}")
    if p["party_count"] is not None:
        facts.append(f"**Stands for:** {p['party_count']:,} parties")
    return (f"### {md(p['name'])}\n\n" + " · ".join(facts),
            md(p["row"]["description"]) + "\n\n" + _quotes(ds, "Quote behind this description", [(p["row"], None)]))


def _profile(ds, entity: str) -> None:
    p = loaders.derive(ds, _companies_of, "entity_profile", entity)
    head, tail = loaders.derive(ds, _companies_profile_text, entity)
    if not p["parent_id"] and not p["children"]:
        ui.blocks([ui.card(f"{head}\n\n{tail}")])
        return
    with st.container(border=True):
        st.markdown(head)
        if p["parent_id"]:
            nav.link("companies", f"Parent or controlling entity: {p['parent_name']}", entity=p["parent_id"])
        for child_id, child_name in ui.paged(p["children"], f"companies_children_{entity}", noun="entities"):
            nav.link("companies", f"Part of or controlled by {p['name']}: {child_name}", entity=child_id)
        ui.blocks([tail])


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


def _small(text: str) -> str:
    """Already-escaped text as a caption inside a Markdown block (small grey text, as st.caption draws it)."""
    return f":small[:gray[{text}]]"


def _companies_action_cards(ds, entity: str) -> list[str]:
    """One box per action naming the entity (title, instrument, dates, and its quotes collapsed), built once per
    dataset and entity: a run only slices the list."""
    acts = loaders.derive(ds, _companies_of, "entity_actions", entity)
    name = loaders.derive(ds, _companies_names)[entity]
    actions = ds["actions"]
    pos = loaders.derive(ds, _companies_action_pos)
    cards = []
    for a in acts.to_dict("records"):
        bits = [a["jurisdiction"], a["instrument"], a["status"]] + ([a["citation"]] if a["citation"] else [])
        dates = loaders.derive(ds, _companies_of, "action_date_rows", a["action_id"])
        steps = [(d, f"{d['date_kind'].capitalize()}: "
                     f"{fmt.date(d['date']) if fmt.given(d['date']) else d['date_as_written']}")
                 for d in dates.to_dict("records")]
        cards.append(ui.card("\n\n".join([
            f"**{md(a['title'])}**", _small(md(" · ".join(bits))), _date_line(dates, date_kinds(ds)),
            _quotes(ds, "Quotes: that it names this party, the action, and each date",
                    [(a, f"The action names {name}"), (actions.iloc[pos[a["action_id"]]].to_dict(), "The action"),
                     *steps])])))
    return cards


def _section(ds, builder, entity: str, parts: list[str], *, key: str, noun: str, none: str) -> list:
    """A section's items (built once per dataset and entity by builder) on the current page, or its notice when it
    has none."""
    items = loaders.derive(ds, builder, entity)
    if not items:
        _empty(parts, none)
        return []
    return _paged_after(parts, items, f"companies_{key}_{entity}", noun)


def _actions(ds, entity: str, name: str, parts: list[str]) -> None:
    parts += _section(ds, _companies_action_cards, entity, parts, key="actions", noun="actions",
                      none=f"No US or UK action in these documents names {name}.")


def _companies_deployment_cards(ds, entity: str) -> list[tuple[str, str, str]]:
    """(box, place, place id) per deployment of the entity, built once per dataset and entity."""
    dep = loaders.derive(ds, _companies_of, "entity_deployments", entity)
    out = []
    for r in dep.to_dict("records"):
        card = ui.card("\n\n".join([
            f"**{md(r['system_type'].capitalize())} in {md(r['place'])}, {md(r['country'])} — {md(r['status'])}**"
            + (" · national system" if r["scope"] == "national" else ""),
            md(r["description"]),
            f"Figures: {md(companies.deployment_figures(r))} · When: {md(fmt.year_month(r['year'], r['month']))}",
            _quotes(ds, "Quote", [(r, None)])]))
        out.append((card, r["place"], r["place_id"]))
    return out


def _deployments(ds, entity: str, name: str, parts: list[str]) -> None:
    shown = _section(ds, _companies_deployment_cards, entity, parts, key="deployments", noun="records",
                     none=f"No deployment by {name} in Central Asia is documented.")
    if not shown:
        return
    parts += [card for card, _place, _pid in shown]
    _flush(parts)
    # The map links stay real page links (same tab, the view's parameters); one per place on this page of records.
    places = dict.fromkeys((place, pid) for _card, place, pid in shown)
    with st.container(horizontal=True) if len(places) > 1 else st.container():
        for place, pid in places:
            nav.link("map", f"See {place} on the map", city=pid)


def _companies_financing_cards(ds, entity: str) -> list[str]:
    fin = loaders.derive(ds, _companies_of, "entity_financing", entity)
    return [ui.card("\n\n".join([
        f"**{md(f['kind'].capitalize())}: {md(fmt.money(f['amount_usd']))} — {md(f['status'])}**",
        f"To {md(f['borrower'])} ({md(f['country'] or f['country_iso3'])}), "
        f"{md(fmt.year_month(f['year'], f['month']))}, for {md(f['purpose'])}. "
        f"Lender as the source writes it: “{md(f['lender_as_written'] or 'not named')}”.",
        _quotes(ds, "Quote", [(f, None)])])) for f in fin.to_dict("records")]


def _financing(ds, entity: str, name: str, parts: list[str]) -> None:
    parts += _section(ds, _companies_financing_cards, entity, parts, key="financing", noun="records",
                      none=f"No loan, deal, offer or grant by {name} is documented.")


def _companies_indicator_groups(ds, entity: str) -> list[str]:
    ind = loaders.derive(ds, _companies_of, "entity_indicators", entity)
    out = []
    for i in ind.to_dict("records"):
        year = f" ({int(i['year'])})" if fmt.given(i["year"]) and i["unit"] != "year" else ""
        lead = [_small(f"Measured by: {md(i['measured_by'])}")] if i["measured_by"] else []
        out.append(ui.disclosure([f"{i['name']}: ", companies.indicator_value(i), year],
                                 "\n\n".join([*lead, *ui.evidence_parts(ds, [(i, None)])])))
    return out


def _indicators(ds, entity: str, name: str, parts: list[str]) -> None:
    parts += _section(ds, _companies_indicator_groups, entity, parts, key="indicators", noun="figures",
                      none=f"The documents give no national or market figure about {name}.")


# ---- Section 7 (issue 11): footprint outside Central Asia; statements for and against. Logic: transforms/statements.
def _companies_stx(ds, name: str, *args):
    """statements.<name>(ds, *args) (wrap in loaders.derive: cached per dataset and args)."""
    return getattr(stx, name)(ds, *args)


def _companies_outside_parts(ds, entity: str) -> dict:
    """Section 7's Markdown, built once per dataset and entity: the footprint line and a collapsed group per
    installation; the statements' caption and, per stance, its label and a collapsed group per statement."""
    inst = loaders.derive(ds, _companies_stx, "entity_installations", entity)
    places = []
    for r in inst.to_dict("records"):
        where = r["country"] + (f", {r['place']}" if fmt.given(r["place"]) else "")
        lead = md(r["description"]) + ("\n\n" + _small(f"Reported by: {md(r['reported_by'])}")
                                       if fmt.given(r["reported_by"]) else "")
        places.append(ui.disclosure(f"{where} — {r['system']} ({r['status']})",
                                    "\n\n".join([lead, *ui.evidence_parts(ds, [(r, None)])])))
    rows = loaders.derive(ds, _companies_stx, "entity_statements", entity)
    counts = stx.stance_counts(rows) if not rows.empty else {}
    stances = []
    for stance in counts:
        groups = []
        for r in rows[rows["stance"] == stance].to_dict("records"):
            lead = md(r["summary"]) + (f"\n\n{_small(md(r['replying_to']))}" if r["replying_to"] else "")
            groups.append(ui.disclosure(f"{r['mark']}: {r['speaker']} — {r['when']} ({r['via']})",
                                        "\n\n".join([lead, *ui.evidence_parts(ds, [(r, None)])])))
        stances.append((stance, f"**{md(stx.STANCE_LABELS[stance])}**", groups))
    return {"footprint": f"**{md(stx.footprint_line(inst))}**" if not inst.empty else "", "places": places,
            "caption": _small("Statements, letters, reports and calls to act about it, by it, or about an action "
                              f"naming it. None of them binds anyone. "
                              f"{md('; '.join(f'{k}: {n:,}' for k, n in counts.items()))}."),
            "stances": stances}


def _paged_after(parts: list[str], items: list, key: str, noun: str) -> list:
    """ui.paged(items), drawing the parts gathered so far first when a pager must come between them and the items."""
    if len(items) > ui.PER_PAGE:
        _flush(parts)
    return ui.paged(items, key, noun=noun)


def _outside(ds, entity: str, name: str, parts: list[str]) -> None:
    o = loaders.derive(ds, _companies_outside_parts, entity)
    parts.append("### Footprint outside Central Asia")
    if not o["places"]:
        _empty(parts, f"The documents place no installation of {name} outside Central Asia.")
    else:
        parts.append(o["footprint"])
        parts += _paged_after(parts, o["places"], f"companies_installations_{entity}", "records")
    parts.append("### Statements for and against")
    if not o["stances"]:
        _empty(parts, f"The documents quote no statement about {name}.")
        return
    parts.append(o["caption"])
    for stance, label, groups in o["stances"]:
        parts.append(label)
        parts += _paged_after(parts, groups, f"companies_statements_{entity}_{stance}", "statements")


if __name__ == "__main__":
    render()
