"""Streamlit page modules: each only arranges calls to data, transforms and charts."""
