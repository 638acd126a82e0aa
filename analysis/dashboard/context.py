"""What every page needs, handed from the frame to the page of this rerun.

The frame (``frame.main``) resolves the identity, the workspace and the settings once per rerun and
stores them here; pages call :func:`get` instead of re-deriving them, so a page stays a thin script.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from analysis.dashboard.identity import Identity
from analysis.dashboard.session import Workspace

_KEY = "_mfa_migrate_context"


@dataclass(frozen=True)
class Context:
    workspace: Workspace
    identity: Identity
    settings: Any  # analysis.simulate.settings.Settings: the "current" settings the pages report on
    options: Any  # analysis.execute.options.ExecOptions: how batches are carried out and approved
    settings_source: str  # where they came from, shown in the sidebar
    retirement: Any = None  # analysis.readiness.retirement.Retirement: the file's [retirement] section
    freshness: Any = None  # analysis.sources.freshness.Freshness: the file's [freshness] section


def put(ctx: Context) -> None:
    st.session_state[_KEY] = ctx


def get() -> Context:
    ctx = st.session_state.get(_KEY)
    if ctx is None:  # a page script run without the frame (never in app.py)
        st.error("Open the dashboard through app.py (`make demo`).")
        st.stop()
    return ctx  # type: ignore[no-any-return]
