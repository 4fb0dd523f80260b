"""Money and debt page: loans, deals and offers by country and status, Dushanbe's two lenders, and debt shares."""

from __future__ import annotations

import streamlit as st

from dashboard import editorial, loaders, query, ui
from dashboard.safe import md
from dashboard.transforms import money
from dashboard.views import money as views
from dashboard.views.money import STATUS_KEYS

STATUS_NAMES = {v: k for k, v in STATUS_KEYS.items()}
STATUS_SHORT = {"all": "All", "funded": "Funded or committed", "declined": "Offer declined",
                "not-met": "Request not met"}
CHART_KEY, TABLE_KEY = "money_chart", "money_table"
PER_PAGE = 20  # bars in the loans chart per page of a long list (the real data has 11: no pager)
SECTION_PAGE = 10  # records or disagreements per page in sections 4 and 5


def _no_conflict(row) -> dict:
    """The row for ui.evidence without its disagreement box, when the disagreement is already shown once above.
    Missing values become None (a NaN caveat would otherwise print as 'nan')."""
    return {**{k: (None if _missing(v) else v) for k, v in dict(row).items()}, "conflict_id": None}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _sync_record_from_clicks(ids) -> None:
    # A bar click or a table row selection arrives in session state before the page runs: move it into the
    # bound "record" box, so the URL and the quote panel follow it. ids: the filtered records (a set or dict).
    picked = ui.selected_customdata(st.session_state.get(CHART_KEY))
    if picked and picked != st.session_state.get("_money_last_click"):
        st.session_state["_money_last_click"] = picked
        if picked[0] in ids:
            st.session_state["q_record"] = picked[0]
    state = st.session_state.get(TABLE_KEY) or {}
    selection = state.get("selection", {}) if hasattr(state, "get") else {}
    rows = list(selection.get("rows", []) if hasattr(selection, "get") else [])
    shown = st.session_state.get("_money_table_ids", [])
    if rows != st.session_state.get("_money_last_rows"):
        st.session_state["_money_last_rows"] = rows
        if rows and rows[0] < len(shown) and shown[rows[0]] in ids:
            st.session_state["q_record"] = shown[rows[0]]


def _filters(names: dict[str, str], countries: list[str]) -> tuple[str | None, str | None]:
    with ui.filters("Country, status"):
        with st.container(horizontal=True, gap="medium"):  # side by side (one element, not three columns)
            country = query.bound("country", st.selectbox, ["all", *countries], "all", "Country",
                                  fmt=lambda k: "All countries" if k == "all" else names.get(k, k), width=220)
            status = query.bound("status", st.radio, ["all", *STATUS_KEYS], "all", "Status", fmt=STATUS_SHORT.get,
                                 horizontal=True, width="stretch")
    return (None if country == "all" else country), STATUS_KEYS.get(status)


# ---- derived once per dataset (and filter): the page itself only slices and looks up

def _rows(ds, country, group):
    """The filtered financing rows, cut from the full rows computed once (a new filter costs one boolean mask)."""
    return money.filter_financing(loaders.derive(ds, money.financing_rows), country, group)


def _positions(ds, country, group) -> dict[str, int]:
    """financing_id -> row position in the filtered rows (membership and lookup without scanning)."""
    return {fid: k for k, fid in enumerate(loaders.derive(ds, _rows, country, group)["financing_id"])}


def _labels(ds, country, group) -> dict[str, str]:
    r = loaders.derive(ds, _rows, country, group)
    return {fid: f"{c}: {lender}, {kind}, {amount}" for fid, c, lender, kind, amount in
            zip(r["financing_id"], r["country"], r["lender"], r["kind"], r["amount_text"], strict=True)}


def _dushanbe_records(ds) -> dict:
    """The financing rows in Dushanbe's split, as plain dicts ready for ui.evidence (no disagreement box), and the
    project's own deployment row."""
    split = loaders.derive(ds, money.dushanbe_split)
    fin = loaders.derive(ds, money.financing_rows)
    fin = fin[fin["financing_id"].isin(set(split["financing_id"]))]
    out = {r["financing_id"]: _no_conflict(r) for r in fin.to_dict("records")}
    dep = ds["deployments"]
    dep = dep[dep["deployment_id"] == editorial.DUSHANBE]
    return {"rows": out, "deployment": _no_conflict(dep.iloc[0]) if len(dep) else None}


def _conflict_ids(ds) -> set:
    return set(loaders.derive(ds, money.money_conflicts)["conflict_id"])


def _debt_cards(ds) -> dict:
    """The debt cards: (country, figure, row for its quote, creditor) for each state with a figure, and one line
    naming those without."""
    rows = {r["country_iso3"]: r for r in views.debt_rows(ds).to_dict("records")}
    debt = loaders.derive(ds, money.debt_shares)
    has = debt[debt["share_pct"].notna()]
    return {"metrics": [(c, label, rows[iso3], creditor) for c, label, iso3, creditor in
                        zip(has["country"], has["label"], has["iso3"], has["creditor"], strict=True)],
            "none": "\n\n".join(f"**{md(name)}:** no figure in the documents"
                                  for name in debt.loc[debt["share_pct"].isna(), "country"])}


def _record_card(ds, country, group, record) -> str:
    """The chosen record's quote in a box."""
    rows = loaders.derive(ds, _rows, country, group)
    r = rows.iloc[loaders.derive(ds, _positions, country, group)[record]].to_dict()
    return ui.card("\n\n".join(ui.evidence_parts(ds, [(r, f"{r['country']}: {r['kind']} from {r['lender']} — "
                                                         f"{r['amount_text']} — {r['status']}")])))


def _dushanbe_parts(ds) -> str:
    """The disagreement over Dushanbe's lender, each source's account of the split in a box beside the other's, and
    where the project total comes from (collapsed): one Markdown element."""
    split = loaders.derive(ds, money.dushanbe_split)
    recs = loaders.derive(ds, _dushanbe_records)
    parts = []
    if editorial.DUSHANBE_LENDER_CONFLICT in loaders.derive(ds, _conflict_ids):
        parts.append(ui.disagreement_text(ds, editorial.DUSHANBE_LENDER_CONFLICT))
    sides = []
    for side, seg in split.groupby("side", sort=False):  # each side's rows carry no disagreement box
        body = [f"### {md(side)}"]
        for fid in seg["financing_id"]:
            if fid:
                r = recs["rows"][fid]
                body.append(ui.evidence_text(ds, r, heading=f"{r['lender']}: {r['amount_text']} ({r['kind']})"))
            else:
                body.append("**Rest of the project:** this source does not break it down.")
        sides.append(ui.card("\n\n".join(body)))
    parts.append(ui.grid(sides))
    dep = recs["deployment"]
    if dep is not None:
        parts.append(ui.disclosure(f"Where the project total ({money.money(dep['cost_usd'])}) comes from",
                                   "\n\n".join(ui.evidence_parts(ds, [(dep, None)]))))
    return "\n\n".join(parts)


def _declined_cards(ds, country, first: int, last: int) -> str:
    """One page of declined offers and unmet requests, each in a box with its quote."""
    cards = []
    for r in loaders.derive(ds, _declined_records, country)[first:last]:
        what = "Offer declined" if r["status_group"] == "declined offer" else "Request not met"
        heading = f"{what}: {r['lender']}, {r['amount_text']} — {r['purpose']} ({r['country']})"
        cards.append(ui.card("\n\n".join(ui.evidence_parts(ds, [(r, heading)]))))
    return "\n\n".join(cards)


def _conflict_cards(ds, country, first: int, last: int) -> str:
    """One page of section 5's disagreements: each in a box, its summary as the warning, its sides side by side
    (a box each: a grid cell holds one element)."""
    cards = []
    for topic, summary, sides in loaders.derive(ds, _conflict_groups, country)[first:last]:
        cards.append(ui.card("\n\n".join([
            f"### {md(topic)}", ui.warning(md(summary)),
            ui.grid([ui.card("\n\n".join(ui.evidence_parts(ds, [(r, r["claim"])]))) for r in sides])])))
    return "\n\n".join(cards)


def _declined_records(ds, country) -> list[dict]:
    """money.declined_and_unmet, cut from the once-computed rows."""
    rows = loaders.derive(ds, _rows, country, None)
    return rows[rows["status_group"] != "funded or committed"].to_dict("records")


def _conflict_groups(ds, country) -> list[tuple[str, str, list[dict]]]:
    """The disagreements of section 5 (all but Dushanbe's lender, shown in section 2): (topic, summary, sides)."""
    c = money.filter_conflicts(loaders.derive(ds, money.money_conflicts), country)
    groups: dict[str, tuple[str, str, list[dict]]] = {}  # in order of first appearance, like groupby(sort=False)
    for r in c[c["conflict_id"] != editorial.DUSHANBE_LENDER_CONFLICT].to_dict("records"):
        groups.setdefault(r["conflict_id"], (r["topic"], r["summary"], []))[2].append(_no_conflict(r))
    return list(groups.values())


# ---- sections

def _loans(ds, names, country, group) -> None:
    ui.section("1. Loans, deals and offers", "header")
    rows = loaders.derive(ds, _rows, country, group)
    pos = loaders.derive(ds, _positions, country, group)
    _sync_record_from_clicks(pos)
    # A long list is drawn one page of bars at a time (the table below keeps every record); at 1x nothing changes.
    span = ui.paged(range(len(rows)), "money_loans", per_page=PER_PAGE, noun="records", url_key="page")
    shown = None if len(span) == len(rows) else (span.start, span.stop)
    view = loaders.derive(ds, views.financing, present=ui.presenting(), country=country,
                          status=STATUS_NAMES.get(group), shown=shown)
    ui.chart(view, CHART_KEY, selectable=True, summary=rows.empty)
    if rows.empty:
        ui.empty("Nothing matches these filters. Choose 'All countries' or 'All' statuses to widen the view.")
        return
    ui.blocks([ui.summary_text(view),
               ":small[:gray[Each bar is one record. Where two sources describe the same loan differently, both "
               "records are drawn, so amounts here must not be added up. Click a bar or a table row for its quote."
               + (" The chart shows one page of records (pager above); the table lists them all." if shown else "")
               + "]]"])
    st.dataframe(ui.arrow(loaders.derive(ds, views.loans_table, country=country, status=STATUS_NAMES.get(group)).table),
                 key=TABLE_KEY, on_select="rerun",
                 selection_mode="single-row", hide_index=True, width="stretch")
    ids = loaders.derive(ds, _ids, country, group)
    st.session_state["_money_table_ids"] = ids[1:]
    labels = loaders.derive(ds, _labels, country, group)
    record = query.bound("record", st.selectbox, ids, "", "Show the quote for",
                         fmt=lambda k: labels.get(k, "— click a bar or a row, or choose a record —"))
    if record:
        ui.blocks([loaders.derive(ds, _record_card, country, group, record)])


def _ids(ds, country, group) -> list[str]:
    return ["", *loaders.derive(ds, _rows, country, group)["financing_id"]]


def _dushanbe(ds, names, country) -> None:
    st.header("2. Dushanbe's Safe City: one loan, two lenders")
    if country not in (None, "TJK"):
        st.caption(f"This section is about Tajikistan; the country filter is set to {md(names.get(country))}.")
        return
    view = loaders.derive(ds, views.dushanbe, present=ui.presenting())
    ui.chart(view, "money_dushanbe", summary=False)
    ui.blocks([ui.summary_text(view), loaders.derive(ds, _dushanbe_parts)])


def _debt(ds) -> None:
    st.header("3. Public debt owed to Chinese banks")
    cards = loaders.derive(ds, _debt_cards)
    view = loaders.derive(ds, views.debt, present=ui.presenting())
    ui.chart(view, "money_debt", summary=False)
    st.markdown(f"{ui.summary_text(view)}\n\n:small[:gray[All five Central Asian states are shown whatever the "
                "country filter. A blank is not a zero: the documents simply give no figure.]]")
    cols = st.columns(len(cards["metrics"]) + 1)
    for col, (country, label, row, creditor) in zip(cols, cards["metrics"], strict=False):
        with col:
            ui.metric(ds, country, label, row, note=f"of public debt, owed to {creditor}")
    with cols[-1]:
        ui.blocks([ui.card(cards["none"])])


def _declined(ds, country) -> None:
    st.header("4. Offers declined and requests not met")
    rows = loaders.derive(ds, _declined_records, country)
    if not rows:
        ui.empty("No declined offer or unmet request in the documents for this country.")
        return
    span = ui.paged(range(len(rows)), "money_declined", per_page=SECTION_PAGE, noun="records")
    ui.blocks([loaders.derive(ds, _declined_cards, country, span.start, span.stop)])


def _conflicts(ds, country) -> None:
    st.header("5. Other disagreements about who financed or provided")
    groups = loaders.derive(ds, _conflict_groups, country)
    if not groups:
        ui.empty("No other disagreement about the money for this country.")
        return
    span = ui.paged(range(len(groups)), "money_conflicts", per_page=SECTION_PAGE, noun="disagreements")
    ui.blocks([loaders.derive(ds, _conflict_cards, country, span.start, span.stop)])


def render() -> None:
    ds = loaders.dataset()
    ui.header("Money and debt",
              "Who paid for Central Asia's Chinese surveillance systems, what was offered and turned down, and how "
              "much public debt is owed to Chinese banks. **Where sources disagree, both accounts are shown side "
              "by side.** Click a bar or a row for its quote.")
    names = loaders.derive(ds, money.country_names)
    country, group = _filters(names, loaders.derive(ds, money.money_countries))
    _loans(ds, names, country, group)
    _dushanbe(ds, names, country)
    _debt(ds)
    _declined(ds, country)
    _conflicts(ds, country)


if __name__ == "__main__":
    render()
