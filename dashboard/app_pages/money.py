"""Money and debt page: loans, deals and offers by country and status, Dushanbe's two lenders, and debt shares."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders, query, ui
from dashboard.charts.money import make_debt_figure, make_dushanbe_figure, make_financing_figure
from dashboard.safe import md
from dashboard.transforms import money

STATUS_KEYS = {"funded": "funded or committed", "declined": "declined offer", "not-met": "request not met"}
STATUS_SHORT = {"all": "All", "funded": "Funded or committed", "declined": "Offer declined",
                "not-met": "Request not met"}
CHART_KEY, TABLE_KEY = "money_chart", "money_table"


def _no_conflict(row) -> dict:
    """The row for ui.evidence without its disagreement box, when the disagreement is already shown once above.
    Missing values become None (a NaN caveat would otherwise print as 'nan')."""
    return {**{k: (None if _missing(v) else v) for k, v in dict(row).items()}, "conflict_id": None}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _sync_record_from_clicks(ids: list[str]) -> None:
    # A bar click or a table row selection arrives in session state before the page runs: move it into the
    # bound "record" box, so the URL and the quote panel follow it.
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
    c1, c2 = st.columns([2, 5])
    with c1:
        country = query.bound("country", st.selectbox, ["all", *countries], "all", "Country",
                              fmt=lambda k: "All countries" if k == "all" else names.get(k, k))
    with c2:
        status = query.bound("status", st.radio, ["all", *STATUS_KEYS], "all", "Status", fmt=STATUS_SHORT.get,
                             horizontal=True)
    return (None if country == "all" else country), STATUS_KEYS.get(status)


def _scope(names: dict[str, str], country: str | None, group: str | None) -> str:
    where = names.get(country, country) if country else "all countries"
    what = {None: "all statuses", "funded or committed": "funded or committed", "declined offer": "offers declined",
            "request not met": "requests not met"}[group]
    return f"{where}, {what}"


def _financing_figure(ds, country, group, scope: str, present: bool):
    rows = money.financing_rows(ds, country=country, group=group)
    return make_financing_figure(rows, scope=scope, present=present, as_of=ui.as_of(ds),
                                 source=money.sources_text(ds, rows["source_id"]) or "see Sources")


def _dushanbe_figure(ds, present: bool):
    split = money.dushanbe_split(ds)
    return make_dushanbe_figure(split, source=money.sources_text(ds, split["source_id"]), as_of=ui.as_of(ds),
                                present=present)


def _debt_figure(ds, caveat: str, present: bool):
    return make_debt_figure(money.debt_shares(ds), caveat, source=money.sources_text(ds, ds["debt"]["source_id"]),
                            as_of=ui.as_of(ds), present=present)


def _loans(ds, names, country, group) -> None:
    st.header("1. Loans, deals and offers")
    rows = loaders.derive(ds, money.financing_rows, country=country, group=group)
    ids = list(rows["financing_id"])
    _sync_record_from_clicks(ids)
    fig = loaders.derive(ds, _financing_figure, country, group, _scope(names, country, group), ui.presenting())
    ui.chart(fig, CHART_KEY, selectable=True)
    if rows.empty:
        ui.empty("Nothing matches these filters. Choose 'All countries' or 'All' statuses to widen the view.")
        return
    st.caption("Each bar is one record. Where two sources describe the same loan differently, both records are "
               "drawn, so amounts here must not be added up. Click a bar or a table row for its quote.")
    st.dataframe(money.financing_table(rows), key=TABLE_KEY, on_select="rerun", selection_mode="single-row",
                 hide_index=True, width="stretch")
    st.session_state["_money_table_ids"] = ids
    labels = {r.financing_id: f"{r.country}: {r.lender}, {r.kind}, {r.amount_text}" for r in rows.itertuples()}
    record = query.bound("record", st.selectbox, ["", *ids], "", "Show the quote for",
                         fmt=lambda k: labels.get(k, "— click a bar or a row, or choose a record —"))
    if record:
        r = rows.set_index("financing_id").loc[record]
        with st.container(border=True):
            ui.evidence(ds, r, heading=f"{r['country']}: {r['kind']} from {r['lender']} — {r['amount_text']} "
                                       f"— {r['status']}")


def _dushanbe(ds, names, country) -> None:
    st.header("2. Dushanbe's Safe City: one loan, two lenders")
    if country not in (None, "TJK"):
        st.caption(f"This section is about Tajikistan; the country filter is set to {md(names.get(country))}.")
        return
    split = loaders.derive(ds, money.dushanbe_split)
    ui.chart(loaders.derive(ds, _dushanbe_figure, ui.presenting()), "money_dushanbe")
    conflicts = loaders.derive(ds, money.money_conflicts)
    d = conflicts[conflicts["conflict_id"] == "dushanbe-lender"]
    if len(d):
        st.warning(f"Sources disagree: {md(d['topic'].iloc[0])}. {md(d['summary'].iloc[0])}", icon="⚠️")
    fin = loaders.derive(ds, money.financing_rows).set_index("financing_id")
    cols = st.columns(max(1, split["side"].nunique()))
    for col, (side, seg) in zip(cols, split.groupby("side", sort=False), strict=False):
        with col, st.container(border=True):
            st.markdown(f"#### {md(side)}")
            for fid in seg["financing_id"]:
                if fid:
                    r = fin.loc[fid]
                    ui.evidence(ds, _no_conflict(r), heading=f"{r['lender']}: {r['amount_text']} ({r['kind']})")
                else:
                    st.markdown("**Rest of the project:** this source does not break it down.")
    dep = ds["deployments"].set_index("deployment_id").loc[money.DUSHANBE]
    with st.expander(f"Where the project total ({money.money(dep['cost_usd'])}) comes from"):
        ui.evidence(ds, _no_conflict(dep))


def _debt(ds) -> None:
    st.header("3. Public debt owed to Chinese banks")
    debt = loaders.derive(ds, money.debt_shares)
    rows = ds["debt"].set_index("country_iso3")
    caveat = "; ".join(dict.fromkeys(rows["caveat"].dropna()))
    ui.chart(loaders.derive(ds, _debt_figure, caveat, ui.presenting()), "money_debt")
    has = debt[debt["share_pct"].notna()]
    cols = st.columns(len(has) + 1)
    for col, r in zip(cols, has.itertuples(), strict=False):
        with col, st.container(border=True):
            ui.metric(ds, r.country, r.label, rows.loc[r.iso3], note=f"of public debt, owed to {r.creditor}")
    with cols[-1], st.container(border=True):
        for name in debt.loc[debt["share_pct"].isna(), "country"]:
            st.markdown(f"**{md(name)}:** no figure in the documents")
    st.caption("All five Central Asian states are shown whatever the country filter. A blank is not a zero: the "
               "documents simply give no figure.")


def _declined(ds, country) -> None:
    st.header("4. Offers declined and requests not met")
    rows = loaders.derive(ds, money.declined_and_unmet, country)
    if rows.empty:
        ui.empty("No declined offer or unmet request in the documents for this country.")
        return
    for _, r in rows.iterrows():
        with st.container(border=True):
            what = "Offer declined" if r["status_group"] == "declined offer" else "Request not met"
            ui.evidence(ds, r, heading=f"{what}: {r['lender']}, {r['amount_text']} — {r['purpose']} "
                                       f"({r['country']})")


def _conflicts(ds, country) -> None:
    st.header("5. Other disagreements about who financed or provided")
    c = loaders.derive(ds, money.money_conflicts, country)
    c = c[c["conflict_id"] != "dushanbe-lender"]
    if c.empty:
        ui.empty("No other disagreement about the money for this country.")
        return
    for _, grp in c.groupby("conflict_id", sort=False):
        with st.container(border=True):
            st.markdown(f"#### {md(grp['topic'].iloc[0])}")
            st.warning(f"{md(grp['summary'].iloc[0])}", icon="⚠️")
            cols = st.columns(len(grp))
            for col, (_, r) in zip(cols, grp.iterrows(), strict=True):
                with col:
                    ui.evidence(ds, _no_conflict(r), heading=r["claim"])


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
