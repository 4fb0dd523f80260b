"""Cached access to the data package for the Streamlit pages (the only module that ties data to Streamlit)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import data

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


def _freeze(value):
    """A hashable stand-in for an argument; TypeError for values too big or vague to key on (DataFrames)."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, (pd.Series, pd.Index)):
        return tuple(_freeze(v) for v in value.tolist())
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    raise TypeError(f"cannot key on {type(value).__name__}")


def derive(ds: data.Dataset, fn: Callable, *args, **kwargs):
    """fn(ds, *args, **kwargs), computed once per dataset and arguments, then shared by every rerun and session.

    For pure transforms and figure builders only: the result is shared, so callers must not modify it.
    Arguments that cannot be keyed on (a DataFrame) make it a plain call.
    """
    try:
        # Page scripts all run as __main__ and are re-executed each run, so a function is named by its file and
        # qualified name: identity would never hit, and module + name would mix two pages' helpers of one name.
        key = (fn.__module__, getattr(getattr(fn, "__code__", None), "co_filename", ""), fn.__qualname__,
               _freeze(args), _freeze(kwargs))
    except TypeError:
        return fn(ds, *args, **kwargs)
    if key not in ds.memo:
        ds.memo[key] = fn(ds, *args, **kwargs)
    return ds.memo[key]
