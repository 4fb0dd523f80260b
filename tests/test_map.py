"""Map page: transforms, the figure, and the page in AppTest (layer, year, city, simulated marker click)."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.charts.geo import make_map_figure, marker_size
from dashboard.transforms import geo


def test_points_cover_every_deployment_with_coordinates(dataset):
    pts = geo.deployment_points(dataset)
    assert len(pts) == len(dataset["deployments"])
    assert pts[["mlon", "mlat"]].notna().all().all()
    # markers sharing a city are spread apart so each stays clickable
    assert not pts.duplicated(subset=["mlon", "mlat"]).any()
    assert {"Akkol"} <= set(pts["place"])


def test_year_filter_keeps_only_dated_rows_up_to_the_year(dataset):
    pts = geo.deployment_points(dataset, until_year=2013)
    assert set(pts["year"]) <= {2008, 2011, 2013}
    assert "tj-dushanbe-safe-city" in set(pts["deployment_id"])
    assert "kz-nur-sultan-bus-facepay" not in set(pts["deployment_id"])


def test_listed_vendors_are_marked(dataset):
    pts = geo.deployment_points(dataset).set_index("deployment_id")
    assert pts.loc["tj-dushanbe-safe-city", "vendor_listed"]  # Huawei
    assert not pts.loc["kg-bishkek-vega-safe-city", "vendor_listed"]  # Vega, Russian, not listed
    assert pts.loc["kg-bishkek-huawei-offer", "status_group"] == "declined"
    assert pts.loc["kg-bishkek-camera-plan", "status_group"] == "planned"


def test_country_layers_leave_turkmenistan_without_a_figure(dataset):
    for layer in geo.LAYERS:
        df = geo.country_layer(dataset, layer).set_index("iso3")
        assert pd.isna(df.loc["TKM", "value"])
        assert df.loc["TKM", "note"] == "No figure in the documents"
    debt = geo.country_layer(dataset, "debt").set_index("iso3")
    assert debt.loc["TJK", "value"] == 50 and debt.loc["KGZ", "value"] == 40


def test_financing_layer_counts_a_disputed_loan_once_and_skips_declined_offers(dataset):
    fin = geo.country_layer(dataset, "financing").set_index("iso3")
    # Dushanbe: $1.1m domestic + $20.9m loan (two sources, one loan) = $22m, matching the project's stated cost
    assert fin.loc["TJK", "value"] == 22_000_000
    # Kyrgyzstan: Huawei's declined $60m offer is not money that flowed
    assert fin.loc["KGZ", "value"] == 275_000_000


def test_unknown_layer_is_an_error(dataset):
    with pytest.raises(ValueError):
        geo.country_layer(dataset, "gdp")


def test_city_records_gather_deployments_financing_and_events(dataset):
    recs = geo.city_records(dataset, "dushanbe")
    assert len(recs["deployments"]) == 4
    assert set(recs["financing"]["lender_id"].dropna()) == {"sco", "china-exim"}
    assert "tbea-gold-mine-swap" in set(recs["events"]["event_id"])
    assert geo.city_records(dataset, "at-bashi")["deployments"].empty


def test_map_figure_has_layers_markers_and_a_finding(dataset):
    pts, ev = geo.deployment_points(dataset), geo.event_points(dataset)
    fig = make_map_figure(pts, ev, geo.country_layer(dataset, "debt"), dataset.boundary_features, layer_name="debt",
                          layer_label="Debt", year_label="all years", source="S", as_of="2026-11-22")
    assert isinstance(fig, go.Figure)
    markers = [t for t in fig.data if t.type == "scattergeo" and t.mode == "markers"]
    assert sum(len(t.lon) for t in markers) == len(pts) + len(ev)
    assert "on a US list" in fig.layout.title.text
    assert fig.layout.meta["alt"].startswith("Map of Central Asia")
    assert any("Source: S" in a.text for a in fig.layout.annotations)


def test_map_figure_escapes_markup_in_data(dataset):
    pts = geo.deployment_points(dataset).copy()
    pts.loc[0, "description"] = "<script>alert(1)</script><a href='http://evil.example'>x</a>"
    fig = make_map_figure(pts, geo.event_points(dataset), geo.country_layer(dataset, "debt"), dataset.boundary_features,
                          layer_name="debt", layer_label="Debt", year_label="all", source="S", as_of="d")
    hover = " ".join(" ".join(t.text) for t in fig.data if t.type == "scattergeo" and t.mode == "markers")
    assert "<script>" not in hover and "<a href" not in hover
    assert "&lt;script&gt;" in hover


def test_marker_size_grows_with_cameras_and_has_a_floor():
    assert marker_size(None) < marker_size(60) < marker_size(855) < marker_size(2000)


# --- the page, in a real Streamlit run ---

def test_map_page_draws_the_map_and_prompts_for_a_city(open_page):
    at = open_page("map")
    assert len(at.get("plotly_chart")) == 1
    assert any("Click a marker" in i.value for i in at.info)


def test_city_from_url_opens_its_panel_with_quotes(open_page):
    at = open_page("map", query={"city": "bishkek"})
    assert "Records for Bishkek" in [s.value for s in at.header]
    text = " ".join(m.value for m in at.markdown)
    assert "60 cameras" in text and "CEIEC" in text
    assert any("Sources disagree" in w.value for w in at.warning)  # CEIEC vs Huawei attribution


def test_layer_change_is_written_to_the_url(open_page):
    at = open_page("map")
    at.selectbox(key="q_layer").set_value("financing").run()
    assert at.query_params.get("layer") in ("financing", ["financing"])
    assert not at.exception


def test_year_from_url_round_trips(open_page):
    at = open_page("map", query={"year": "2013"})
    assert at.select_slider(key="q_year").value == 2013
    assert any("undated deployment records are hidden" in c.value for c in at.caption)


def test_simulated_marker_click_opens_the_city(open_page):
    click = {"selection": {"points": [{"customdata": ["akkol", "kz-akkol-smart-city"]}]}}
    at = open_page("map", state={"map_chart": click})
    assert "Records for Akkol" in [s.value for s in at.header]
    assert at.query_params.get("city") in ("akkol", ["akkol"])


@pytest.mark.parametrize("bad", ["narnia", "<script>alert(1)</script>", "x" * 5000, "ÄÖÜ😀"])
def test_bad_city_or_year_in_url_is_ignored_with_a_notice(open_page, bad):
    at = open_page("map", query={"city": bad, "year": bad})
    assert any("Ignored" in c.value for c in at.caption)
    assert "<script>" not in " ".join(c.value for c in at.caption)
