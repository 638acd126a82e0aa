"""whatif page (in progress)."""

import streamlit as st

st.title("whatif")
st.info("This page is being built.")
