"""Sanctions page at scale: the vectorised helpers give what the loops they replaced gave on the real data, and on
synthetic data one pager bounds the timeline and the table while every action stays reachable."""

import json
import re

import pandas as pd
import pytest

from dashboard import data
from dashboard.charts.sanctions import STEP_LABELS, STEP_MARKERS, make_entity_list_figure, make_timeline_figure
from dashboard.transforms import links
from dashboard.transforms import sanctions as sx

# --- the vectorised helpers match the per-row code they replaced, on the real data ---


def _date_cell_before(a, kind, partial):
    if pd.notna(a[kind]):
        return sx.fmt_date(a[kind])
    p = partial[(partial["action_id"] == a["action_id"]) & (partial["date_kind"] == kind)]
    return f"“{p['date_as_written'].iloc[0]}” (partial)" if len(p) else "not given"


def _table_before(ds, actions):
    """The table's columns as the page built them before: a boolean filter per row and cell."""
    partial = ds["action_dates"][ds["action_dates"]["date"].isna()]
    return pd.DataFrame({
        "Action": [f"★ {t}" if ca else t for t, ca in zip(actions["title"], actions["names_ca_vendor"], strict=True)],
        "Who": actions["jurisdiction"],
        "Announced": [_date_cell_before(a, "announced", partial) for _, a in actions.iterrows()],
        "In force": [_date_cell_before(a, "effective", partial) for _, a in actions.iterrows()],
        "Parties named": [sx.parties_text(a, short=True) for _, a in actions.iterrows()],
        "Vendors active in Central Asia": [", ".join(v) for v in actions["ca_vendor_names"]],
        "Dates disputed": ["⚠ yes" if c else "" for c in actions["date_conflicts"]],
        "Instrument": actions["instrument"],
        "Status": actions["status"],
    })


@pytest.mark.parametrize("filters", [{}, {"instruments": ["Entity List rule"]},
                                     {"authorities": ["UK House of Commons Foreign Affairs Committee"]}])
def test_table_view_matches_the_per_row_cells(dataset, filters):
    from dashboard.views import sanctions as views

    auth, inst = filters.get("authorities", []), filters.get("instruments", [])
    got = views.table(dataset, authorities=auth, instruments=inst).table
    want = _table_before(dataset, sx.actions_table(dataset, auth, inst))
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    if not filters:
        assert "“In June (year not stated)” (partial)" in set(got["Announced"])  # a partial date shows as written


def _not_placed_before(t, actions):
    out = {"undated": [], "partial": []}
    partial = t["action_dates"][t["action_dates"]["date"].isna()]
    for r in actions.itertuples():
        mine = partial[partial["action_id"] == r.action_id]
        written = "; ".join(f"{k} “{w}”" for k, w in zip(mine["date_kind"], mine["date_as_written"], strict=True))
        if not r.placed_on_axis:
            out["undated"].append(f"{r.title} (only {written})" if written else r.title)
        elif written:
            out["partial"].append(f"{r.title}: {written}")
    return out


def test_not_placed_and_partial_dates_match_the_loops(dataset):
    a = sx.actions_table(dataset)
    assert sx.not_placed(dataset, a) == _not_placed_before(dataset, a)
    partial = dataset["action_dates"][dataset["action_dates"]["date"].isna()]
    want = partial.groupby("action_id").apply(
        lambda g: [f"{r.date_kind} “{r.date_as_written}”" for r in g.itertuples()], include_groups=False)
    got = a.set_index("action_id")["partial_dates"]
    assert {k: got[k] for k in want.index} == want.to_dict()
    assert (got.drop(want.index).str.len() == 0).all()


def test_parties_named_matches_groupby_agg(dataset):
    lk = dataset["action_entities"].merge(dataset["entities"][["entity_id", "party_count"]], on="entity_id",
                                          how="left")
    lk["parties"] = lk["party_count"].fillna(1).astype(int)
    want = lk.groupby("action_id").agg(parties_named=("parties", "sum"), entities=("entity_id", list)).reset_index()
    pd.testing.assert_frame_equal(links.parties_named(dataset), want)


def _source_text_before(t, source_ids):
    ids = sorted(set(source_ids))
    s = t["sources"].set_index("source_id")
    seeds = [i.removeprefix("seed-") for i in ids if i in s.index and bool(s.loc[i, "is_seed"])]
    records = [i for i in ids if i in s.index and not bool(s.loc[i, "is_seed"])]
    bits = []
    if records:
        bits.append(f"{len(records)} US/UK primary record{'s' if len(records) > 1 else ''}")
    if seeds:
        bits.append(f"seed{'s' if len(seeds) > 1 else ''} {', '.join(seeds)}")
    return "; ".join(bits) + "; see Sources" if bits else "see Sources"


def test_source_text_matches_the_lookup_loop(dataset):
    all_ids = list(dataset["sources"]["source_id"])
    for ids in (all_ids, dataset["actions"]["source_id"], dataset["action_dates"]["source_id"], ["seed-001"],
                ["no-such-source"], []):
        assert sx.source_text(dataset, ids) == _source_text_before(dataset, ids)


def test_conflict_sides_touching_a_page_keeps_both_sides(dataset):
    ids = sx.actions_table(dataset)["action_id"]
    assert sx.conflict_sides(dataset, ids, touching=ids).keys() == sx.conflict_sides(dataset, ids).keys()
    only = sx.conflict_sides(dataset, ids, touching=["us-el-xinjiang-2020"])
    assert list(only) == ["entity-list-dates"]
    assert set(only["entity-list-dates"]["action_id"]) == {"us-el-xinjiang-2019", "us-el-xinjiang-2020"}


def test_entity_list_figure_is_unchanged_by_the_scale_rules_at_real_size(dataset):
    steps = sx.entity_list_steps(dataset)
    assert len(steps) <= min(STEP_LABELS, STEP_MARKERS)
    fig = make_entity_list_figure(steps, source="S", as_of="d")
    assert len(fig.data[1].x) == len(steps) and len(fig.layout.annotations) == len(steps) + 1
    assert "largest" not in fig.layout.title.subtitle.text and "per day" not in fig.layout.title.subtitle.text


# --- synthetic data at 25x: one pager for the timeline and the table, bounded charts, every action reachable ---

FACTOR = 25


@pytest.fixture(scope="module")
def big_dir(synthetic):
    return synthetic(FACTOR)


@pytest.fixture(scope="module")
def big(big_dir):
    return data.load(big_dir)


@pytest.fixture
def open_big(open_page, big_dir, use_data):
    use_data(big_dir)
    return lambda **kw: open_page("sanctions", timeout=180, **kw)


def test_timeline_draws_only_the_rows_given_but_describes_all(big):
    a = sx.actions_table(big)
    shown = a.iloc[20:40]
    fig = make_timeline_figure(a, sx.date_points(big, shown["action_id"]), source="S", as_of="d", shown=shown,
                               note="actions 21–40 of 350 shown")
    assert len(fig.layout.yaxis.ticktext) == int(shown["placed_on_axis"].sum()) <= 20
    assert len(fig.layout.annotations) == len(fig.layout.yaxis.ticktext) + 1  # one label per row + source line
    full = make_timeline_figure(a, sx.date_points(big, a["action_id"]), source="S", as_of="d")
    assert fig.layout.title.text == full.layout.title.text  # the finding is about every action shown
    assert list(fig.layout.xaxis.range) == list(full.layout.xaxis.range)  # pages share one time axis
    assert "actions 21–40 of 350 shown" in fig.layout.title.subtitle.text and "21–40" in fig.layout.meta["alt"]


def test_entity_list_figure_at_scale_is_one_step_per_day_with_few_labels(big):
    steps = sx.entity_list_steps(big)
    assert len(steps) == 3 * FACTOR > STEP_MARKERS
    fig = make_entity_list_figure(steps, source="S", as_of="d")
    days = steps["effective"].nunique()
    rules = fig.data[1]
    assert len(rules.x) == days and list(rules.y) == sorted(steps.groupby("effective")["cumulative"].max())
    assert rules.y[-1] == steps["cumulative"].iloc[-1]  # the total is still the last step
    assert len(fig.layout.annotations) <= STEP_LABELS + 1
    subtitle = fig.layout.title.subtitle.text
    assert f"one step per day ({len(steps)} rules on {days} days)" in subtitle and len(subtitle) <= 140
    assert fig.layout.title.text == f"<b>The documents' {len(steps)} Entity List rules added " \
        f"{steps['cumulative'].iloc[-1]:,} parties, May 2019–Jun 2020</b>"
    assert f"{FACTOR} rules in force" in " ".join(fig.data[1].text)


def _chart_ids(at) -> set[str]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {c[0] for t in spec["data"] if t.get("customdata") for c in t["customdata"]}


def test_page_is_bounded_and_the_pager_reaches_every_action(open_big, big):
    at = open_big()
    n = len(big["actions"])
    assert sum(1 for _ in at.main) < 300  # ~240 at 10x-1000x; unpaged, this page drew thousands
    assert any(f"Showing actions 1–20 of {n}" in c.value for c in at.caption)
    assert len(at.dataframe[0].value) == 20
    pages = -(-n // 20)
    a = sx.actions_table(big)
    seen_rows, seen_ids = 0, []
    for p in range(1, pages + 1):
        if p > 1:
            at.number_input(key="q_page").set_value(p).run()
            assert not at.exception and at.query_params.get("page") in (str(p), [str(p)])
        window = a.iloc[(p - 1) * 20:p * 20]
        table = at.dataframe[0].value
        assert list(table["Status"]) == list(window["status"]) and len(table) == len(window)
        seen_rows += len(table)
        ids = _chart_ids(at)
        assert ids == set(window.loc[window["placed_on_axis"], "action_id"])
        seen_ids += sorted(ids)
    assert seen_rows == n
    assert sorted(seen_ids) == sorted(a.loc[a["placed_on_axis"], "action_id"])  # each dated action on one page
    text = " ".join(m.value for m in at.markdown)
    assert "not placed" in text and "on this page" in text  # the last pages hold the undated actions


def test_page_from_the_url_and_a_row_picked_on_it(open_big, big):
    from dashboard.app_pages.sanctions import _table_key

    a, n = sx.actions_table(big), len(big["actions"])
    at = open_big(query={"page": "3"}, state={_table_key([], [], 3): {"selection": {"rows": [4], "columns": []}}})
    assert at.number_input(key="q_page").value == 3
    assert at.selectbox(key="q_action").value == a["action_id"].iloc[44]
    # every option of the select box is distinct: titles shared by several actions carry the id
    labels = at.selectbox(key="q_action").options
    assert len(set(labels)) == len(labels) == n + 1
    assert f"{a['title'].iloc[44]} ({a['action_id'].iloc[44]})" in labels


def test_expanders_are_paged(open_big, big):
    at = open_big()
    steps = sx.entity_list_steps(big)
    caption = " ".join(c.value for c in at.caption)
    assert f"Showing rules 1–10 of {len(steps)}" in caption
    at.number_input(key="_page_sanctions_steps").set_value(-(-len(steps) // 10)).run()
    last = steps.iloc[-1]
    text = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in at.markdown))
    assert f"+{last['added']} → {last['cumulative']}: {last['title']}" in text
