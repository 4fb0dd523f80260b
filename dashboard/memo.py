"""Results computed once per dataset and arguments (Dataset.memo), shared by every rerun, session and output."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from dashboard import data


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
