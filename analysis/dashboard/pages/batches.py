"""batches page (in progress)."""

import streamlit as st

st.title("batches")
st.info("This page is being built.")
