"""Data that reaches other programs: no live formula in any CSV, CITATIONS.md renders quotes verbatim, no bidi."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from dashboard import data, export, validate
from dashboard.safe import md
from dashboard.transforms import sources
from dashboard.views import briefing
from tests.conftest import APP, ROOT
from tests.test_bad_data import BIDI, FORMULAS, _set_cell

BIDI_CHARS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
UNSAFE = FORMULAS + [("carriage_return", "\r=1+1")] + [(n, t) for n, t, _ in BIDI]


# --- formulas: rejected by the schema and by the loader --------------------------------------------------------


def test_every_string_field_refuses_formulas_and_bidi_controls(dataset):
    """Free-text fields carry SAFE_TEXT_PATTERN; fields with their own pattern or enum refuse the same cells."""
    for res in dataset.descriptor["resources"]:
        for f in res.get("schema", {}).get("fields", []):
            if f["type"] != "string":
                continue
            c = f.get("constraints", {})
            if "enum" in c:
                assert not any(data._FORMULA_RE.match(v) or BIDI_CHARS.search(v) for v in c["enum"])
                continue
            assert "pattern" in c, f"{res['name']}.{f['name']} has no pattern: a formula would pass the schema"
            for _, text in UNSAFE:
                if text.startswith("-") and c["pattern"] != data.SAFE_TEXT_PATTERN:
                    continue  # identifiers may start with '-'; check_text_cells refuses that at load
                assert not re.fullmatch(c["pattern"], text), (res["name"], f["name"], text)


@pytest.mark.parametrize("name,text", UNSAFE, ids=[u[0] for u in UNSAFE])
def test_the_loader_refuses_unsafe_text_even_when_the_schema_check_is_skipped(data_copy, monkeypatch, name, text):
    """check_text_cells runs on every load, whatever validated the package (a cache hit, another validator)."""
    _set_cell(data_copy / "entities.csv", 2, "description", text)
    monkeypatch.setattr(validate, "check", lambda *a: None)
    with pytest.raises(data.DataError) as info:
        data.load(data_copy)
    assert info.value.file == "entities.csv"
    if name != "carriage_return":  # a quoted leading CR also breaks the row for CSV readers: refused either way
        assert info.value.field == "description" and info.value.row == 2
        assert ("formula" in str(info.value)) or ("direction control" in str(info.value))


def _poisoned(data_copy):
    _set_cell(data_copy / "deployments.csv", 3, "description", '=HYPERLINK("http://evil.example","x")')
    return data_copy


DOWNLOAD_PAGES = ["sources", "companies", "sanctions", "money", "briefing"]


@pytest.mark.parametrize("page", DOWNLOAD_PAGES)
def test_a_formula_cell_never_reaches_a_page_with_downloads_or_tables(page, data_copy, use_data):
    """Sources' CSV buttons, every table's own CSV button and the pack button: the page is the error page instead."""
    import streamlit
    from streamlit.testing.v1 import AppTest

    use_data(_poisoned(data_copy))
    streamlit.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception
    assert len(at.error) == 1 and "formula" in at.error[0].value and "deployments" in at.error[0].value
    assert not at.get("download_button") and not at.dataframe and not at.get("plotly_chart")


def test_a_formula_cell_never_reaches_the_briefing_pack(data_copy, tmp_path):
    out = tmp_path / "pack"
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(_poisoned(data_copy)), "DASHBOARD_CACHE_DIR": str(tmp_path / "c")}
    proc = subprocess.run([sys.executable, "-m", "dashboard.export", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "deployments.csv" in proc.stderr and "formula" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def _cells(text: str):
    for row in csv.reader(io.StringIO(text)):
        yield from row


def test_no_csv_the_sources_page_writes_starts_like_a_formula(dataset):
    fields = sources.table_fields(dataset.descriptor)
    for name in fields:
        text = sources.table_csv(dataset[name], fields[name])
        bad = [c for c in _cells(text) if c and c[0] in "=+@\t\r" or BIDI_CHARS.search(c)]
        assert not bad, (name, bad[:3])


# --- CITATIONS.md ------------------------------------------------------------------------------------------------

HOSTILE_QUOTES = [
    ("script", "Huawei <script>alert(1)</script> cameras"),
    ("img_onerror", 'Cameras <img src=x onerror="alert(1)"> overlook'),
    ("link", "See [the record](http://evil.example/x) now"),
    ("autolink", "Mail <http://evil.example> today"),
    ("emphasis", "Cameras *really* and __strongly__ overlook `code`"),
    ("entity_and_backslash", "AT&amp;T \\*not\\* emphasis &lt;b&gt;"),
    ("heading_and_list", "Cameras\n# heading\n- item 1. numbered"),
    ("bidi", "Dushanbe \u2068city\u2069 cameras"),
]


class _Items(HTMLParser):
    """Every <li>'s text and the tags found inside it."""

    def __init__(self):
        super().__init__()
        self.items, self.tags, self._depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "li":
            self.items.append("")
            self._depth += 1
        elif self._depth:
            self.tags.append(tag)
        if tag in ("script", "img", "a", "em", "iframe"):
            self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag == "li":
            self._depth -= 1

    def handle_data(self, text):
        if self._depth:
            self.items[-1] += text


@pytest.mark.parametrize("name,quote", HOSTILE_QUOTES, ids=[h[0] for h in HOSTILE_QUOTES])
def test_citations_render_every_quote_verbatim_and_inert(data_copy, monkeypatch, name, quote):
    _set_cell(data_copy / "deployments.csv", 6, "quote", quote)
    monkeypatch.setattr(validate, "check", lambda *a: None)  # the quote no longer stands in the seed; that is fine
    if BIDI_CHARS.search(quote):
        with pytest.raises(data.DataError):  # the package refuses bidi controls; md() strips them regardless
            data.load(data_copy)
        assert not BIDI_CHARS.search(md(quote))
        return
    ds = data.load(data_copy)
    text = export.citations_markdown(ds, briefing.slides(ds, present=True))
    html = MarkdownIt("commonmark").render(text)
    parser = _Items()
    parser.feed(html)
    assert not parser.tags, f"live markup in CITATIONS.md: {parser.tags}"
    shown = " ".join(quote.split())  # Markdown folds the line breaks in a quote into spaces
    assert any(f"“{shown}”" in item for item in parser.items), "the quote is not shown verbatim"


# --- bidi controls on screen ------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f"])
def test_md_strips_bidi_controls(char):
    assert md(f"Dushanbe{char}city, capital") == "Dushanbecity, capital"


def test_bidi_in_a_url_value_is_not_echoed(open_page):
    at = open_page("map", query={"city": "evil\u202ecity"})
    shown = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.info])
    assert not BIDI_CHARS.search(shown)
