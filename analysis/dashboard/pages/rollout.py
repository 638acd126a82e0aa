"""rollout page (in progress)."""

import streamlit as st

st.title("rollout")
st.info("This page is being built.")
