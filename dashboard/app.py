"""Entry point: declares the pages and nothing else (run with `make run`)."""

from pathlib import Path

import streamlit as st

from dashboard import loaders, nav
from dashboard.data import DataError
from dashboard.safe import md

st.set_page_config(page_title="Surveillance in Central Asia", layout="wide",
                   page_icon=str(Path(__file__).parent / "static" / "favicon.png"))
try:
    loaders.dataset()
except DataError as err:
    st.error(f"The dashboard's data could not be loaded, so nothing is shown. {md(err)}. "
             "Fix the file named here and reload; `make validate` lists every problem.")
    st.stop()
st.navigation(list(nav.pages().values()), position="sidebar").run()
