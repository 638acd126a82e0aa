"""One workspace, several processes (docs/workspace.md, "Several processes"), with real processes on a
real DuckDB file: while a ``batch run`` in a subprocess writes (the emulator answers every write slowly),
``batch list``, ``batch show``, ``readiness`` and ``simulate --out`` answer within seconds, the run's
progress file follows it, and a second writer is refused with one line naming the first. After a
``kill -9`` of the writer the workspace is free at once, the progress file says the run is dead, and
running again completes the batch without sending any write twice."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import duckdb
import pytest
from exec_tenant import build, cli, create_and_approve, popen_run

from analysis.execute import progress
from analysis.graph.emulator.launcher import start_emulator

pytestmark = pytest.mark.slow

USERS = 40
SLOW = "slow=1.0:4.0,only=writes,seed=5"  # every write answered after 4 s: it outlasts the test


def _timed(*args: str) -> tuple[float, str, str, int]:
    started = time.monotonic()
    done = cli(*args, subprocess_=True, check=False, timeout=120)
    return time.monotonic() - started, done.stdout, done.stderr, done.returncode


def _wait_for(predicate: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_readers_work_beside_a_running_batch_and_a_killed_writer_resumes(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, USERS)
    create_and_approve(ws)
    with start_emulator(tenant, "--faults", SLOW) as emu:
        writer = popen_run(ws, "w", emu, "--concurrency", "1")
        try:
            _wait_for(lambda: (seen := progress.watch(ws, 1)) is not None and seen.alive)
            first = progress.watch(ws, 1)
            assert first is not None and first.doc["pid"] == writer.pid and first.doc["users_total"] == USERS
            assert "batch run w" in first.doc["command"]

            seconds, out, err, code = _timed("batch", "list", "--workspace", str(ws))
            assert code == 0, err
            assert " running " in out and seconds < 15, (seconds, out)
            seconds, out, err, code = _timed("batch", "show", "w", "--workspace", str(ws))
            assert code == 0 and "running" in out, err
            for assess in (  # the assessing commands too: they take the file between the run's envelopes
                ("readiness", "--workspace", str(ws), "--out", str(tmp_path / "readiness.json")),
                ("simulate", "--workspace", str(ws), "--out", str(tmp_path / "plan.csv")),
            ):
                seconds, out, err, code = _timed(*assess)
                assert code == 0 and seconds < 60, (assess[0], seconds, err)
            assert (tmp_path / "readiness.json").stat().st_size and (tmp_path / "plan.csv").stat().st_size
            assert writer.poll() is None, "the run ended before the readers were tried: proves nothing"

            second = popen_run(ws, "w", emu)
            _, err = second.communicate(timeout=120)
            code = second.returncode
            assert code == 2 and f"being written by pid {writer.pid} (mfa-migrate batch run w" in err, err
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err

            later = progress.watch(ws, 1)
            assert later is not None and later.alive
            _wait_for(lambda: (s := progress.watch(ws, 1)) is not None and s.doc["writes_ok"] > 0)
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(30)
        dead = progress.watch(ws, 1)
        assert dead is not None and not dead.alive and dead.doc["finished"] is None

        seconds, out, err, code = _timed("batch", "list", "--workspace", str(ws))
        assert code == 0 and " running " in out and seconds < 15, (seconds, out, err)

        emu.set_faults("")
        resumed = popen_run(ws, "w", emu)
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, out + err
        assert "ended without letting go (killed?); taking over" in err
        done = progress.watch(ws, 1)
        assert done is not None and done.doc["finished"] == "finished" and not done.alive
        assert done.doc["users_done"] == done.doc["users_total"]

        verify = cli("batch", "verify", "w", "--workspace", str(ws), emu=emu)
        assert "100.0% agreement" in verify.stdout and "differs                0" in verify.stdout

    con = duckdb.connect(str(ws), read_only=True)
    try:
        twice = con.execute(
            "SELECT idem_key FROM journal WHERE outcome IN ('ok', 'applied') GROUP BY idem_key "
            "HAVING count(*) > 1"
        ).fetchall()
        statuses = con.execute("SELECT status, count(*) FROM batch_users GROUP BY ALL").fetchall()
    finally:
        con.close()
    assert twice == [] and statuses == [("done", USERS)]
