"""journal page (in progress)."""

import streamlit as st

st.title("journal")
st.info("This page is being built.")
