"""Money and debt page: transforms, figures, and the page in AppTest (filters, URL round trip, clicks, quotes)."""

import re

import pandas as pd
import pytest

from dashboard.charts.money import (
    debt_title,
    dollar_ticks,
    make_debt_figure,
    make_dushanbe_figure,
    make_financing_figure,
)
from dashboard.transforms import money

MAX_TITLE = 88  # characters that fit one line at 1280x720 beside the sidebar


# --- transforms ---

@pytest.mark.parametrize("status, group", [
    ("funded", "funded or committed"), ("signed", "funded or committed"), ("declined", "declined offer"),
    ("request not met", "request not met"), ("defaulted; repaid with gold-mine rights to TBEA (2014)",
                                             "funded or committed"),
])
def test_status_groups(status, group):
    assert money.status_group(status) == group


@pytest.mark.parametrize("amount, text", [
    (1_100_000, "US$1.1 million"), (20_900_000, "US$20.9 million"), (1_000_000_000, "US$1 billion"),
    (39_000_000_000, "US$39 billion"), (1_234_567, "US$1,234,567"), (950, "US$950"), (None, "amount not given"),
    (float("nan"), "amount not given"),
])
def test_money_is_exact_and_never_rounds_away(amount, text):
    assert money.money(amount) == text


def test_financing_rows_cover_every_record_with_words_for_missing_amounts(dataset):
    rows = money.financing_rows(dataset)
    assert len(rows) == len(dataset["financing"]) == 12
    missing = rows[rows["amount_usd"].isna()]
    assert set(missing["financing_id"]) == {"kg-bishkek-ceiec-funding", "tj-chp-loans", "uz-cdb-loan-2011",
                                         "cn-world-bank-camera-request"}  # sizes the documents do not give
    assert (missing["amount_text"] == "amount not given").all()
    # Central Asian countries first in a fixed order, China (the World Bank request) last
    assert list(dict.fromkeys(rows["country_iso3"])) == ["KGZ", "TJK", "UZB", "CHN"]
    tjk = rows[rows["country_iso3"] == "TJK"]
    assert list(tjk["amount_usd"].dropna()) == sorted(tjk["amount_usd"].dropna(), reverse=True)


def test_financing_filters_change_the_rows(dataset):
    assert set(money.financing_rows(dataset, country="KGZ")["financing_id"]) == {
        "kg-bishkek-ceiec-funding", "kg-bishkek-huawei-offer", "kg-at-bashi-logistics"}
    declined = money.financing_rows(dataset, group="declined offer")
    assert list(declined["financing_id"]) == ["kg-bishkek-huawei-offer"]
    assert list(money.financing_rows(dataset, group="request not met")["financing_id"]) == [
        "cn-world-bank-camera-request"]
    assert money.financing_rows(dataset, country="KAZ").empty  # nothing documented: empty, not zero
    assert money.financing_rows(dataset, country="TJK", group="declined offer").empty


def test_lenders_are_named_or_said_to_be_unnamed(dataset):
    rows = money.financing_rows(dataset).set_index("financing_id")
    assert rows.loc["tj-dushanbe-sco-loan", "lender"] == "Shanghai Cooperation Organization"
    assert rows.loc["tj-dushanbe-exim-loans", "lender"] == "Export-Import Bank of China"
    assert rows.loc["tj-dushanbe-domestic", "lender"] == "Tajik-financed"
    assert rows.loc["uz-tashkent-deal-2019", "lender"] == "lender not named"
    assert rows.loc["cn-world-bank-xinjiang-programme", "amount_note"].startswith("whole schools programme")


def test_financing_table_keeps_words_for_missing_figures(dataset):
    table = money.financing_table(money.financing_rows(dataset, country="TJK"))
    assert "amount not given" in set(table["Amount"])
    assert "not given" in set(table["Year"])
    assert (table["Sources disagree"] == "yes").sum() == 2  # the two accounts of the Dushanbe loan


def test_dushanbe_split_keeps_both_attributions_apart(dataset):
    split = money.dushanbe_split(dataset)
    sides = list(dict.fromkeys(split["side"]))
    assert sides == ["As the Caspian Policy Center brief tells it", "As AidData records it"]
    brief = split[split["side"] == sides[0]].set_index("segment")["amount_usd"]
    aiddata = split[split["side"] == sides[1]]
    assert brief.to_dict() == {"Tajik-financed": 1_100_000, "Shanghai Cooperation Organization": 20_900_000}
    assert set(aiddata["lender"]) == {"Export-Import Bank of China", ""}
    assert "Shanghai Cooperation Organization" not in set(aiddata["lender"])  # never merged
    rest = aiddata[aiddata["role"] == "remainder"]
    assert len(rest) == 1 and rest["amount_usd"].iloc[0] == pytest.approx(1_100_000)
    assert split.attrs["total_usd"] == 22_000_000
    for _, side in split.groupby("side"):  # each account adds up to the stated project total, no more
        assert side["amount_usd"].sum() == pytest.approx(22_000_000)


def test_dushanbe_split_needs_no_remainder_when_a_source_covers_the_total(dataset):
    tables = dict(dataset.tables)
    fin = tables["financing"].copy()
    fin.loc[fin["financing_id"] == "tj-dushanbe-exim-loans", "amount_usd"] = 22_000_000
    tables["financing"] = fin
    split = money.dushanbe_split(tables)
    assert "remainder" not in set(split["role"])


def test_debt_shares_say_no_figure_instead_of_zero(dataset):
    debt = money.debt_shares(dataset).set_index("iso3")
    assert list(debt.index) == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    assert debt.loc["KGZ", "label"] == "about 40%" and debt.loc["TJK", "label"] == "about 50%"
    for iso in ("KAZ", "TKM", "UZB"):
        assert pd.isna(debt.loc[iso, "share_pct"])
        assert debt.loc[iso, "label"] == "no figure in the documents"


def test_declined_offers_and_unmet_requests(dataset):
    rows = money.declined_and_unmet(dataset)
    assert set(rows["financing_id"]) == {"kg-bishkek-huawei-offer", "cn-world-bank-camera-request"}
    assert money.declined_and_unmet(dataset, "TJK").empty


def test_conflicts_pair_rows_that_disagree_about_who_paid_or_provided(dataset):
    c = money.money_conflicts(dataset)
    sides = c.groupby("conflict_id")["row_id"].apply(set).to_dict()
    assert sides["dushanbe-lender"] == {"tj-dushanbe-sco-loan", "tj-dushanbe-exim-loans"}
    assert sides["bishkek-command-vendor"] == {"kg-bishkek-command-centre", "kg-bishkek-command-centre-huawei",
                                           "kg-bishkek-ceiec-funding"}  # the CEIEC side includes its funding
    assert "dushanbe-cameras" not in sides  # a camera count, not an attribution of money
    assert set(money.money_conflicts(dataset, "UZB")["conflict_id"]) == {"tashkent-citation"}
    assert money.money_conflicts(dataset, "KAZ").empty
    assert c["caveat"].map(lambda v: v is None or isinstance(v, str)).all()  # never NaN, which prints 'nan'


def test_sources_text_names_each_source_once(dataset):
    text = money.sources_text(dataset, ["seed-002", "rec-aiddata-46215-71411", "seed-002", "nope"])
    assert text == "Caspian Policy Center (seed 002); AidData (William & Mary)"


# --- figures ---

def test_financing_figure_states_the_largest_amount_and_lists_missing_ones(dataset):
    rows = money.financing_rows(dataset)
    fig = make_financing_figure(rows, scope="all countries", source="S", as_of="2026-11-22")
    assert fig.layout.meta["title"] == "The largest documented amount is US$1 billion, for a deal in Uzbekistan (2019)"
    bars = [t for t in fig.data if t.type == "bar"]
    assert sum(len(t.x) for t in bars) == rows["amount_usd"].notna().sum()
    assert {t.name for t in bars} == {"Funded or committed", "Offer declined"}  # the unmet request has no amount
    missing = [t for t in fig.data if t.type == "scatter"]
    assert len(missing) == 1 and all("amount not given" in s for s in missing[0].text)
    ids = {c[0] for t in fig.data for c in t.customdata}
    assert ids == set(rows["financing_id"])  # every record clickable through to its quote
    assert any("Source: S" in a.text for a in fig.layout.annotations)
    assert len(fig.layout.meta["title"]) <= MAX_TITLE


def test_financing_title_follows_the_status_filter(dataset):
    declined = make_financing_figure(money.financing_rows(dataset, group="declined offer"), scope="x",
                                     source="S", as_of="d")
    assert declined.layout.meta["title"] == "Kyrgyzstan turned down US$60 million offered by Huawei"
    unmet = make_financing_figure(money.financing_rows(dataset, group="request not met"), scope="x",
                                  source="S", as_of="d")
    assert unmet.layout.meta["title"] == "Request not met: World Bank (China)"
    kgz = make_financing_figure(money.financing_rows(dataset, country="KGZ"), scope="x", source="S", as_of="d")
    assert "US$275 million" in kgz.layout.meta["title"]


def test_financing_figure_empty_says_so(dataset):
    fig = make_financing_figure(money.financing_rows(dataset, country="KAZ"), scope="Kazakhstan, all statuses",
                                source="S", as_of="d")
    assert "No loan, deal or offer" in fig.layout.annotations[0].text
    assert fig.layout.meta["alt"].startswith("No loan, deal or offer")


def test_financing_figure_escapes_markup_in_data(dataset):
    rows = money.financing_rows(dataset).copy()
    rows.loc[0, "purpose"] = "<script>alert(1)</script>"
    rows.loc[0, "lender"] = "<a href='http://evil.example'>x</a>"
    fig = make_financing_figure(rows, scope="x", source="S", as_of="d")
    texts = " ".join(a.text for a in fig.layout.annotations) + " ".join(
        " ".join(t.hovertext) for t in fig.data)
    assert "<script>" not in texts and "<a href" not in texts
    assert "&lt;script&gt;" in texts


def test_dushanbe_figure_shows_two_bars_side_by_side(dataset):
    split = money.dushanbe_split(dataset)
    fig = make_dushanbe_figure(split, source="S", as_of="d")
    assert fig.layout.meta["title"] == "Two sources name different lenders for the same US$20.9 million Dushanbe loan"
    assert fig.layout.barmode == "stack"
    sides = {y for t in fig.data for y in t.y}
    assert sides == set(split["side"])
    names = {t.name for t in fig.data}
    assert {"Shanghai Cooperation Organization", "Export-Import Bank of China", "Tajik-financed"} <= names


def test_dushanbe_figure_empty(dataset):
    empty = money.dushanbe_split(dataset).iloc[0:0]
    fig = make_dushanbe_figure(empty, source="S", as_of="d")
    assert "No financing records" in fig.layout.annotations[0].text


def test_debt_figure_states_the_finding_and_writes_missing_figures_in_words(dataset):
    debt = money.debt_shares(dataset)
    fig = make_debt_figure(debt, "undated", source="S", as_of="d")
    assert fig.layout.meta["title"] == ("Tajikistan owes about 50% of its public debt to Chinese banks, "
                                        "Kyrgyzstan about 40%")
    bar = next(t for t in fig.data if t.type == "bar")
    assert sorted(bar.x) == [40, 50]
    words = next(t for t in fig.data if t.type == "scatter")
    assert list(words.y) == ["Kazakhstan", "Turkmenistan", "Uzbekistan"]
    assert set(words.text) == {"no figure in the documents"}


def test_debt_title_without_any_figure():
    debt = pd.DataFrame({"country": ["Kazakhstan"], "share_pct": [float("nan")], "label": ["no figure"],
                         "creditor": [""]})
    assert debt_title(debt) == "The documents give no share of public debt owed to Chinese lenders"


def test_dollar_ticks_read_in_words():
    vals, texts = dollar_ticks(1_000_000_000)
    assert vals[0] == 0 and texts[0] == "US$0"
    assert "US$1 billion" in texts and all("G" not in t for t in texts)


# --- the page, in a real Streamlit run ---

def _titles(at):
    import json
    return [json.loads(c.proto.spec)["layout"]["meta"]["title"] for c in at.get("plotly_chart")]


def test_money_page_draws_its_charts(open_page):
    at = open_page("money")
    titles = _titles(at)
    assert len(titles) == 3
    assert titles[0].startswith("The largest documented amount")
    assert "different lenders" in titles[1]
    assert titles[2].startswith("Tajikistan owes about 50%")
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 12
    text = " ".join(m.value for m in at.markdown)
    assert "no figure in the documents" in text
    # the disagreement over Dushanbe's lender, drawn as st.warning draws one, then each source's account beside the
    # other's, and the project total's quote in a collapsible group
    assert re.search(r'<div class="ca-warn" role="note">\s+⚠️ Sources disagree: Who lent the US',
                     text)
    grid = re.search(r'<div class="ca-grid">(.*?)<details', text, re.S).group(1)
    assert grid.count('<div class="ca-card">') == 2
    assert "### As the Caspian Policy Center brief tells it" in grid and "### As AidData records it" in grid
    assert re.search(r"<summary>Where the project total \(US\$22 million\) comes from</summary>", text)
    # section 5: each disagreement's summary is its warning, its sides side by side
    assert text.count('<div class="ca-warn"') >= 3


def test_status_filter_changes_the_view_and_the_url(open_page):
    at = open_page("money")
    at.radio(key="q_status").set_value("declined").run()
    assert not at.exception
    assert _titles(at)[0] == "Kyrgyzstan turned down US$60 million offered by Huawei"
    assert at.query_params.get("status") in ("declined", ["declined"])


def test_country_from_url_round_trips(open_page):
    at = open_page("money", query={"country": "KGZ"})
    assert at.selectbox(key="q_country").value == "KGZ"
    assert any("This section is about Tajikistan" in c.value for c in at.caption)
    at.selectbox(key="q_country").set_value("TJK").run()
    assert at.query_params.get("country") in ("TJK", ["TJK"])
    assert len(_titles(at)) == 3


def test_country_without_records_says_so(open_page):
    at = open_page("money", query={"country": "KAZ"})
    assert "No loan, deal or offer" in " ".join(_titles(at)) or any(
        "Nothing matches" in i.value for i in at.info)
    assert any("No declined offer" in i.value for i in at.info)


def test_record_from_url_shows_its_quote(open_page):
    at = open_page("money", query={"record": "kg-bishkek-huawei-offer"})
    quotes = " ".join(m.value for m in at.markdown)
    assert "turning down a $60 million deal" in quotes.replace("\\", "")


def test_simulated_bar_click_opens_the_quote(open_page):
    click = {"selection": {"points": [{"customdata": ["cn-world-bank-camera-request"]}]}}
    at = open_page("money", state={"money_chart": click})
    assert at.query_params.get("record") in ("cn-world-bank-camera-request", ["cn-world-bank-camera-request"])
    assert "request was not met" in " ".join(m.value for m in at.markdown).replace("\\", "")


def test_table_row_selection_opens_the_quote(open_page):
    at = open_page("money")
    at.session_state["money_table"] = {"selection": {"rows": [1], "columns": []}}
    at.run()
    assert not at.exception
    # row 1 of the default table is Huawei's declined offer
    assert at.selectbox(key="q_record").value == "kg-bishkek-huawei-offer"


@pytest.mark.parametrize("bad", ["narnia", "<script>alert(1)</script>", "x" * 5000, "ÄÖÜ😀"])
def test_bad_url_values_are_ignored_with_a_notice(open_page, bad):
    at = open_page("money", query={"country": bad, "status": bad, "record": bad})
    assert any("Ignored" in c.value for c in at.caption)
    assert "<script>" not in " ".join(c.value for c in at.caption)
    assert at.selectbox(key="q_country").value == "all"


def test_a_short_bar_carries_its_amount_outside_so_it_is_never_clipped(dataset):
    """Only a bar spanning most of the width holds its words inside; At-Bashi's US$275 million bar (a quarter of the
    largest) writes them after the bar, where there is room."""
    from dashboard.charts.money import INSIDE_SHARE

    fig = make_financing_figure(money.financing_rows(dataset), scope="s", source="S", as_of="d")
    bars = [t for t in fig.data if t.type == "bar"]
    top = max(max(t.x) for t in bars)
    for t in bars:
        for x, pos, text in zip(t.x, t.textposition, t.text, strict=True):
            assert pos == ("inside" if x >= INSIDE_SHARE * top else "outside"), text
    placed = {text: pos for t in bars for text, pos in zip(t.text, t.textposition, strict=True)}
    assert placed["US$275 million · agreed, then protested"] == "outside"
