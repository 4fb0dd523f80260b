"""Money page at scale: what one run sends stays bounded as the data grows, every record stays reachable through the
pagers, and the vectorised transforms give the same answers as the loops they replaced."""

import json

import pandas as pd
import pytest

from dashboard import data
from dashboard.charts.money import make_financing_figure
from dashboard.transforms import money

FACTOR = 20


@pytest.fixture(scope="module")
def big_dirs(synthetic):
    """Synthetic packages at FACTOR and twice FACTOR (the real data copied k times, with fresh ids per copy)."""
    return {k: synthetic(k) for k in (FACTOR, 2 * FACTOR)}


@pytest.fixture(scope="module")
def big(big_dirs):
    return data.load(big_dirs[FACTOR])


@pytest.fixture
def at_scale(big_dirs, use_data):
    """Point the app at the synthetic package of factor k."""
    return lambda k=FACTOR: use_data(big_dirs[k])


def _count(node) -> int:
    kids = getattr(node, "children", None)
    return 1 + sum(_count(c) for c in (kids.values() if isinstance(kids, dict) else []))


def _figures(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _bar_ids(fig: dict) -> list[str]:
    return [c[0] for t in fig["data"] for c in t.get("customdata", [])]


# --- the page at scale, in a real Streamlit run ---

def test_elements_sent_do_not_grow_with_the_data(open_page, at_scale):
    sizes = {}
    for k in (FACTOR, 2 * FACTOR):
        at_scale(k)
        at = open_page("money")
        sizes[k] = _count(at.main)
        assert [n.key for n in at.number_input] == ["q_page", "_page_money_declined", "_page_money_conflicts"]
        fin = _figures(at)[0]
        assert len(_bar_ids(fin)) == 20  # one page of bars, not one per record
        assert len(fin["layout"]["annotations"]) == 20 + 1  # row labels + the source line
    assert sizes[FACTOR] == sizes[2 * FACTOR]
    assert sizes[FACTOR] < 300  # 93 at 1x; three pagers, one page each of bars, declined offers and disagreements


def test_real_data_draws_no_pager(open_page):
    at = open_page("money")
    assert not at.number_input
    assert len(_bar_ids(_figures(at)[0])) == 12


def test_loans_pager_reaches_the_last_record_and_the_table_keeps_them_all(open_page, at_scale, big):
    at_scale()
    rows = money.financing_rows(big)
    at = open_page("money")
    assert len(at.dataframe[0].value) == len(rows) == 12 * FACTOR  # the table lists every record
    fig = _figures(at)[0]
    assert _bar_ids(fig) and set(_bar_ids(fig)) == set(rows["financing_id"].iloc[:20])
    assert fig["layout"]["meta"]["title"].startswith("The largest documented amount")  # over all rows, not the page
    assert f"{len(rows):,} records" in fig["layout"]["title"]["subtitle"]["text"]
    last = -(-len(rows) // 20)
    at.number_input(key="q_page").set_value(last).run()
    assert not at.exception
    assert at.query_params.get("page") in (str(last), [str(last)])  # shareable
    fig = _figures(at)[0]
    assert set(_bar_ids(fig)) == set(rows["financing_id"].iloc[(last - 1) * 20:])
    assert f"records {(last - 1) * 20 + 1:,}–{len(rows):,}" in fig["layout"]["meta"]["alt"]


def test_loans_page_from_the_url_and_a_late_record_from_the_url(open_page, at_scale, big):
    at_scale()
    rows = money.financing_rows(big)
    late = rows["financing_id"].iloc[-1]
    at = open_page("money", query={"page": "3", "record": late})
    assert set(_bar_ids(_figures(at)[0])) == set(rows["financing_id"].iloc[40:60])
    assert at.selectbox(key="q_record").value == late  # every record can be chosen, whatever the chart page
    r = rows.iloc[-1]
    shown = [m.value.replace("\\", "") for m in at.markdown]  # Markdown escapes removed: the text a reader sees
    assert any(r["amount_text"] in text and r["lender"] in text for text in shown)


def test_declined_and_disagreement_pagers_reach_their_last_items(open_page, at_scale, big):
    at_scale()
    declined = money.declined_and_unmet(big)
    at = open_page("money")
    pages = -(-len(declined) // 10)
    at.number_input(key="_page_money_declined").set_value(pages).run()
    last = declined.iloc[-1]
    what = "Offer declined" if last["status_group"] == "declined offer" else "Request not met"
    heads = [m.value.replace("\\", "") for m in at.markdown]
    assert any(f"**{what}: {last['lender']}, {last['amount_text']} — {last['purpose']}" in h for h in heads)
    assert any(f"records {(pages - 1) * 10 + 1:,}–{len(declined):,} of {len(declined):,}" in c.value
               for c in at.caption)

    conflicts = money.money_conflicts(big)
    cids = list(dict.fromkeys(conflicts.loc[conflicts["conflict_id"] != "dushanbe-lender", "conflict_id"]))
    at.number_input(key="_page_money_conflicts").set_value(-(-len(cids) // 10)).run()
    assert not at.exception
    shown = [m.value.replace("\\", "") for m in at.markdown]
    for claim in conflicts.loc[conflicts["conflict_id"] == cids[-1], "claim"]:
        assert any(f"**{claim}**" in m for m in shown)  # both sides of the last disagreement are on its page
    assert any(f"disagreements {(len(cids) - 1) // 10 * 10 + 1:,}–{len(cids):,} of {len(cids):,}" in c.value
               for c in at.caption)


def test_bar_click_on_a_later_page_opens_its_quote(open_page, at_scale, big):
    at_scale()
    rows = money.financing_rows(big)
    fid = rows["financing_id"].iloc[45]
    click = {"selection": {"points": [{"customdata": [fid]}]}}
    at = open_page("money", query={"page": "3"}, state={"money_chart": click})
    assert at.query_params.get("record") in (fid, [fid])


# --- vectorised transforms give the answers of the loops they replaced ---

def _old_sources_text(t, source_ids) -> str:
    src = t["sources"].set_index("source_id")
    parts = []
    for sid in dict.fromkeys(source_ids):
        if sid not in src.index:
            continue
        r = src.loc[sid]
        who = r["publisher"] or r["author"] or r["title"]
        parts.append(f"{who} (seed {sid[5:]})" if sid.startswith("seed-") else str(who))
    return "; ".join(parts)


def _old_money_conflicts(t, country=None) -> pd.DataFrame:
    fin = money.financing_rows(t)
    dep = t["deployments"]
    linked = dep[dep["deployment_id"].isin(fin["deployment_id"].dropna()) & dep["conflict_id"].notna()]
    ids = list(dict.fromkeys(fin["conflict_id"].dropna()))
    for cid, grp in dep[dep["conflict_id"].isin(linked["conflict_id"])].groupby("conflict_id", sort=False):
        vendors = grp["vendor_id"].dropna()
        if len(grp) > 1 and vendors.nunique() > 1 and len(vendors) == len(grp) and cid not in ids:
            ids.append(cid)
    ents = dict(zip(t["entities"]["entity_id"], t["entities"]["name"], strict=True))
    d = t["disagreements"].set_index("conflict_id")
    keep = ["source_id", "quote", "locator", "evidence", "conflict_id", "caveat"]
    rows = []
    for cid in ids:
        for _, r in fin[fin["conflict_id"] == cid].iterrows():
            claim = f"{r['kind'].capitalize()} of {r['amount_text']}; lender or funder: {r['lender']}"
            rows.append({"table": "financing", "row_id": r["financing_id"], "country_iso3": r["country_iso3"],
                         "claim": claim, **{k: r[k] for k in keep}})
        for _, r in dep[dep["conflict_id"] == cid].iterrows():
            vendor = ents.get(r["vendor_id"], "vendor not named") if r["vendor_id"] else "vendor not named"
            claim = f"{r['system_type'].capitalize()} ({r['status']}), vendor: {vendor}"
            rows.append({"table": "deployments", "row_id": r["deployment_id"], "country_iso3": r["country_iso3"],
                         "claim": claim, **{k: r[k] for k in keep}})
    out = pd.DataFrame(rows, columns=["table", "row_id", "country_iso3", "claim", *keep]).astype(object)
    out = out.where(out.notna(), None)
    out["topic"] = out["conflict_id"].map(d["topic"])
    out["summary"] = out["conflict_id"].map(d["summary"])
    if country:
        out = out[out["conflict_id"].isin(out.loc[out["country_iso3"] == country, "conflict_id"])]
    return out.reset_index(drop=True)


@pytest.mark.parametrize("which", ["real", "big"])
def test_money_conflicts_match_the_loop_version(dataset, big, which):
    t = dataset if which == "real" else big
    for country in (None, "KGZ", "TJK", "UZB", "KAZ"):
        pd.testing.assert_frame_equal(money.money_conflicts(t, country), _old_money_conflicts(t, country))
        pd.testing.assert_frame_equal(money.filter_conflicts(money.money_conflicts(t), country),
                                      _old_money_conflicts(t, country))


@pytest.mark.parametrize("which", ["real", "big"])
def test_sources_text_matches_the_loop_version_on_distinct_parts(dataset, big, which):
    t = dataset if which == "real" else big
    for ids in (t["financing"]["source_id"], t["debt"]["source_id"], ["seed-002", "nope", "seed-002"]):
        assert money.sources_text(t, ids) == "; ".join(dict.fromkeys(_old_sources_text(t, ids).split("; ")))
    assert money.sources_text(dataset, dataset["financing"]["source_id"]) == _old_sources_text(
        dataset, dataset["financing"]["source_id"])  # real sources give distinct parts: exactly as before


def test_filtering_the_full_rows_equals_filtering_while_building(dataset, big):
    for t in (dataset, big):
        full = money.financing_rows(t)
        for country in (None, "KGZ", "TJK", "CHN", "KAZ"):
            for group in (None, *money.STATUS_GROUPS):
                pd.testing.assert_frame_equal(money.filter_financing(full, country, group),
                                              money.financing_rows(t, country=country, group=group))


def test_financing_figure_page_keeps_the_title_and_counts_of_all_rows(big):
    rows = money.financing_rows(big)
    whole = make_financing_figure(rows.iloc[:11], scope="x", source="S", as_of="d")
    page = make_financing_figure(rows, scope="x", source="S", as_of="d", shown=(20, 40))
    assert page.layout.meta["title"] == make_financing_figure(rows, scope="x", source="S", as_of="d").layout.meta[
        "title"]
    assert {c[0] for t in page.data for c in t.customdata} == set(rows["financing_id"].iloc[20:40])
    assert "bars: records 21–40" in page.layout.title.subtitle.text
    assert f"{len(rows):,} records" in page.layout.title.subtitle.text
    assert "bars:" not in whole.layout.title.subtitle.text


def test_titles_stay_short_when_many_offers_were_declined(big):
    fig = make_financing_figure(money.financing_rows(big, group="declined offer"), scope="x", source="S", as_of="d")
    assert fig.layout.meta["title"] == "Kyrgyzstan turned down US$60 million offered by Huawei"


def test_sources_text_can_name_a_few_and_count_the_rest(dataset, big):
    ids = big["financing"]["source_id"]
    every = money.sources_text(big, ids).split("; ")
    assert len(every) > 4
    short = money.sources_text(big, ids, most=3)
    assert short == "; ".join([*every[:3], f"and {len(every) - 3:,} other sources"])
    real = dataset["financing"]["source_id"]
    assert money.sources_text(dataset, real, most=99) == money.sources_text(dataset, real)


def test_paged_chart_cites_only_its_own_rows(open_page, at_scale, big):
    at_scale()
    rows = money.financing_rows(big)
    at = open_page("money", query={"page": "2"})
    line = next(a["text"] for a in _figures(at)[0]["layout"]["annotations"] if a["text"].startswith("Source: "))
    cited = money.sources_text(big, rows["source_id"].iloc[20:40], most=3)
    assert line.startswith(f"Source: {cited.replace('&', '&amp;')} · Data as of")
