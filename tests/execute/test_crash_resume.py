"""kill -9 at random moments under injected 429s, 503s, dropped connections (before and after the
write is applied) and slow answers; then run again until the batch completes.

Checked against the emulator's own request log and final state, and against the journal:

* zero lost: verification agrees on 100% of the Graph-writable rows;
* zero duplicates: the number of writes the emulator *applied* (2xx) equals the number of plan steps
  the journal says this tool wrote (``ok`` or resolved ``applied``), no step was answered ``ok`` twice,
  and Graph refused no write (a duplicate POST would be refused as a conflict);
* every intent is settled: it has a response or a resolution.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from exec_tenant import build, cli, create_and_approve, popen_run

from analysis.graph.emulator.launcher import start_emulator

pytestmark = pytest.mark.slow

USERS = 40
FAULTS = "429=0.1:0.05,503=0.05,drop=0.08,dropafter=0.15,slow=0.25:0.1,only=writes,seed={seed}"


def _status(entry: dict[str, Any]) -> int:
    """The HTTP status the emulator decided; ``dropped-after-200`` (answer lost after applying) is 200."""
    status = entry.get("status")
    if isinstance(status, int):
        return status
    digits = "".join(ch for ch in str(status).rsplit("-", 1)[-1] if ch.isdigit())
    return int(digits) if digits else 0


def _writes(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in log if e["method"] != "GET" and not e["path"].endswith("/$batch")]


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_kill_minus_9_and_resume_loses_nothing_and_repeats_nothing(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    ws, tenant = build(tmp_path, USERS)
    create_and_approve(ws)
    with start_emulator(tenant, "--faults", FAULTS.format(seed=seed)) as emu:
        kills, finished = 0, False
        for _attempt in range(15):
            proc = popen_run(ws, "w", emu)
            if kills < 3:
                # Kill after a random number of further requests reached Graph (plus a random instant),
                # so the kill lands inside the write stream rather than during interpreter start-up.
                start = emu.stats()["graph_requests"]
                target = start + rng.randint(2, 12)
                deadline = time.monotonic() + 60
                while (
                    proc.poll() is None
                    and time.monotonic() < deadline
                    and emu.stats()["graph_requests"] < target
                ):
                    time.sleep(0.02)
                time.sleep(rng.uniform(0, 0.15))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait(30)
                    kills += 1
                    continue
            out, err = proc.communicate(timeout=180)
            if proc.returncode == 0:
                finished = True
                break
            assert proc.returncode == 1, (
                out + err
            )  # interrupted / partial runs say so; anything else is a bug
        assert finished, "the batch did not complete after several resumes"
        assert kills >= 1

        emu.set_faults("")
        verify = cli("batch", "verify", "w", "--workspace", str(ws), emu=emu)
        assert "100.0% agreement" in verify.stdout and "differs                0" in verify.stdout

        log = emu.log()
        con = duckdb.connect(str(ws), read_only=True)
        ours = con.execute(
            "SELECT count(DISTINCT idem_key) FROM journal WHERE outcome IN ('ok', 'applied')"
        ).fetchone()[0]
        twice = con.execute(
            "SELECT idem_key FROM journal WHERE outcome IN ('ok', 'applied') GROUP BY idem_key HAVING "
            "count(*) > 1"
        ).fetchall()
        unsettled = con.execute(
            """SELECT i.idem_key FROM journal i
               WHERE i.kind = 'intent' AND NOT EXISTS (
                 SELECT 1 FROM journal r WHERE r.idem_key = i.idem_key AND r.seq > i.seq
                   AND r.kind IN ('response', 'resolved'))"""
        ).fetchall()
        statuses = con.execute("SELECT status, count(*) FROM batch_users GROUP BY ALL").fetchall()
        con.close()
        assert statuses == [("done", USERS)]
        assert twice == []
        assert unsettled == []
        applied = [e for e in _writes(log) if 200 <= _status(e) < 300]
        refused = [e for e in _writes(log) if 400 <= _status(e) < 500 and _status(e) != 429]
        assert refused == [], refused
        assert len(applied) == ours, (len(applied), ours)
        faults = [e for e in log if _status(e) in (429, 503) or "dropped" in str(e.get("status"))]
        assert faults, f"the emulator injected no faults: the test would prove nothing {emu.stats()}"
