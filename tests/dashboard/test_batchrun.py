"""The Batches page shows, before **Run**, the requests a run would send now: the same list as
``mfa-migrate batch explain`` (computed here by the core API on a copy of the workspace)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from dashboard_helpers import ROOT
from os_identity import OTHER_ADMIN
from streamlit.testing.v1 import AppTest

from analysis.dashboard.guard import operator_token
from analysis.execute.batches import approve
from analysis.execute.explain import explain_batch
from analysis.execute.options import ExecOptions
from analysis.execute.selection import Selection, create_batch
from analysis.simulate.runner import simulate
from analysis.simulate.settings import Settings

pytestmark = pytest.mark.slow


def test_the_run_panel_lists_what_a_run_sends_now(dashboard_env: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(dashboard_env))
    plan = simulate(con, Settings.default(), table="plan_batch")
    names = [
        r[0]
        for r in con.execute(
            "SELECT username FROM plan_batch WHERE item = 'user' AND action = 'migrate' "
            "ORDER BY username LIMIT 5"
        ).fetchall()
    ]
    created = create_batch(
        con,
        name="wave-x",
        plan=plan,
        selection=Selection(where="username IN (" + ", ".join(f"'{n}'" for n in names) + ")"),
        options=ExecOptions(),
        actor="alice",
    )
    con.execute("DROP TABLE plan_batch")
    approve(con, created.batch.batch_id, OTHER_ADMIN)  # a second administrator's OS account
    con.close()
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(dashboard_env, copy)
    reference = duckdb.connect(str(copy))
    expected = explain_batch(reference, created.batch.batch_id)
    reference.close()
    assert expected.requests

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["token"] = operator_token()
    at.run()
    at.switch_page("analysis/dashboard/pages/batches.py").run()
    assert not at.exception, [e.message for e in at.exception]
    label = f"What a run sends now: {len(expected.requests):,} request(s) for {expected.users:,} user(s)"
    assert label in [e.label for e in at.expander]
    shown = next(df.value for df in at.dataframe if {"round", "url", "body"} <= set(df.value.columns))
    assert list(zip(shown["user"], shown["step"], shown["method"], shown["url"], strict=True)) == [
        (p.username, p.step, p.method, p.url) for p in expected.requests
    ]
    assert "Run batch" in " ".join(b.label for b in at.button)


def test_a_running_job_says_what_is_unreachable_since_when_and_when_it_tries_next() -> None:
    from analysis.dashboard.execution import Job
    from analysis.graph.reachability import Reachability

    job = Job("run", 1, "alice", "emulator")
    job.reachability = Reachability(report=job.messages.append, stop=job.stop, backoff_base=0.01)
    assert job.outage() is None
    job.reachability.failed("POST", "/$batch", ConnectionRefusedError(111, "Connection refused"))
    shown = job.outage()
    assert (
        shown is not None and shown.startswith("Graph unreachable since ") and "connection refused" in shown
    )
    assert "next try in" in shown and job.messages and "connection refused" in job.messages[0]
    job.reachability.succeeded()
    assert job.outage() is None and job.messages[-1].startswith("Graph reachable again")


def test_create_shows_group_member_counts_and_freezes_the_chosen_hand_off(
    dashboard_env: Path, reference: duckdb.DuckDBPyConnection
) -> None:
    (group,) = reference.execute(  # the group with most users to migrate
        "SELECT coalesce(g.display_name, g.id) FROM entra_groups g "
        "JOIN entra_group_transitive_users t ON t.group_id = g.id "
        "JOIN plan p ON p.entra_id = t.user_id AND p.item = 'user' AND p.action = 'migrate' "
        "GROUP BY ALL ORDER BY count(DISTINCT p.user_id) DESC, 1 LIMIT 1"
    ).fetchone() or ("",)
    members = reference.execute(
        "SELECT count(t.user_id) FROM entra_groups g JOIN entra_group_transitive_users t "
        "ON t.group_id = g.id WHERE coalesce(g.display_name, g.id) = ?",
        [group],
    ).fetchone()[0]
    assert group and members > 0
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["token"] = operator_token()
    at.run()
    at.switch_page("analysis/dashboard/pages/batches.py").run()
    assert not at.exception, [e.message for e in at.exception]
    at.text_input(key="b_name").set_value("wave-handoff")
    at.radio(key="b_how").set_value("Entra group").run()
    picker = at.selectbox(key="b_group")
    assert f"{group} ({members:,} member{'' if members == 1 else 's'})" in picker.options
    picker.set_value(group)
    how = at.radio(key="b_handoff_how")
    assert how.value == "none"  # the settings file's default, shown where the batch is created
    how.set_value("reregister").run()
    at.checkbox(key="b_handoff_tap").check().run()
    at.number_input(key="b_handoff_tap_minutes").set_value(60).run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Temporary Access Pass (60 min)" in c.value for c in at.caption)
    # who may approve is not offered here: it is the workspace's policy, shown with the rule in force
    assert any("workspace's policy" in c.value for c in at.caption)
    assert any("Four-eyes rule (workspace policy): on" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Create draft batch").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Created batch" in s.value for s in at.success)
    con = duckdb.connect(str(dashboard_env))  # this process shares the dashboard's database instance
    try:
        row = con.execute("SELECT options_json FROM batches WHERE name = 'wave-handoff'").fetchone()
    finally:
        con.close()
    assert row is not None
    frozen = json.loads(row[0])
    assert (frozen["handoff"], frozen["tap"], frozen["tap_lifetime_minutes"]) == ("reregister", True, 60)
