"""Map at scale: vectorised helpers match the loops they replaced, markers are grouped and bounded on large data,
the city panel pages long lists, and every city stays one click away."""

import numpy as np
import pandas as pd
import pytest

from dashboard import data
from dashboard.charts.geo import make_map_figure
from dashboard.transforms import geo

# --- the vectorised helpers give what the loops gave, on the real data ---

def test_ring_offsets_match_the_per_city_loop(dataset):
    pts = geo.deployment_points(dataset)
    expected = []
    for _, grp in pts.groupby("place_id", sort=True):
        expected += geo._ring_offsets(len(grp), float(grp["lat"].iloc[0]))
    assert np.allclose(pts["mlon"] - pts["lon"], [o[0] for o in expected], atol=1e-12)
    assert np.allclose(pts["mlat"] - pts["lat"], [o[1] for o in expected], atol=1e-12)


def _city_records_before(t, place_id):
    """The implementation the index replaced: a scan of every table per city."""
    dep = geo.deployment_points(t)
    dep = dep[dep["place_id"] == place_id]
    fin = t["financing"]
    fin = fin[fin["deployment_id"].isin(dep["deployment_id"])]
    fin = fin.merge(t["entities"][["entity_id", "name"]].rename(columns={"entity_id": "lender_id", "name": "lender"}),
                    on="lender_id", how="left")
    ev = t["events"][t["events"]["place_id"] == place_id]
    return {"deployments": dep, "financing": fin, "events": ev}


def test_city_records_from_the_index_match_the_scan_for_every_place(dataset):
    index = geo.city_index(dataset)
    for place_id in [*dataset["places"]["place_id"], "no-such-place"]:
        got, want = geo.city_records(dataset, place_id, index=index), _city_records_before(dataset, place_id)
        for k in want:
            pd.testing.assert_frame_equal(got[k], want[k], check_dtype=False, check_index_type=False)


def test_debt_notes_match_the_row_loop(dataset):
    d = dataset["debt"].set_index("country_iso3")
    want = {iso: f"{r.share_qualifier} {r.share_pct:g}% of public debt owed to {r.creditor}".strip()
            for iso, r in d.iterrows()}
    got = geo.country_layer(dataset, "debt").set_index("iso3")["note"]
    for iso, note in want.items():
        assert got[iso] == note


def test_real_data_keeps_one_marker_per_record(dataset):
    assert geo.detailed(geo.deployment_points(dataset), geo.event_points(dataset))


# --- synthetic data at 25x: grouped markers ---

FACTOR = 25


@pytest.fixture(scope="module")
def big_dir(synthetic):
    return synthetic(FACTOR)


@pytest.fixture(scope="module")
def big(big_dir):
    return data.load(big_dir)


def test_position_groups_count_every_record_once_and_stay_bounded(big):
    pts, ev = geo.deployment_points(big), geo.event_points(big)
    assert not geo.detailed(pts, ev)
    g = geo.position_groups(pts, ev)
    assert g["deployments"]["records"].sum() == len(pts)
    assert g["events"]["events"].sum() == len(ev)
    assert len(g["deployments"]) + len(g["events"]) <= geo.MAX_MARKERS
    assert set(g["place_pos"].index) == set(pts["place_id"]) | set(ev["place_id"])
    dush = g["deployments"].set_index("place_id").loc["dushanbe"]
    assert dush["records"] == 4 * FACTOR and dush["cities"] == FACTOR
    assert dush["in_place"] + dush["planned"] + dush["declined"] == dush["records"]
    assert dush["listed"] == FACTOR  # Huawei's Safe City in every replica
    assert dush["vendors"].startswith("Vendor not named")  # most frequent first


def test_a_tight_marker_budget_falls_back_to_a_coarser_grid(big):
    pts, ev = geo.deployment_points(big), geo.event_points(big)
    exact = geo.position_groups(pts, ev)
    assert len(exact["deployments"]) + len(exact["events"]) == 10  # 5 cities with systems, 5 with events
    assert exact["cell"] is None
    g = geo.position_groups(pts, ev, max_markers=9)
    assert len(g["deployments"]) + len(g["events"]) <= 9 and g["cell"] > 0
    assert g["deployments"]["records"].sum() == len(pts) and g["events"]["events"].sum() == len(ev)
    # the coarsest grid is the last resort: never more markers than its cells in the map window
    worst = geo.position_groups(pts, ev, max_markers=1)
    assert 1 < len(worst["deployments"]) + len(worst["events"]) <= 2 * 6 * 3


def test_grouped_figure_is_small_and_says_what_it_shows(big, dataset):
    kw = dict(layer_name="debt", layer_label=geo.LAYERS["debt"], year_label="all years", source="S", as_of="d")

    def build(ds):
        pts, ev = geo.deployment_points(ds), geo.event_points(ds)
        return pts, make_map_figure(pts, ev, geo.country_layer(ds, "debt"), ds.boundary_features, **kw)

    pts1, small = build(dataset)
    pts, fig = build(big)
    markers = [t for t in fig.data if t.type == "scattergeo" and t.mode == "markers"]
    assert sum(len(t.lon) for t in markers) <= geo.MAX_MARKERS
    assert len(fig.to_json()) < 2 * len(small.to_json())  # not one marker per record
    assert f"{len(pts):,} documented Central Asian deployments" in fig.layout.title.text
    assert "records, grouped by place" in fig.layout.title.subtitle.text
    assert "markers groups the records in one place" in fig.layout.meta["alt"]
    hover = " ".join(" ".join(t.text) for t in markers)
    assert f"Dushanbe</b> and {FACTOR - 1} other cities here" in hover
    # choropleth traces carry only countries that have a shape
    for t in fig.data:
        if t.type == "choropleth":
            assert set(t.locations) <= set(big.boundary_features)


# --- the page at 25x ---

@pytest.fixture
def open_big(open_page, big_dir, use_data):
    use_data(big_dir)
    return open_page


def _count(at) -> int:
    return sum(1 for _ in at.main)


def test_page_at_scale_sends_about_as_much_as_at_1x(open_page, open_big):
    small = _count(open_page("map", query={"city": "dushanbe"}))
    at = open_big("map", query={"city": "dushanbe"})
    assert len(at.get("plotly_chart")) == 1
    assert any("too many for a marker each" in c.value for c in at.caption)
    assert "Records for Dushanbe (dushanbe)" in [s.value for s in at.header]
    # the same panel, plus the grouping caption and the list of other cities at this marker (one pager page)
    assert _count(at) <= small + 2 + 20 + 6
    selectbox = at.selectbox(key="q_city")
    assert len(selectbox.options) == 1 + len(geo.map_places(data.load(data.DATA_DIR)))


def test_other_cities_at_the_marker_are_paged_and_all_reachable(open_big):
    at = open_big("map", query={"city": "dushanbe"})
    assert any(f"{FACTOR - 1} other cities share" in m.value for m in at.markdown)
    seen = []
    pages = at.number_input
    assert pages, "a pager for the other cities"
    for page in range(1, int(pages[0].max) + 1):
        at.number_input[0].set_value(page).run()
        seen += [p.proto.query_string for p in at.get("page_link") if "city=dushanbe" in p.proto.query_string]
    assert sorted(seen) == sorted(f"city=dushanbe-s{k}" for k in range(1, FACTOR))


def test_city_box_labels_tell_replicas_apart_and_the_choice_survives_reruns(open_big):
    # the select box identifies an option by its label: a shared name would make it jump to another city
    at = open_big("map", query={"city": "dushanbe-s7"})
    box = at.selectbox(key="q_city")
    assert len(set(box.options)) == len(box.options)
    assert box.value == "dushanbe-s7"
    at.run()
    at.run()
    assert at.selectbox(key="q_city").value == "dushanbe-s7"
    assert "Records for Dushanbe (dushanbe-s7)" in [s.value for s in at.header]


def test_click_on_a_grouped_marker_opens_its_largest_city(open_big):
    click = {"selection": {"points": [{"customdata": ["tashkent", "41.265,69.216"]}]}}
    at = open_big("map", state={"map_chart": click})
    assert "Records for Tashkent (tashkent)" in [s.value for s in at.header]


def test_city_with_many_records_pages_them(open_page, data_copy, use_data):
    dep = pd.read_csv(data_copy / "deployments.csv", dtype=str, keep_default_na=False)
    base = dep[dep["deployment_id"] == "kg-bishkek-camera-plan"].iloc[0]
    extra = pd.DataFrame([{**base, "deployment_id": f"kg-bishkek-copy-{i:02d}"} for i in range(30)])
    pd.concat([dep, extra]).to_csv(data_copy / "deployments.csv", index=False, lineterminator="\n")
    use_data(data_copy)
    at = open_page("map", query={"city": "bishkek"})
    assert any("Showing deployment records 1–10 of 36" in c.value for c in at.caption)
    assert len([m for m in at.markdown if m.value.startswith("Figures:")]) == 10
    at.number_input[0].set_value(4).run()
    assert any("31–36 of 36" in c.value for c in at.caption)
    assert len([m for m in at.markdown if m.value.startswith("Figures:")]) == 6
    assert "Records for Bishkek" in [s.value for s in at.header]


def test_links_to_other_cities_keep_the_view(open_big):
    at = open_big("map", query={"city": "dushanbe", "layer": "financing", "year": "2019", "present": "1"})
    links = [p.proto.query_string for p in at.get("page_link") if p.proto.query_string.startswith("city=")]
    assert links and all(q.endswith("&layer=financing&year=2019&present=1") for q in links)
