"""The simulator's plan and the readiness report, computed once per load and settings, then reused.

``analysis.simulate.runner.simulate`` writes a plan table and returns an
:class:`analysis.simulate.plan.Plan`, stamped in the workspace's ``plan_meta``; readiness, batches and
the CLI all read the canonical ``plan`` table, so the dashboard's *current* settings are simulated into
``plan``; a what-if is simulated *in memory* (``whatif_mem.plan_b``, compared into
``whatif_mem.plan_diff``: nothing written to the workspace, so it is cheaper and works read-only too).
Those two tables are shared by every session of the process, so a what-if's results are read out under
the lock and cached; only the full-diff download goes back to the tables (recomputing when another
what-if replaced them or the process let go of the workspace, which drops them).

"Already computed" is the plan's own stamp: a plan in the workspace is reused, even one another process
(or the CLI) made, when ``plan_meta`` says it is current for these settings. ``st.cache_resource`` keys
on the workspace load id, the migration marks and the full settings, so a rerun, another page or another
session does not even ask; a new load, a verified batch (which adds migration marks and so changes who
is 'unchanged') or other settings compute afresh. One lock per process serialises computations, so two
sessions asking for the same plan wait for one simulation instead of running it twice, and nobody reads
``plan`` half-replaced.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from analysis.dashboard import reportcache
from analysis.dashboard.session import Workspace, cursor, handle
from analysis.errors import UserError
from analysis.simulate.plan import Plan, workspace_state
from analysis.sqlfiles import sql

_lock = threading.RLock()
CURRENT = "plan"
#: The what-if plan, in memory (analysis.simulate.plan); compare() writes whatif_mem.plan_diff beside it.
WHATIF_TABLE = "whatif_mem.plan_b"


def settings_doc(settings: Any) -> str:
    """The full settings as canonical JSON: the cache key (the selection signature alone is not enough)."""
    return json.dumps(settings.to_dict(), sort_keys=True)


def settings_changes(a: Any, b: Any) -> list[tuple[str, str, str]]:
    """(setting, before, after) for every setting that differs between two Settings."""

    def flat(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in doc.items():
            if isinstance(v, dict):
                out.update(flat(v, f"{prefix}{k}."))
            else:
                out[f"{prefix}{k}"] = v
        return out

    def text(v: Any) -> str:
        if isinstance(v, list):
            return ", ".join(map(str, v)) or "(none)"
        if isinstance(v, bool):
            return "yes" if v else "no"
        return str(v) if v != "" else "(none)"

    fa, fb = flat(a.to_dict()), flat(b.to_dict())
    return [(k, text(fa.get(k)), text(fb.get(k))) for k in fa if fa.get(k) != fb.get(k)]


def marks_stamp(ws: Workspace) -> str:
    """The migration marks' fingerprint (part of every cache key: a verified batch changes plans)."""
    return workspace_state(cursor(ws.path))[1]


def _settings(doc: str) -> Any:
    from analysis.simulate.settings import Settings

    return Settings.from_dict(json.loads(doc), source="dashboard")


@st.cache_resource(show_spinner=False, max_entries=1)
def _current(path: str, load_id: str, marks: str, doc: str) -> Plan:
    """Only one current plan per process: the table is shared, so the cache holds one entry.

    A plan already in the workspace (made by this dashboard, another process or the CLI) is reused when
    its stamp says it is current for these settings.
    """
    from analysis.simulate.plan import current
    from analysis.simulate.runner import simulate

    settings = _settings(doc)
    with _lock:
        cur = cursor(path)
        plan = current(cur, settings, CURRENT)
        if plan is None:
            if handle(path).read_only:
                raise UserError(
                    "the workspace is open read-only (another process holds it) and has no plan for these "
                    "settings yet; close the other process, or open the dashboard once with write access"
                )
            plan = simulate(cur, settings, table=CURRENT)
    return plan


@dataclass(frozen=True)
class WhatIf:
    """A what-if compared with the current plan, read out under the lock (its tables are shared)."""

    settings_doc: str
    signature: str
    counts: pd.DataFrame  # item, action, current, whatif, delta
    changed_users: int
    changed_outcomes: int
    flow: pd.DataFrame  # item, a, b, n  (every outcome, changed or not)
    diff: pd.DataFrame  # the first DIFF_ROWS differing outcomes
    users: pd.DataFrame  # action, current, whatif (user outcomes)
    writable: pd.DataFrame  # item, action, writable as both plans have them
    tenant: dict[str, Any]  # the what-if plan's readiness: users, ready, with_warnings, blocked, score


DIFF_ROWS = 5000
#: What the what-if tables hold now: (path, load id, marks, current settings, what-if settings).
_in_tables: dict[str, tuple[str, ...]] = {"whatif": ()}


def _fill_whatif(
    path: str, load_id: str, marks: str, base_doc: str, doc: str
) -> tuple[dict[str, Any], Plan, Plan]:
    """Simulate ``doc`` in memory and compare it with plan (the current plan, the what-if plan and the
    comparison). Call under the lock."""
    from analysis.simulate.runner import compare, simulate

    base = _current(path, load_id, marks, base_doc)
    cur = cursor(path)
    whatif_plan = simulate(cur, _settings(doc), table=WHATIF_TABLE)
    result = compare(cur, base, whatif_plan)
    _in_tables["whatif"] = (path, load_id, marks, base_doc, doc)
    return result, base, whatif_plan


@st.cache_resource(show_spinner=False, max_entries=8)
def _whatif(
    path: str, load_id: str, marks: str, base_doc: str, doc: str, retirement: Any, today: str
) -> WhatIf:
    import datetime as dt

    from analysis.readiness import checks as readiness

    with _lock:
        result, base, whatif_plan = _fill_whatif(path, load_id, marks, base_doc, doc)
        cur = cursor(path)
        day = dt.date.fromisoformat(today)
        tenant = readiness.tenant_score(cur, whatif_plan, retirement=retirement, today=day)
        tables = {"plan_a": base.table, "plan_b": whatif_plan.table, "diff": result["diff"]}
        flow = cur.execute(sql("dashboard/plans.whatif_flow", **tables)).df()
        diff = cur.execute(sql("dashboard/plans.whatif_diff", **tables), {"limit": DIFF_ROWS}).df()
        writable = cur.execute(sql("dashboard/plans.whatif_writable", **tables)).df()
    counts = pd.DataFrame(result["counts"], columns=["item", "action", "current", "whatif", "delta"])
    users = counts[counts["item"] == "user"][["action", "current", "whatif"]].reset_index(drop=True)
    return WhatIf(
        doc,
        _settings(doc).signature(),
        counts,
        result["changed_users"],
        result["changed_outcomes"],
        flow,
        diff,
        users,
        writable,
        tenant,
    )


def whatif_csv(ws: Workspace, base: Any, settings: Any, reveal_phones: bool = False) -> bytes:
    """Every differing outcome as CSV (recomputed when another what-if took the tables in the meantime or
    they went with the process's hold on the workspace); phone numbers masked unless ``reveal_phones``."""
    from analysis.simulate.runner import DIFF_COLUMNS, diff_table

    key = (ws.path, ws.load_id, marks_stamp(ws), settings_doc(base), settings_doc(settings))
    with _lock:
        cur = cursor(ws.path)
        diff = diff_table(WHATIF_TABLE)
        there = cur.execute(sql("dashboard/plans.has_table"), {"name": diff}).fetchone()
        if _in_tables["whatif"] != key or not (there and there[0]):
            _fill_whatif(*key)
        rows = cur.execute(sql("dashboard/plans.whatif_diff", diff=diff), {"limit": None})
        df = rows.df()[list(DIFF_COLUMNS)]
    from analysis.output import csvfile, masking

    mask = None if reveal_phones else masking.mask_plan_batch
    return csvfile.to_bytes(pa.Table.from_pandas(df, preserve_index=False), mask)


@st.cache_resource(show_spinner=False, max_entries=1)
def _report(path: str, plan: Plan, retirement: Any, today: str) -> reportcache.ReportView:
    """The stored report for this plan, retirement settings and day, or a fresh one (then stored for the
    next process)."""
    import datetime as dt

    from analysis.readiness import checks as readiness

    key = reportcache.report_key(plan, retirement, today)
    with _lock:
        cur = cursor(path)
        view = reportcache.load_view(cur, key)
        if view is not None:
            return view
        report = readiness.run(cur, plan, retirement=retirement, today=dt.date.fromisoformat(today))
        stored = not handle(path).read_only
        if stored:
            reportcache.store_report(cur, key, report)
    return reportcache.view_of(report, key, stored)


def current(ws: Workspace, settings: Any) -> Plan:
    """The ``plan`` table for the dashboard's current settings (simulated on first use only)."""
    doc = settings_doc(settings)
    with st.spinner("Simulating the Migration Utility for every user (once per load and settings) …"):
        return _current(ws.path, ws.load_id, marks_stamp(ws), doc)


def whatif(ws: Workspace, settings: Any, baseline: Any, retirement: Any = None) -> WhatIf:
    """The what-if for ``settings`` against the current plan (``baseline`` settings), its readiness under
    the same ``[retirement]`` settings and day as :func:`report`, so the two scores compare."""
    import datetime as dt

    from analysis.readiness.retirement import Retirement

    doc, base_doc = settings_doc(settings), settings_doc(baseline)
    today = dt.date.today().isoformat()
    with st.spinner("Simulating with the what-if settings and comparing …"):
        return _whatif(ws.path, ws.load_id, marks_stamp(ws), base_doc, doc, retirement or Retirement(), today)


def report(ws: Workspace, settings: Any, retirement: Any = None) -> reportcache.ReportView:
    """The readiness report for the current settings (and ``[retirement]`` settings; None: the defaults),
    as the pages show it. Recomputed once a day: a check's severity depends on the date."""
    import datetime as dt

    from analysis.readiness.retirement import Retirement

    plan = current(ws, settings)
    with st.spinner("Running the readiness checks …"):
        return _report(ws.path, plan, retirement or Retirement(), dt.date.today().isoformat())


def findings(
    ws: Workspace, view: reportcache.ReportView, check_id: str, text: str = "", limit: int | None = None
) -> tuple[pd.DataFrame, int]:
    """One check's findings matching ``text`` (first ``limit``) and the number that match."""
    return reportcache.findings(cursor(ws.path), view, check_id, text, limit)


def full_report(ws: Workspace, settings: Any, view: reportcache.ReportView, retirement: Any = None) -> Any:
    """A complete :class:`analysis.readiness.checks.Report` for downloads (recomputed if none is held)."""
    import datetime as dt

    from analysis.readiness import checks as readiness

    if view.report is not None:
        return view.report
    plan = current(ws, settings)
    today = dt.date.fromisoformat(view.retirement["today"]) if view.retirement else None
    with _lock:
        view.report = readiness.run(cursor(ws.path), plan, retirement=retirement, today=today)
    return view.report
