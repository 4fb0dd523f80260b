"""The page list, in one place, so the router can declare it and pages can link to each other."""

from __future__ import annotations

import streamlit as st

# (url_path, title, module under dashboard.app_pages)
PAGES = [
    ("overview", "Overview", "overview"),
    ("map", "Map of Central Asia", "map"),
    ("sanctions", "Sanctions timeline", "sanctions"),
    ("money", "Money and debt", "money"),
    ("markets", "Cameras and markets", "markets"),
    ("companies", "Companies", "companies"),
    ("sources", "Sources and method", "sources"),
    ("briefing", "Briefing", "briefing"),
]


def _page(url: str, title: str, module: str) -> st.Page:
    return st.Page(f"app_pages/{module}.py", title=title, url_path=url, default=(url == "overview"))


def pages() -> dict[str, st.Page]:
    """st.Page objects keyed by url_path. Pages are files (not callables) so AppTest.switch_page can reach them."""
    return {url: _page(url, title, module) for url, title, module in PAGES}


def link(url_path: str, label: str, **query_params) -> None:
    """A link to another page that carries the view's parameters (e.g. entity=hikvision)."""
    params = {k: str(v) for k, v in query_params.items() if v not in (None, "")}
    if st.query_params.get("present") == "1":
        params["present"] = "1"
    # Only the linked page is built: a list of links (e.g. the cities sharing a map marker) stays cheap.
    st.page_link(_page(*next(p for p in PAGES if p[0] == url_path)), label=label, query_params=params or None)
