"""Views: every figure and table a reader sees comes from one function in dashboard.views, and the pages, the slides
and the pack draw that same View (same figure JSON)."""

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from dashboard import export, memo, nav
from dashboard.safe import md
from dashboard.views import EVIDENCE_COLS, View, companies, markets, money, overview, sanctions, sources
from dashboard.views import briefing as vbriefing
from dashboard.views import geo as vmap

VIEWS = [
    (vmap.central_asia, {}), (vmap.central_asia, {"layer": "financing", "year": 2019}),
    (money.financing, {}), (money.financing, {"country": "KGZ", "status": "declined"}),
    (money.loans_table, {}), (money.loans_table, {"country": "TJK", "status": "funded"}),
    (money.dushanbe, {}), (money.debt, {}),
    (sanctions.timeline, {}), (sanctions.timeline, {"instruments": ["Entity List rule"]}),
    (sanctions.entity_list, {}), (sanctions.table, {}),
    (markets.cameras, {}), (markets.market, {}), (markets.hikvision, {}), (markets.detention, {}),
    (markets.cards, {"topic": "cameras"}), (markets.cards, {"topic": "company"}),
    (overview.headlines, {}), (companies.vendors, {}), (sources.documents, {}),
]
PAGES = {p for p, _, _ in nav.PAGES}


def _call(fn, ds, filters, present=False):
    import inspect

    takes_present = "present" in inspect.signature(fn).parameters
    return fn(ds, **({"present": present} if takes_present else {}), **filters)


@pytest.mark.parametrize(("fn", "filters"), VIEWS, ids=[f"{f.__module__.rsplit('.', 1)[1]}.{f.__name__}{v or ''}"
                                                        for f, v in VIEWS])
def test_every_view_is_complete(dataset, fn, filters):
    v = _call(fn, dataset, filters)
    assert isinstance(v, View)
    assert v.slug and v.slug == v.slug.lower() and " " not in v.slug
    assert v.title and v.source and v.alt
    assert v.as_of == dataset.descriptor["created"][:10]
    assert (v.figure is None) == (v.table is not None)  # a chart or a table
    if v.figure is not None:  # what the figure draws is what the View says
        meta = v.figure.layout.meta
        assert (meta["title"], meta["source"], meta["alt"]) == (v.title, v.source, v.alt)
    assert list(v.evidence.columns) == EVIDENCE_COLS
    if fn is not sources.documents:  # the documents table is the sources themselves
        assert len(v.evidence) > 0
        assert v.evidence["quote"].notna().all() and v.evidence["source_id"].notna().all()
        assert v.evidence["locator"].notna().all()
    url = urlsplit(v.link)
    assert url.path.lstrip("/") in PAGES
    for key, value in parse_qsl(url.query):  # the link carries the view's filters
        assert value and key in {"layer", "year", "country", "status", "authority", "instrument", "topic"}


def test_views_are_pure_and_derivable(dataset):
    """The same arguments give the same figure, and memo.derive keys on them (so pages share one computation)."""
    a = money.financing(dataset, country="KGZ")
    b = money.financing(dataset, country="KGZ")
    assert a.figure.to_json() == b.figure.to_json()
    first = memo.derive(dataset, money.financing, present=True, country="TJK")
    assert memo.derive(dataset, money.financing, present=True, country="TJK") is first
    assert memo.derive(dataset, money.financing, present=True, country="KGZ") is not first


def test_the_view_link_names_its_filters(dataset):
    assert money.financing(dataset, country="KGZ", status="declined").link == "/money?country=KGZ&status=declined"
    assert money.financing(dataset).link == "/money"
    assert vmap.central_asia(dataset, layer="financing", year=2019).link == "/map?layer=financing&year=2019"
    assert sanctions.timeline(dataset, instruments=["Entity List rule"]).link == \
        "/sanctions?instrument=entity-list-rule"


def test_a_slide_is_its_page_view(dataset):
    assert all(isinstance(s, View) for s in vbriefing.slides(dataset))
    assert vbriefing.slide(dataset, 2).figure.to_json() == money.dushanbe(dataset, present=True).figure.to_json()


def _page_figures(at) -> dict[str, dict]:
    return {(spec := json.loads(c.proto.spec))["layout"]["meta"]["title"]: spec for c in at.get("plotly_chart")}


def _norm(spec: dict) -> dict:
    """A figure spec without what Streamlit alone adds when it draws one (nothing of the figure's own), nor the
    link to the view the page stamps on the drawn source line (exports_ui: the same figure, citing where it is)."""
    spec = json.loads(json.dumps(spec))
    spec.pop("config", None)
    link = spec["layout"].get("meta", {}).pop("link", None)
    for a in spec["layout"].get("annotations", []):
        if link and str(a.get("text", "")).startswith("Source:"):
            a["text"] = a["text"].removesuffix(f" · {link}")
    return {"data": spec["data"], "layout": spec["layout"]}


@pytest.mark.parametrize(("index", "page", "query"), [
    (0, "map", {}), (1, "money", {}), (2, "money", {}), (3, "money", {}),
    (4, "sanctions", {}), (5, "sanctions", {}), (6, "markets", {}), (7, "markets", {}),
])
def test_a_slide_is_the_page_figure(open_page, dataset, index, page, query):
    """Same figure from the page (in presentation mode) and from the slide: the figure JSON is identical."""
    slide = vbriefing.slide(dataset, index, present=True)
    at = open_page(page, query={"present": "1", **query})
    figures = _page_figures(at)
    assert slide.title in figures, (slide.title, list(figures))
    want = _norm(json.loads(slide.figure.to_json()))
    assert _norm(figures[slide.title]) == want
    brief = _page_figures(open_page("briefing", query={"present": "1", "step": str(index + 1)}))
    assert _norm(brief[slide.title]) == want


def test_the_pack_cites_the_views(dataset):
    text = export.citations_markdown(dataset, vbriefing.slides(dataset))
    for v in vbriefing.slides(dataset):
        assert "## " in text and md(v.title) in text and md(v.alt) in text and md(v.source) in text
