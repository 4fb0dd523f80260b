"""No figure recipe exists twice: only dashboard/views/ calls the chart builders, each builder from one view module,
and the outputs (pages, briefing, export) reach figures only through views."""

import re
from pathlib import Path

import dashboard

ROOT = Path(dashboard.__file__).resolve().parent
BUILDER = re.compile(r"\b(make_\w+_figure)\s*\(")


def _calls(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {m.group(1) for m in BUILDER.finditer(text) if not text[:m.start()].rstrip().endswith("def")}


def test_only_views_call_the_chart_builders():
    outside = {str(p.relative_to(ROOT)): calls for p in ROOT.rglob("*.py")
               if p.parent.name not in ("charts", "views") and (calls := _calls(p))}
    assert outside == {}


def test_each_builder_is_called_from_one_view_module():
    builders = {m.group(1) for p in (ROOT / "charts").glob("*.py")
                for m in re.finditer(r"^def (make_\w+_figure)\(", p.read_text(encoding="utf-8"), flags=re.M)}
    users: dict[str, set[str]] = {}
    for p in (ROOT / "views").glob("*.py"):
        for name in _calls(p):
            users.setdefault(name, set()).add(p.name)
    assert set(users) == builders  # every builder is reached through a view
    assert {name: files for name, files in users.items() if len(files) > 1} == {}


def test_the_breach_is_caught(tmp_path):
    """A page that draws its own figure is found."""
    page = tmp_path / "page.py"
    page.write_text("fig = make_map_figure(points, events)\n", encoding="utf-8")
    assert _calls(page) == {"make_map_figure"}
