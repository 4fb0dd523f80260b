"""Markup in every free-text field of the data shows as text on every page of a real browser, never as markup.

Pages draw many records in one Markdown element that allows the HTML of its own wrappers (ui.blocks); this is the
test that data can never reach that HTML unescaped.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from dashboard import data
from dashboard.nav import PAGES
from tests.browser.conftest import ROOT, running_app, wait_for_app

EVIL = ' <img src="x" onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>'


def _key_fields(resource: dict) -> set[str]:
    schema = resource["schema"]
    keys = set(schema.get("primaryKey") or [])
    for fk in schema.get("foreignKeys", []):
        keys |= set([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
    return keys


def _poison(folder) -> int:
    """Append EVIL to every non-empty free-text cell that is not a key; returns how many cells."""
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    n = 0
    for res in desc["resources"]:
        if "schema" not in res or not res["path"].endswith(".csv"):
            continue
        free = {f["name"] for f in res["schema"]["fields"]
                if f.get("type") == "string" and f.get("constraints", {}).get("pattern") == data.SAFE_TEXT_PATTERN
                and "enum" not in f.get("constraints", {}) and f.get("format", "default") == "default"
                and not f["name"].endswith("_id")} - _key_fields(res)
        path = folder / res["path"]
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for r in rows:
            for f in free & set(r):
                if r[f]:
                    r[f] += EVIL
                    n += 1
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return n


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(ROOT / "data", folder)
    assert _poison(folder) > 500
    with running_app("streamlit-hostile.log", {"DASHBOARD_DATA_DIR": str(folder)}) as url:
        yield url


OPEN = {"map": "map?city=nur-sultan"}  # the map shows records once a city is chosen
CHARTS = {"map": 1, "sanctions": 2, "money": 3, "markets": 3, "briefing": 1}


@pytest.mark.parametrize("url", [u for u, _t, _m in PAGES])
def test_markup_in_every_text_field_is_shown_as_text(browser, hostile_url, url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    dialogs = []
    pg.on("dialog", lambda d: dialogs.append(d.message) or d.dismiss())
    try:
        pg.goto(hostile_url + ("/" if url == "overview" else f"/{OPEN.get(url, url)}"))
        wait_for_app(pg, charts=CHARTS.get(url, 0), timeout=90)
        pg.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        pg.wait_for_timeout(500)
        body = pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').textContent")
        assert "could not be" not in body, body[:500]  # the page was drawn, not replaced by an error
        assert '<img src="x"' in body, "the markup is shown, as text"
        assert pg.evaluate("() => window.__pwned") is None and not dialogs
        assert pg.locator('[data-testid="stMain"] img[src="x"]').count() == 0
        assert pg.locator('[data-testid="stMain"] script').count() == 0
        assert pg.locator('[data-testid="stMain"] b', has_text="bold").count() == 0
    finally:
        ctx.close()
