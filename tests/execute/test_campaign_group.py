"""A re-registration campaign that also adds its users to a communication group (`[execute]
campaign_group`), against the real emulator: the membership is a journaled step (`campaign_group`) that
`batch explain` lists, rollback removes again (`rb_campaign_group`) and that survives a kill at every
boundary; verify and the run recognise passkeys (FIDO2) as a registered method like Authenticator."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from exec_tenant import RING_ID, build, cli, entra_id, explain, match_writes, popen_run, upn, writes

from analysis.execute.crashpoints import KILL_AT, KILL_LOG
from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

pytestmark = pytest.mark.slow

USERS = 6  # users 0-3 are members of "Ring 1" already (exec_tenant), 4 and 5 are not
SETTINGS = '[execute]\ncampaign_group = "Ring 1"\n'


def _create(ws: Path, tmp_path: Path, *group: str) -> None:
    """A campaign batch of every user, its group from the settings file or from ``--campaign-group``."""
    settings = tmp_path / "s.toml"
    settings.write_text("" if group else SETTINGS)
    args = ["--workspace", str(ws), "--settings", str(settings), "--where", "true", "--campaign", *group]
    assert f"{USERS} user(s)" in cli("batch", "create", *args, "--name", "c", "--as", "alice").stdout
    cli("batch", "approve", "c", "--workspace", str(ws), other_os_user=True)


def _members(emu: EmulatorInfo) -> list[str]:
    ring = next(g for g in emu.state()["groups.jsonl"] if g["id"] == RING_ID)
    return sorted(m["id"] for m in ring.get("members") or [])


def _rows(ws: Path, query: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_a_campaign_adds_to_its_group_recognises_passkeys_and_rolls_the_group_back(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, USERS)
    _create(ws, tmp_path)
    assert re.search(r"campaign group\s+Ring 1", cli("batch", "show", "c", "--workspace", str(ws)).stdout)
    taps = tmp_path / "taps.jsonl"
    with start_emulator(tenant, "--test-hooks") as emu:
        before = _members(emu)
        assert before == sorted(entra_id(k) for k in range(4))
        planned = explain(ws, "c", emu)
        assert {e["step"] for e in planned} == {"campaign_group", "tap"}
        emu.admin("POST", "test/register", {"user": upn(0), "method": "passkey"})  # before the run
        emu.admin("POST", "test/register", {"user": upn(1), "method": "passkey", "afterReads": 1})
        emu.admin("POST", "stats/reset")
        cli("batch", "run", "c", "--workspace", str(ws), "--tap-out", str(taps), emu=emu)
        applied = [(e["method"], e["path"]) for e in writes(emu.log()) if 200 <= e["status"] < 300]
        after_run = _members(emu)
        verify = cli("batch", "verify", "c", "--workspace", str(ws), emu=emu)
        emu.admin("POST", "stats/reset")
        cli("batch", "rollback", "c", "--workspace", str(ws), "--confirm", emu=emu)
        undone = [(e["method"], e["path"]) for e in writes(emu.log()) if 200 <= e["status"] < 300]
        after_rollback = _members(emu)
    assert after_run == sorted(entra_id(k) for k in range(USERS))
    adds = [a for a in applied if a[1].endswith("/members/$ref")]
    assert adds == [("POST", f"/v1.0/groups/{RING_ID}/members/$ref")] * 2  # users 4 and 5 only
    missing, unexpected = match_writes(
        [(e["method"], e["url"]) for e in planned if e["step"] == "tap"], applied
    )
    assert len(missing) == 1 and not [u for u in unexpected if not u[1].endswith("/members/$ref")]
    passes = [json.loads(line) for line in taps.read_text().splitlines()]
    assert sorted(p["username"] for p in passes) == sorted(upn(k) for k in range(1, USERS))  # not user 0
    assert "100.0% agreement" in verify.stdout
    actual = dict(_rows(ws, "SELECT username, actual FROM verifications WHERE item = 'user'"))
    assert actual[upn(0)] == actual[upn(1)] == "registered a passkey (FIDO2)"
    assert actual[upn(2)] == "Temporary Access Pass"
    journal = _rows(ws, "SELECT DISTINCT step FROM journal WHERE kind = 'intent'")
    assert {s for (s,) in journal} == {"campaign_group", "tap", "rb_campaign_group"}
    assert sorted(p for _, p in undone) == sorted(
        f"/v1.0/groups/{RING_ID}/members/{entra_id(k)}/$ref" for k in (4, 5)
    )
    assert after_rollback == before  # the members from before stay; the campaign's own adds are gone
    text = " ".join(str(r) for r in _rows(ws, "SELECT * FROM journal")) + verify.stdout
    assert not [p for p in passes if p["temporaryAccessPass"] in text]


def _chain(ws: Path, emu: EmulatorInfo, points: set[str], log: Path, *args: str, command: str) -> None:
    """``batch COMMAND c`` in fresh processes armed with the boundaries not hit yet, until one finishes."""
    remaining = set(points)
    for _ in range(len(points) + 3):
        env = {KILL_AT: ",".join(sorted(remaining)), KILL_LOG: str(log)}
        proc = popen_run(ws, "c", emu, *args, "--settle", "0.3", command=command, env=env)
        out, err = proc.communicate(timeout=180)
        if proc.returncode == -signal.SIGKILL:
            fired = set(log.read_text().split()) & remaining
            assert fired, f"killed, but at no boundary still armed:\n{err}"
            remaining -= fired
            continue
        assert proc.returncode == 0, f"batch {command} exited {proc.returncode}:\n{out}\n{err}"
        assert remaining == set(), f"never reached: {sorted(remaining)}"
        return
    raise AssertionError(f"no finish; not reached: {sorted(remaining)}")


def test_the_group_step_and_its_undo_survive_a_kill_at_every_boundary(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, USERS)
    _create(ws, tmp_path, "--campaign-group", "Ring 1")
    taps = tmp_path / "taps.jsonl"
    run_points = {f"{w}:campaign_group" for w in ("intent", "sent", "response")} | {"delivered:tap"}
    undo_points = {f"{w}:rb_campaign_group" for w in ("intent", "sent", "response")}
    with start_emulator(tenant) as emu:
        before = _members(emu)
        _chain(ws, emu, run_points, tmp_path / "run.kills", "--tap-out", str(taps), "--active-users", "1",
               command="run")  # fmt: skip
        adds = [e for e in writes(emu.log()) if e["path"].endswith("/members/$ref") and e["status"] < 300]
        assert _members(emu) == sorted(entra_id(k) for k in range(USERS))
        _chain(ws, emu, undo_points, tmp_path / "rb.kills", "--confirm", "--active-users", "1",
               command="rollback")  # fmt: skip
        assert _members(emu) == before
        refused = [e for e in writes(emu.log()) if 400 <= e["status"] < 500]
    assert len(adds) == 2 and refused == []  # each missing member added once, nothing refused
    assert _rows(ws, "SELECT state FROM batches") == [("rolled_back",)]
