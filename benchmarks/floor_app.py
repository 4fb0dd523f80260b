"""The floor for page-ready timing: a bare Streamlit page with one Plotly bar chart, nothing else to compute."""

import plotly.graph_objects as go
import streamlit as st

st.title("Floor")  # a heading, like every dashboard page, so "page drawn" means the same thing on both
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])), key="floor")
