"""The executor against the real emulator (HTTPS on 127.0.0.1, in a subprocess), through the CLI.

Covers: a whole create → approve → run → verify → rollback flow; drift (users changed in the tenant
after the plan are skipped, re-planned, and not written); a completed batch run again writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from tenant import GROUP_ID, SETTINGS, build, cli, entra_id, phones, user_of

from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

pytestmark = pytest.mark.slow

USERS = 16


def _writes(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write requests Graph applied or refused (batch items and plain requests; not the envelopes)."""
    return [e for e in log if e["method"] != "GET" and not e["path"].endswith("/$batch")]


def _prepare(tmp_path: Path, users: int = USERS) -> tuple[Path, Path]:
    ws, tenant = build(tmp_path, users)
    (tmp_path / "s.toml").write_text(SETTINGS)
    cli(
        "batch",
        "create",
        "--workspace",
        str(ws),
        "--name",
        "wave-1",
        "--where",
        "true",
        "--settings",
        str(tmp_path / "s.toml"),
        "--as",
        "alice",
    )
    cli("batch", "approve", "wave-1", "--workspace", str(ws), "--as", "bob", "--note", "CHG-42")
    return ws, tenant


def _graph(emu: EmulatorInfo, method: str, path: str, body: Any = None) -> httpx.Response:
    with httpx.Client(verify=emu.ca_file, trust_env=False, timeout=30) as client:
        return client.request(
            method,
            f"{emu.graph_url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {emu.app_token()}"},
        )


def test_whole_flow_then_rerun_writes_nothing_then_rollback(tmp_path: Path) -> None:
    ws, tenant = _prepare(tmp_path)
    original = {
        json.loads(line)["id"]: json.loads(line) for line in (tenant / "users.jsonl").read_text().splitlines()
    }
    with start_emulator(tenant) as emu:
        run = cli("batch", "run", "wave-1", "--workspace", str(ws), emu=emu)
        assert "completed" in run.stdout
        verify = cli("batch", "verify", "wave-1", "--workspace", str(ws), emu=emu)
        assert "100.0% agreement" in verify.stdout and "differs                0" in verify.stdout

        state = emu.state()
        for k in range(USERS):
            user, got = user_of(state, k), phones(user_of(state, k))
            shape = k % 4
            assert got.get({1: "office"}.get(shape, "mobile")), (k, got)
            if shape == 0:
                assert got["alternateMobile"].startswith("+1 206")
            if shape == 1:
                assert got["office"].endswith(f"x{100 + k}")
            prefs = user["signInPreferences"]["userPreferredMethodForSecondaryAuthentication"]
            assert prefs == {0: "voiceMobile", 1: "voiceOffice", 2: "sms", 3: None}[shape], (k, prefs)
        group = next(g for g in state["groups.jsonl"] if g["id"] == GROUP_ID)
        assert {m["id"] for m in group["members"]} == {entra_id(k) for k in range(USERS) if k % 4 == 3}

        con = duckdb.connect(str(ws), read_only=True)
        marks = con.execute("SELECT count(*), min(migrated_selection) FROM migration_marks").fetchone()
        state_row = con.execute("SELECT state, agreement FROM batches WHERE name = 'wave-1'").fetchone()
        con.close()
        assert marks == (USERS, "phone,backup_phone,mobile_app,oath_token,default_method;always")
        assert state_row == ("verified", 1.0)

        # A verified batch run again writes nothing.
        before = len(_writes(emu.log()))
        again = cli("batch", "run", "wave-1", "--workspace", str(ws), emu=emu)
        assert "nothing to write" in again.stdout
        assert len(_writes(emu.log())) == before

        refused = cli("batch", "rollback", "wave-1", "--workspace", str(ws), emu=emu, check=False)
        assert refused.returncode == 2 and "--confirm" in refused.stderr
        back = cli("batch", "rollback", "wave-1", "--workspace", str(ws), "--confirm", emu=emu, check=False)
        assert "rolled_back" in back.stdout, back.stdout + back.stderr
        state = emu.state()
        for k in range(USERS):
            assert phones(user_of(state, k)) == phones(original[entra_id(k)]), k
            pref = user_of(state, k)["signInPreferences"]["userPreferredMethodForSecondaryAuthentication"]
            # sms stays on the restored old mobile: Graph cannot unset a default, and rollback says so
            assert pref == ("sms" if k % 4 == 2 else None), (k, pref)
        assert "left as it is" in back.stderr and "Graph cannot unset a default method" in back.stderr
        group = next(g for g in state["groups.jsonl"] if g["id"] == GROUP_ID)
        assert group["members"] == []
        con = duckdb.connect(str(ws), read_only=True)
        assert con.execute("SELECT count(*) FROM migration_marks").fetchone() == (0,)
        journal_kinds = con.execute(
            "SELECT count(*) FROM journal WHERE starts_with(idem_key, 'rb:') AND kind = 'intent'"
        ).fetchone()[0]
        con.close()
        assert journal_kinds > 0
        writes = _writes(emu.log())
        assert not [e for e in writes if 400 <= e["status"] < 500], "a write was refused by Graph"


def test_drifted_users_are_skipped_replanned_and_not_written(tmp_path: Path) -> None:
    ws, tenant = _prepare(tmp_path, 8)
    with start_emulator(tenant) as emu:
        # After the plan: user 0 gets another mobile, user 1 a default method, user 3 an Authenticator-free
        # change that does not matter to the plan (an email method).
        assert _graph(
            emu,
            "POST",
            f"/v1.0/users/{entra_id(0)}/authentication/phoneMethods",
            {"phoneNumber": "+44 7911999999", "phoneType": "mobile"},
        ).status_code in (200, 201)
        assert _graph(
            emu,
            "POST",
            f"/v1.0/users/{entra_id(1)}/authentication/phoneMethods",
            {"phoneNumber": "+44 7911999998", "phoneType": "mobile"},
        ).status_code in (200, 201)
        assert (
            _graph(
                emu,
                "PATCH",
                f"/beta/users/{entra_id(1)}/authentication/signInPreferences",
                {"userPreferredMethodForSecondaryAuthentication": "sms"},
            ).status_code
            == 204
        )
        emu.admin("POST", "stats/reset")
        run = cli("batch", "run", "wave-1", "--workspace", str(ws), emu=emu, check=False)
        assert run.returncode == 1 and "partial" in run.stdout
        paths = [e["path"] for e in _writes(emu.log())]
        assert paths and not [p for p in paths if entra_id(0) in p or entra_id(1) in p]
        con = duckdb.connect(str(ws), read_only=True)
        drifted = con.execute(
            "SELECT username, detail, replan FROM batch_users WHERE status = 'drifted' ORDER BY username"
        ).fetchall()
        con.close()
        assert [d[0] for d in drifted] == ["user0000@contoso.com", "user0001@contoso.com"]
        assert "mobile phone is +44 7911999999" in drifted[0][1]
        assert "default method is sms" in drifted[1][1]
        replan = {r["item"]: r for r in json.loads(drifted[0][2])}
        assert replan["phone"]["action"] == "write_mobile"  # still to write, now over the new mobile
        show = cli("batch", "show", "wave-1", "--workspace", str(ws))
        assert "drifted" in show.stdout
        verify = cli("batch", "verify", "wave-1", "--workspace", str(ws), emu=emu)
        assert "100.0% agreement" in verify.stdout  # of the users that ran; drifted rows are 'skipped'
