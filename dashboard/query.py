"""Shareable views: read each filter from the URL (ignoring bad values with a notice) and write it back."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from dashboard.safe import md

MAX_LEN = 200  # longer values are never valid choices; refuse them before any parsing


def _note(key: str, raw: str) -> None:
    """A small notice, right where the control is, naming the link value that was ignored."""
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    st.caption(f"Ignored the link's {md(key)}={md(shown)} (unknown or malformed); showing the default instead.")


def get(key: str, parse: Callable[[str], object] | None = None, allowed: Sequence | None = None, default=None):
    """The URL's value for key if it parses and is allowed; otherwise default, and a notice for the page."""
    if key not in st.query_params:
        return default
    raw = st.query_params.get(key, "")
    if len(raw) > MAX_LEN:
        _note(key, raw)
        return default
    try:
        value = parse(raw) if parse else raw
    except (ValueError, TypeError):
        _note(key, raw)
        return default
    if allowed is not None and value not in allowed:
        _note(key, raw)
        return default
    return value


def put(key: str, value, default=None) -> None:
    """Mirror a widget's value into the URL; the default is left out so plain URLs stay plain."""
    if value is None or value == default:
        if key in st.query_params:
            del st.query_params[key]
        return
    text = str(value)
    if st.query_params.get(key) != text:
        st.query_params[key] = text


def bound(key: str, widget: Callable, options: Sequence, default, label: str, fmt: Callable | None = None,
          parse: Callable[[str], object] | None = None, **kwargs):
    """A choice widget whose value lives in the URL: initialised from it, written back to it on every run."""
    wkey, last = f"q_{key}", f"_q_written_{key}"
    if wkey not in st.session_state:
        st.session_state[wkey] = get(key, parse=parse, allowed=options, default=default)
    elif st.query_params.get(key) != st.session_state.get(last):
        # The URL changed under us (a link to this same page with new parameters): the link wins.
        st.session_state[wkey] = get(key, parse=parse, allowed=options, default=default)
    if st.session_state[wkey] not in options:
        st.session_state[wkey] = default
    args = dict(options=list(options), key=wkey, **kwargs)
    if fmt:
        args["format_func"] = fmt
    value = widget(label, **args)
    put(key, value, default)
    st.session_state[last] = st.query_params.get(key)
    return value
