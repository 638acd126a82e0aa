"""Every crash point resumable, proven: a real ``batch run`` (and ``batch rollback``) process is killed
with SIGKILL once at *every* step boundary of *every* step kind, under injected emulator faults, and
resumed each time until it finishes.

The boundaries (``analysis/execute/crashpoints.py``, the documented test hook): after the intents of an
envelope are committed (``intent``), after Graph answered but before anything is recorded (``sent``),
after the answers are recorded (``response``: for a token that is *between* create and assign and
between assign and activate; for the last phone it is *between the phones and the default*), after
the before-images are stored, after unknown outcomes are resolved, and for a Temporary Access Pass
after it is in the ``--tap-out`` file but before its answer is journaled (``delivered``). The step kinds:
mobile (POST and PATCH), alternate, office, hardware token create/assign/activate, default method,
hand-off to the migration group, Temporary Access Pass; and every undo kind of rollback.

Each process is armed with the boundaries not hit yet; it dies at the first it reaches (logging every
boundary of that moment), so the chain ends only when each one has been hit. Checked against the
emulator's own request log and state:

* run: the writes Graph applied are exactly the ones ``batch explain`` listed before the first run, each
  once (0 lost, 0 made twice, 0 unexpected; a pass whose answer was lost is replaced, once per ``lost``
  resolution), Graph refused none, the batch ends ``completed`` and verification agrees 100 %;
* rollback: the writes applied are exactly those of an undisturbed rollback of the same batch on a
  twin tenant, each once, and the tenant ends exactly as the twin's.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest
from exec_tenant import (
    GROUP_NAME,
    build,
    cli,
    create_and_approve,
    datafile_of,
    entra_id,
    explain,
    match_writes,
    popen_run,
    status_of,
    writes,
)

from analysis.execute.crashpoints import KILL_AT, KILL_LOG
from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

pytestmark = pytest.mark.slow

REGULAR, TOKENS = 24, 6
RUN_STEPS = (
    "mobile",
    "alternateMobile",
    "office",
    "hw_create",
    "hw_assign",
    "hw_activate",
    "default",
    "handoff_group",
)
UNDO_STEPS = (
    "rb_default",
    "rb_hw_unassign",
    "rb_hw_delete",
    "rb_office",
    "rb_alternateMobile",
    "rb_mobile",
    "rb_handoff_group",
)
WHERE = ("intent", "sent", "response")
RUN_POINTS = [f"{w}:{s}" for w in WHERE for s in RUN_STEPS] + ["before_image:*", "resolved:*"]
TAP_POINTS = [f"{w}:tap" for w in (*WHERE, "delivered")]
UNDO_POINTS = [f"{w}:{s}" for w in WHERE for s in UNDO_STEPS] + ["resolved:*"]
FAULTS = "429=0.05:0.05,503=0.05,drop=0.04,dropafter=0.06,slow=0.1:0.05,only=writes,seed={seed}"
TAP_USERS = [k for k in range(REGULAR) if k % 4 == 3][3:]  # the other hand-off users go to the group
GROUP_SETTINGS = f'[execute]\nhandoff = "group"\nmigration_group = "{GROUP_NAME}"\n'
TAP_SETTINGS = '[execute]\nhandoff = "reregister"\ntap = true\n'
CRASHED = "did not finish: the process was killed or crashed"


def _prepare(directory: Path) -> tuple[Path, Path]:
    ws, tenant = build(directory, REGULAR, tokens=TOKENS)
    taps = ", ".join(f"'user{k:04d}@contoso.com'" for k in TAP_USERS)
    create_and_approve(ws, GROUP_SETTINGS, name="w", where=f"username NOT IN ({taps})")
    create_and_approve(ws, TAP_SETTINGS, name="t", where=f"username IN ({taps})")
    return ws, tenant


def _chain(
    ws: Path, emu: EmulatorInfo, batch: str, points: list[str], log: Path, *args: str, command: str = "run"
) -> tuple[str, list[str]]:
    """Run ``batch COMMAND`` in fresh processes armed with the boundaries not hit yet, until one
    finishes. Returns the finishing process's stdout and the stderr of every resumed process."""
    remaining = set(points)
    resumed: list[str] = []
    for attempt in range(len(points) + 4):
        env = {KILL_AT: ",".join(sorted(remaining)), KILL_LOG: str(log)}
        proc = popen_run(ws, batch, emu, *args, "--settle", "0.3", command=command, env=env)
        out, err = proc.communicate(timeout=180)
        if attempt:
            resumed.append(err)
        if proc.returncode == -signal.SIGKILL:
            fired = set(log.read_text().split()) & remaining
            assert fired, f"killed, but at no boundary that was still armed:\n{err}"
            remaining -= fired
            continue
        assert proc.returncode == 0, f"batch {command} {batch} exited {proc.returncode}:\n{out}\n{err}"
        assert remaining == set(), f"these boundaries were never reached: {sorted(remaining)}"
        return out, resumed
    raise AssertionError(f"no finish after {len(points) + 4} processes; not reached: {sorted(remaining)}")


def _journal(ws: Path, query: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("seed", [3])
def test_a_run_killed_at_every_boundary_of_every_step_kind_resumes_exactly(tmp_path: Path, seed: int) -> None:
    ws, tenant = _prepare(tmp_path)
    datafile = ["--datafile", str(datafile_of(ws))]
    with start_emulator(tenant, "--faults", FAULTS.format(seed=seed)) as emu:
        expected = explain(ws, "w", emu) + explain(ws, "t", emu)
        assert {e["step"] for e in expected} == {*RUN_STEPS, "tap"}
        _out, resumed = _chain(
            ws, emu, "w", RUN_POINTS, tmp_path / "w.kills", *datafile, "--active-users", "3"
        )
        assert resumed and all(CRASHED in err for err in resumed), resumed[:1]
        taps = tmp_path / "taps.jsonl"
        _chain(ws, emu, "t", TAP_POINTS, tmp_path / "t.kills", "--tap-out", str(taps), "--active-users", "1")
        log = emu.log()
        faults = Counter(
            str(e["status"]) for e in log if status_of(e) in (429, 503) or "dropped" in str(e["status"])
        )
        assert faults, f"no fault was injected: the test would prove nothing ({emu.stats()})"
        emu.set_faults("")
        for batch in ("w", "t"):
            verify = cli("batch", "verify", batch, "--workspace", str(ws), emu=emu)
            assert "100.0% agreement" in verify.stdout and "differs                0" in verify.stdout

    lost = _journal(ws, "SELECT entra_id FROM journal WHERE kind = 'resolved' AND outcome = 'lost'")
    for (user,) in lost:  # a pass whose answer was lost was replaced: one more POST, by design
        expected.append(
            {"method": "POST", "url": f"/v1.0/users/{user}/authentication/temporaryAccessPassMethods"}
        )
    applied = [(e["method"], e["path"]) for e in writes(log) if 200 <= status_of(e) < 300]
    missing, unexpected = match_writes([(e["method"], e["url"]) for e in expected], applied)
    assert missing == [], f"writes lost: {missing}"
    assert unexpected == [], f"writes made twice or never planned: {unexpected}"
    refused = [e for e in writes(log) if 400 <= status_of(e) < 500 and status_of(e) != 429]
    assert refused == [], f"Graph refused writes: {refused}"
    states = _journal(ws, "SELECT name, state FROM batches ORDER BY name")
    assert states == [("t", "verified"), ("w", "verified")]
    open_intents = _journal(
        ws,
        """SELECT i.idem_key FROM journal i WHERE i.kind = 'intent' AND NOT EXISTS (
             SELECT 1 FROM journal r WHERE r.idem_key = i.idem_key AND r.seq > i.seq
               AND (r.kind = 'resolved' OR (r.kind = 'response' AND r.outcome <> 'unknown')))""",
    )
    assert open_intents == []
    passes = [json.loads(line) for line in taps.read_text().splitlines()]
    assert sorted({p["entraId"] for p in passes}) == sorted(entra_id(k) for k in TAP_USERS)


def _tenant_view(state: dict[str, Any]) -> dict[str, Any]:
    """The tenant as rollback leaves it, without ids Graph generates."""
    users = {}
    for user in state["users.jsonl"]:
        methods = user.get("authenticationMethods") or []
        users[user["id"]] = (
            sorted((m.get("phoneType"), m.get("phoneNumber")) for m in methods if m.get("phoneType")),
            (user.get("signInPreferences") or {}).get("userPreferredMethodForSecondaryAuthentication"),
            sorted(str(m.get("@odata.type")) for m in methods if not m.get("phoneType")),
        )
    groups = {
        g["displayName"]: sorted(m["id"] for m in g.get("members") or []) for g in state["groups.jsonl"]
    }
    return {"users": users, "groups": groups}


def _normalised(entries: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    ids = r"(hardwareOathDevices|hardwareOathMethods)/[^/]+"
    return Counter((e["method"], re.sub(ids, r"\1/*", e["path"])) for e in entries)


def test_a_rollback_killed_at_every_boundary_of_every_undo_kind_ends_as_an_undisturbed_one(
    tmp_path: Path,
) -> None:
    ws, tenant = _prepare(tmp_path / "crash")
    twin_dir = tmp_path / "twin"
    shutil.copytree(tmp_path / "crash", twin_dir)
    twin = twin_dir / ws.name
    fast = ["--datafile", str(datafile_of(ws)), "--write-budget", "100000/150"]
    # The reference: the same batch run and rolled back with nothing in the way.
    with start_emulator(twin_dir / "tenant") as emu:
        cli("batch", "run", "w", "--workspace", str(twin), *fast, emu=emu)
        seq = max((e["seq"] for e in emu.log()), default=0)
        cli("batch", "rollback", "w", "--workspace", str(twin), "--confirm", emu=emu)
        reference = [e for e in writes(emu.log(since=seq)) if 200 <= status_of(e) < 300]
        reference_state = _tenant_view(emu.state())
        assert reference
    with start_emulator(tenant, "--faults", FAULTS.format(seed=11)) as emu:
        cli("batch", "run", "w", "--workspace", str(ws), *fast, emu=emu)  # faults, no kills: it completes
        seq = max((e["seq"] for e in emu.log()), default=0)
        _chain(
            ws,
            emu,
            "w",
            UNDO_POINTS,
            tmp_path / "rb.kills",
            "--confirm",
            "--active-users",
            "3",
            command="rollback",
        )
        undo = writes(emu.log(since=seq))
        emu.set_faults("")
        state = _tenant_view(emu.state())
    applied = [e for e in undo if 200 <= status_of(e) < 300]
    # The same multiset: nothing undone twice, nothing left undone, nothing unexpected.
    assert _normalised(applied) == _normalised(reference), "rollback applied other writes than the reference"
    assert state == reference_state
    # Refusals: only Graph keeping a default method this batch set over none (also in the reference),
    # and deletes of what an earlier, unanswered delete had already removed.
    odd = [e for e in undo if 400 <= status_of(e) < 500 and status_of(e) not in (400, 404, 429)]
    assert odd == [], odd
    assert _journal(ws, "SELECT state FROM batches WHERE name = 'w'") == [("rolled_back",)]
