"""The workspace follows the tenant (docs/workspace.md, "Latest state"): after a verified batch the
users' state read back from Graph replaces the snapshot's for them, so readiness of the batch's users
improves instead of getting worse (the scenario of a batch run and verified against the emulator on the
sample data, through the CLI)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from exec_tenant import cli
from os_identity import four_eyes_off

from analysis.graph.emulator.launcher import REPO_ROOT, start_emulator
from analysis.readiness import checks as readiness
from analysis.simulate.runner import simulate
from analysis.simulate.settings import Settings

pytestmark = pytest.mark.slow

GROUP = "MFA Migration - Wave 1"


def _score(ws: Path) -> tuple[float, int, int]:
    con = duckdb.connect(str(ws))
    try:
        report = readiness.run(con, simulate(con, Settings.default(), table="plan"))
        blockers = sum(r.users for r in report.results if r.check.severity == "blocker")
    finally:
        con.close()
    t = report.score.tenant
    return float(t["score"]), int(t["blocked"]), blockers


def test_readiness_goes_up_after_a_verified_batch(workspace: Path, tmp_path: Path) -> None:
    tenant = tmp_path / "tenant"
    shutil.copytree(REPO_ROOT / "sample_data" / "tenant", tenant)
    before = _score(workspace)
    four_eyes_off(workspace)
    ws = str(workspace)
    cli("batch", "create", "--workspace", ws, "--name", "wave-1", "--group", GROUP, "--as", "alice")
    cli("batch", "approve", "wave-1", "--workspace", ws)
    with start_emulator(tenant) as emu:
        cli("batch", "run", "wave-1", "--workspace", ws, "--settle", "1", emu=emu)
        cli("batch", "verify", "wave-1", "--workspace", ws, emu=emu, check=False)
    con = duckdb.connect(ws, read_only=True)
    try:
        kept = con.execute("SELECT count(*), min(source) FROM entra_latest").fetchone()
        users = con.execute("SELECT count(*) FROM batch_users WHERE status = 'done'").fetchone()
    finally:
        con.close()
    assert kept is not None and users is not None and kept[0] == users[0] > 0 and kept[1] == "verify"
    after = _score(workspace)
    assert after[0] > before[0], (before, after)
    assert after[1] <= before[1] and after[2] <= before[2], (before, after)
