"""A stuck batch always has a way out: a run killed between assigning and activating a token (the batch
stays ``running``) resumes with the secrets it needs, and can instead be rolled back from the journal,
its unanswered writes settled first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from exec_tenant import GROUP_NAME, build, cli, create_and_approve, datafile_of, phones, popen_run

from analysis.execute.crashpoints import KILL_AT, KILL_LOG
from analysis.graph.emulator.launcher import start_emulator

pytestmark = pytest.mark.slow


def _state(ws: Path) -> str:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        row = con.execute("SELECT state FROM batches").fetchone()
    finally:
        con.close()
    assert row is not None
    return str(row[0])


def _tokens(state: dict[str, Any]) -> list[str]:
    return sorted(str(d.get("serialNumber")) for d in state.get("hardwareOathDevices.jsonl", []))


def test_killed_between_assign_and_activate_it_resumes_with_the_secrets(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, 0, tokens=3)
    create_and_approve(ws)
    kills = tmp_path / "kills"
    with start_emulator(tenant) as emu:
        env = {KILL_AT: "response:hw_assign", KILL_LOG: str(kills)}
        proc = popen_run(ws, "w", emu, "--datafile", str(datafile_of(ws)), env=env)
        proc.communicate(timeout=120)
        assert kills.read_text().split() == ["response:hw_assign"] and _state(ws) == "running"
        again = popen_run(ws, "w", emu, "--datafile", str(datafile_of(ws)), "--settle", "0.3")
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, out + err
        assert "did not finish: the process was killed or crashed" in err and "completed" in out
        verify = cli("batch", "verify", "w", "--workspace", str(ws), emu=emu)
        assert "100.0% agreement" in verify.stdout


def test_a_crashed_running_batch_can_be_rolled_back_from_its_journal(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, 8, tokens=3)
    create_and_approve(ws)
    kills = tmp_path / "kills"
    with start_emulator(tenant) as emu:
        before = emu.state()
        env = {KILL_AT: "sent:hw_assign", KILL_LOG: str(kills)}  # answered, nothing recorded
        proc = popen_run(ws, "w", emu, "--datafile", str(datafile_of(ws)), env=env)
        proc.communicate(timeout=120)
        assert kills.read_text().split() == ["sent:hw_assign"] and _state(ws) == "running"
        assert len(_tokens(emu.state())) == 3  # the run created the tokens, and may have assigned them
        back = cli("batch", "rollback", "w", "--workspace", str(ws), "--confirm", "--settle", "0.3", emu=emu)
        after = emu.state()
    assert "rolled_back" in back.stdout and "not rolled back" not in back.stderr, back.stdout + back.stderr
    assert _state(ws) == "rolled_back"
    assert _tokens(after) == _tokens(before)  # the tokens the run created are gone from the inventory
    users_before = {u["id"]: u for u in before["users.jsonl"]}
    for user in after["users.jsonl"]:
        assert phones(user) == phones(users_before[user["id"]]), user["userPrincipalName"]
        hardware = [
            m for m in user.get("authenticationMethods") or [] if "hardwareOath" in str(m.get("@odata.type"))
        ]
        assert hardware == [], user["userPrincipalName"]
    group = next(g for g in after["groups.jsonl"] if g["displayName"] == GROUP_NAME)
    assert group.get("members", []) == []
    con = duckdb.connect(str(ws), read_only=True)
    resolved = con.execute(
        "SELECT count(*) FROM journal WHERE kind = 'resolved' AND step = 'hw_assign'"
    ).fetchone()
    unsettled = con.execute(
        """SELECT count(*) FROM journal i WHERE i.kind = 'intent' AND NOT EXISTS (
             SELECT 1 FROM journal r WHERE r.idem_key = i.idem_key AND r.seq > i.seq
               AND (r.kind = 'resolved' OR (r.kind = 'response' AND r.outcome <> 'unknown')))"""
    ).fetchone()
    events = [json.dumps(e) for e in con.execute("SELECT event FROM batch_events").fetchall()]
    con.close()
    assert resolved and resolved[0] >= 1  # the crashed run's assigns were settled by re-reading first
    assert unsettled == (0,)
    assert any("rollback_started" in e for e in events)
