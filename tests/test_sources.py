"""Sources and method page: what cites each document, disagreements side by side, exact CSV downloads, the page."""

import json

import pandas as pd
import pytest

from dashboard.data import DATA_DIR
from dashboard.provenance import states_figure
from dashboard.transforms import sources

# --- formatting: figures exactly as stored ---


@pytest.mark.parametrize("value,expected", [
    (22_000_000, "US$22 million"), (20_900_000, "US$20.9 million"), (1_100_000, "US$1.1 million"),
    (1_000_000_000, "US$1 billion"), (39_000_000_000, "US$39 billion"), (1_234_567, "US$1,234,567"),
    (999, "US$999"), (None, "not given"), (float("nan"), "not given"),
])
def test_fmt_usd_uses_words_only_when_exact(value, expected):
    assert sources.fmt_usd(value) == expected


def test_fmt_number_keeps_decimals_the_data_has():
    assert sources.fmt_number(2000) == "2,000"
    assert sources.fmt_number(14.7) == "14.7"
    assert sources.fmt_number(39.6) == "39.6"
    assert sources.fmt_number(pd.NA) == "not given"
    assert sources.qualified("about", "50%") == "about 50%"
    assert sources.qualified(None, "50%") == "50%"


# --- downloads ---

def test_every_table_downloads_byte_for_byte_as_the_package_file(dataset):
    fields = sources.table_fields(dataset.descriptor)
    assert len(fields) == 15
    for name, flds in fields.items():
        assert sources.table_csv(dataset[name], flds) == (DATA_DIR / f"{name}.csv").read_text(encoding="utf-8"), name


def test_descriptor_downloads_as_the_file(dataset):
    assert sources.descriptor_json(dataset.descriptor) == (DATA_DIR / "datapackage.json").read_text(encoding="utf-8")


def test_table_csv_writes_package_conventions_on_a_small_frame():
    df = pd.DataFrame({"d": pd.to_datetime(["2019-10-09", None]), "b": [True, False],
                       "i": pd.array([5, None], dtype="Int64"), "n": [40.0, 14.7], "s": ["a, b", None]})
    fields = [{"name": "d", "type": "date"}, {"name": "b", "type": "boolean"}, {"name": "i", "type": "integer"},
              {"name": "n", "type": "number"}, {"name": "s", "type": "string"}]
    assert sources.table_csv(df, fields) == 'd,b,i,n,s\n2019-10-09,true,5,40,"a, b"\n,false,,14.7,\n'


def test_primary_keys_match_the_descriptor(dataset):
    for res in dataset.descriptor["resources"]:
        if res.get("profile") != "tabular-data-resource":
            continue
        pk = res["schema"]["primaryKey"]
        assert sources.PRIMARY_KEYS[res["name"]] == ([pk] if isinstance(pk, str) else pk)
    assert set(sources.CLAIM_TABLES) | {"sources", "disagreements"} == set(sources.PRIMARY_KEYS)


# --- what cites a document ---

def test_citing_records_gathers_every_row_of_a_document(dataset):
    recs = sources.citing_records(dataset, "seed-002")
    counts = sources.citation_counts(dataset).set_index("source_id")
    assert sum(len(df) for df in recs.values()) == counts.loc["seed-002", "records"]
    assert len(recs["deployments"]) == int((dataset["deployments"]["source_id"] == "seed-002").sum())
    for df in recs.values():
        assert (df["source_id"] == "seed-002").all()
        assert df["quote"].map(bool).all()
        assert df["record_id"].is_unique
    # tables come in reading order, and empty ones are left out
    assert list(recs) == [t for t in sources.CLAIM_TABLES if t in recs]
    assert "action_entities" not in recs


def test_a_gazetteer_is_credited_with_coordinates_not_claims(dataset):
    recs = sources.citing_records(dataset, "ref-geonames")
    assert list(recs) == [sources.COORDS]
    assert len(recs[sources.COORDS]) == len(dataset["places"])
    assert recs[sources.COORDS]["quote"].isna().all()
    assert "GeoNames 1526273" in recs[sources.COORDS].set_index("record_id").loc["nur-sultan", "label"]


def test_unknown_document_has_no_records(dataset):
    assert sources.citing_records(dataset, "no-such-doc") == {}


def test_citation_counts_add_up_to_every_claim_row(dataset):
    counts = sources.citation_counts(dataset)
    total = sum(len(dataset[t]) for t in sources.CLAIM_TABLES) + int(dataset["places"]["coord_source_id"].notna().sum())
    assert counts["records"].sum() == total
    assert (counts["records"] > 0).all()  # no document is listed that nothing cites


def test_record_labels_carry_the_figure_as_stored(dataset):
    dep = dataset["deployments"].set_index("deployment_id")
    label = sources.record_label(dataset, "deployments", dep.loc["tj-dushanbe-safe-city"].rename("x"))
    assert "more than 855 cameras" in label and "US$22 million" in label
    ad = dataset["action_dates"].set_index("action_date_id").loc["us-el-xinjiang-2019:announced:seed-003"]
    label = sources.record_label(dataset, "action_dates", ad)
    assert "announced 2019-10-07" in label and "Oct. 7" in label


def test_evidence_counts_cover_every_claim_row(dataset):
    ev = sources.evidence_counts(dataset)
    assert list(ev["evidence"])[0] == "seed"
    with_evidence = sum(len(dataset[t]) for t in sources.CLAIM_TABLES if "evidence" in dataset[t].columns)
    assert ev["rows"].sum() == with_evidence


# --- disagreements ---

def test_conflict_rows_gather_both_sides_across_tables(dataset):
    lender = sources.conflict_rows(dataset, "dushanbe-lender")
    assert set(lender["record_id"]) == {"tj-dushanbe-sco-loan", "tj-dushanbe-exim-loans"}
    assert lender["source_id"].nunique() == 2
    dates = sources.conflict_rows(dataset, "entity-list-dates")
    assert set(dates["table"]) == {"actions", "action_dates"}
    assert len(dates) == 6
    assert sources.conflict_rows(dataset, "nothing").empty


def test_every_disagreement_has_rows_on_its_sides(dataset):
    d = sources.disagreement_overview(dataset)
    assert len(d) == len(dataset["disagreements"])
    assert (d["rows"] >= 2).all()


def test_conflict_rows_on_a_small_frame(dataset):
    t = dict(dataset.tables)
    ind = dataset["indicators"].head(2).copy()
    ind["conflict_id"] = ["x", None]
    t["indicators"] = ind
    rows = sources.conflict_rows(t, "x")
    assert list(rows["record_id"]) == [ind["indicator_id"].iloc[0]]
    assert rows["caveat"].iloc[0] is None  # missing cells are None, so ui.evidence shows no empty note


def test_turkmenistan_is_the_country_without_records(dataset):
    assert list(sources.countries_without_records(dataset)["iso3"]) == ["TKM"]
    t = dict(dataset.tables)
    extra = dataset["events"].head(1).copy()
    extra["country_iso3"] = "TKM"
    t["events"] = pd.concat([dataset["events"], extra])
    assert sources.countries_without_records(t).empty


# --- headline figures for the overview ---

def test_headline_figures_are_single_cited_values(dataset):
    h = sources.headline_figures(dataset).set_index("key")
    assert list(h.index) == ["cameras", "cost", "debt", "listing", "offer"]
    assert h.loc["cameras", "value"] == "2,000" and "Nur-Sultan" in h.loc["cameras", "label"]
    assert h.loc["cost", "value"] == "US$22 million" and "Dushanbe" in h.loc["cost", "label"]
    assert h.loc["debt", "value"] == "about 50%" and "Tajikistan" in h.loc["debt", "label"]
    assert h.loc["listing", "value"] == "28" and "2019-10-09" in h.loc["listing", "label"]
    assert h.loc["offer", "value"] == "US$60 million" and "declined" in h.loc["offer", "label"]
    for key, figure in [("cameras", 2000), ("cost", 22_000_000), ("debt", 50), ("listing", 28), ("offer", 60e6)]:
        assert states_figure(h.loc[key, "quote"], figure), key
    assert h.loc["listing", "date_row"]["date"] == pd.Timestamp("2019-10-09")


def test_headline_values_are_read_from_the_data_not_typed(dataset):
    t = dict(dataset.tables)
    dep = dataset["deployments"].copy()
    dep.loc[dep["deployment_id"] == "kz-nur-sultan-huawei-cameras", "cameras_installed"] = 1234
    t["deployments"] = dep
    t["debt"] = dataset["debt"][dataset["debt"]["debt_id"] != "tjk-chinese-banks"]
    h = sources.headline_figures(t).set_index("key")
    assert h.loc["cameras", "value"] == "1,234"
    assert "debt" not in h.index  # a missing row drops its card; nothing is invented


# --- the page ---

def test_sources_page_lists_documents_disagreements_and_downloads(open_page):
    at = open_page("sources")
    assert not at.exception
    assert [s.value for s in at.header] == ["1. The documents"]  # the rest are headings in the page's text element
    text = " ".join(m.value for m in at.markdown)
    heads = [line for line in text.split("\n") if line.startswith("## ")]
    assert heads == ["## 2. Where the sources disagree", "## 3. Method and caveats", "## 4. Download the data"]
    downloads = at.get("download_button")
    assert len(downloads) == 19  # 15 tables, the descriptor, and the citations in three formats
    labels = " ".join(d.proto.label for d in downloads)
    assert "datapackage.json" in labels and "deployments.csv (20 rows)" in labels
    text = " ".join(m.value for m in at.markdown)
    assert "Turkmenistan has no data" in text
    assert "Natural Earth" in text and "GeoNames" in text


def test_source_from_url_focuses_one_document(open_page):
    at = open_page("sources", query={"source": "rec-aiddata-46215-71411"})
    assert at.selectbox(key="q_source").value == "rec-aiddata-46215-71411"
    text = " ".join(m.value for m in at.markdown)
    assert "AidData Global Chinese Development Finance" in text
    assert "Xinjiang Backlash Is Hitting Chinese Firms Hard" not in text  # other documents hidden
    assert "Showing the 1 of 10 disagreements" in text


def test_choosing_a_document_writes_it_to_the_url(open_page):
    at = open_page("sources")
    at.selectbox(key="q_source").set_value("seed-004").run()
    assert not at.exception
    assert at.query_params.get("source") in ("seed-004", ["seed-004"])
    at.selectbox(key="q_source").set_value("").run()
    assert "source" not in at.query_params


@pytest.mark.parametrize("bad", ["seed-999", "<script>alert(1)</script>", "x" * 5000])
def test_bad_source_in_url_is_ignored_with_a_notice(open_page, bad):
    at = open_page("sources", query={"source": bad})
    assert any("Ignored" in c.value for c in at.caption)
    assert at.selectbox(key="q_source").value == ""


def test_download_content_is_valid_json(dataset):
    assert json.loads(sources.descriptor_json(dataset.descriptor))["name"] == dataset.descriptor["name"]


def test_every_document_record_and_disagreement_side_is_on_the_page_in_few_elements(open_page, dataset):
    """All documents and every record citing them (in a collapsed group per table, with its count), and both sides
    of every disagreement with their quotes and sources, drawn as a few elements."""
    from dashboard.safe import md

    at = open_page("sources")
    text = " ".join(m.value for m in at.markdown)
    for sid in dataset["sources"]["source_id"]:
        assert f":small[:gray[{md(sid)} · " in text, sid
        for table, df in sources.citing_records(dataset, sid).items():
            title = sources.TABLE_TITLES.get(table, "Places (coordinates from this gazetteer)")
            assert f"<summary>{title}: {len(df)} record{'s' if len(df) != 1 else ''}</summary>" in text
            for r in df.to_dict("records"):
                assert f" · {md(r['record_id'])}" in text
                if isinstance(r["quote"], str):
                    assert f"> “{md(r['quote'])}”" in text
    for cid, topic in zip(dataset["disagreements"]["conflict_id"], dataset["disagreements"]["topic"], strict=True):
        assert f"**{md(topic)}**" in text
        for r in sources.conflict_rows(dataset, cid).to_dict("records"):
            assert f" · {md(r['record_id'])} · " in text
    assert text.count('<div class="ca-grid">') == len(dataset["disagreements"])  # each one's sides side by side
    assert not at.expander and not at.columns  # groups are <details>, downloads one wrapping row
    assert sum(1 for _ in at.main) <= 30  # was over 300; 19 of these are the download buttons
