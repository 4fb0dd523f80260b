"""dashboard.fmt: numbers, money, percents, hedges and dates at their precision, including the awkward values; and
the order of an action's date kinds, read from the schema."""

import copy
import math

import numpy as np
import pandas as pd
import pytest

from dashboard import editorial, fmt
from dashboard.transforms import companies, links
from dashboard.transforms import sanctions as sx


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (855, "855"), (1234567, "1,234,567"), (20.9, "20.9"), (0.25, "0.25"), (-3, "-3"),
    (1e12, "1,000,000,000,000"), (np.int64(7), "7"), (2.5e-7, "0"),
])
def test_number_keeps_what_the_data_holds(value, text):
    assert fmt.number(value) == text


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, "", "  ", math.inf])
def test_missing_values_read_not_given_never_nan_or_zero(missing):
    for f in (fmt.number, fmt.scaled, fmt.percent, fmt.count, fmt.date):
        assert f(missing) == "not given", f.__name__
    assert fmt.money(missing) == "amount not given"
    assert fmt.quantity(missing, "USD") == "not given"


@pytest.mark.parametrize(("value", "text"), [
    (22_000_000, "US$22 million"), (20_900_000, "US$20.9 million"), (1_100_000, "US$1.1 million"),
    (1_000_000_000, "US$1 billion"), (39_000_000_000, "US$39 billion"), (1_250_000_000, "US$1.25 billion"),
    (1_234_567, "US$1,234,567"), (20_912_345, "US$20,912,345"), (999_999, "US$999,999"), (0, "US$0"),
    (5_000_000_000_000, "US$5,000 billion"),
])
def test_money_is_exact_and_never_rounds_away(value, text):
    assert fmt.money(value) == text


def test_hedges_come_with_their_figure():
    assert fmt.count(855, "cameras", "more than") == "more than 855 cameras"
    assert fmt.count(20_000_000, "cameras", "more than") == "more than 20 million cameras"
    assert fmt.percent(50, "about") == "about 50%"
    assert fmt.money(5_000, "about") == "about US$5,000"
    assert fmt.quantity(42, "percent", "around") == "around 42%"
    assert fmt.quantity(150, "countries and regions", "more than", with_unit=True) == \
        "more than 150 countries and regions"
    assert fmt.quantity(2001, "year") == "2001"
    for empty in (None, float("nan"), ""):
        assert fmt.count(855, "cameras", empty) == "855 cameras"


def test_every_hedged_figure_in_the_data_keeps_its_hedge(dataset):
    dep = dataset["deployments"]
    for r in dep[dep["cameras_installed_qualifier"].notna()].to_dict("records"):
        assert f"{r['cameras_installed_qualifier']} {fmt.number(r['cameras_installed'])} cameras" in \
            fmt.deployment_figures(r)
    for r in dataset["debt"].dropna(subset=["share_qualifier", "share_pct"]).to_dict("records"):
        assert fmt.percent(r["share_pct"], r["share_qualifier"]).startswith(r["share_qualifier"] + " ")
    ind = dataset["indicators"].dropna(subset=["qualifier", "value"])
    for r in ind.to_dict("records"):
        assert fmt.quantity(r["value"], r["unit"], r["qualifier"]).startswith(r["qualifier"] + " ")


@pytest.mark.parametrize(("kwargs", "text"), [
    (dict(value="2019-10-09"), "2019-10-09"),
    (dict(value=pd.Timestamp("2021-06-03")), "2021-06-03"),
    (dict(year=2019, month=10, day=9), "2019-10-09"),
    (dict(year=2013, month=5), "2013-05"),
    (dict(year=2013.0, month=float("nan")), "2013"),
    (dict(year=2019), "2019"),
    (dict(year=2019, month=10, precision_="quarter"), "2019 Q4"),
    (dict(year=2020, month=1, precision_="quarter"), "2020 Q1"),
    (dict(value="2019-10-09", precision_="month"), "2019-10"),
    (dict(value="2019-10-09", precision_="year"), "2019"),
    (dict(year=None, month=8), "not given"),  # "in August (year not stated)": no year, no date
])
def test_dates_never_claim_more_precision_than_the_data_has(kwargs, text):
    assert fmt.date(**kwargs) == text


def test_precision_and_partial_dates():
    assert [fmt.precision(2019, 10, 9), fmt.precision(2019, 10), fmt.precision(2019), fmt.precision(None, 8)] == \
        ["day", "month", "year", None]
    assert fmt.year_month(None) == "date not given"
    assert fmt.as_written("August 2020") == "“August 2020” (partial date)"


def test_times_never_overstates():
    assert [fmt.times(3.52), fmt.times(2.0), fmt.times(1.5), fmt.times(12.34)] == \
        ["more than three times", "twice", "1.5 times", "12.3 times"]


# ---- date kinds: the schema's order, and "in force" ranks above "announced"

def _enum(descriptor):
    res = next(r for r in descriptor["resources"] if r["name"] == "action_dates")
    return next(f for f in res["schema"]["fields"] if f["name"] == "date_kind")["constraints"]["enum"]


def test_date_kind_order_is_the_schema_enum(dataset):
    kinds = links.date_kinds(dataset)
    assert list(kinds) == _enum(dataset.descriptor)
    assert kinds.index("announced") < kinds.index("effective")  # announced happens before in force


def test_date_kind_order_follows_a_changed_schema(dataset):
    """Read from the descriptor, not from code: reorder the enum and the order follows."""
    changed = copy.deepcopy(dataset.descriptor)
    _enum(changed).reverse()

    class Reordered(dict):
        descriptor = changed

    t = Reordered(dataset.tables)
    assert links.date_kinds(t) == tuple(reversed(_enum(dataset.descriptor)))
    action = "us-el-xinjiang-2019"
    assert sx.action_dates(t, action)["date_kind"].tolist()[0] == "effective"
    assert sx.action_dates(dataset, action)["date_kind"].tolist() == ["announced", "effective"]


def _listing_kinds(dataset) -> dict[str, str]:
    lst = links.vendor_listings(dataset)
    return dict(zip(lst["entity_id"], lst["listed_since_kind"], strict=True))


def test_in_force_ranks_above_announced_for_a_listing_date(dataset):
    """iFlytek's Entity List rule was announced on 2019-10-07 and in force on 2019-10-09: it is listed since the
    date in force. The NDAA (no date in force) lists Hikvision since it was signed, not since it was announced."""
    lst = links.vendor_listings(dataset).set_index("entity_id")
    assert lst.loc["iflytek", "listed_since_kind"] == "effective"
    assert pd.Timestamp(lst.loc["iflytek", "listed_since"]) == pd.Timestamp("2019-10-09")
    table = companies.ca_vendor_table(dataset).set_index("entity_id")
    assert table.loc["hikvision", "date_kind"] == "signed"


def test_ranking_announced_above_in_force_is_caught(dataset, monkeypatch):
    """The test above is not vacuous: a preference that puts 'announced' first changes Hikvision's listing date."""
    assert editorial.DATE_PREFERENCE.index("effective") < editorial.DATE_PREFERENCE.index("announced")
    swapped = ("announced", *[k for k in editorial.DATE_PREFERENCE if k != "announced"])
    monkeypatch.setattr(links, "DATE_PREFERENCE", swapped)
    with pytest.raises(AssertionError):
        test_in_force_ranks_above_announced_for_a_listing_date(dataset)
