"""The page list, in one place, so the router can declare it and pages can link to each other."""

from __future__ import annotations

import copy
import threading

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

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


_BUILT: dict[tuple, st.Page] = {}
_BUILT_LOCK = threading.Lock()


def _page(url: str, title: str, module: str) -> st.Page:
    """A fresh st.Page for one run, copied from one built once per process.

    Building resolves and checks the script's path on disk (realpath, stat): about a tenth of a page view's server
    time under load. Each run still gets its own object, because st.navigation marks the chosen one runnable and
    Page.run unmarks it, so objects shared across sessions' threads would race.
    """
    ctx = get_script_run_ctx()
    key = (str(ctx.pages_manager.main_script_parent) if ctx else "", url, title, module)
    with _BUILT_LOCK:
        built = _BUILT.get(key)
    if built is None:
        built = st.Page(f"app_pages/{module}.py", title=title, url_path=url, default=(url == "overview"))
        with _BUILT_LOCK:
            _BUILT[key] = built
    return copy.copy(built)


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
