"""Pure transforms: tables in, DataFrames out; no Streamlit, no I/O. One module per concern."""
