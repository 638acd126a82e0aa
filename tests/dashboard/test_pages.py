"""Every page renders on the sample workspace (AppTest, no browser) and shows the right numbers.

Expected numbers come from a separate copy of the workspace via plain SQL and the core API
(``simulate``, ``summary``, ``compare``, ``readiness.run``), never from the dashboard's own queries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from dashboard_helpers import ROOT, copy_workspace, local_user
from os_identity import four_eyes_off
from streamlit.testing.v1 import AppTest

from analysis.dashboard.guard import operator_token
from analysis.execute.actors import os_user

pytestmark = pytest.mark.slow

APP = str(ROOT / "app.py")


def run(
    page: str | None = None, *, secrets: dict[str, Any] | None = None, user: dict[str, Any] | None = None
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["token"] = operator_token()  # the operator's launch link (local mode acts only with it)
    if secrets:
        for key, value in secrets.items():
            at.secrets[key] = value
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if page:
        at.switch_page(f"analysis/dashboard/pages/{page}.py").run()
        assert not at.exception, [(e.message, e.stack_trace[-3:]) for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def n(value: int) -> str:
    return f"{value:,}"


def one(con: duckdb.DuckDBPyConnection, query: str, *params: Any) -> Any:
    row = con.execute(query, list(params)).fetchone()
    assert row is not None
    return row[0]


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, captions, alerts, tables) in one string."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "success", "warning", "error", "subheader", "title")
        for e in getattr(at, kind)
    ]
    parts += [df.value.to_string() for df in at.dataframe]
    parts += [str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


# ---------------------------------------------------------------- Overview
def test_overview_shows_the_score_and_counts(shared_env: Path, reference: duckdb.DuckDBPyConnection) -> None:
    from analysis.readiness import checks as readiness
    from analysis.simulate.plan import current
    from analysis.simulate.runner import summary
    from analysis.simulate.settings import Settings

    at = run()
    shown = metrics(at)
    users = summary(reference, current(reference, Settings.default()))["users"]
    report = readiness.run(reference, current(reference, Settings.default()))
    assert shown["MFA Server users"] == n(one(reference, "SELECT count(*) FROM mfa_users"))
    assert shown["Rejected rows"] == n(one(reference, "SELECT count(*) FROM rejects"))
    assert shown["Will migrate"] == n(users.get("migrate", 0))
    assert shown["Unmatched"] == n(users.get("unmatched", 0) + users.get("ambiguous", 0))
    assert shown["Readiness score"] == f"{report.score.tenant['score']:.1f} / 100"
    assert shown["Blocked"] == n(report.score.tenant["blocked"])
    graph = one(reference, "SELECT count(*) FROM plan WHERE writable = 'graph'")
    assert shown["Graph writes"] == n(graph)
    assert len(at.get("vega_lite_chart")) >= 5  # the tier chart among them
    tiers = report.retirement["tiers"]
    assert tiers["P1"] + tiers["P2"] + tiers["P3"] > 0
    for tier in ("P1", "P2", "P3"):
        assert shown[tier] == n(tiers[tier])
    assert shown[f"Days to {report.retirement['date']}"] == n(report.retirement["days_left"])
    assert any("Users by priority tier" in c.proto.spec for c in at.get("vega_lite_chart"))
    sidebar = "\n".join(str(e.value) for e in at.sidebar.get("markdown") + at.sidebar.get("caption"))
    assert shared_env.name in sidebar and "Local mode" in "\n".join(w.value for w in at.sidebar.warning)


# ---------------------------------------------------------------- Readiness
def test_readiness_lists_checks_and_drills_down(
    shared_env: Path, reference: duckdb.DuckDBPyConnection
) -> None:
    from analysis.readiness import checks as readiness
    from analysis.simulate.plan import current
    from analysis.simulate.settings import Settings

    report = readiness.run(reference, current(reference, Settings.default()))
    summary = report.summary()
    at = run("readiness")
    shown = metrics(at)
    for sev in ("blocker", "warning", "info"):
        assert shown[f"{sev.capitalize()}s"] == f"{summary[sev]['checks']} checks"
    fired = [r for r in report.results if r.count]
    checks_table = at.dataframe[0].value
    assert len(checks_table) == len(fired)
    worst = fired[0]  # the catalogue is ordered most serious first; the page sorts the same way
    assert checks_table.iloc[0]["findings"] == max(
        r.count for r in fired if r.check.severity == worst.check.severity
    )
    assert at.subheader[0].value in {r.check.title for r in fired}
    labels = {b.label for b in at.get("download_button")}
    assert {"HTML report", "JSON report", "Findings CSV"} <= labels
    # severity filter: only info checks
    at.multiselect(key="r_sev").set_value(["info"]).run()
    assert len(at.dataframe[0].value) == len([r for r in fired if r.check.severity == "info"])


# ---------------------------------------------------------------- Users
def test_users_search_and_side_by_side(shared_env: Path, reference: duckdb.DuckDBPyConnection) -> None:
    username, user_id = reference.execute(
        "SELECT u.username, u.user_id FROM mfa_users u JOIN plan p ON p.user_id = u.user_id "
        "WHERE p.item = 'device' GROUP BY ALL ORDER BY count(*) DESC, u.username LIMIT 1"
    ).fetchone()  # type: ignore[misc]
    plan_rows = one(reference, "SELECT count(*) FROM plan WHERE user_id = ?", user_id)
    devices = one(reference, "SELECT count(*) FROM mfa_devices WHERE user_id = ?", user_id)
    at = run("users")
    at.query_params["user"] = str(user_id)
    at.run()
    assert not at.exception
    assert at.subheader[0].value == f"`{username}`"
    tables = [t.value for t in at.table] + [df.value for df in at.dataframe]
    side = next(t for t in tables if "MFA Server" in t.columns and "Entra now" in t.columns).reset_index()
    assert list(side[""]) == [
        "Default method",
        "Mobile phone",
        "Alternate phone",
        "Office phone",
        "Authenticator app",
        "OATH token",
    ]
    assert side.set_index("").loc["Authenticator app", "MFA Server"].startswith(f"{devices}:")
    plan_table = next(t for t in tables if "Reason" in t.columns and "Written by" in t.columns)
    assert len(plan_table) == plan_rows


# ---------------------------------------------------------------- What-if
def test_whatif_compares_with_the_current_settings(
    shared_env: Path, reference: duckdb.DuckDBPyConnection
) -> None:
    from analysis.simulate.plan import current
    from analysis.simulate.runner import compare, simulate
    from analysis.simulate.settings import Settings

    what_if = Settings.from_dict({"migrate": {"methods": ["phone"]}, "limits": {"device_limit": 2}})
    after = simulate(reference, what_if, table="plan_b")
    expected = compare(reference, current(reference, Settings.default()), after)
    at = run("whatif")
    at.multiselect(key="w_methods").set_value(["phone"])
    at.number_input(key="w_limit").set_value(2)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.message for e in at.exception]
    shown = metrics(at)
    assert shown["Users changed"] == n(expected["changed_users"])
    assert shown["Plan rows that change"] == n(expected["changed_outcomes"])
    assert len(at.get("plotly_chart")) == 1  # the flow chart
    deltas = at.dataframe[0].value
    nonzero = {(i, a): d for i, a, _x, _y, d in expected["counts"] if d}
    assert len(deltas) == len(nonzero)


def test_whatif_retirement_compares_tiers(shared_env: Path, reference: duckdb.DuckDBPyConnection) -> None:
    from analysis.readiness import checks as readiness
    from analysis.readiness.retirement import Retirement
    from analysis.simulate.plan import current
    from analysis.simulate.settings import Settings

    plan = current(reference, Settings.default())
    now = readiness.run(reference, plan).retirement["tiers"]
    own = readiness.run(reference, plan, retirement=Retirement(phone_delivery="own_provider")).retirement
    assert now["P1"] > own["tiers"]["P1"]  # the sample holds phone-only users
    at = run("whatif")
    at.selectbox(key="wr_delivery").set_value("own_provider")
    next(b for b in at.button if b.label == "Compare tiers").click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = metrics(at)
    for tier in ("P1", "P2", "P3"):
        assert shown[tier] == n(own["tiers"][tier])


# ---------------------------------------------------------------- Batches
def _migrating_users(con: duckdb.DuckDBPyConnection, k: int) -> list[str]:
    rows = con.execute(
        "SELECT username FROM plan WHERE item = 'user' AND action = 'migrate' ORDER BY username LIMIT ?", [k]
    ).fetchall()
    return [r[0] for r in rows]


def test_batch_create_then_approve_records_the_identity(
    dashboard_env: Path, reference: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    four_eyes_off(dashboard_env)  # one local identity creates and approves: the rule is switched off
    names = _migrating_users(reference, 3)
    rows = one(reference, "SELECT count(*) FROM plan WHERE username IN (SELECT unnest(?))", names)
    at = run("batches")
    at.text_input(key="b_name").input("wave-1")
    at.radio(key="b_how").set_value("Named users").run()
    at.text_area(key="b_names").input("\n".join(names)).run()
    at.button(key="b_create").click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = metrics(at)
    assert shown["Users"] == "3" and shown["Plan rows"] == n(rows) and "draft" in shown["State"]
    assert any("Four-eyes rule OFF" in w.value for w in at.warning)  # said before approving
    approve = next(b for b in at.button if b.label.startswith("Approve plan"))
    assert approve.label.endswith(local_user())
    approve.click().run()
    assert not at.exception
    assert "approved" in metrics(at)["State"]
    history = next(df.value for df in at.dataframe if "event" in df.value.columns)
    assert {"created", "approved"} <= set(history["event"])
    # recorded: the server's OS account, and that the operator token was presented
    assert set(history[history["event"] == "approved"]["actor"]) == {
        f"{os_user().name} (dashboard operator token, local mode)"
    }


def test_batch_of_a_priority_tier(dashboard_env: Path, reference: duckdb.DuckDBPyConnection) -> None:
    from analysis.readiness import checks as readiness
    from analysis.simulate.plan import current
    from analysis.simulate.settings import Settings

    report = readiness.run(reference, current(reference, Settings.default()))
    p1 = set(report.tiers[report.tiers["tier"] == "P1"]["user_id"].astype(int))
    migrating = {
        int(r[0])
        for r in reference.execute(
            "SELECT user_id FROM plan WHERE item = 'user' AND action = 'migrate'"
        ).fetchall()
    }
    at = run("batches")
    at.text_input(key="b_name").input("p1")
    at.radio(key="b_how").set_value("Priority tier").run()
    at.radio(key="b_tier").set_value("P1").run()
    at.button(key="b_create").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert metrics(at)["Users"] == n(len(p1 & migrating)) != "0"


def test_four_eyes_rule_blocks_self_approval_in_local_mode(
    dashboard_env: Path, reference: duckdb.DuckDBPyConnection
) -> None:
    at = run("batches")
    at.text_input(key="b_name").input("wave-2")
    at.radio(key="b_how").set_value("Named users").run()
    at.text_area(key="b_names").input("\n".join(_migrating_users(reference, 2))).run()
    at.button(key="b_create").click().run()
    assert not any(b.label.startswith("Approve plan") for b in at.button)
    assert any(
        "needs another administrator" in w.value and "`mfa-migrate batch approve`" in w.value
        for w in at.warning
    )


def test_without_a_role_nothing_can_be_created_or_approved(
    shared_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "none.toml"
    empty.write_text("[roles]\napprovers = []\noperators = []\n", encoding="utf-8")
    monkeypatch.setenv("MFA_MIGRATE_ROLES", str(empty))
    at = run("batches")
    assert not any(b.label == "Create draft batch" for b in at.button)
    assert any("Creating batches is for approvers and operators" in i.value for i in at.info)
    assert "Read-only: may not approve or run" in "\n".join(c.value for c in at.sidebar.caption)


# ---------------------------------------------------------------- Rollout
def test_rollout_counts_groups_and_hazards(shared_env: Path, reference: duckdb.DuckDBPyConnection) -> None:
    from analysis.readiness import checks as readiness
    from analysis.simulate.plan import current
    from analysis.simulate.settings import Settings

    report = readiness.run(reference, current(reference, Settings.default()))
    at = run("rollout")
    shown = metrics(at)
    policies = one(
        reference,
        "SELECT count(*) FROM entra_rollout_policies WHERE lower(feature) = 'multifactorauthentication'",
    )
    assert shown["MFA rollout policies"] == n(policies)
    assert shown["Routed but not migrated"] == n(report.result("rollout_users_not_migrated").count)
    domains = one(reference, "SELECT count(*) FROM entra_domains")
    domain_table = next(t.value for t in at.table if "federatedIdpMfaBehavior" in t.value.columns)
    assert len(domain_table) == domains
    steps = len(report.runbook)
    assert sum(1 for m in at.markdown if " — **" in m.value) == steps


# ---------------------------------------------------------------- Journal
def test_journal_filters_and_never_shows_a_secret(
    sample_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, roles_file: Path
) -> None:
    from analysis.execute.batches import ensure_schema

    path = copy_workspace(sample_workspace, tmp_path, "journal.duckdb")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    con = duckdb.connect(str(path))
    ensure_schema(con)
    body = f'{{"serialNumber": "SN1", "secretKey": "{secret}"}}'
    url = "https://127.0.0.1/beta/directory/authenticationMethodDevices/hardwareOathDevices"
    insert = (
        'INSERT INTO journal (seq, "at", run_id, kind, idem_key, step, method, url, body, status, outcome, '
        "actor) VALUES (?, now(), 'r1', ?, 'k1', 'hw_create', 'POST', ?, ?, ?, ?, 'local:x')"
    )
    con.execute(insert, [1, "intent", url, body, None, None])  # as if a bug had stored a secret
    con.execute(insert, [2, "response", url, None, 201, "ok"])
    con.close()
    monkeypatch.setenv("MFA_MIGRATE_WORKSPACE", str(path))
    monkeypatch.setenv("MFA_MIGRATE_ROLES", str(roles_file))
    at = run("journal")
    assert secret not in texts(at)
    table = at.dataframe[0].value
    assert len(table) == 2 and "<redacted>" in table.loc[table["kind"] == "intent", "body"].iloc[0]
    by_kind = table.set_index("kind")  # an intent has no status or outcome yet: blank, not "None"
    assert (by_kind.loc["intent", "status"], by_kind.loc["intent", "outcome"]) == ("", "")
    assert (by_kind.loc["response", "status"], by_kind.loc["response", "outcome"]) == ("201", "ok")
    at.selectbox(key="j_kind").set_value("response").run()
    assert list(at.dataframe[0].value["kind"]) == ["response"]


# ---------------------------------------------------------------- identity
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "00000000-0000-0000-0000-000000000000",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://127.0.0.1:1/.well-known/openid-configuration",
}


def test_sign_in_is_required_when_auth_is_configured(shared_env: Path) -> None:
    at = run(secrets={"auth": AUTH}, user={"is_logged_in": False})
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe
    assert "not-a-real-secret" not in texts(at)


def test_signed_in_user_gets_roles_by_email(
    shared_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roles = tmp_path / "oidc-roles.toml"
    roles.write_text('[roles]\napprovers = ["alice@contoso.com"]\noperators = []\n', encoding="utf-8")
    monkeypatch.setenv("MFA_MIGRATE_ROLES", str(roles))
    at = run(
        secrets={"auth": AUTH}, user={"is_logged_in": True, "email": "alice@contoso.com", "name": "Alice"}
    )
    assert any("Signed in as **Alice**" in s.value for s in at.sidebar.success)
    assert "May approve batches." in [c.value for c in at.sidebar.caption]
    assert any(b.label == "Sign out" for b in at.sidebar.button)


# ---------------------------------------------------------------- sidebar: loading and read-only
def test_loading_other_files_from_the_sidebar_starts_a_new_load(dashboard_env: Path) -> None:
    at = run()
    before = [c.value for c in at.sidebar.caption if c.value.startswith("Loaded ")]
    at.sidebar.text_input(key="sb_datafile").input(str(ROOT / "sample_data" / "PhoneFactor.pfdata"))
    at.sidebar.text_input(key="sb_tenant").input(str(ROOT / "sample_data" / "tenant"))
    next(b for b in at.sidebar.button if b.label == "Load into this workspace").click().run()
    assert not at.exception, [e.message for e in at.exception]
    con = duckdb.connect(str(dashboard_env), read_only=False)  # same process: shares the dashboard's instance
    try:
        loads = one(con, "SELECT count(*) FROM loads")
    finally:
        con.close()
    assert loads == 2
    after = [c.value for c in at.sidebar.caption if c.value.startswith("Loaded ")]
    assert before and after


def _hold(path: Path, read_only: bool) -> Any:
    import subprocess
    import sys

    code = (
        "import duckdb, time; "
        f"c = duckdb.connect({str(path)!r}, read_only={read_only}); "
        "print('held', flush=True); time.sleep(120)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_workspace_another_process_reads_opens_read_only(
    shared_env: Path, sample_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_workspace(sample_workspace, tmp_path, "read.duckdb")
    monkeypatch.setenv("MFA_MIGRATE_WORKSPACE", str(path))
    holder = _hold(path, read_only=True)
    try:
        at = AppTest.from_file(APP, default_timeout=180).run()
        assert not at.exception, [e.message for e in at.exception]
        infos = [i.value for i in at.sidebar.info]
        assert any("opened it read-only" in i for i in infos), infos
        # this copy never had a plan stored, and a read-only workspace cannot simulate: a plain message
        assert any("read-only" in e.value for e in at.error)
    finally:
        holder.kill()
        holder.wait()


def test_a_workspace_another_process_writes_is_explained(
    shared_env: Path, sample_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_workspace(sample_workspace, tmp_path, "held.duckdb")
    monkeypatch.setenv("MFA_MIGRATE_WORKSPACE", str(path))
    holder = _hold(path, read_only=False)
    try:
        at = AppTest.from_file(APP, default_timeout=180).run()
        assert not at.exception, [e.message for e in at.exception]
        assert any(str(path) in e.value and "another process" in e.value for e in at.error)
    finally:
        holder.kill()
        holder.wait()
