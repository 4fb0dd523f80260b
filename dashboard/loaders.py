"""Cached access to the data package for the Streamlit pages (the only module that ties data to Streamlit)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import streamlit as st

from dashboard import data, memo

# One read-only Dataset shared by every session (not a copy per session: at 1000x data unpickling every table on
# every rerun cost more than the page itself). It is kept here, keyed on the package's content, and not in
# st.cache_resource: any websocket client can send Streamlit's "clear cache" message, which empties every
# st.cache_* for all users, and must not force the shared dataset to be read and validated again.
_DATASETS: dict[str, data.Dataset] = {}
_LOCK = threading.Lock()
KEEP = 2  # the current dataset and the one sessions may still be drawing while it is replaced


def dataset() -> data.Dataset:
    """The validated dataset; reloaded only when the package's content changes (see data.fingerprint)."""
    key = data.fingerprint(data.DATA_DIR)
    found = _DATASETS.get(key)
    if found is not None:
        return found
    with _LOCK:  # one session loads; the others wait for it instead of validating the same bytes in parallel
        if key not in _DATASETS:
            with st.spinner("Checking the data package against its schema (first start on this data only)…"):
                ds = data.load(data.DATA_DIR)
            ds.memo["_loaded_at"] = datetime.now(UTC)
            _DATASETS[ds.digest] = ds
            while len(_DATASETS) > KEEP:
                _DATASETS.pop(next(iter(_DATASETS)))
        return _DATASETS.get(key) or _DATASETS[next(reversed(_DATASETS))]


def forget() -> None:
    """Drop the shared datasets, so the next run loads again (tests that replace data.load)."""
    with _LOCK:
        _DATASETS.clear()


# derive lives in dashboard.memo (no Streamlit), so views and transforms can share its results with the pages.
derive = memo.derive
_freeze = memo._freeze
