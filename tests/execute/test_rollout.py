"""Staged Rollout and the federation cut-over, through the CLI with a delegated (device-code) sign-in
against the emulator: Microsoft's limits are refused before any write, unmigrated members are warned
about, every change is journaled, and ``reject`` waits for readiness unless forced."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from exec_tenant import RING_ID, build, cli

from analysis.console import CaptureConsole
from analysis.errors import UserError
from analysis.execute.rollout import BEHAVIOURS, cutover
from analysis.graph.emulator.launcher import start_emulator
from analysis.simulate.settings import Settings

pytestmark = pytest.mark.slow


def _domain(emu_state: dict, name: str = "contoso.com") -> dict:
    return next(d for d in emu_state["domains.jsonl"] if d["id"] == name)


def test_rollout_groups_and_cutover(tmp_path: Path) -> None:
    ws, tenant = build(tmp_path, 8)
    with start_emulator(tenant) as emu:

        def run(*args: str, check: bool = True):
            return cli(*args, "--workspace", str(ws), "--device-code", emu=emu, check=check)

        assert "No staged rollout policy" in run("rollout", "status").stdout
        # an application token may not read Staged Rollout: not read, with why, never "no policy"
        app_only = cli("rollout", "status", "--workspace", str(ws), emu=emu, check=False)
        assert app_only.returncode == 1, app_only.stdout + app_only.stderr
        assert "Staged Rollout not read" in app_only.stderr and "403" in app_only.stderr
        assert "No staged rollout policy" not in app_only.stdout + app_only.stderr
        dynamic = run("rollout", "add-group", "Dynamic", check=False)
        assert dynamic.returncode == 2 and "dynamic membership" in dynamic.stderr
        nested = run("rollout", "add-group", "Nested", check=False)
        assert nested.returncode == 2 and "nested groups" in nested.stderr
        migration = run("rollout", "add-group", "MFA Server Migration", check=False)
        assert migration.returncode == 0  # no batch names it as the migration group in this workspace
        added = run("rollout", "add-group", "Ring 1")
        assert "not marked migrated" in added.stderr and "Added group 'Ring 1'" in added.stdout
        policies = emu.state()["policies.json"]["featureRolloutPolicies"]
        mfa = next(p for p in policies if p["feature"] == "multiFactorAuthentication")
        assert RING_ID in {g["id"] for g in mfa["appliesTo"]}
        assert "already in MFA staged rollout" in run("rollout", "add-group", RING_ID).stdout
        status = run("rollout", "status").stdout
        assert "Ring 1" in status and "2/10 groups" in status
        run("rollout", "remove-group", "Ring 1")
        policies = emu.state()["policies.json"]["featureRolloutPolicies"]
        mfa = next(p for p in policies if p["feature"] == "multiFactorAuthentication")
        assert RING_ID not in {g["id"] for g in mfa["appliesTo"]}

        unconfirmed = cli(
            "cutover",
            "--workspace",
            str(ws),
            "--domain",
            "contoso.com",
            "--to",
            "enforce",
            emu=emu,
            check=False,
        )
        assert unconfirmed.returncode == 2 and "--confirm" in unconfirmed.stderr
        cli(
            "cutover",
            "--workspace",
            str(ws),
            "--domain",
            "contoso.com",
            "--to",
            "enforce",
            "--confirm",
            emu=emu,
        )
        config = _domain(emu.state())["federationConfiguration"][0]
        assert config["federatedIdpMfaBehavior"] == BEHAVIOURS["enforce"]
        forced = cli(
            "cutover",
            "--workspace",
            str(ws),
            "--domain",
            "contoso.com",
            "--to",
            "reject",
            "--confirm",
            "--force",
            emu=emu,
        )
        config = _domain(emu.state())["federationConfiguration"][0]
        assert config["federatedIdpMfaBehavior"] == "rejectMfaByFederatedIdp", forced.stdout + forced.stderr
        managed = cli(
            "cutover",
            "--workspace",
            str(ws),
            "--domain",
            "nowhere.example",
            "--to",
            "enforce",
            "--confirm",
            emu=emu,
            check=False,
        )
        assert managed.returncode == 2

    con = duckdb.connect(str(ws), read_only=True)
    steps = [
        r[0]
        for r in con.execute(
            "SELECT step FROM journal WHERE kind = 'response' AND outcome = 'ok' ORDER BY seq"
        ).fetchall()
    ]
    con.close()
    assert steps == [
        "rollout_create",
        "rollout_add_group",
        "rollout_add_group",
        "rollout_remove_group",
        "cutover",
        "cutover",
    ]


def test_reject_waits_for_readiness_blockers(tmp_path: Path) -> None:
    ws, _tenant = build(tmp_path, 4)
    con = duckdb.connect(str(ws))
    try:
        with pytest.raises(UserError, match="3 open blocker"):
            cutover(
                con,
                None,
                CaptureConsole(),
                "contoso.com",
                "reject",
                settings=Settings.default(),  # type: ignore[arg-type]
                confirm=True,
                force=False,
                actor="me",
                blockers=3,
            )
        with pytest.raises(UserError, match="--confirm"):
            cutover(
                con,
                None,
                CaptureConsole(),
                "contoso.com",
                "reject",
                settings=Settings.default(),  # type: ignore[arg-type]
                confirm=False,
                force=True,
                actor="me",
                blockers=0,
            )
    finally:
        con.close()


class _FakeGraph:
    """Just enough of GraphClient for add_group's checks: a group, its members, and the MFA policy."""

    root = "https://graph.invalid"

    def __init__(self, members: int, applied: int) -> None:
        self.members, self.applied, self.writes = members, applied, 0

    def get(self, path: str, **_: object) -> dict:
        if path.startswith("/groups/"):
            return {"id": "g-new", "displayName": "Big", "groupTypes": []}
        return {
            "id": "p1",
            "feature": "multiFactorAuthentication",
            "appliesTo": [{"id": f"g{i}"} for i in range(self.applied)],
        }

    def paged(self, path: str, **_: object):
        if path.endswith("/members"):
            return iter({"@odata.type": "#microsoft.graph.user", "id": f"u{i}"} for i in range(self.members))
        return iter([{"id": "p1", "feature": "multiFactorAuthentication"}])

    def request(self, *_: object, **__: object) -> object:
        self.writes += 1
        raise AssertionError("no write expected")


@pytest.mark.parametrize(
    ("members", "applied", "message"), [(50_001, 0, "at most 50,000"), (10, 10, "limit is 10")]
)
def test_add_group_limits_are_refused_before_writing(
    tmp_path: Path, members: int, applied: int, message: str
) -> None:
    from analysis.execute.batches import ensure_schema
    from analysis.execute.rollout import add_group

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(
        "CREATE TABLE migration_marks (username VARCHAR, last_migrated_at VARCHAR, "
        "migrated_selection VARCHAR, batch_name VARCHAR)"
    )
    ensure_schema(con)
    fake = _FakeGraph(members, applied)
    with pytest.raises(UserError, match=message):
        add_group(con, fake, CaptureConsole(), "Big", actor="me")  # type: ignore[arg-type]
    assert fake.writes == 0
    con.close()
