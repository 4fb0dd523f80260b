"""Cached access to the data package for the Streamlit pages (the only module that ties data to Streamlit)."""

from __future__ import annotations

import streamlit as st

from dashboard import data


@st.cache_data(show_spinner=False)
def _load(data_dir: str, fingerprint: tuple) -> data.Dataset:
    return data.load(data_dir)


def dataset() -> data.Dataset:
    """The validated dataset; reloaded only when a file in data/ changes (size or modification time)."""
    return _load(str(data.DATA_DIR), data.fingerprint(data.DATA_DIR))
