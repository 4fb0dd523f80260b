"""Cached access to the data package for the Streamlit pages (the only module that ties data to Streamlit)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import data


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
