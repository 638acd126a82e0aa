"""A run that is told to stop, or loses Graph, stops cleanly and says why; running it again resumes.

* SIGTERM and SIGINT stop a real ``batch run`` process within 5 s; the batch is ``partial`` with the
  reason, every answer that arrived is journaled, and the next run completes without a write lost or
  made twice (checked against ``batch explain`` and the emulator's log).
* Graph going away mid-run (the emulator stopped) is reported on stderr within seconds (what, since
  when, next try) and given up after ``--give-up-after`` as ``partial`` with the reason; Graph coming
  back with another certificate is refused at once, not retried; with the right CA the run completes.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from exec_tenant import build, cli, create_and_approve, explain, match_writes, popen_run, status_of, writes

from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

pytestmark = pytest.mark.slow

USERS = 24
SLOW = ["--write-budget", "4/1", "--active-users", "4"]  # about 4 writes a second: a run of ~15 s


def _wait_for_writes(emu: EmulatorInfo, count: int, proc: Any, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while emu.stats()["writes_applied"] < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run wrote too little"
        time.sleep(0.1)


def _batch(ws: Path) -> tuple[str, str]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        state = con.execute("SELECT state FROM batches WHERE name = 'w'").fetchone()
        event = con.execute('SELECT event, detail FROM batch_events ORDER BY "at" DESC LIMIT 1').fetchone()
    finally:
        con.close()
    assert state and event
    return str(state[0]), f"{event[0]}: {event[1]}"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_a_run_within_seconds_and_it_resumes(tmp_path: Path, signum: int) -> None:
    ws, tenant = build(tmp_path, USERS)
    create_and_approve(ws)
    with start_emulator(tenant, "--faults", "slow=0.5:1.5,only=writes,seed=2") as emu:
        planned = explain(ws, "w", emu)
        proc = popen_run(ws, "w", emu, *SLOW)
        _wait_for_writes(emu, 6, proc)
        proc.send_signal(signum)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
        assert took < 5, f"took {took:.1f}s to stop:\n{err}"
        assert proc.returncode == 1, out + err
        assert f"received {signal.Signals(signum).name}" in err and "stopped before it was finished" in err
        state, event = _batch(ws)
        assert state == "partial" and event.startswith("run_stopped: stopped on request"), event
        again = cli("batch", "run", "w", "--workspace", str(ws), "--settle", "1.6", emu=emu)
        assert "completed" in again.stdout
        emu.set_faults("")
        assert "100.0% agreement" in cli("batch", "verify", "w", "--workspace", str(ws), emu=emu).stdout
        applied = [(e["method"], e["path"]) for e in writes(emu.log()) if 200 <= status_of(e) < 300]
    missing, unexpected = match_writes([(p["method"], p["url"]) for p in planned], applied)
    assert (missing, unexpected) == ([], [])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stderr_until(proc: Any, text: str, timeout: float) -> tuple[str, float]:
    """Read the process's stderr until ``text`` shows (returns what was read, and how long it took)."""
    started, seen = time.monotonic(), ""
    while text not in seen:
        line = proc.stderr.readline()
        assert line or proc.poll() is None, f"exited before saying {text!r}:\n{seen}"
        seen += line
        assert time.monotonic() - started < timeout, f"not said within {timeout}s: {text!r}\n{seen}"
    return seen, time.monotonic() - started


def test_graph_gone_is_loud_and_given_up_a_changed_certificate_is_not_retried(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, USERS)
    create_and_approve(ws)
    port = str(_free_port())
    first, second, third = (tmp_path / name for name in ("dump1", "dump2", "dump3"))
    with start_emulator(tenant, "--port", port, "--dump", str(first)) as emu:
        proc = popen_run(ws, "w", emu, *SLOW, "--give-up-after", "4")
        _wait_for_writes(emu, 6, proc)
        emu.process.terminate()  # Graph goes away (its state is kept in the dump)
        emu.process.wait(30)
        gone = time.monotonic()
        said, within = _stderr_until(proc, "Graph unreachable since", timeout=10)
        assert within < 5 and "connection refused" in said, said
        out, err = proc.communicate(timeout=60)
        assert time.monotonic() - gone < 20
        assert proc.returncode == 1 and "stopped before it was finished (Graph unreachable since" in err, err
    state, event = _batch(ws)
    assert state == "partial" and "Graph unreachable since" in event, event
    with start_emulator(first, "--port", port, "--dump", str(second)) as emu:
        proc = popen_run(ws, "w", emu, *SLOW)
        _wait_for_writes(emu, 6, proc)
        emu.process.terminate()
        emu.process.wait(30)
        with start_emulator(second, "--port", port, "--dump", str(third)) as other:  # a new certificate
            out, err = proc.communicate(timeout=90)
            assert proc.returncode == 1, out + err
            assert "TLS certificate not trusted" in err and "not retried" in err, err
            state, event = _batch(ws)
            assert state == "partial" and "TLS certificate not trusted" in event, event
            done = cli("batch", "run", "w", "--workspace", str(ws), "--settle", "1", emu=other)
            assert "completed" in done.stdout
            assert "100.0% agreement" in cli("batch", "verify", "w", "--workspace", str(ws), emu=other).stdout
    con = duckdb.connect(str(ws), read_only=True)
    unsettled = con.execute(
        """SELECT i.idem_key FROM journal i WHERE i.kind = 'intent' AND NOT EXISTS (
             SELECT 1 FROM journal r WHERE r.idem_key = i.idem_key AND r.seq > i.seq
               AND (r.kind = 'resolved' OR (r.kind = 'response' AND r.outcome <> 'unknown')))"""
    ).fetchall()
    twice = con.execute(
        "SELECT idem_key FROM journal WHERE outcome IN ('ok', 'applied') GROUP BY ALL HAVING count(*) > 1"
    ).fetchall()
    con.close()
    assert unsettled == [] and twice == []


def test_a_permission_graph_refuses_stops_the_run_as_partial_with_the_permission_named(
    tmp_path: Path,
) -> None:
    ws, tenant = build(tmp_path, 8)
    create_and_approve(ws)
    read_only = "User.Read.All,GroupMember.ReadWrite.All,UserAuthenticationMethod.Read.All"
    with start_emulator(tenant, "--roles", read_only) as emu:
        run = cli("batch", "run", "w", "--workspace", str(ws), "--settle", "0.3", emu=emu, check=False)
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert run.returncode == 2 and len(errors) == 1, run.stdout + run.stderr
    assert "UserAuthenticationMethod.ReadWrite.All" in errors[0]
    state, event = _batch(ws)
    assert state == "partial" and event.startswith("run_stopped"), event
    con = duckdb.connect(str(ws), read_only=True)
    unsettled = con.execute(
        """SELECT count(*) FROM journal i WHERE i.kind = 'intent' AND NOT EXISTS (
             SELECT 1 FROM journal r
             WHERE r.idem_key = i.idem_key AND r.seq > i.seq AND r.kind = 'response')"""
    ).fetchone()
    con.close()
    assert unsettled == (0,)  # every refused write is journaled as refused
