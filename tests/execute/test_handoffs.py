"""Hand-offs told truthfully and blocked users stopped at the door (docs/executing.md), through the CLI
against the emulator, on crafted users (tests/execute/exec_tenant.py: users 3, 7, ... have an
Authenticator device that only the Migration Utility can create, and a default of push).

* ``handoff = "none"``: create, approve and verify say the devices are not migrated; verification
  counts them ``not_migrated``, and their users are not marked migrated.
* ``handoff = "group"``: the membership Graph confirmed counts as handed off; a user who then registers
  the Authenticator (the emulator's registration hook) is ``registered`` and fully migrated.
* ``--only-ready`` on the sample: users with blocker findings are counted and left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from exec_tenant import SETTINGS, build, cli, entra_id

from analysis.graph.emulator.launcher import start_emulator

pytestmark = pytest.mark.slow

USERS = 8
DEVICE_USERS = [k for k in range(USERS) if k % 4 == 3]


def _create_approve(ws: Path, settings: str) -> tuple[str, str]:
    path = ws.parent / "s.toml"
    path.write_text(settings)
    argv = [
        "--workspace",
        str(ws),
        "--name",
        "w",
        "--where",
        "true",
        "--settings",
        str(path),
        "--as",
        "alice",
    ]
    created = cli("batch", "create", *argv)
    approved = cli("batch", "approve", "w", "--workspace", str(ws), other_os_user=True)
    return created.stdout + created.stderr, approved.stdout + approved.stderr


def _outcomes(ws: Path) -> tuple[dict[str, int], int, int]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        utility = dict(
            con.execute(
                "SELECT outcome, count(*) FROM verifications WHERE writable = 'utility' GROUP BY ALL"
            ).fetchall()
        )
        rows = con.execute("SELECT count(*) FROM batch_rows WHERE writable = 'utility'").fetchone()
        marks = con.execute("SELECT count(*) FROM migration_marks").fetchone()
    finally:
        con.close()
    assert rows is not None and marks is not None
    return utility, int(rows[0]), int(marks[0])


def test_handoff_none_counts_nothing_as_handed_over(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, USERS)
    created, approved = _create_approve(ws, "")
    assert 'are NOT migrated: handoff = "none" hands nothing to the Migration Utility' in created
    assert 'are NOT migrated: handoff = "none"' in approved
    with start_emulator(tenant) as emu:
        cli("batch", "run", "w", "--workspace", str(ws), "--settle", "1", emu=emu)
        verified = cli("batch", "verify", "w", "--workspace", str(ws), emu=emu)
        group = next(g for g in emu.state()["groups.jsonl"] if g["displayName"] == "MFA Server Migration")
    assert not group.get("members")  # nobody was handed to the utility
    utility, rows, marks = _outcomes(ws)
    assert rows > 0 and utility == {"not_migrated": rows}
    assert marks == USERS - len(DEVICE_USERS)
    out = verified.stdout
    assert f"Users fully migrated: {USERS - len(DEVICE_USERS)} of {USERS}" in out
    assert f"{len(DEVICE_USERS)} user(s) not fully migrated" in out and "create_device not migrated" in out
    assert "100.0% agreement of what Graph was asked to write" in out


def test_a_confirmed_group_handoff_is_handed_off_and_a_registration_is_migrated(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, USERS)
    created, _ = _create_approve(ws, SETTINGS)
    assert "handed to the Migration Utility by adding the users to 'MFA Server Migration'" in created
    registers = DEVICE_USERS[0]  # the other device user registers nothing
    schedule = tmp_path / "registrations.jsonl"
    entry = {
        "user": entra_id(registers),
        "method": "microsoftAuthenticator",
        "default": True,
        "afterReads": 1,
    }
    schedule.write_text(json.dumps(entry) + "\n")
    with start_emulator(tenant, "--registrations", str(schedule)) as emu:
        cli("batch", "run", "w", "--workspace", str(ws), "--settle", "1", emu=emu)
        verified = cli("batch", "verify", "w", "--workspace", str(ws), emu=emu)
    utility, rows, marks = _outcomes(ws)
    assert rows > 0 and utility.get("not_migrated", 0) == 0, utility
    assert utility.get("registered", 0) >= 1 and utility.get("handed_off", 0) >= 1, utility
    assert marks == USERS - 1  # the user who registered is migrated; the other still waits
    assert f"Users fully migrated: {USERS - 1} of {USERS}" in verified.stdout
    assert "1 user(s) not fully migrated" in verified.stdout


def test_only_ready_leaves_users_with_blocker_findings_out(workspace: Path) -> None:
    from analysis.execute import gate
    from analysis.simulate.runner import simulate
    from analysis.simulate.settings import Settings

    con = duckdb.connect(str(workspace))
    try:
        found = gate.findings(con, simulate(con, Settings.default(), table="plan_batch"), None)
        con.execute("DROP TABLE plan_batch")
    finally:
        con.close()
    blocked = gate.blocked(found)
    assert blocked, "the sample has users with blocker findings"

    base = ["batch", "create", "--workspace", str(workspace), "--where", "true", "--as", "alice"]
    everyone = cli(*base, "--name", "all")
    assert "readiness:" in everyone.stderr and "user(s) with blocker findings (" in everyone.stderr
    ready = cli(*base, "--name", "ready", "--only-ready")
    assert "not ready (a blocker finding; --only-ready)" in ready.stdout
    approved = cli("batch", "approve", "all", "--workspace", str(workspace), other_os_user=True)
    assert "readiness of its users:" in approved.stderr and "blocker findings" in approved.stderr

    con = duckdb.connect(str(workspace), read_only=True)
    try:
        members = {
            name: {
                int(u)
                for (u,) in con.execute(
                    "SELECT user_id FROM batch_users JOIN batches USING (batch_id) WHERE name = ?", [name]
                ).fetchall()
            }
            for name in ("all", "ready")
        }
        kept = con.execute(
            "SELECT users FROM batch_findings JOIN batches USING (batch_id) "
            "WHERE name = 'all' AND severity = 'blocker' AND check_id = '*'"
        ).fetchone()
    finally:
        con.close()
    assert members["ready"] and not members["ready"] & blocked
    assert members["ready"] == members["all"] - blocked
    assert kept == (len(members["all"] & blocked),)


def test_only_ready_judges_with_the_retirement_settings_in_force(workspace: Path, tmp_path: Path) -> None:
    """With their own telecom provider phones stay usable after the date: the gate must not leave out users
    whom only the default phone cut would block (it used the defaults whatever the file said)."""
    own = tmp_path / "own.toml"
    own.write_text('[retirement]\nphone_delivery = "own_provider"\n', encoding="utf-8")
    base = ["batch", "create", "--workspace", str(workspace), "--where", "true", "--as", "alice"]
    base.append("--only-ready")
    cli(*base, "--name", "default-cut")
    cli(*base, "--name", "own-provider", "--settings", str(own))
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        sizes = dict(
            con.execute(
                "SELECT name, count(*) FROM batch_users JOIN batches USING (batch_id) GROUP BY name"
            ).fetchall()
        )
        cut = con.execute(
            "SELECT coalesce(sum(users), 0) FROM batch_findings JOIN batches USING (batch_id) "
            "WHERE name = 'own-provider' AND check_id LIKE 'retirement%' AND severity = 'blocker'"
        ).fetchone()
    finally:
        con.close()
    assert sizes["own-provider"] > sizes["default-cut"], sizes
    assert cut == (0,), "no phone-cut blocker when the tenant delivers its own codes"
