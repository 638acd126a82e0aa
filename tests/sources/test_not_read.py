"""Not read is not none: what the snapshot could not read is stored as not read, with why, and the checks
that depend on it say "unknown: <reason>" instead of finding nobody.

The real path: a snapshot of the emulator taken with an application token (Graph, and the emulator,
refuse Staged Rollout to app-only tokens), loaded with the sample datafile; and a snapshot directory
without policies.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from analysis.cli import build_parser
from analysis.console import CaptureConsole
from analysis.graph.emulator.launcher import REPO_ROOT, start_emulator
from analysis.readiness import checks as readiness
from analysis.simulate.settings import Settings
from analysis.sources.workspace import load

pytestmark = pytest.mark.slow

SAMPLE = REPO_ROOT / "sample_data"


def _findings(con: duckdb.DuckDBPyConnection, check_id: str) -> list[str]:
    from analysis.simulate.runner import simulate

    report = readiness.run(con, simulate(con, Settings.default(), table="plan"))
    return [str(d) for d in report.result(check_id).findings["detail"]]


def test_an_app_only_snapshot_keeps_staged_rollout_as_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "snap"
    with start_emulator(SAMPLE / "tenant") as emu:
        monkeypatch.setenv("EMU_SECRET", emu.client_secret)
        argv = ["snapshot", "--graph-url", emu.graph_url, "--authority", emu.authority]
        argv += ["--client-id", emu.client_id, "--ca-file", emu.ca_file, "--client-secret-env", "EMU_SECRET"]
        args = build_parser().parse_args([*argv, "--out", str(out)])
        console = CaptureConsole()
        assert args.handler(args, console) == 0
    assert "feature rollout policies not read" in console.text
    meta = json.loads((out / "snapshot.json").read_text(encoding="utf-8"))
    assert "403" in meta["notRead"]["featureRolloutPolicies"]
    assert "featureRolloutPolicies" not in json.loads((out / "policies.json").read_text(encoding="utf-8"))

    ws = tmp_path / "ws.duckdb"
    load(ws, SAMPLE / "PhoneFactor.pfdata", out, CaptureConsole())
    con = duckdb.connect(str(ws))
    try:
        not_read = dict(con.execute("SELECT what, reason FROM entra_not_read").fetchall())
        assert "403" in not_read["staged_rollout"] and "delegated" in not_read["staged_rollout"]
        assert con.execute("SELECT count(*) FROM entra_rollout_policies").fetchone() == (0,)
        unknown = _findings(con, "rollout_not_read")
        assert len(unknown) == 1 and unknown[0].startswith("unknown: Graph refused the read"), unknown
    finally:
        con.close()


def test_the_full_sample_snapshot_reads_staged_rollout(workspace: Path) -> None:
    """The other side: the sample's own snapshot has Staged Rollout, so nothing is unknown about it and the
    routed-but-not-migrated hazard is found (the finding the app-only snapshot could not make)."""
    con = duckdb.connect(str(workspace))
    try:
        assert con.execute("SELECT count(*) FROM entra_not_read").fetchone() == (0,)
        assert _findings(con, "rollout_not_read") == []
        assert _findings(con, "rollout_users_not_migrated")
    finally:
        con.close()


def test_a_snapshot_without_policies_json_is_not_read_for_both_policies(tmp_path: Path) -> None:
    tenant = tmp_path / "tenant"
    shutil.copytree(SAMPLE / "tenant", tenant)
    (tenant / "policies.json").unlink()
    ws = tmp_path / "ws.duckdb"
    load(ws, SAMPLE / "PhoneFactor.pfdata", tenant, CaptureConsole())
    con = duckdb.connect(str(ws))
    try:
        assert con.execute("SELECT what, reason FROM entra_not_read ORDER BY what").fetchall() == [
            ("methods_policy", "the tenant snapshot has no policies.json"),
            ("staged_rollout", "the tenant snapshot has no policies.json"),
        ]
        assert _findings(con, "rollout_not_read") == ["unknown: the tenant snapshot has no policies.json"]
        (policy,) = _findings(con, "methods_policy_unknown")
        assert policy.startswith("unknown: ") and "(the tenant snapshot has no policies.json)" in policy
    finally:
        con.close()
