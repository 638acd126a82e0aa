"""The dashboard beside a ``batch run`` started in a terminal, on one workspace file (real processes, the
emulator answering every write slowly): the Batches page follows the run live, a ``batch list`` in a
third process answers meanwhile, and after a ``kill -9`` of the writer the page offers to resume, the
run resumes from the journal and no write is sent twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from dashboard_helpers import ROOT
from os_identity import four_eyes_off
from streamlit.testing.v1 import AppTest

from analysis.dashboard.guard import operator_token
from analysis.execute import progress
from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

pytestmark = pytest.mark.slow

SLOW = "slow=1.0:4.0,only=writes,seed=3"  # every write answered after 4 s: it outlasts the test


def _mfa(*args: str, emu: EmulatorInfo | None = None, wait: bool = True) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    connection: list[str] = []
    if emu is not None:
        env["MFA_MIGRATE_CLIENT_SECRET"] = emu.client_secret
        connection = ["--graph-url", emu.graph_url, "--authority", emu.authority]
        connection += ["--client-id", emu.client_id, "--ca-file", emu.ca_file]
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", *args, *connection],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if wait:
        proc.wait(300)
    return proc


def _ok(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    return out


def _wait_for(predicate: Callable[[], bool], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_dashboard_follows_a_terminal_run_and_offers_to_resume_it_after_kill_9(
    dashboard_env: Path, tmp_path: Path
) -> None:
    ws = str(dashboard_env)
    four_eyes_off(dashboard_env)  # one OS account creates and approves here
    _ok(_mfa("batch", "create", "--workspace", ws, "--name", "wave", "--where", "true", "--as", "alice"))
    _ok(_mfa("batch", "approve", "wave", "--workspace", ws, "--as", "bob"))
    tenant = tmp_path / "tenant"
    shutil.copytree(ROOT / "sample_data" / "tenant", tenant)
    with start_emulator(tenant, "--faults", SLOW) as emu:
        run = ["batch", "run", "wave", "--workspace", ws, "--settle", "1", "--concurrency", "1"]
        writer = _mfa(*run, emu=emu, wait=False)
        try:
            _wait_for(lambda: (seen := progress.watch(ws, 1)) is not None and seen.alive)
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
            at.query_params["token"] = operator_token()
            at.run()
            at.switch_page("analysis/dashboard/pages/batches.py").run()
            assert not at.exception, [e.message for e in at.exception]
            shown = _markdown(at)
            assert f"**Running batch 1 in another process**: pid {writer.pid}" in shown, shown
            assert "Run batch" not in " ".join(b.label for b in at.button)  # nothing to start meanwhile

            listed = _ok(_mfa("batch", "list", "--workspace", ws))  # the dashboard holds nothing between runs
            assert " running " in listed
            assert writer.poll() is None, "the run ended before the page was drawn: the test proves nothing"
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(30)

        at.run()
        assert not at.exception, [e.message for e in at.exception]
        shown = _markdown(at)
        assert (
            "in another process" not in shown
            and "**This batch is running.** Running it again resumes" in shown
        )
        assert "Run batch 1" in " ".join(b.label for b in at.button)

        emu.set_faults("")
        out = _ok(_mfa(*run[:-2], emu=emu, wait=False))
        assert "Next: `batch verify 1`" in out or "completed" in out, out

    con = duckdb.connect(ws, read_only=True)
    try:
        twice = con.execute(
            "SELECT idem_key FROM journal WHERE outcome IN ('ok', 'applied') GROUP BY idem_key "
            "HAVING count(*) > 1"
        ).fetchall()
        pending = con.execute("SELECT count(*) FROM batch_users WHERE status = 'pending'").fetchone()
    finally:
        con.close()
    assert twice == [] and pending == (0,)
