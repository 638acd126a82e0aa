"""Small building blocks the pages share: headers, KPI tiles, plan tables, error boxes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from analysis.dashboard import outcomes
from analysis.errors import UserError

T = TypeVar("T")

TONE_MARK = {"ok": "🟢", "info": "🔵", "neutral": "⚪", "warn": "🟠", "bad": "🔴"}


def header(title: str, question: str) -> None:
    """Page title plus the one question the page answers (so a new admin knows why they are here)."""
    st.title(title)
    st.caption(question)


def kpi(
    col: Any,
    label: str,
    value: int | float | str,
    help: str | None = None,
    delta: str | None = None,
    delta_color: str = "normal",
) -> None:
    shown = f"{value:,}" if isinstance(value, int) else value
    col.metric(label, shown, delta=delta, delta_color=delta_color, help=help, border=True)


def show(value: Any, default: str = "—") -> str:
    """A cell value as text; None, NaN and NA (pandas 3 stores missing strings as NaN) become ``default``."""
    if value is None:
        return default
    try:
        if pd.isna(value):
            return default
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or default


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def outcome_text(action: str) -> str:
    return f"{TONE_MARK[outcomes.tone(action)]} {outcomes.label(action)}"


def with_outcome(df: pd.DataFrame, column: str = "action", into: str = "Outcome") -> pd.DataFrame:
    """Add a readable, tone-marked outcome column next to the raw action code."""
    out = df.copy()
    out.insert(0, into, [outcome_text(str(a)) if pd.notna(a) else "" for a in out[column]])
    return out


PLAN_COLUMNS = {
    "Outcome": st.column_config.TextColumn("Outcome", width="medium"),
    "username": "MFA Server user",
    "upn": "Entra UPN",
    "item": "Item",
    "ref": "Ref",
    "action": st.column_config.TextColumn("Action", help="the plan's action code (DESIGN 4.8)"),
    "value": "Value",
    "reason": st.column_config.TextColumn("Reason", width="large"),
    "writable": st.column_config.TextColumn(
        "Written by",
        help="graph: this tool via Microsoft Graph; utility: Microsoft's Migration Utility; none",
    ),
}


def plan_table(df: pd.DataFrame, key: str | None = None, height: int | str = "auto") -> None:
    st.dataframe(with_outcome(df), hide_index=True, column_config=PLAN_COLUMNS, key=key, height=height)


@contextmanager
def user_errors() -> Iterator[None]:
    """Show a UserError as a plain message (never a traceback) and stop this page's run."""
    try:
        yield
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()


def guarded(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Call ``fn``; on a UserError show it and return None (the page carries on)."""
    try:
        return fn(*args, **kwargs)
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        return None
