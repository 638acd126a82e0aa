"""Identity that is proven, not typed: the four-eyes rule against real workspaces, real OS accounts (a
second account through a user namespace, ``tests/os_identity.py``) and real device-code sign-ins at the
Graph emulator.

alice creates; the same OS account approving is refused whatever ``--as`` says; another OS account may
approve; under ``approval = signed_in`` only a second Entra user may; turning the rule off is a recorded
workspace policy that ``batch show`` and the approval itself say out loud.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from exec_tenant import SETTINGS, build, cli, entra_id, upn
from os_identity import other_os_user_argv, subprocess_env

from analysis.errors import UserError
from analysis.execute.actors import os_user
from analysis.graph.emulator.launcher import REPO_ROOT, EmulatorInfo, start_emulator

WHO = [
    "import json, os",
    "from analysis.execute.actors import os_user",
    "u = os_user()",
    "print(json.dumps({'uid': u.uid, 'name': u.name}))",
]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws, _ = build(tmp_path, 4)
    (tmp_path / "s.toml").write_text(SETTINGS)
    return ws


def _create(ws: Path, *extra: str) -> None:
    settings = str(ws.parent / "s.toml")
    cli("batch", "create", "--workspace", str(ws), "--name", "w1", "--where", "true", "--settings", settings,
        "--as", "alice", *extra)  # fmt: skip


def _events(ws: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(ws), read_only=True) as con:
        return con.execute(
            "SELECT event, actor, os_uid, os_user, entra_upn, entra_oid, detail FROM batch_events "
            'ORDER BY "at", rowid'
        ).fetchall()


def test_the_os_user_comes_from_the_kernel_not_the_environment() -> None:
    code = "; ".join(WHO)
    env = subprocess_env(USER="bob", LOGNAME="bob", USERNAME="bob", LNAME="bob")
    mine = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert mine.returncode == 0, mine.stderr
    assert json.loads(mine.stdout) == {"uid": os_user().uid, "name": os_user().name} != {"name": "bob"}
    assert os_user().name != "bob"
    other = subprocess.run(
        [*other_os_user_argv()[:4], sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout) == {"uid": 65534, "name": "nobody"}


def test_same_os_account_is_refused_even_as_bob_another_account_may_approve(workspace: Path) -> None:
    _create(workspace)
    me = os_user().name
    for label in (["--as", "bob"], ["--as", "alice"], []):
        same = cli("batch", "approve", "w1", "--workspace", str(workspace), *label, check=False)
        assert same.returncode == 2, same.stdout
        assert f"created by OS user {me}" in same.stderr and "only a label" in same.stderr
        assert "THEIR-NAME" not in same.stderr
    other = cli("batch", "approve", "w1", "--workspace", str(workspace), "--as", "Bob", "--note", "CHG-7",
                other_os_user=True)  # fmt: skip
    assert other.returncode == 0, other.stderr
    assert "as Bob (unverified label; OS user nobody)" in other.stdout
    events = _events(workspace)
    assert [(e[0], e[2], e[3]) for e in events] == [
        ("created", os_user().uid, me),
        ("approved", 65534, "nobody"),
    ]
    assert events[0][1] == f"alice (unverified label; OS user {me})"
    assert events[1][6] == "CHG-7"  # the rule was on: nothing else in the detail
    show = cli("batch", "show", "w1", "--workspace", str(workspace)).stdout
    assert "four-eyes rule" in show and "different OS account" in show and "OFF" not in show


def test_a_batch_setting_cannot_turn_the_rule_off(workspace: Path) -> None:
    (workspace.parent / "lax.toml").write_text(SETTINGS + "require_distinct_approver = false\n")
    done = cli("batch", "create", "--workspace", str(workspace), "--name", "lax", "--where", "true",
               "--settings", str(workspace.parent / "lax.toml"), check=False)  # fmt: skip
    assert done.returncode == 2
    assert "execute.require_distinct_approver" in done.stderr and "policy set four_eyes" in done.stderr
    assert "lax.toml" in done.stderr and "Traceback" not in done.stderr


def test_turning_the_rule_off_is_recorded_and_shown(workspace: Path) -> None:
    _create(workspace)
    shown = cli("policy", "show", "--workspace", str(workspace)).stdout
    assert "on (default)" in shown and "os_user (default)" in shown and "No changes" in shown
    bad = cli("policy", "set", "four_eyes", "maybe", "--workspace", str(workspace), check=False)
    assert bad.returncode == 2 and "on, off" in bad.stderr
    off = cli("policy", "set", "four_eyes", "off", "--workspace", str(workspace), "--note", "lab tenant",
              "--as", "carol")  # fmt: skip
    assert "OFF" in off.stderr
    me = os_user().name
    shown = cli("policy", "show", "--workspace", str(workspace)).stdout
    assert f"off (set by carol (unverified label; OS user {me}) at" in shown and "lab tenant" in shown
    approved = cli("batch", "approve", "w1", "--workspace", str(workspace))
    assert "four-eyes rule is OFF" in approved.stderr
    assert _events(workspace)[-1][6] == "four-eyes rule OFF"
    show = cli("batch", "show", "w1", "--workspace", str(workspace)).stdout
    assert "OFF: the creator may approve their own batch" in show
    cli("policy", "set", "four_eyes", "on", "--workspace", str(workspace))
    with duckdb.connect(str(workspace), read_only=True) as con:
        changes = con.execute('SELECT key, value, os_user FROM workspace_policy ORDER BY "at"').fetchall()
    assert changes == [("four_eyes", "off", me), ("four_eyes", "on", me)]


@pytest.fixture
def signing_in(tmp_path: Path) -> Iterator[tuple[Path, EmulatorInfo]]:
    ws, tenant = build(tmp_path, 4)
    (tmp_path / "s.toml").write_text(SETTINGS)
    with start_emulator(tenant, "--test-hooks", "--sign-in-as", upn(1)) as emu:
        yield ws, emu


def _sign_in(emu: EmulatorInfo) -> list[str]:
    return ["--sign-in", "--authority", emu.authority, "--client-id", emu.client_id, "--graph-url",
            emu.graph_url, "--ca-file", str(emu.ca_file)]  # fmt: skip


def test_signed_in_policy_needs_a_second_entra_user(signing_in: tuple[Path, EmulatorInfo]) -> None:
    ws, emu = signing_in
    cli("policy", "set", "approval", "signed_in", "--workspace", str(ws))
    # a batch created without a sign-in cannot be shown to have another approver
    _create(ws)
    emu.sign_in_as(upn(2))
    unsigned = cli("batch", "approve", "w1", "--workspace", str(ws), *_sign_in(emu), check=False)
    assert unsigned.returncode == 2 and "created without a sign-in" in unsigned.stderr
    # user 1 creates, signed in
    emu.sign_in_as(upn(1))
    settings = str(ws.parent / "s.toml")
    created = cli("batch", "create", "--workspace", str(ws), "--name", "w2", "--where", "true", "--settings",
                  settings, *_sign_in(emu))  # fmt: skip
    assert f"Signed in as {upn(1)}" in created.stdout and "enter the code" in created.stdout
    assert f"by {upn(1)} (signed in; OS user" in created.stdout
    # approving without a sign-in, or as the same Entra user (under any label), is refused
    plain = cli("batch", "approve", "w2", "--workspace", str(ws), "--as", "bob", check=False)
    assert plain.returncode == 2 and "--sign-in" in plain.stderr
    same = cli("batch", "approve", "w2", "--workspace", str(ws), "--as", "bob", *_sign_in(emu), check=False)
    assert same.returncode == 2 and "same Entra user" in same.stderr
    # a second Entra user may, from the same OS account: what counts is the sign-in
    emu.sign_in_as(upn(2))
    ok = cli("batch", "approve", "w2", "--workspace", str(ws), *_sign_in(emu))
    assert f"as {upn(2)} (signed in; OS user {os_user().name})" in ok.stdout
    created_event, approved_event = [e for e in _events(ws) if e[0] in ("created", "approved")][-2:]
    assert (created_event[4], created_event[5]) == (upn(1), entra_id(1))
    assert (approved_event[4], approved_event[5], approved_event[3]) == (upn(2), entra_id(2), os_user().name)
    # nothing secret is printed: the ID token and the device code stay inside msal
    assert "eyJ" not in ok.stdout + ok.stderr + created.stdout


def test_sign_in_needs_the_tenant_and_fails_with_one_line(workspace: Path) -> None:
    _create(workspace)
    done = cli("batch", "approve", "w1", "--workspace", str(workspace), "--sign-in", check=False)
    assert done.returncode == 2 and "--authority and --client-id" in done.stderr


def test_a_signed_in_rollout_change_records_the_entra_user_and_the_os_account(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, 4)
    with start_emulator(tenant, "--sign-in-as", upn(3)) as emu:
        args = ["rollout", "add-group", "Ring 1", "--workspace", str(ws), "--device-code", "--as", "Carol"]
        added = cli(*args, emu=emu)
    assert "Added group 'Ring 1'" in added.stdout
    with duckdb.connect(str(ws), read_only=True) as con:
        actors = {r[0] for r in con.execute("SELECT actor FROM journal WHERE kind = 'intent'").fetchall()}
    assert actors == {f"Carol (unverified label; signed in as {upn(3)}; OS user {os_user().name})"}


def test_dashboard_identities_under_both_policies(workspace: Path) -> None:
    """What the dashboard records: the server's OS account always; an OIDC user with Entra's object id is
    a proven Entra identity; a local-mode token holder is only the OS account."""
    from analysis.dashboard.identity import Roles, local_identity, oidc_identity
    from analysis.execute.batches import approve
    from analysis.execute.policy import set_policy
    from analysis.execute.selection import Selection, create_batch
    from analysis.execute.store import open_workspace
    from analysis.settingsfile import read
    from analysis.simulate.runner import simulate

    roles = Roles(frozenset({"alice@contoso.com", "bob@contoso.com"}))
    alice = oidc_identity({"preferred_username": "alice@contoso.com", "oid": entra_id(1)}, roles)
    bob = oidc_identity({"preferred_username": "bob@contoso.com", "oid": entra_id(2)}, roles)
    no_oid = oidc_identity({"email": "mallory@contoso.com"}, roles)
    local = local_identity(roles, operator=True)
    assert alice.actor().entra is not None and alice.actor().entra.oid == entra_id(1)
    assert no_oid.actor().entra is None and no_oid.actor().label == "mallory@contoso.com"
    assert local.actor().text == f"{os_user().name} (dashboard operator token, local mode)"
    assert {a.actor().os for a in (alice, bob, no_oid, local)} == {os_user()}

    loaded = read(workspace.parent / "s.toml")
    con = open_workspace(workspace)
    try:
        plan = simulate(con, loaded.whatif, table="plan_batch")
        made = create_batch(con, name="d1", plan=plan, selection=Selection(where="true"),
                            options=loaded.execute, actor=alice.actor())  # fmt: skip
        # os_user (default): every dashboard user is the server's OS account, so bob is refused too
        with pytest.raises(UserError, match="only a label"):
            approve(con, made.batch.batch_id, bob.actor())
        set_policy(con, "approval", "signed_in", alice.actor(), "sign-in configured")
        for refused, why in (
            (alice, "same Entra user"),
            (no_oid, "needs the approver of"),
            (local, "sign in"),
        ):
            with pytest.raises(UserError, match=why):
                approve(con, made.batch.batch_id, refused.actor())
        approved = approve(con, made.batch.batch_id, bob.actor())
        assert (
            approved.approved_by
            == f"bob@contoso.com (signed in; OS user {os_user().name}; dashboard sign-in)"
        )
    finally:
        con.close()


def test_a_batch_without_a_recorded_creator_account_is_never_approved_by_someone_else(
    workspace: Path,
) -> None:
    """Not recorded is not "someone else": a batch from before OS accounts were recorded has no proven
    creator, so no approver can be shown to differ (with the rule off it may still be approved)."""
    _create(workspace)
    with duckdb.connect(str(workspace)) as con:  # as a workspace of an older version holds it
        con.execute("UPDATE batch_events SET os_uid = NULL, os_user = NULL")
    other = cli("batch", "approve", "w1", "--workspace", str(workspace), other_os_user=True, check=False)
    assert other.returncode == 2 and "before mfa-migrate recorded the creator's OS account" in other.stderr
    cli("policy", "set", "four_eyes", "off", "--workspace", str(workspace), "--note", "legacy batch")
    assert "four-eyes rule is OFF" in cli("batch", "approve", "w1", "--workspace", str(workspace)).stderr
