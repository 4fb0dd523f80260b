"""Companies page at scale: the index-based profile functions give what the table scans they replaced gave (real
data, every entity), and on synthetic data the page sends what it sends at 1x while every entity stays reachable."""

import pandas as pd
import pytest

from dashboard import data
from dashboard.transforms import companies, links
from dashboard.transforms.sources import given, nones

# --- the scans the index replaced (copied from before the change), as references ---


def _profile_before(t, entity_id):
    e = t["entities"].set_index("entity_id")
    row = e.loc[entity_id]
    countries = dict(zip(t["countries"]["iso3"], t["countries"]["name"], strict=True))
    parent = row["parent_id"]
    children = e[e["parent_id"] == entity_id]
    return {
        "entity_id": entity_id,
        "row": {k: (v if given(v) else None) for k, v in row.items()},
        "name": row["name"],
        "aliases": [a.strip() for a in (row["aliases"] or "").split(";") if a.strip()],
        "kind": row["kind"],
        "country": countries.get(row["country_iso3"], row["country_iso3"]) if given(row["country_iso3"]) else None,
        "parent_id": parent if given(parent) else None,
        "parent_name": e.loc[parent, "name"] if given(parent) and parent in e.index else None,
        "children": list(zip(children.index, children["name"], strict=True)),
        "party_count": int(row["party_count"]) if given(row["party_count"]) else None,
    }


def _actions_before(t, entity_id):
    lk = t["action_entities"]
    lk = lk[lk["entity_id"] == entity_id]
    a = links.actions_overview(t).drop(columns=["quote", "source_id", "locator", "evidence"])
    a = a.rename(columns={"caveat": "action_caveat", "conflict_id": "action_conflict_id"})
    out = a.merge(lk, on="action_id", how="inner")
    out["placed_sort"] = pd.to_datetime(out["placed"])
    out = out.sort_values(["placed_sort", "action_id"], na_position="last").drop(columns="placed_sort")
    return nones(out.reset_index(drop=True))


def _deployments_before(t, entity_id):
    dep = t["deployments"]
    ca = t["countries"].loc[t["countries"]["region"] == "central_asia", "iso3"]
    dep = dep[(dep["vendor_id"] == entity_id) & dep["country_iso3"].isin(ca)]
    places = t["places"][["place_id", "name"]].rename(columns={"name": "place"})
    countries = t["countries"][["iso3", "name"]].rename(columns={"iso3": "country_iso3", "name": "country"})
    dep = dep.merge(places, on="place_id", how="left").merge(countries, on="country_iso3", how="left")
    return nones(dep.sort_values(["country", "year", "deployment_id"], na_position="last").reset_index(drop=True))


def _financing_before(t, entity_id):
    f = t["financing"]
    f = f[f["lender_id"] == entity_id]
    countries = t["countries"][["iso3", "name"]].rename(columns={"iso3": "country_iso3", "name": "country"})
    f = f.merge(countries, on="country_iso3", how="left")
    return nones(f.sort_values(["year", "financing_id"], na_position="last").reset_index(drop=True))


def _vendor_table_before(t):
    vendors = links.central_asia_vendors(t)
    ents = t["entities"].set_index("entity_id")
    countries = dict(zip(t["countries"]["iso3"], t["countries"]["name"], strict=True))
    lst = links.vendor_listings(t).set_index("entity_id")
    rows = []
    for v in vendors:
        dep = _deployments_before(t, v)
        first = lst.loc[v] if v in lst.index else None
        rows.append({
            "entity_id": v, "vendor": ents.loc[v, "name"],
            "based_in": countries.get(ents.loc[v, "country_iso3"], "not given"),
            "ca_countries": ", ".join(sorted(dep["country"].dropna().unique())), "records": len(dep),
            "first_action_id": None if first is None else first["first_action_id"],
            "first_us_action": "not on a US list in these documents" if first is None
            else first["first_action_title"],
            "listed_since": pd.NaT if first is None else pd.Timestamp(first["listed_since"]),
            "date_kind": None if first is None else first["listed_since_kind"],
            "us_actions": 0 if first is None else len(first["us_actions"]),
        })
    df = pd.DataFrame(rows)
    df["listed_since"] = pd.to_datetime(df["listed_since"])
    return nones(df.sort_values(["listed_since", "vendor"], na_position="last").reset_index(drop=True))


def _frames_equal(a, b):
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


def test_every_profile_part_matches_the_scan_for_every_entity(dataset):
    index = companies.entity_index(dataset)
    for e in dataset["entities"]["entity_id"]:
        assert companies.entity_profile(dataset, e, index) == _profile_before(dataset, e), e
        _frames_equal(companies.entity_actions(dataset, e, index), _actions_before(dataset, e))
        _frames_equal(companies.entity_deployments(dataset, e, index), _deployments_before(dataset, e))
        _frames_equal(companies.entity_financing(dataset, e, index), _financing_before(dataset, e))
        ind = dataset["indicators"]
        _frames_equal(companies.entity_indicators(dataset, e, index), nones(ind[ind["entity_id"] == e]))
        # without an index the same answer (the index is then built for the one call)
        assert companies.vendor_summary(dataset, e) == companies.vendor_summary(dataset, e, index)
    for a in dataset["actions"]["action_id"]:
        _frames_equal(companies.action_date_rows(dataset, a, index), companies.action_date_rows(dataset, a))


def test_vendor_table_and_listing_evidence_match_the_scan(dataset):
    _frames_equal(companies.ca_vendor_table(dataset), _vendor_table_before(dataset))
    index = companies.entity_index(dataset)
    for r in companies.ca_vendor_table(dataset).to_dict("records"):
        if r["first_action_id"]:
            args = (r["entity_id"], r["first_action_id"], r["date_kind"])
            assert companies.listing_evidence(dataset, *args, index=index) == \
                companies.listing_evidence(dataset, *args)


def test_vendor_listings_match_the_list_aggregation(dataset):
    a = links.actions_overview(dataset)
    a = a[(a["jurisdiction"] == "US") & (a["status"] == "in force") & a["instrument"].isin(links.US_LIST_INSTRUMENTS)]
    rows = a.explode("entities").dropna(subset=["entities"]).rename(columns={"entities": "entity_id"})
    rows = rows.sort_values(["entity_id", "placed"])
    want = rows.groupby("entity_id").agg(
        first_action_id=("action_id", "first"), first_action_title=("title", "first"),
        listed_since=("placed", "first"), listed_since_kind=("placed_kind", "first"),
        us_actions=("action_id", list)).reset_index()
    pd.testing.assert_frame_equal(links.vendor_listings(dataset), want)


# --- synthetic data at 25x ---

FACTOR = 25


@pytest.fixture(scope="module")
def big_dir(synthetic):
    return synthetic(FACTOR)


@pytest.fixture(scope="module")
def big(big_dir):
    return data.load(big_dir)


def test_vendor_table_at_scale_matches_the_scan_in_a_fixed_order(big):
    got = companies.ca_vendor_table(big)
    want = _vendor_table_before(big)  # its order among equal names followed set iteration: compare sorted by id
    _frames_equal(got.sort_values("entity_id"), want.sort_values("entity_id"))
    assert list(got["entity_id"][:3]) == ["hikvision", "hikvision-s1", "hikvision-s10"]  # ties broken by id
    assert len(got) == 5 * FACTOR


def _open(open_page, use_data, big_dir, **kw):
    use_data(big_dir)
    return open_page("companies", timeout=180, **kw)


def test_page_at_scale_sends_what_it_sends_at_1x(open_page, use_data, big_dir):
    small = sum(1 for _ in open_page("companies").main)
    at = _open(open_page, use_data, big_dir)
    assert sum(1 for _ in at.main) == small  # one profile: its records do not multiply with the data
    labels = at.selectbox(key="q_entity").options
    assert len(labels) == len(set(labels)) == 47 * FACTOR  # every entity, each option distinct
    assert "Hikvision (hikvision-s7)" in labels
    assert len(at.dataframe[0].value) == 5 * FACTOR  # the vendor table keeps every vendor (virtualised)


def test_a_replica_entity_opens_by_url_and_by_table_row(open_page, use_data, big_dir, big):
    at = _open(open_page, use_data, big_dir, query={"entity": "huawei-s7"})
    assert at.selectbox(key="q_entity").value == "huawei-s7"
    assert any("8 documented records" in i.value for i in at.info)
    last = len(companies.ca_vendor_table(big)) - 1
    at = _open(open_page, use_data, big_dir,
               state={"ca_vendor_table": {"selection": {"rows": [last], "columns": []}}})
    assert at.selectbox(key="q_entity").value == companies.ca_vendor_table(big)["entity_id"].iloc[last]


def test_long_record_lists_of_one_entity_are_paged_and_reach_the_last(open_page, use_data, data_copy):
    """An entity with many records (here 40 more Huawei deployments) gets a pager; every record is on a page."""
    path = data_copy / "deployments.csv"
    dep = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = dep[dep["vendor_id"] == "huawei"].iloc[[0]]
    extra = pd.concat([row] * 40, ignore_index=True)
    extra["deployment_id"] = [f"zz-extra-{i:02d}" for i in range(40)]
    extra["description"] = [f"Extra record {i:02d}" for i in range(40)]
    pd.concat([dep, extra], ignore_index=True).to_csv(path, index=False)
    use_data(data_copy)
    at = open_page("companies", query={"entity": "huawei"})
    assert any("Showing records 1–20 of 48" in c.value for c in at.caption)
    shown = sum(m.value.count("Extra record") for m in at.markdown)
    assert 1 <= shown <= 20
    at.number_input(key="_page_companies_deployments_huawei").set_value(3).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert any("Showing records 41–48 of 48" in c.value for c in at.caption)
    assert "Extra record 39" in text


def test_companies_after_sanctions_in_one_session(open_page):
    """Page scripts run as __main__: a cached helper of one page must never answer for another page's helper."""
    at = open_page("sanctions")
    at.switch_page("app_pages/companies.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="q_entity").value == "hikvision"
    assert "Hikvision" in at.selectbox(key="q_entity").options
    at.switch_page("app_pages/sanctions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "FY2019 NDAA section 889: federal procurement ban on named Chinese video-surveillance and telecom makers" \
        in at.selectbox(key="q_action").options
