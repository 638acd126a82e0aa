"""readiness page (in progress)."""

import streamlit as st

st.title("readiness")
st.info("This page is being built.")
