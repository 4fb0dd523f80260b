"""Cached access to the data package for the Streamlit pages (the only module that ties data to Streamlit)."""

from __future__ import annotations

import streamlit as st

from dashboard import data, memo


# cache_resource, not cache_data: every session shares one read-only Dataset instead of unpickling a copy of
# every table on every rerun (which at 1000x data cost more than the page itself). Nothing may mutate it.
# The first start on new data checks every row against the schema (seconds at 1000x); say so rather than hang.
@st.cache_resource(show_spinner="Checking the data package against its schema (first start on this data only)…",
                   max_entries=2)
def _load(data_dir: str, fingerprint: tuple) -> data.Dataset:
    return data.load(data_dir)


def dataset() -> data.Dataset:
    """The validated dataset; reloaded only when a file in data/ changes (size or modification time)."""
    return _load(str(data.DATA_DIR), data.fingerprint(data.DATA_DIR))


# derive lives in dashboard.memo (no Streamlit), so views and transforms can share its results with the pages.
derive = memo.derive
_freeze = memo._freeze
