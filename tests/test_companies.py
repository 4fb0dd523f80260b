"""Companies page: the key-question table, one profile per entity, and the page in AppTest (URL, select, click)."""

import pandas as pd
import pytest

from dashboard.transforms import companies

# --- the key question: vendors in Central Asia and their US listings ---


def test_vendor_table_lists_central_asian_vendors_listed_first(dataset):
    t = companies.ca_vendor_table(dataset)
    assert set(t["entity_id"]) == {"hikvision", "huawei", "ceiec", "tk-mobile", "vega"}
    listed = t[t["listed_since"].notna()]
    assert list(t["entity_id"][: len(listed)]) == list(listed["entity_id"])  # listed vendors come first
    hw = t.set_index("entity_id").loc["huawei"]
    assert hw["listed_since"] == pd.Timestamp("2018-08-13") and hw["date_kind"] == "signed"
    assert hw["first_action_id"] == "us-ndaa-889"
    assert hw["ca_countries"] == "Kazakhstan, Kyrgyzstan, Tajikistan, Uzbekistan"
    vega = t.set_index("entity_id").loc["vega"]
    assert vega["listed_since"] is None and vega["first_us_action"].startswith("not on a US list")
    assert vega["based_in"] == "Russia"


def test_vendor_table_on_a_small_frame_ignores_deployments_outside_central_asia(dataset):
    t = dict(dataset.tables)
    dep = dataset["deployments"].head(1).copy()  # a Hikvision row in Kazakhstan
    t["deployments"] = dep
    assert list(companies.ca_vendor_table(t)["entity_id"]) == ["hikvision"]
    dep = dep.assign(country_iso3="CHN")
    t["deployments"] = dep
    assert companies.ca_vendor_table(t).empty


def test_listing_evidence_is_the_naming_row_and_the_date_row(dataset):
    ev = companies.listing_evidence(dataset, "hikvision", "us-ndaa-889", "signed")
    assert len(ev) == 2
    assert "Hikvision" in ev[0]["quote"]
    assert ev[1]["date"] == pd.Timestamp("2018-08-13") and "2018-08-13" in ev[1]["quote"]
    assert companies.listing_evidence(dataset, "vega", "us-ndaa-889", "signed")[0]["date_kind"] == "signed"


# --- the summary line ---

def test_summary_answers_listed_since_and_active(dataset):
    s = companies.vendor_summary(dataset, "hikvision")
    assert s["question"] == "Is Hikvision on a US list, since when, and is it active in Central Asia?"
    assert s["listed"] and s["active"] and s["countries"] == ["Kazakhstan"]
    assert "since 2018-08-13 (signed)" in s["answer"]
    assert "1 documented record in Kazakhstan" in s["answer"]
    assert "UK: named in 1 action (recommendation)" in s["answer"]  # statements are not actions


def test_summary_distinguishes_listed_but_absent_and_active_but_unlisted(dataset):
    dahua = companies.vendor_summary(dataset, "dahua")
    assert dahua["listed"] and not dahua["active"]
    assert "no deployment in these documents" in dahua["answer"]
    vega = companies.vendor_summary(dataset, "vega")
    assert not vega["listed"] and vega["active"]
    assert vega["answer"].startswith("No US listing")
    huawei = companies.vendor_summary(dataset, "huawei")
    assert huawei["records"] == 8 and huawei["declined"] == 1
    assert "(1 of them declined)" in huawei["answer"]


# --- the profile parts ---

def test_profile_has_parent_children_and_aliases(dataset):
    hik = companies.entity_profile(dataset, "hikvision")
    assert hik["parent_id"] == "cethik" and hik["parent_name"] == "China Electronics Technology HIK Group"
    assert hik["aliases"] == ["Hangzhou Hikvision Digital Technology Co.",
                              "Hangzhou Hikvision Digital Technology Company"]
    assert hik["country"] == "China"
    assert ("hikvision", "Hikvision") in companies.entity_profile(dataset, "cethik")["children"]
    group = companies.entity_profile(dataset, "huawei-affiliates")
    assert group["party_count"] == 68 and group["country"] is None


def test_entity_choices_cover_every_entity_by_name(dataset):
    ch = companies.entity_choices(dataset)
    assert set(ch["entity_id"]) == set(dataset["entities"]["entity_id"])
    assert list(ch["name"]) == sorted(ch["name"], key=str.casefold)


def test_actions_naming_hikvision_in_date_order_with_naming_quotes(dataset):
    a = companies.entity_actions(dataset, "hikvision")
    assert list(a["action_id"]) == ["us-ndaa-889", "us-el-xinjiang-2019", "us-889b-contractors",
                                    "uk-fac-hc198-2021", "us-eo-14032"]
    ae = dataset["action_entities"].set_index(["action_id", "entity_id"])
    for r in a.to_dict("records"):
        assert r["quote"] == ae.loc[(r["action_id"], "hikvision"), "quote"]
    x19 = a.set_index("action_id").loc["us-el-xinjiang-2019"]
    assert x19["announced"] == pd.Timestamp("2019-10-07") and x19["effective"] == pd.Timestamp("2019-10-09")
    assert companies.entity_actions(dataset, "vega").empty


def test_action_dates_in_the_order_they_happen(dataset):
    d = companies.action_date_rows(dataset, "us-eo-14032")
    assert list(d["date_kind"]) == ["announced", "signed", "published", "effective"]
    assert d["date"].iloc[0] is None and d["date_as_written"].iloc[0] == "In June (year not stated)"


def test_deployments_financing_and_indicators_by_entity(dataset):
    dep = companies.entity_deployments(dataset, "huawei")
    assert len(dep) == 8 and set(dep["country"]) == {"Kazakhstan", "Kyrgyzstan", "Tajikistan", "Uzbekistan"}
    assert dep["place"].notna().all()
    fin = companies.entity_financing(dataset, "huawei")
    assert set(fin["financing_id"]) == {"kg-bishkek-huawei-offer", "uz-huawei-telecom-2008"}
    assert list(companies.entity_financing(dataset, "china-exim")["financing_id"]) == ["tj-dushanbe-exim-loans"]
    assert len(companies.entity_indicators(dataset, "hikvision")) == 6
    assert companies.entity_indicators(dataset, "huawei").empty


def test_indicator_and_deployment_figures_as_stored(dataset):
    ind = companies.entity_indicators(dataset, "hikvision").set_index("indicator_id")
    assert companies.indicator_value(ind.loc["hikvision-founded"]) == "2001"
    assert companies.indicator_value(ind.loc["hikvision-global-share-2017"]) == "21.4%"
    assert companies.indicator_value(ind.loc["hikvision-soe-control"]) == "around 42%"
    assert companies.indicator_value(ind.loc["hikvision-value"]) == "US$39 billion"
    assert companies.indicator_value(ind.loc["hikvision-countries"]) == "more than 150 countries and regions"
    dep = dataset["deployments"].set_index("deployment_id")
    assert companies.deployment_figures(dep.loc["kg-bishkek-command-centre"]) == \
        "60 cameras · 20 with facial recognition"
    assert companies.deployment_figures(dep.loc["kz-akkol-smart-city"]) == "no figures given"


# --- the page ---

def test_companies_page_defaults_to_hikvision_with_its_answer(open_page):
    at = open_page("companies")
    assert at.selectbox(key="q_entity").value == "hikvision"
    assert any("Is Hikvision on a US list" in i.value for i in at.info)
    assert len(at.dataframe) == 1  # the key-question table
    subs = [s.value for s in at.header]
    assert subs == ["1. Vendors working in Central Asia and their US listings", "2. Profile"]
    heads = [line for m in at.markdown for line in m.value.split("\n") if line.startswith("## ")]
    assert heads == ["## 3. US and UK actions naming Hikvision", "## 4. Hikvision in Central Asia",
                     "## 5. Money lent, offered or paid by Hikvision", "## 6. Figures about Hikvision",
                     "## 7. Hikvision outside Central Asia, and what is said for and against it"]
    links = [p.proto.label for p in at.get("page_link")]
    assert "Parent or controlling entity: China Electronics Technology HIK Group" in links
    assert "See Nur-Sultan on the map" in links


def test_entity_from_url_round_trips(open_page):
    at = open_page("companies", query={"entity": "huawei"})
    assert at.selectbox(key="q_entity").value == "huawei"
    assert "## 4. Huawei in Central Asia" in [line for m in at.markdown for line in m.value.split("\n")]
    at.selectbox(key="q_entity").set_value("dahua").run()
    assert not at.exception
    assert at.query_params.get("entity") in ("dahua", ["dahua"])
    assert any("no deployment in these documents" in i.value for i in at.info)


def test_selecting_a_vendor_row_opens_its_profile(open_page):
    at = open_page("companies", state={companies_table_key(): {"selection": {"rows": [4], "columns": []}}})
    assert at.selectbox(key="q_entity").value == "vega"
    assert at.query_params.get("entity") in ("vega", ["vega"])
    text = " ".join(m.value for m in at.markdown)
    assert "not named by any US listing" in text


def companies_table_key() -> str:
    from dashboard.app_pages.companies import TABLE_KEY
    return TABLE_KEY


@pytest.mark.parametrize("bad", ["narnia", "<b>hikvision</b>", "x" * 5000])
def test_bad_entity_in_url_is_ignored_with_a_notice(open_page, bad):
    at = open_page("companies", query={"entity": bad})
    assert any("Ignored" in c.value for c in at.caption)
    assert at.selectbox(key="q_entity").value == "hikvision"


def test_profile_shows_every_quote_and_disagreement_in_few_elements(open_page, dataset):
    """Hikvision's profile: every record's quote (actions, their dates, deployments, figures, installations,
    statements) and every disagreement box is on the page, in collapsed groups inside a handful of elements."""
    from dashboard import ui
    from dashboard.safe import md
    from dashboard.transforms import statements

    at = open_page("companies")
    text = " ".join(m.value for m in at.markdown)
    rows = []
    for a in companies.entity_actions(dataset, "hikvision").to_dict("records"):
        rows += [a, *companies.action_date_rows(dataset, a["action_id"]).to_dict("records")]
    for name in ("entity_deployments", "entity_indicators"):
        rows += getattr(companies, name)(dataset, "hikvision").to_dict("records")
    rows += statements.entity_installations(dataset, "hikvision").to_dict("records")
    rows += statements.entity_statements(dataset, "hikvision").to_dict("records")
    assert len(rows) > 40
    for r in rows:
        assert f"> “{md(r['quote'])}”" in text, r["quote"]
        if ui.given(r.get("conflict_id")):
            topic = dataset["disagreements"].set_index("conflict_id").loc[r["conflict_id"], "topic"]
            assert f'<div class="ca-warn" role="note">\n\n⚠️ Sources disagree: {md(topic)}.' in text
    assert "<summary>Quotes: that it names this party, the action, and each date</summary>" in text
    # a figure's value stays bold in its group's label
    assert "<summary>Hikvision&#x27;s size as a business: <strong>US$39 billion</strong></summary>" in text
    assert sum(1 for _ in at.main) <= 22  # was about 170: sections 3-7 are one element, split only by widgets
