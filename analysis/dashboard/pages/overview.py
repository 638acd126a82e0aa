"""Overview: are we ready? Score, headline numbers and outcome charts."""

import streamlit as st

from analysis.dashboard import context, data

ctx = context.get()
ws = ctx.workspace
st.title("Overview")
counts = data.workspace_counts(ws.path, ws.load_id)
cols = st.columns(4)
cols[0].metric("MFA Server users", f"{counts['mfa_users']:,}")
cols[1].metric("Entra users", f"{counts['entra_users']:,}")
cols[2].metric("Authenticator devices", f"{counts['mfa_devices']:,}")
cols[3].metric("Rejected rows", f"{counts['rejects']:,}")
