"""Every query the pages run, cached and keyed on the workspace's load id.

Rules that keep the dashboard fast on a 1,000,000-user workspace:

* each cached function takes ``path`` and ``load_id`` (plus whatever else defines the answer) as plain,
  hashed arguments, so a new load is a cache miss by construction (streamlit/streamlit#7709);
* each runs on this thread's cursor (``session.cursor``), never on a shared connection object;
* results are small (aggregates, one user, one page of rows); anything that grows with the tenant is
  aggregated in SQL or limited, never pulled into Python whole;
* SQL lives in ``queries/dashboard/*.sql``, loaded by name, with ``$name`` parameters.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis.dashboard.session import cursor
from analysis.sqlfiles import sql


def frame(path: str, name: str, **params: Any) -> pd.DataFrame:
    """Run ``queries/dashboard/<name>.sql`` on this thread's cursor (uncached)."""
    return cursor(path).execute(sql(f"dashboard/{name}"), params or None).df()


def scalar(path: str, name: str, **params: Any) -> Any:
    row = cursor(path).execute(sql(f"dashboard/{name}"), params or None).fetchone()
    return row[0] if row else None


@st.cache_data(show_spinner=False, max_entries=32)
def load_info(path: str, load_id: str) -> pd.DataFrame:
    return frame(path, "load_info", load_id=load_id)


@st.cache_data(show_spinner=False, max_entries=32)
def load_sources(path: str, load_id: str) -> pd.DataFrame:
    return frame(path, "load_sources", load_id=load_id)


@st.cache_data(show_spinner=False, max_entries=32)
def workspace_counts(path: str, load_id: str) -> dict[str, int]:
    """Headline counts straight from the loaded tables (independent of any settings)."""
    df = frame(path, "workspace_counts")
    return {str(k): int(v) for k, v in df.iloc[0].items()}


def forget_workspace() -> None:
    """After a load in this process: drop cached results (keys would miss anyway; this frees memory)."""
    st.cache_data.clear()
