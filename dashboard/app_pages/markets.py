"""Placeholder for the markets page (being built)."""

import streamlit as st


def render() -> None:
    st.title("markets")
    st.info("This page is being built.")


if __name__ == "__main__":
    render()
