"""Entry point: declares the pages and nothing else (run with `make run`)."""

import logging

import streamlit as st

from dashboard import exports_ui, loaders, nav, ui
from dashboard.data import DataError
from dashboard.safe import md

st.set_page_config(page_title="Surveillance in Central Asia", layout="wide", page_icon=ui.FAVICON)
ui.chrome()
try:
    ui.data_update_notice(loaders.dataset())
except DataError as err:
    st.error(f"The dashboard's data could not be loaded, so nothing is shown. {md(err)}. "
             "Fix the file named here and reload; `make validate` lists every problem.")
    st.stop()
page = st.navigation(list(nav.pages().values()), position="sidebar")
exports_ui.begin_run(page.url_path)
try:
    page.run()
    exports_ui.download_this_view(loaders.dataset(), page.title)
except Exception as exc:  # never a traceback in front of a room; Streamlit's own control flow passes through
    if type(exc).__module__.startswith("streamlit."):
        raise
    logging.getLogger("dashboard").exception("page %s failed", page.url_path)
    st.error("This view could not be drawn. The error has been logged on the server; try another filter or page.")
