"""Entry point: declares the pages and nothing else (run with `make run`)."""

import streamlit as st

from dashboard import loaders
from dashboard.data import DataError

st.set_page_config(page_title="Surveillance in Central Asia", layout="wide")
try:
    ds = loaders.dataset()
except DataError as err:
    st.error(f"The data could not be loaded. {err}")
    st.stop()
for name, df in ds.tables.items():
    st.subheader(name)
    st.dataframe(df, hide_index=True)
