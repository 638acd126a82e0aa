"""Every query the pages run, cached and keyed on the workspace's load id.

Rules that keep the dashboard fast on a 1,000,000-user workspace:

* each cached function takes ``path`` and ``load_id`` (plus whatever else defines the answer) as plain,
  hashed arguments, so a new load is a cache miss by construction (streamlit/streamlit#7709);
* each runs on this thread's cursor (``session.cursor``), never on a shared connection object;
* results are small (aggregates, one user, one page of rows); anything that grows with the tenant is
  aggregated in SQL or limited, never pulled into Python whole;
* SQL lives in ``queries/dashboard/data.sql``, one named block per query, with ``$name`` parameters.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis.dashboard.session import cursor
from analysis.sqlfiles import sql


def frame(path: str, name: str, **params: Any) -> pd.DataFrame:
    """Run query ``name`` (e.g. ``"dashboard/data.load_info"``) on this thread's cursor (uncached)."""
    return cursor(path).execute(sql(name), params or None).df()


def plan_frame(path: str, name: str, plan: str, **params: Any) -> pd.DataFrame:
    """Run a query over a plan table: ``__plan__`` in it becomes ``plan`` (a table name, never user input)."""
    return cursor(path).execute(sql(name, plan=plan), params or None).df()


def scalar(path: str, name: str, **params: Any) -> Any:
    row = cursor(path).execute(sql(name), params or None).fetchone()
    return row[0] if row else None


@st.cache_data(show_spinner=False, max_entries=32)
def load_info(path: str, load_id: str) -> pd.DataFrame:
    return frame(path, "dashboard/data.load_info", load_id=load_id)


@st.cache_data(show_spinner=False, max_entries=32)
def load_sources(path: str, load_id: str) -> pd.DataFrame:
    return frame(path, "dashboard/data.load_sources", load_id=load_id)


@st.cache_data(show_spinner=False, max_entries=32)
def workspace_counts(path: str, load_id: str) -> dict[str, int]:
    """Headline counts straight from the loaded tables (independent of any settings)."""
    df = frame(path, "dashboard/data.workspace_counts")
    return {str(k): int(v) for k, v in df.iloc[0].items()}


def forget_workspace() -> None:
    """After a load in this process: drop cached results (keys would miss anyway; this frees memory)."""
    st.cache_data.clear()


# ---------------------------------------------------------------- Users page
@st.cache_data(show_spinner=False, max_entries=64)
def search_users(path: str, key: str, plan: str, text: str, limit: int = 200) -> pd.DataFrame:
    return plan_frame(path, "dashboard/data.user_search", plan, text=text.strip(), limit=limit)


@st.cache_data(show_spinner=False, max_entries=64)
def user_detail(path: str, key: str, plan: str, user_id: int) -> dict[str, pd.DataFrame]:
    """Everything the per-user view shows, in one cached bundle."""
    entra = plan_frame(path, "dashboard/data.user_entra", plan, user_id=user_id)
    entra_id = str(entra.loc[0, "id"]) if not entra.empty else ""
    return {
        "mfa": frame(path, "dashboard/data.user_mfa", user_id=user_id),
        "devices": plan_frame(path, "dashboard/data.user_devices", plan, user_id=user_id),
        "entra": entra,
        "methods": frame(path, "dashboard/data.user_entra_methods", entra_id=entra_id),
        "plan": plan_frame(path, "dashboard/data.user_plan", plan, user_id=user_id),
    }


# ------------------------------------------ execution tables (never cached: they change during runs)
def has_table(path: str, name: str) -> bool:
    return bool(scalar(path, "dashboard/data.table_exists", table_name=name))


def batch_list(path: str) -> pd.DataFrame:
    if not has_table(path, "batches"):
        return pd.DataFrame(columns=["batch_id", "name", "state"])
    return frame(path, "dashboard/data.batch_list")


def journal_facets(path: str) -> pd.DataFrame:
    return frame(path, "dashboard/data.journal_facets")


def _journal(path: str, limit: int | None, reveal_phones: bool = False, **filters: Any) -> pd.DataFrame:
    df = frame(path, "dashboard/data.journal_filtered", limit=limit, **filters)
    for col in ("body", "response"):
        df[col] = [_redacted_json(v, reveal_phones) for v in df[col]]
    return df


def _redacted_json(text: Any, reveal_phones: bool = False) -> Any:
    """Redact again on the way out: the executor stores bodies redacted; the screen must never rely on it.
    Phone numbers are masked unless revealed."""
    import json

    from analysis.execute.journal import redact
    from analysis.output.masking import mask_json

    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    try:
        doc = redact(json.loads(text))
    except (TypeError, ValueError):
        return "<not JSON: hidden>"
    return json.dumps(doc if reveal_phones else mask_json(doc), sort_keys=True)


def journal_rows(path: str, limit: int, reveal_phones: bool = False, **filters: Any) -> pd.DataFrame:
    return _journal(path, limit, reveal_phones, **filters).drop(columns=["total"])


def journal_count(path: str, **filters: Any) -> int:
    df = frame(path, "dashboard/data.journal_filtered", limit=1, **filters)
    return int(df.loc[0, "total"]) if not df.empty else 0


def journal_export(path: str, fmt: str, reveal_phones: bool = False, **filters: Any) -> str:
    df = _journal(path, None, reveal_phones, **filters).drop(columns=["total"])
    if fmt == "csv":
        from analysis.dashboard.exports import csv_bytes

        return csv_bytes(df).decode("utf-8")
    return df.to_json(orient="records", lines=True, date_format="iso")


def batch_events(path: str, batch_id: int | None) -> pd.DataFrame:
    if not has_table(path, "batch_events"):
        return pd.DataFrame(
            columns=["at", "batch_id", "batch", "actor", "event", "from_state", "to_state", "detail"]
        )
    return frame(path, "dashboard/data.batch_events_all", batch_id=batch_id)


# ---------------------------------------------------------------- plan aggregates (keyed on the plan's key)
@st.cache_data(show_spinner=False, max_entries=32)
def user_outcomes(path: str, key: str, table: str) -> pd.DataFrame:
    return plan_frame(path, "dashboard/data.user_outcomes", table)


@st.cache_data(show_spinner=False, max_entries=32)
def item_outcomes(path: str, key: str, table: str) -> pd.DataFrame:
    return plan_frame(path, "dashboard/data.item_outcomes", table)


@st.cache_data(show_spinner=False, max_entries=32)
def method_counts(path: str, key: str, table: str) -> pd.DataFrame:
    return plan_frame(path, "dashboard/data.method_counts", table)


@st.cache_data(show_spinner=False, max_entries=32)
def devices_per_user(path: str, load_id: str) -> pd.DataFrame:
    return frame(path, "dashboard/data.devices_per_user")


@st.cache_data(show_spinner=False, max_entries=8)
def group_names(path: str, load_id: str) -> dict[str, int]:
    """Entra group name -> transitive user members, by name: the pickers show how many each holds."""
    d = frame(path, "dashboard/data.group_names")
    return {str(g): int(n) for g, n in zip(d["name"], d["members"], strict=True)}


# ---------------------------------------------------------------- Rollout page
@st.cache_data(show_spinner=False, max_entries=8)
def not_read(path: str, load_id: str) -> dict[str, str]:
    """What the snapshot could not read -> why ({} for a workspace loaded before this was recorded)."""
    if not has_table(path, "entra_not_read"):
        return {}
    return dict(cursor(path).execute(sql("dashboard/data.not_read")).fetchall())


@st.cache_data(show_spinner=False, max_entries=8)
def rollout_groups(path: str, load_id: str) -> pd.DataFrame:
    return frame(path, "dashboard/data.rollout_groups")


@st.cache_data(show_spinner=False, max_entries=8)
def rollout_routed(path: str, key: str, table: str) -> pd.DataFrame:
    return plan_frame(path, "dashboard/data.rollout_routed", table)


@st.cache_data(show_spinner=False, max_entries=8)
def domains(path: str, load_id: str) -> pd.DataFrame:
    return frame(path, "dashboard/data.domains")


# ---------------------------------------------------------------- Batches page (uncached: batches change)
def batch_rows_summary(path: str, batch_id: int) -> pd.DataFrame:
    return frame(path, "dashboard/data.batch_rows_summary", batch_id=batch_id)


def batch_rows_page(path: str, batch_id: int, text: str, limit: int | None) -> pd.DataFrame:
    return frame(path, "dashboard/data.batch_rows_page", batch_id=batch_id, text=text.strip(), limit=limit)


def batch_user_status(path: str, batch_id: int) -> pd.DataFrame:
    return frame(path, "dashboard/data.batch_user_status", batch_id=batch_id)


def batch_user_problems(path: str, batch_id: int) -> pd.DataFrame:
    return frame(path, "execute/show.problem_users", batch_id=batch_id, limit=1000)


def batch_verification(path: str, batch_id: int) -> pd.DataFrame:
    if not has_table(path, "verifications"):
        return pd.DataFrame(
            columns=["username", "item", "ref", "action", "writable", "predicted", "actual", "outcome"]
        )
    return frame(path, "dashboard/data.batch_verification", batch_id=batch_id)


@st.cache_data(show_spinner=False, max_entries=8)
def mfa_user_groups(path: str, load_id: str) -> pd.DataFrame:
    return frame(path, "dashboard/data.mfa_user_groups")


def select_mfa_group(path: str, groups: list[str]) -> list[int]:
    return [int(v) for v in frame(path, "dashboard/data.select_mfa_group", groups=groups)["user_id"]]


@st.cache_data(show_spinner=False, max_entries=8)
def plan_actions(path: str, key: str, table: str) -> pd.DataFrame:
    return plan_frame(path, "dashboard/data.plan_actions", table)


def resolve_users(path: str, table: str, names: list[str]) -> pd.DataFrame:
    return plan_frame(path, "dashboard/data.resolve_users", table, names=names)


# ---------------------------------------------------------------- figures (built once per plan)
@st.cache_resource(show_spinner=False, max_entries=8)
def overview_figures(path: str, key: str, table: str, load_id: str) -> dict[str, Any]:
    """The Overview's charts for one plan, cached as objects (read-only use)."""
    from analysis.dashboard import charts

    items = item_outcomes(path, key, table)
    return {
        "users": charts.users_by_outcome(user_outcomes(path, key, table)),
        "methods": charts.methods_compared(method_counts(path, key, table)),
        "devices": charts.device_outcomes(items),
        "per_user": charts.devices_per_user(devices_per_user(path, load_id)),
    }


@st.cache_resource(show_spinner=False, max_entries=8)
def checks_figure(report_key: str, fired: pd.DataFrame) -> Any:
    from analysis.dashboard import charts

    return charts.checks_by_severity(fired)
