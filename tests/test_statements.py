"""Statements and installations: the transforms, the companies profile's section 7 and the sanctions page's section 6
(statements and calls to act, apart from binding actions), in AppTest."""

import html
import json
import re

import pandas as pd

from dashboard.transforms import statements as stx

# --- transforms on the real data ---


def test_hikvision_footprint_outside_central_asia(dataset):
    inst = stx.entity_installations(dataset, "hikvision")
    assert set(inst["country"]) == {"Australia", "Brazil", "China", "Germany", "United Kingdom", "United States"}
    assert list(inst["country"]) == sorted(inst["country"])
    assert stx.footprint_line(inst) == (f"{len(inst)} records in 6 countries: Australia, Brazil, China, Germany, "
                                        "United Kingdom and United States")
    dahua = stx.entity_installations(dataset, "dahua")
    assert stx.footprint_line(dahua) == "1 record in 1 country: Australia"
    assert stx.footprint_line(stx.entity_installations(dataset, "huawei")) == ""


def test_statements_for_and_against_hikvision(dataset):
    rows = stx.entity_statements(dataset, "hikvision")
    ids = set(rows["statement_id"])
    assert {"hikvision-knee-jerk", "arent-fox-report", "uk-mps-nhs-inquiry", "au-media-spying",
            "tugendhat-not-importing"} <= ids
    assert "us-genocide" not in ids  # about Xinjiang, names no company and no action naming Hikvision
    by = rows.set_index("statement_id")
    assert by.loc["hikvision-knee-jerk", "via"] == "by it"
    assert by.loc["tugendhat-not-importing", "via"] == "about an action naming it"
    assert by.loc["au-media-spying", "via"] == "about it"
    assert list(dict.fromkeys(rows["stance"])) == ["against", "for", "neutral"]
    counts = stx.stance_counts(rows)
    assert counts["for"] == (rows["stance"] == "for").sum() and set(counts) == {"against", "for", "neutral"}
    # Dahua is the second subject of the Australian report, and named by the action the author's remark is about
    assert list(stx.entity_statements(dataset, "dahua")["statement_id"]) == [
        "au-media-spying", "rollet-blacklist-targets", "rollet-presumption-of-denial"]


def test_statement_labels_say_not_binding_and_what_they_answer(dataset):
    rows = stx.all_statements(dataset)
    assert len(rows) == len(dataset["statements"])
    assert rows["mark"].str.endswith("· not binding").all()
    assert list(dict.fromkeys(rows["kind"])) == [k for k in stx.KINDS if k in set(rows["kind"])]
    assert rows.iloc[0]["kind"] == "call to act"
    by = rows.set_index("statement_id")
    assert by.loc["bscc-letter-to-hikvision", "replying_to"].startswith("in reply to: Hikvision calls")
    assert by.loc["hikvision-knee-jerk", "replying_to"].startswith("about: Foreign Affairs Committee calls")
    assert by.loc["au-media-spying", "when"] == "In September (year not stated)"
    assert by.loc["us-genocide", "when"] == "undated"


def test_non_binding_actions_are_the_ones_not_in_force(dataset):
    nb = stx.non_binding_actions(dataset)
    assert set(nb["action_id"]) == {"uk-fac-hc198-2021", "us-xinjiang-bill-2019"}
    assert set(nb["status"]) == {"recommendation", "pending"}


def test_transforms_on_a_small_frame():
    t = {
        "statements": pd.DataFrame({
            "statement_id": ["s1", "s2"], "speaker": ["A", "B"], "speaker_entity_id": [None, "x"],
            "kind": ["letter", "call to act"], "stance": ["for", "against"], "about_entity_id": ["x", None],
            "also_about_entity_id": [None, None], "about_action_id": [None, "a1"],
            "responds_to_statement_id": [None, "s1"], "date_precision": ["not stated", "not stated"],
            "date_as_written": ["not stated", "not stated"], "summary": ["one", "two"]}),
        "actions": pd.DataFrame({"action_id": ["a1"], "title": ["T"], "status": ["in force"]}),
        "action_entities": pd.DataFrame({"action_id": ["a1"], "entity_id": ["y"]}),
    }
    assert list(stx.all_statements(t)["statement_id"]) == ["s2", "s1"]  # a call to act first
    y = stx.entity_statements(t, "y")
    assert list(y["statement_id"]) == ["s2"] and y["via"].iloc[0] == "about an action naming it"
    x = stx.entity_statements(t, "x").set_index("statement_id")["via"].to_dict()
    assert x == {"s2": "by it", "s1": "about it"}
    assert stx.non_binding_actions(t).empty


# --- the pages, in AppTest ---


def _text(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [e.label for e in at.expander]).replace("\\", "")


def _summaries(at) -> list[str]:
    """The labels of the page's collapsible groups (ui.disclosure: <summary> in a Markdown element), as shown."""
    return [html.unescape(lab) for m in at.markdown for lab in re.findall(r"<summary>(.*?)</summary>", m.value)]


def test_companies_profile_shows_footprint_and_statements_for_and_against(open_page):
    at = open_page("companies", query={"entity": "hikvision"})
    text = _text(at)
    assert "## 7. Hikvision outside Central Asia, and what is said for and against it" in text
    assert "records in 6 countries: Australia, Brazil, China, Germany, United Kingdom and United States" in text
    assert "Germany, Nuremberg — surveillance system (project)" in text
    assert "Against" in text and "For (defends it or disputes the accusations)" in text
    assert "Letter · not binding: Hikvision" in text
    assert "knee-jerk reaction" in text  # the quote itself, inside the expander
    assert "None of them binds anyone" in text


def test_companies_profile_without_outside_records_says_so(open_page):
    at = open_page("companies", query={"entity": "vega"})
    infos = " ".join(i.value for i in at.info)
    assert "The documents place no installation of Vega outside Central Asia." in infos
    assert "The documents quote no statement about Vega." in infos


def test_sanctions_page_lists_statements_apart_from_binding_actions(open_page, dataset):
    at = open_page("sanctions")
    assert "6. Statements and calls to act: not binding" in [s.value for s in at.header]
    text = _text(at)
    assert "None of these binds anyone" in text
    # on the timeline side, the recommendation and the pending bill are named as not in force
    assert "Foreign Affairs Committee calls for a UK ban on Hikvision equipment (recommendation)" in text
    # on the timeline itself, the recommendation's row is marked as not binding; a binding action's is not
    timeline = json.loads(at.get("plotly_chart")[0].proto.spec)  # section 2's chart comes first
    labels_on_chart = [a["text"] for a in timeline["layout"]["annotations"]]
    assert sum("recommendation: not binding" in t for t in labels_on_chart) == 1
    assert not any("in force: not binding" in t for t in labels_on_chart)
    # the binding actions' table holds no statement
    table = at.dataframe[0].value
    assert not table["Action"].str.contains("genocide").any()
    assert not set(table["Instrument"]) & {"Statement", "Regulator letter"}
    n = len(dataset["statements"])
    pages = -(-n // 10)
    assert any(f"Showing statements 1–10 of {n}" in c.value for c in at.caption)
    labels = []
    for p in range(1, pages + 1):
        if p > 1:
            at.number_input(key="_page_sanctions_statements").set_value(p).run()
            assert not at.exception
        shown = [lab for lab in _summaries(at) if "· not binding" in lab]
        assert len(shown) == min(10, n - 10 * (p - 1))
        labels += shown
    assert len(labels) == n and labels[0].startswith("Call to act · not binding")  # every statement reached
    assert any("Parliament of Canada" in lab for lab in labels)


def test_statement_text_is_escaped(open_page, monkeypatch):
    """Markup in a statement's words shows as text: md() escapes every field the section prints."""
    from dashboard import data as data_mod

    real = data_mod.load

    def hostile(*a, **k):
        ds = real(*a, **k)
        s = ds.tables["statements"].copy()
        s.loc[0, "summary"] = "**bold** <b>x</b> [link](http://example.com)"
        s.loc[0, "speaker"] = "_under_ :red[c]"
        ds.tables["statements"] = s
        return ds

    monkeypatch.setattr(data_mod, "load", hostile)
    at = open_page("sanctions")
    raw = " ".join([m.value for m in at.markdown] + [e.label for e in at.expander])
    assert r"\*\*bold\*\*" in raw and r"\<b\>x\</b\>" in raw and r"\[link\]\(http" in raw
    # the speaker heads a collapsible group: its label is HTML (a <summary>), where Markdown is not read and any
    # '<' is escaped, so '_under_ :red[c]' shows as typed
    assert any(" — _under_ :red[c], " in lab for lab in _summaries(at))
