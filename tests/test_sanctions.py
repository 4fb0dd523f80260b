"""Sanctions page: transforms, the two figures, and the page in AppTest (filters, URL, table and chart selection)."""

import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.charts.sanctions import (
    CA_MARK,
    make_entity_list_figure,
    make_timeline_figure,
    steps_title,
    timeline_title,
)
from dashboard.transforms import sanctions as sx

# --- transforms on the real data ---


def test_every_action_is_in_the_table_once(dataset):
    a = sx.actions_table(dataset)
    assert len(a) == len(dataset["actions"]) and a["action_id"].is_unique
    # dated first, in date order; undated last
    placed = a[a["placed_on_axis"]]
    assert placed["first_date"].is_monotonic_increasing
    assert a["placed_on_axis"].tolist() == sorted(a["placed_on_axis"], reverse=True)
    assert a.iloc[0]["action_id"] == "us-ndaa-889"  # signed 2018-08-13, the earliest full date


def test_announced_and_effective_dates_are_both_kept(dataset):
    a = sx.actions_table(dataset).set_index("action_id")
    r = a.loc["us-el-xinjiang-2019"]
    assert sx.fmt_date(r["announced"]) == "2019-10-07" and sx.fmt_date(r["effective"]) == "2019-10-09"
    assert r["date_conflicts"] == ["entity-list-dates"]
    assert a.loc["us-el-xinjiang-2020", "date_conflicts"] == ["entity-list-dates"]
    assert a.loc["us-el-huawei-2019", "date_conflicts"] == []


def test_parties_named_and_stated_counts(dataset):
    a = sx.actions_table(dataset).set_index("action_id")
    assert a.loc["us-el-huawei-2019", "parties_named"] == 69  # Huawei + 68 affiliates
    assert a.loc["us-el-xinjiang-2019", "parties_named"] == 28
    assert not a.loc["us-el-xinjiang-2019", "stated_differs"]
    eo = a.loc["us-eo-14032"]
    assert eo["parties_named"] == 1 and eo["listed_count"] == 59 and eo["stated_differs"]
    assert sx.parties_text(eo) == "1 party named in the data; the source states 59"
    assert sx.parties_text(eo, short=True) == "1 party (59 stated)"
    # unnamed officials: a group with no count is said in words, never counted as 1
    assert sx.parties_text(a.loc["us-visa-xinjiang-2019"], short=True) == "a group, count not given"


def test_central_asia_vendors_are_flagged_by_name(dataset):
    a = sx.actions_table(dataset).set_index("action_id")
    assert a.loc["us-ndaa-889", "ca_vendor_names"] == ["Hikvision", "Huawei"]
    assert a.loc["uk-fac-hc198-2021", "names_ca_vendor"]
    assert not a.loc["us-el-xinjiang-2020", "names_ca_vendor"]
    assert sx.ca_vendor_summary(sx.actions_table(dataset)) == {"Hikvision": 5, "Huawei": 2}


def test_filters_narrow_the_table(dataset):
    opts = sx.filter_options(dataset)
    assert "us-department-of-commerce-bureau-of-industry-and-security" in opts["authority"]
    only_el = sx.actions_table(dataset, instruments=["Entity List rule"])
    assert set(only_el["action_id"]) == {"us-el-huawei-2019", "us-el-xinjiang-2019", "us-el-xinjiang-2020"}
    uk = sx.actions_table(dataset, authorities=["UK House of Commons Foreign Affairs Committee"])
    assert list(uk["action_id"]) == ["uk-fac-hc198-2021"]
    none = sx.actions_table(dataset, authorities=["US Congress"], instruments=["Entity List rule"])
    assert none.empty


def test_not_placed_lists_undated_actions_and_partial_dates(dataset):
    out = sx.not_placed(dataset, sx.actions_table(dataset))
    undated = " ".join(out["undated"])
    assert "Post-Tiananmen ban" in undated and len(out["undated"]) == 2
    partial = " ".join(out["partial"])
    assert "“in August (year not stated)”" in partial and "“In June (year not stated)”" in partial
    assert "“August 2020”" in partial
    # partial dates never become points
    pts = sx.date_points(dataset, sx.actions_table(dataset)["action_id"])
    assert pts["date"].notna().all() and len(pts) == dataset["action_dates"]["date"].notna().sum()


def test_entity_list_steps_are_computed_from_the_data(dataset):
    steps = sx.entity_list_steps(dataset)
    assert steps["added"].tolist() == [69, 28, 9]
    assert steps["cumulative"].tolist() == [69, 97, 106]
    assert [sx.fmt_date(d) for d in steps["effective"]] == ["2019-05-16", "2019-10-09", "2020-06-05"]


def test_entity_list_steps_do_not_count_a_party_twice():
    t = {
        "actions": pd.DataFrame({
            "action_id": ["a1", "a2"], "jurisdiction": ["US", "US"], "instrument": ["Entity List rule"] * 2,
            "status": ["in force"] * 2, "title": ["first", "second"], "listed_count": pd.array([2, 2], "Int64"),
            "conflict_id": [None, None], "authority": ["BIS"] * 2}),
        "action_dates": pd.DataFrame({
            "action_id": ["a1", "a2"], "date_kind": ["effective"] * 2,
            "date": pd.to_datetime(["2020-01-01", "2021-01-01"])}),
        "action_entities": pd.DataFrame({"action_id": ["a1", "a1", "a2", "a2"], "entity_id": ["x", "g", "x", "y"]}),
        "entities": pd.DataFrame({"entity_id": ["x", "y", "g"], "party_count": pd.array([None, None, 5], "Int64"),
                                  "name": ["X", "Y", "G"], "kind": ["company", "company", "group of listed parties"]}),
        "countries": pd.DataFrame({"iso3": ["KAZ"], "region": ["central_asia"]}),
        "deployments": pd.DataFrame({"country_iso3": ["KAZ"], "vendor_id": ["y"]}),
    }
    steps = sx.entity_list_steps(t)
    assert steps["added"].tolist() == [6, 1]  # x + a group of 5; then only y is new
    assert steps["cumulative"].tolist() == [6, 7]
    assert steps_title(steps).startswith("The 2 Entity List rules in the documents added 7 parties")


def test_conflict_sides_pair_announced_and_effective(dataset):
    sides = sx.conflict_sides(dataset, sx.actions_table(dataset)["action_id"])
    assert set(sides) == {"entity-list-dates", "ndaa-date"}
    el = sides["entity-list-dates"]
    assert sorted(el["date_kind"]) == ["announced", "announced", "effective", "effective"]
    assert sx.conflict_sides(dataset, ["us-eo-14032"]) == {}


def test_action_entities_carry_their_own_evidence(dataset):
    ents = sx.action_entities(dataset, "us-el-huawei-2019").set_index("entity_id")
    assert ents.loc["huawei-affiliates", "is_group"] and ents.loc["huawei-affiliates", "parties"] == 68
    assert ents.loc["huawei", "ca_vendor"]
    assert ents["quote"].str.len().gt(8).all() and ents["source_id"].notna().all()


# --- figures ---


def _real(trace) -> bool:
    """A drawn trace, not a legend-only placeholder."""
    return trace.x is not None and len(trace.x) > 0 and trace.x[0] is not None


def _timeline(dataset, **filters):
    a = sx.actions_table(dataset, **filters)
    return a, make_timeline_figure(a, sx.date_points(dataset, a["action_id"]), source="S", as_of="2026-11-22")


def test_timeline_has_a_row_per_dated_action_and_a_finding(dataset):
    a, fig = _timeline(dataset)
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text.startswith("<b>US curbs on Central Asia's vendors began in 2018 and widened "
                                            "through 2021")
    ticks = list(fig.layout.yaxis.ticktext)
    assert len(ticks) == int(a["placed_on_axis"].sum()) == 9
    assert sum(t.startswith(f"<b>{CA_MARK}") for t in ticks) == 6
    markers = [t for t in fig.data if t.mode == "markers" and _real(t)]
    assert sum(len(t.x) for t in markers) == len(sx.date_points(dataset, a["action_id"]))
    legend = {t.name for t in fig.data if t.showlegend is not False}
    assert {"United States", "United Kingdom", "Announced", "In force (effective)"} <= legend
    labels = " ".join(x.text for x in fig.layout.annotations)
    assert "announced 2019-10-07 → in force 2019-10-09" in labels and "⚠ sources differ" in labels
    assert "69 parties (68 stated)" in labels
    assert any("Source: S" in x.text for x in fig.layout.annotations)
    assert fig.layout.meta["alt"].startswith("Timeline of 9 dated US and UK actions")


def test_timeline_title_follows_the_filter(dataset):
    _, fig = _timeline(dataset, instruments=["Entity List rule"])
    assert "2019" in fig.layout.title.text and "widened through 2019" not in fig.layout.title.text
    a = sx.actions_table(dataset, instruments=["Visa restriction"])
    assert timeline_title(a) == "None of the 1 dated actions shown names a vendor active in Central Asia"
    uk = sx.actions_table(dataset, authorities=["UK House of Commons Foreign Affairs Committee"])
    assert timeline_title(uk) == "Only UK actions shown name a vendor active in Central Asia"


def test_uk_rows_use_their_own_colour(dataset):
    _, fig = _timeline(dataset)
    lines = [t for t in fig.data if t.mode == "lines" and _real(t)]
    assert len({t.line.color for t in lines}) == 2


def test_empty_inputs_say_so_in_words(dataset):
    a = sx.actions_table(dataset, authorities=["US Congress"], instruments=["Entity List rule"])
    fig = make_timeline_figure(a, sx.date_points(dataset, a["action_id"]), source="S", as_of="d")
    assert "No dated action matches" in fig.layout.annotations[0].text
    fig = make_entity_list_figure(sx.entity_list_steps(dataset).iloc[0:0], source="S", as_of="d")
    assert "No US Entity List rule" in fig.layout.annotations[0].text


def test_entity_list_figure_steps_up_to_the_total(dataset):
    steps = sx.entity_list_steps(dataset)
    fig = make_entity_list_figure(steps, source="S", as_of="d")
    line = fig.data[0]
    assert list(line.y) == [0, 69, 69, 97, 97, 106]
    assert fig.layout.title.text.startswith("<b>The 3 Entity List rules in the documents added 106 parties, May 2019 "
                                            "to June 2020")
    assert "+69 → 69" in " ".join(a.text for a in fig.layout.annotations)


def test_timeline_escapes_markup_in_data(dataset):
    a = sx.actions_table(dataset)
    a.loc[0, "title"] = "<script>alert(1)</script><a href='http://evil.example'>x</a>"
    fig = make_timeline_figure(a, sx.date_points(dataset, a["action_id"]), source="S", as_of="d")
    text = " ".join(fig.layout.yaxis.ticktext) + " ".join(" ".join(t.text or []) for t in fig.data
                                                          if t.mode == "markers")
    assert "<script>" not in text and "<a href" not in text and "&lt;script&gt;" in text


# --- the page, in a real Streamlit run ---


def _all_text(at) -> str:
    """Every markdown and caption on the page, with md()'s escaping undone so tests read plain words."""
    return re.sub(r"\\(.)", r"\1", " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]))


def test_page_draws_both_charts_the_table_and_the_not_placed_list(open_page):
    at = open_page("sanctions")
    assert len(at.get("plotly_chart")) == 2
    assert len(at.dataframe) == 1
    text = _all_text(at)
    assert "not placed" in text and "Post-Tiananmen" in text
    assert "6 of 11 actions shown name a vendor active in Central Asia" in text
    assert any("Pick a row" in i.value for i in at.info)


def test_instrument_filter_changes_the_view_and_the_url(open_page):
    at = open_page("sanctions")
    at.multiselect(key="q_instrument").set_value(["entity-list-rule"]).run()
    assert not at.exception
    assert at.query_params.get("instrument") in ("entity-list-rule", ["entity-list-rule"])
    assert any("Showing 3 of 11 actions" in c.value for c in at.caption)


def test_authority_list_from_url_round_trips(open_page):
    keys = "us-department-of-commerce-bureau-of-industry-and-security,us-president"
    at = open_page("sanctions", query={"authority": keys})
    assert at.multiselect(key="q_authority").value == keys.split(",")
    assert any("Showing 4 of 11 actions" in c.value for c in at.caption)
    at.multiselect(key="q_authority").set_value(["us-president"]).run()
    assert at.query_params.get("authority") in ("us-president", ["us-president"])
    at.multiselect(key="q_authority").set_value([]).run()
    assert "authority" not in at.query_params


def test_action_from_url_opens_its_dates_quotes_and_parties(open_page):
    at = open_page("sanctions", query={"action": "us-el-xinjiang-2019"})
    assert at.selectbox(key="q_action").value == "us-el-xinjiang-2019"
    text = _all_text(at)
    assert "Announced: 2019-10-07" in text and "In force (effective): 2019-10-09" in text
    assert "Parties named: 28 parties named in the data" in text
    # the disagreement over its dates, drawn as st.warning draws one
    assert re.search(r'<div class="ca-warn" role="note">\s+⚠️ Sources disagree: ', text)
    # each party a collapsible group holding the quote that names it; companies link to their profiles
    groups = re.findall(r"<summary>(.*?)</summary>(.*?)</details>", text, re.S)
    hik = next(body for label, body in groups if label.startswith("<strong>Hikvision</strong>"))
    assert "active in Central Asia" in next(label for label, _b in groups if label.startswith("<strong>Hikvision"))
    assert "Where the source names Hikvision" in hik and "> “" in hik
    links = {p.proto.label: p.proto.query_string for p in at.get("page_link")}
    assert links["Hikvision"] == "entity=hikvision"


def test_eo_shows_the_stated_count_beside_the_named_one(open_page):
    at = open_page("sanctions", query={"action": "us-eo-14032"})
    text = _all_text(at)
    assert "the source states 59" in text and "Only Hikvision of the 59" in text


def test_choosing_an_action_is_written_to_the_url(open_page):
    at = open_page("sanctions")
    at.selectbox(key="q_action").set_value("us-el-huawei-2019").run()
    assert at.query_params.get("action") in ("us-el-huawei-2019", ["us-el-huawei-2019"])
    assert "69 parties named in the data" in _all_text(at)


def test_simulated_timeline_click_opens_the_action(open_page):
    click = {"selection": {"points": [{"customdata": ["us-889b-contractors", "effective"]}]}}
    at = open_page("sanctions", state={"sanctions_timeline": click})
    assert at.selectbox(key="q_action").value == "us-889b-contractors"
    assert at.query_params.get("action") in ("us-889b-contractors", ["us-889b-contractors"])


def test_simulated_table_row_selection_opens_the_action(open_page):
    from dashboard.app_pages.sanctions import _table_key

    pick = {"selection": {"rows": [1], "columns": []}}  # row 1 = the Huawei rule (dated order)
    at = open_page("sanctions", state={_table_key([], []): pick})
    assert at.selectbox(key="q_action").value == "us-el-huawei-2019"


@pytest.mark.parametrize("bad", ["narnia", "<script>alert(1)</script>", "x" * 5000, "ÄÖÜ😀",
                                 "us-president,narnia"])
def test_bad_link_values_are_ignored_with_a_notice(open_page, bad):
    at = open_page("sanctions", query={"authority": bad, "instrument": bad, "action": bad})
    assert any("Ignored" in c.value for c in at.caption)
    assert "<script>" not in " ".join(c.value for c in at.caption)
    assert at.multiselect(key="q_authority").value == []
    assert len(at.get("plotly_chart")) == 2
