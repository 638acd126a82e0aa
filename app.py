"""Streamlit entry point (placeholder until the dashboard issue lands): shows the workspace's counts."""

import os

import duckdb
import streamlit as st

path = os.environ.get("MFA_MIGRATE_WORKSPACE", ".work/sample.duckdb")
st.title("mfa-migrate")
con = duckdb.connect(path, read_only=True)
for (table,) in con.sql("select table_name from information_schema.tables order by 1").fetchall():
    st.write(table, con.sql(f'select count(*) from "{table}"').fetchone()[0])
