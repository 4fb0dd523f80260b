"""One record reads the same everywhere: every page (and every briefing slide) writes Dushanbe's cost, its cameras and
Tajikistan's debt share exactly as dashboard.fmt does, hedge included, and never another way."""

import re

import pytest
from pagetext import page_strings

from dashboard import data, fmt

DS = data.load(data.DATA_DIR)
DEP = DS["deployments"].set_index("deployment_id").loc["tj-dushanbe-safe-city"]
DEBT = DS["debt"].set_index("debt_id").loc["tjk-chinese-banks"]
COST = fmt.money(DEP["cost_usd"])  # US$22 million
CAMERAS = fmt.count(DEP["cameras_installed"], "cameras", DEP["cameras_installed_qualifier"])  # more than 855 cameras
SHARE = fmt.percent(DEBT["share_pct"], DEBT["share_qualifier"])  # about 50%
N_CAMERAS = fmt.number(DEP["cameras_installed"])

# Where each record must appear, and with which query (the pages' own URLs).
PAGES = [
    ("overview", {}, [COST, SHARE]),
    ("map", {"city": "dushanbe"}, [COST, CAMERAS, SHARE]),
    ("sanctions", {}, []),
    ("money", {}, [COST, SHARE]),
    ("markets", {}, []),
    ("companies", {"entity": "huawei"}, [COST, CAMERAS]),
    ("sources", {"source": "seed-002"}, [COST, CAMERAS, SHARE]),
    *[("briefing", {"step": str(k)}, want) for k, want in
      [(1, [SHARE]), (2, []), (3, [COST]), (4, [SHARE]), (5, []), (6, []), (7, []), (8, [])]],
]
QUOTES = sorted({q for t in DS.tables.values() if "quote" in t for q in t["quote"].dropna()}, key=len, reverse=True)


def _without_quotes(text: str) -> str:
    """The page's own words: the sources' verbatim quotes (which keep their own wording) taken out."""
    for q in QUOTES:
        text = text.replace(q, " ")
    return text


def misreadings(text: str) -> list[str]:
    """Every place the text writes one of the three records another way than fmt does."""
    text = _without_quotes(text)
    bad = []
    qualifier = re.escape(str(DEP["cameras_installed_qualifier"]))
    bad += re.findall(rf".{{0,30}}(?<!{qualifier} ){re.escape(N_CAMERAS)}\b(?!,\d).{{0,20}}", text, flags=re.I)
    bad += re.findall(r".{0,30}\b22,000,000.{0,10}", text)
    bad += re.findall(r".{0,30}(?<!US)\$22 million.{0,10}", text)
    bad += re.findall(r".{0,30}(?<!US\$)\b22 million.{0,10}", text)
    bad += re.findall(rf".{{0,30}}(?<!{re.escape(str(DEBT['share_qualifier']))} )\b50 ?(?:%|percent).{{0,20}}", text)
    return bad


def _text(open_page, page, query) -> str:
    return "\n".join(page_strings(open_page(page, query=query)))


@pytest.mark.parametrize(("page", "query", "want"), PAGES, ids=[f"{p}{q}" for p, q, _ in PAGES])
def test_the_record_reads_the_same_on_every_page(open_page, page, query, want):
    text = _text(open_page, page, query)
    for form in want:
        assert form in text, f"{page} does not show {form!r}"
    assert misreadings(text) == []


def test_dropping_a_hedge_is_caught(open_page, monkeypatch):
    """The check above is not vacuous: a formatter that loses the source's 'more than' is caught on the map."""
    assert misreadings(_text(open_page, "map", {"city": "dushanbe"})) == []
    monkeypatch.setattr(fmt, "hedge", lambda qualifier, text: text)
    bad = misreadings(_text(open_page, "map", {"city": "dushanbe"}))
    assert any(N_CAMERAS in b for b in bad)


def test_other_spellings_are_caught():
    assert misreadings(f"Cost: US$22,000,000 · {N_CAMERAS} cameras · $22 million · 50% of public debt") != []
    assert len(misreadings(f"{N_CAMERAS} cameras")) == 1
    assert misreadings(f"{COST} · {CAMERAS} · {SHARE} of public debt") == []
