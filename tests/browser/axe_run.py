"""axe-core (pinned in tests/browser/axe/package.json) injected into a Playwright page: WCAG 2.1 A/AA results."""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe(pg, tags=WCAG_TAGS) -> list[dict]:
    """Run axe on the page as it stands; returns its violations (rule id, impact, help, nodes' targets)."""
    if not AXE_JS.exists():
        raise AssertionError(f"axe-core is not installed at {AXE_JS}: run `make setup` (npm ci in tests/browser/axe)")
    pg.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = pg.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", tags)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")[:300],
                        "html": n.get("html", "")[:200]} for n in v["nodes"]]}
            for v in result["violations"]]
