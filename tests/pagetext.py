"""Every string an AppTest page shows (text, tables, chart specs and hovers), for tests that read a page as a whole."""

from __future__ import annotations

import json

from google.protobuf.json_format import MessageToDict


def _strings(obj, out: list[str]) -> list[str]:
    if isinstance(obj, str):
        if obj[:1] in "{[":
            try:
                return _strings(json.loads(obj), out)
            except ValueError:
                pass
        out.append(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _strings(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _strings(v, out)
    return out


def page_strings(at) -> list[str]:
    """Markdown, captions, metrics (with their tooltips), labels, table cells and Plotly figure specs, Markdown
    escapes removed."""
    out: list[str] = []

    def walk(node):
        if type(node).__name__ == "Dataframe":
            df = node.value
            out.extend(map(str, df.columns))
            out.extend(str(v) for v in df.to_numpy().ravel())
        elif getattr(node, "proto", None) is not None:
            _strings(MessageToDict(node.proto), out)
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree)
    return [s.replace("\\", "") for s in out]
