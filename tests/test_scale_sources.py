"""Sources page at scale: the indexed helpers match the scans they replaced, the documents, disagreements and
record lists are paged with every record reachable, a run sends about as much at 20x as at 1x, and the downloads
are still the package's files byte for byte."""

import re

import numpy as np
import pandas as pd
import pytest

from dashboard import data
from dashboard.app_pages import sources as page
from dashboard.safe import md
from dashboard.transforms import sources

# --- the indexed / dict-based helpers give what the scans and per-row Series gave, on the real data ---


@pytest.mark.parametrize("table", [*sources.CLAIM_TABLES, sources.COORDS])
def test_labels_from_dicts_match_labels_from_row_series(dataset, table):
    df = dataset["places"] if table == sources.COORDS else dataset[table]
    got = sources._with_labels(dataset, table, df, sources.label_lookups(dataset))
    key_table = "places" if table == sources.COORDS else table
    assert list(got["label"]) == [sources.record_label(dataset, table, r) for _, r in df.iterrows()]
    assert list(got["record_id"]) == [sources.row_id(key_table, r) for _, r in df.iterrows()]


def test_a_loan_without_a_lender_says_so_not_nan(dataset):
    fin = dataset["financing"]
    rows = fin[fin["lender_id"].isna() & fin["lender_as_written"].isna()]
    assert len(rows) >= 2  # one of them used to read "Loan from nan"
    for _, row in rows.iterrows():
        for r in (row, row.to_dict()):
            assert " from lender not named: " in sources.record_label(dataset, "financing", r)
    assert not any(" from nan" in x for x in sources._with_labels(dataset, "financing", fin)["label"])


def test_citing_records_from_the_index_match_the_scan_for_every_document(dataset):
    index, lookups = sources.citing_index(dataset), sources.label_lookups(dataset)
    for sid in [*dataset["sources"]["source_id"], "no-such-doc"]:
        want = sources.citing_records(dataset, sid)
        got = sources.citing_records(dataset, sid, index=index, lookups=lookups)
        assert list(got) == list(want), sid
        for k in want:
            pd.testing.assert_frame_equal(got[k], want[k])


def test_conflict_rows_from_the_index_match_the_scan_and_the_overview_counts_them(dataset):
    pairs, index = sources.conflict_pairs(dataset), sources.conflict_index(dataset)
    over = sources.disagreement_overview(dataset).set_index("conflict_id")
    for cid in dataset["disagreements"]["conflict_id"]:
        want = sources.conflict_rows(dataset, cid)
        pd.testing.assert_frame_equal(sources.conflict_rows(dataset, cid, where=pairs.iloc[index.get(cid)]), want)
        assert over.loc[cid, "rows"] == len(want)
        assert over.loc[cid, "documents"] == want["source_id"].nunique()


def test_conflicts_by_source_match_a_scan_of_every_disagreement(dataset):
    rows = {c: sources.conflict_rows(dataset, c) for c in dataset["disagreements"]["conflict_id"]}
    want = {}
    for cid, df in rows.items():
        for sid in dict.fromkeys(df["source_id"]):
            want.setdefault(sid, []).append(cid)
    assert sources.conflicts_by_source(dataset) == want


def test_positions_group_a_column_like_groupby_and_leave_out_missing():
    s = pd.Series(["b", "a", None, "b", "c", "a", "b"], dtype=object)
    pos = sources.Positions(s)
    for key, want in s.groupby(s, sort=False).indices.items():
        assert list(pos.get(key)) == list(want)
    assert pos.keys() == ["b", "a", "c"]
    assert "b" in pos and None not in pos and "z" not in pos
    assert list(pos.get("z", ())) == []
    assert np.issubdtype(pos.get("a").dtype, np.integer)


def test_method_text_lists_turkmenistan_once_at_1x(dataset):
    text = page._method_text(dataset)
    assert text.count("has no data") == 1 and "countries by this name" not in text


# --- synthetic data at 20x ---

FACTOR = 20


@pytest.fixture(scope="module")
def big_dir(synthetic):
    return synthetic(FACTOR)


@pytest.fixture(scope="module")
def big(big_dir):
    return data.load(big_dir)


@pytest.fixture
def open_big(open_page, big_dir, use_data):
    """open_page on the 20x data (pointed at it only when called, so a test may open the real data first)."""

    def _open(*args, **kwargs):
        use_data(big_dir)
        return open_page(*args, **kwargs)

    return _open


def _count(at) -> int:
    return sum(1 for _ in at.main)


def _text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_every_download_is_the_package_file_at_scale(big, big_dir):
    assert len(page._download_items(big)) == 16
    for name in sources.table_fields(big.descriptor):
        assert page._download_text(big, name) == (big_dir / f"{name}.csv").read_text(encoding="utf-8"), name
    assert page._download_text(big, "datapackage.json") == (big_dir / "datapackage.json").read_text(encoding="utf-8")


def test_method_text_groups_copies_of_a_country_without_data(big):
    text = page._method_text(big)
    assert text.count("Turkmenistan has no data") == 1
    assert md(f"({FACTOR} countries by this name: TKM, ") in text


def test_page_at_scale_sends_about_as_much_as_at_1x(open_page, open_big, big):
    small = open_page("sources")
    assert not small.number_input  # at 1x nothing is paged: the page looks as it did
    n_small = _count(small)
    at = open_big("sources")
    # 1x: 17 documents and 8 disagreements, every one on the page; 20x: 20 per page, 10 per page, and two pagers
    assert _count(at) < 1.5 * n_small
    assert len(at.number_input) == 2
    captions = [c.value for c in at.caption]
    assert f"Showing documents 1–20 of {len(big['sources']):,}, 20 per page." in captions
    assert f"Showing disagreements 1–10 of {len(big['disagreements']):,}, 10 per page." in captions
    assert len(at.get("download_button")) == 19  # the tables, the descriptor, 3 citation formats


def test_the_pagers_reach_the_last_document_and_the_last_disagreement(open_big, big):
    at = open_big("sources")
    last_doc = big["sources"].iloc[-1]
    n_docs, n_dis = len(big["sources"]), len(big["disagreements"])
    at.number_input(key="q_page").set_value(-(-n_docs // 20)).run()
    assert at.query_params.get("page") in (str(-(-n_docs // 20)), [str(-(-n_docs // 20))])
    assert f"{md(last_doc['source_id'])} · " in _text(at)
    assert any(f"of {n_docs:,}, 20 per page" in c.value and f"–{n_docs:,} " in c.value for c in at.caption)
    last = big["disagreements"]["conflict_id"].iloc[-1]
    rows = sources.conflict_rows(big, last)
    at.number_input(key="q_dpage").set_value(-(-n_dis // 10)).run()
    text = _text(at)
    assert rows["record_id"].str.endswith(f"-s{FACTOR - 1}").all()
    for rid in rows["record_id"]:
        assert f" · {md(rid)} · " in text


def test_page_number_in_the_link_opens_that_page(open_big, big):
    at = open_big("sources", query={"page": "3", "dpage": "2"})
    assert at.number_input(key="q_page").value == 3
    assert any("Showing documents 41–60 of" in c.value for c in at.caption)
    assert any("Showing disagreements 11–20 of" in c.value for c in at.caption)
    assert f"{md(big['sources']['source_id'].iloc[40])} · " in _text(at)


def test_focus_on_a_replica_document_shows_it_and_only_its_disagreements(open_big, big):
    at = open_big("sources", query={"source": "seed-002-s7"})
    text = _text(at)
    assert f"{md('seed-002-s7')} · policy brief" in text
    assert f"{md('seed-002')} · policy brief" not in text
    assert not at.number_input  # one document, six disagreements: nothing to page
    assert "Showing the 6 of" in text and "involve seed\\-002\\-s7" in text
    assert "tj\\-dushanbe\\-sco\\-loan\\-s7" in text and "tj\\-dushanbe\\-sco\\-loan ·" not in text


def test_a_long_record_list_in_a_document_is_paged_and_complete(open_page, data_copy, use_data):
    dep = pd.read_csv(data_copy / "deployments.csv", dtype=str, keep_default_na=False)
    base = dep[dep["source_id"] == "seed-002"]
    extra = pd.concat([base.assign(deployment_id=base["deployment_id"] + f"-copy{i}", conflict_id="")
                       for i in range(2)])
    pd.concat([dep, extra]).to_csv(data_copy / "deployments.csv", index=False, lineterminator="\n")
    use_data(data_copy)
    want = sorted([*base["deployment_id"], *extra["deployment_id"]])
    at = open_page("sources", query={"source": "seed-002"})
    title = f"Surveillance and telecom systems: {len(want)} records"
    assert title in [e.label for e in at.expander]
    key = "_page_src_seed-002_deployments"
    seen = []
    for p in range(1, int(at.number_input(key=key).max) + 1):
        at.number_input(key=key).set_value(p).run()
        blocks = [m.value for m in next(e for e in at.expander if e.label == title).markdown]
        assert len(blocks) == 1  # the page's records in one Markdown element
        ids = re.findall(r":small\[:gray\[Surveillance and telecom systems · (.+?) · ", blocks[0])
        assert len(ids) == blocks[0].count("\n\n**") + 1 <= 20  # one caption per record, at most a page of them
        seen += ids
    assert sorted(seen) == sorted(md(i) for i in want)  # every record once, across the pages
    assert "page" not in at.query_params  # the nested list's page lives in the session only
