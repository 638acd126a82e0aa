"""``mfa-migrate refresh`` against the emulator (HTTPS, msal unmodified): the chosen users' methods read
again become their latest state over the snapshot; users Graph refuses to read are kept as not read with
the reason and keep their earlier state (never "no methods"); a name the snapshot does not know is a
one-line error naming the file line."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from exec_tenant import RING_ID, build, cli, entra_id, upn

from analysis.graph.emulator.launcher import start_emulator

pytestmark = pytest.mark.slow

AUTHENTICATOR = "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"


def _kinds(ws: Path, k: int) -> list[str]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        rows = con.execute("SELECT kind FROM entra_methods WHERE user_id = ? ORDER BY kind", [entra_id(k)])
        return [str(r[0]) for r in rows.fetchall()]
    finally:
        con.close()


def _one(ws: Path, query: str) -> tuple[object, ...]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        row = con.execute(query).fetchone()
        assert row is not None
        return tuple(row)
    finally:
        con.close()


def _ring(ws: Path, members: list[str]) -> None:
    """The tenant's "Ring 1" group in the workspace too (exec_tenant writes it to the tenant only)."""
    con = duckdb.connect(str(ws))
    try:
        con.execute("INSERT INTO entra_groups VALUES (?, 'Ring 1', [], false, NULL, true)", [RING_ID])
        for member in members:
            con.execute("INSERT INTO entra_group_transitive_users VALUES (?, ?)", [RING_ID, member])
    finally:
        con.close()


def test_refresh_keeps_reads_as_latest_state_and_refusals_as_not_read(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path / "t", 8)
    _ring(ws, [entra_id(k) for k in range(4)])
    w = str(ws)
    users = tmp_path / "users.txt"
    users.write_text(f"# two users\n{upn(1)}\n{entra_id(2).upper()}\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{upn(1)}\nnobody@contoso.com\n", encoding="utf-8")
    assert "authenticator" not in _kinds(ws, 1)
    with start_emulator(tenant, "--test-hooks") as emu:
        emu.register(upn(1), "microsoftAuthenticator")  # registered in Entra after the snapshot

        refused = cli("refresh", "--workspace", w, "--users", str(bad), emu=emu, check=False)
        assert refused.returncode == 2 and "line 2: 'nobody@contoso.com'" in refused.stderr

        done = cli("refresh", "--workspace", w, "--users", str(users), emu=emu)
        assert "Refreshed from Entra" in done.stdout
        assert _one(ws, "SELECT count(*), min(source) FROM entra_latest") == (2, "refresh")
        assert "authenticator" in _kinds(ws, 1)  # the snapshot's state replaced by the read

        group = cli("refresh", "--workspace", w, "--group", "Ring 1", emu=emu)  # users 0..3
        assert "Ring 1" in group.stdout
        assert _one(ws, "SELECT count(*) FROM entra_latest") == (4,)

        everyone = cli("refresh", "--workspace", w, "--all", emu=emu)
        assert _one(ws, "SELECT count(*) FROM entra_latest") == (8,)
        assert "8 |" in everyone.stdout or " 8 " in everyone.stdout

        # Graph refuses the methods (the app lost UserAuthenticationMethod.*): not read, with the reason
        emu.admin("POST", "permissions", {"roles": ["User.Read.All", "GroupMember.Read.All"]})
        emu.expire_tokens()
        denied = cli("refresh", "--workspace", w, "--all", emu=emu, check=False)
    assert denied.returncode == 1, denied.stdout + denied.stderr
    assert "8 user(s) not read" in denied.stdout and "403" in denied.stdout
    reasons = _one(ws, "SELECT count(*), min(reason), min(source) FROM entra_latest_not_read")
    assert reasons[0] == 8 and "403" in str(reasons[1]) and reasons[2] == "refresh"
    # the earlier reads stand: a refused read is not "no methods"
    assert _one(ws, "SELECT count(*) FROM entra_latest WHERE len(methods) > 0") == (8,)
    assert "authenticator" in _kinds(ws, 1)


def test_refresh_needs_a_choice_and_a_known_batch(tmp_path: Path) -> None:
    ws, _tenant = build(tmp_path / "t", 2)
    with pytest.raises(SystemExit):
        cli("refresh", "--workspace", str(ws), "--authority", "https://x", "--client-id", "y")
    missing = cli(
        "refresh",
        "--workspace",
        str(ws),
        "--batch",
        "wave-9",
        "--authority",
        "https://127.0.0.1:9/t",
        "--client-id",
        "y",
        check=False,
    )
    assert missing.returncode == 2 and "wave-9" in missing.stderr


def _state(ws: Path) -> dict[str, tuple[str, list[str]]]:
    """Entra id -> (source of the latest read, phone types in it)."""
    con = duckdb.connect(str(ws), read_only=True)
    try:
        rows = con.execute(
            "SELECT entra_id, source, [json_extract_string(m, '$.phoneType') FOR m IN methods "
            "IF json_extract_string(m, '$.phoneType') IS NOT NULL] FROM entra_latest"
        ).fetchall()
    finally:
        con.close()
    return {str(e): (str(s), sorted(p)) for e, s, p in rows}


def test_a_runs_and_a_rollbacks_reads_are_kept_as_latest_state(tmp_path: Path) -> None:
    from exec_tenant import create_and_approve

    ws, tenant = build(tmp_path / "t", 4)
    create_and_approve(ws)
    w = str(ws)
    with start_emulator(tenant) as emu:
        cli("batch", "run", "w", "--workspace", w, "--settle", "0", emu=emu)
        after_run = _state(ws)
        # the read before writing: user 0 had no phone in Entra then, user 2 its old mobile
        assert {s for s, _ in after_run.values()} == {"run"} and len(after_run) == 4
        assert after_run[entra_id(0)][1] == [] and after_run[entra_id(2)][1] == ["mobile"]
        verify = cli("batch", "verify", "w", "--workspace", w, emu=emu, check=False)
        marked = re.search(r"Users fully migrated: (\d+) of 4", verify.stdout)
        assert marked is not None, verify.stdout
        # batch show repeats both figures of the latest verification
        shown = cli("batch", "show", "w", "--workspace", w).stdout
        assert f"users fully migrated: {marked[1]} of 4" in shown and "% agreement of what Graph" in shown
        assert _state(ws)[entra_id(0)] == ("verify", ["alternateMobile", "mobile"])
        cli("batch", "rollback", "w", "--workspace", w, "--confirm", "--settle", "0", emu=emu)
    back = _state(ws)
    # read again after undoing: what the rollback left, not what the batch had written
    assert back[entra_id(0)] == ("rollback", []) and back[entra_id(2)] == ("rollback", ["mobile"])
    assert "alternateMobile" not in _kinds_of_phones(ws, 0)


def _kinds_of_phones(ws: Path, k: int) -> list[str]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        rows = con.execute(
            "SELECT phone_type FROM entra_methods WHERE user_id = ? AND kind = 'phone'", [entra_id(k)]
        )
        return [str(r[0]) for r in rows.fetchall()]
    finally:
        con.close()
