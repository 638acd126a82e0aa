"""Snapshot collection: snapshot → emulator → snapshot round trips, group scope, unreadable users, CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crafted import TENANT_ID, _gid, _uid, groups
from graph_client_helpers import app_auth, make_client

from analysis.cli import build_parser
from analysis.console import CaptureConsole
from analysis.errors import UserError
from analysis.graph.auth import DeviceCodeAuth
from analysis.graph.client import GraphClient, RetryPolicy
from analysis.graph.collect import USER_FIELDS, take_snapshot
from analysis.graph.collect_directory import DOMAIN_FIELDS, GROUP_FIELDS
from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

pytestmark = pytest.mark.slow  # starts emulators

SAMPLE_TENANT = Path(__file__).resolve().parents[3] / "sample_data" / "tenant"


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def normalised(directory: Path) -> dict[str, Any]:
    """A snapshot's content, independent of line order and of absent-versus-null selected properties."""

    def by_id(name: str, fields: tuple[str, ...]) -> dict[str, Any]:
        return {row["id"]: {**dict.fromkeys(fields), **row} for row in _jsonl(directory / name)}

    users = by_id("users.jsonl", USER_FIELDS)
    policies = (
        json.loads((directory / "policies.json").read_text())
        if (directory / "policies.json").exists()
        else {}
    )
    rollout = sorted(policies.get("featureRolloutPolicies") or [], key=lambda p: p["id"])
    for policy in rollout:
        policy["appliesTo"] = sorted(policy.get("appliesTo") or [], key=lambda a: a["id"])
    if "featureRolloutPolicies" in policies:
        policies["featureRolloutPolicies"] = rollout
    domains = by_id("domains.jsonl", DOMAIN_FIELDS)
    for domain in domains.values():
        domain.setdefault("federationConfiguration", [])
    return {
        "tenantId": json.loads((directory / "snapshot.json").read_text())["tenantId"],
        "users": users,
        "groups": by_id("groups.jsonl", GROUP_FIELDS),
        "policies": policies,
        "domains": domains,
    }


def delegated(emu: EmulatorInfo) -> DeviceCodeAuth:
    """Staged rollout is delegated-only on Graph, so a complete snapshot signs in as an admin."""
    return DeviceCodeAuth(
        authority=emu.authority,
        client_id=emu.client_id,
        scopes=["https://graph.microsoft.com/.default"],
        show=lambda message: None,
        ca_file=emu.ca_file,
    )


def collect(emu: EmulatorInfo, out: Path, auth: Any = None, **kwargs: Any) -> tuple[CaptureConsole, Any]:
    console = CaptureConsole()
    with make_client(emu, auth or delegated(emu), record=False) as client:
        result = take_snapshot(client, out, console, tenant_id=emu.tenant_id, **kwargs)
    return console, result


def assert_same_files(first: Path, second: Path) -> None:
    """Byte-identical snapshots (apart from when they were taken)."""
    for name in ("users.jsonl", "groups.jsonl", "domains.jsonl", "policies.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    meta1, meta2 = (json.loads((d / "snapshot.json").read_text()) for d in (first, second))
    assert {**meta1, "takenAt": None} == {**meta2, "takenAt": None}


def test_round_trip_reproduces_the_crafted_tenant(
    emu: EmulatorInfo, crafted_dir: Path, tmp_path: Path
) -> None:
    console, result = collect(emu, tmp_path / "gen1")
    assert normalised(tmp_path / "gen1") == normalised(crafted_dir)
    meta = json.loads((tmp_path / "gen1" / "snapshot.json").read_text())
    assert meta["tenantId"] == TENANT_ID and meta["source"] == "emulator" and meta["takenAt"].endswith("Z")
    assert result.users == 25 and result.methods_errors == 0 and result.rollout_policies == 1
    assert "Reading authentication methods: 25/25 done" in console.text
    # Second generation: the emulator seeded from our own output gives back exactly the same files.
    with start_emulator(tmp_path / "gen1") as again:
        collect(again, tmp_path / "gen2")
    assert_same_files(tmp_path / "gen1", tmp_path / "gen2")


def test_app_only_snapshot_says_rollout_policies_need_a_delegated_token(
    emu: EmulatorInfo, tmp_path: Path
) -> None:
    console, result = collect(emu, tmp_path / "out", auth=app_auth(emu))
    policies = json.loads((tmp_path / "out" / "policies.json").read_text())
    assert "authenticationMethodsPolicy" in policies and "featureRolloutPolicies" not in policies
    assert result.rollout_policies is None and "--device-code" in console.text


def test_group_scope_takes_transitive_members_of_every_group_of_that_name(
    emu: EmulatorInfo, tmp_path: Path
) -> None:
    crafted = {g["id"]: g for g in groups(25)}
    # Expected, computed from the crafted data: both groups named like that, nested groups followed,
    # cycles safe, contacts ignored.
    todo = [g["id"] for g in crafted.values() if g["displayName"] == "MFA-Migration-Wave1"]
    seen_groups, members = set(todo), set()
    while todo:
        for member in crafted[todo.pop()]["members"]:
            if member["@odata.type"] == "#microsoft.graph.user":
                members.add(member["id"])
            elif member["@odata.type"] == "#microsoft.graph.group" and member["id"] not in seen_groups:
                seen_groups.add(member["id"])
                todo.append(member["id"])
    _, result = collect(emu, tmp_path / "scoped", auth=app_auth(emu), group="MFA-Migration-Wave1")
    snap = normalised(tmp_path / "scoped")
    assert set(snap["users"]) == members and result.users == len(members) == 11
    assert set(snap["groups"]) == seen_groups == {_gid(1), _gid(2), _gid(5)}
    # By id, only that group (and what it nests).
    collect(emu, tmp_path / "by-id", auth=app_auth(emu), group=_gid(5))
    assert set(normalised(tmp_path / "by-id")["users"]) == {_uid(20), _uid(21)}
    with pytest.raises(UserError, match="No group"):
        collect(emu, tmp_path / "none", auth=app_auth(emu), group="No Such Group")


class MethodsFaultOnce(GraphClient):
    """Makes the emulator answer 503 to the first methods $batch (real faults, on the real server)."""

    def __init__(self, emu: EmulatorInfo, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emu, self.armed = emu, True

    def batch(self, requests: Any, *, version: str = "v1.0") -> Any:
        if version == "beta" and self.armed:
            self.armed = False
            self.emu.set_faults("503=1.0,only=reads")  # a $batch of GETs counts as a read
            try:
                return super().batch(requests, version=version)
            finally:
                self.emu.set_faults("")
        return super().batch(requests, version=version)


def test_user_whose_methods_cannot_be_read_is_recorded_not_fatal(emu: EmulatorInfo, tmp_path: Path) -> None:
    console = CaptureConsole()
    emu.set_faults("")
    client = MethodsFaultOnce(
        emu,
        emu.graph_url,
        app_auth(emu),
        ca_file=emu.ca_file,
        retry=RetryPolicy(max_attempts=2, backoff_base=0.01),
        close_auth=True,
    )
    with client:
        result = take_snapshot(client, tmp_path / "out", console, tenant_id=emu.tenant_id, concurrency=1)
    users = _jsonl(tmp_path / "out" / "users.jsonl")
    failed = [u for u in users if "methodsError" in u]
    assert len(failed) == result.methods_errors == 10  # one envelope = 10 users
    assert all("503" in u["methodsError"] and "authenticationMethods" not in u for u in failed)
    assert all(u["authenticationMethods"] for u in users if "methodsError" not in u)
    assert "10 user(s) whose methods could not be read" in console.text


def test_no_permission_for_methods_at_all_stops_with_advice(emu: EmulatorInfo, tmp_path: Path) -> None:
    roles = emu.admin("POST", "permissions", {})["roles"]
    emu.admin("POST", "permissions", {"roles": ["User.Read.All", "GroupMember.Read.All", "Domain.Read.All"]})
    try:
        with pytest.raises(UserError, match=r"UserAuthenticationMethod\.Read\.All"):
            collect(emu, tmp_path / "out", auth=app_auth(emu))
    finally:
        emu.admin("POST", "permissions", {"roles": roles})
    assert not (tmp_path / "out" / "snapshot.json").exists()


@pytest.fixture
def secret_env(emu: EmulatorInfo, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("EMU_CLIENT_SECRET", emu.client_secret)
    yield "EMU_CLIENT_SECRET"


def run_cli(argv: list[str]) -> tuple[int, CaptureConsole]:
    args = build_parser().parse_args(argv)
    console = CaptureConsole()
    return args.handler(args, console), console


def test_cli_snapshot(emu: EmulatorInfo, secret_env: str, tmp_path: Path) -> None:
    common = ["--graph-url", emu.graph_url, "--authority", emu.authority, "--client-id", emu.client_id]
    common += ["--ca-file", emu.ca_file]
    out = tmp_path / "cli"
    code, console = run_cli(["snapshot", *common, "--client-secret-env", secret_env, "--out", str(out)])
    assert code == 0 and "Snapshot written to" in console.text
    assert emu.client_secret not in console.text
    assert len(_jsonl(out / "users.jsonl")) == 25
    with pytest.raises(UserError, match="already holds a snapshot"):
        run_cli(["snapshot", *common, "--client-secret-env", secret_env, "--out", str(out)])
    code, _ = run_cli(["snapshot", *common, "--client-secret-env", secret_env, "--out", str(out), "--force"])
    assert code == 0
    with pytest.raises(UserError, match="NOT_SET_ANYWHERE"):
        run_cli(
            ["snapshot", *common, "--client-secret-env", "NOT_SET_ANYWHERE", "--out", str(tmp_path / "x")]
        )
    # The certificate route, through the CLI.
    cert_args = ["--certificate", emu.client_certificate, "--certificate-key", emu.client_key]
    code, _ = run_cli(["snapshot", *common, *cert_args, "--out", str(tmp_path / "cert")])
    assert code == 0 and len(_jsonl(tmp_path / "cert" / "users.jsonl")) == 25


def test_secret_is_never_a_command_line_argument() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(
            ["snapshot", "--authority", "https://x/t", "--client-id", "c", "--client-secret", "s"]
        )


def test_round_trip_reproduces_the_sample_tenant(tmp_path: Path) -> None:
    """``sample_data/tenant`` when it is there, else a fresh sample from the same generator."""
    tenant = SAMPLE_TENANT
    if not (tenant / "snapshot.json").exists():
        from analysis.sample import generate, minimum_users

        generate(tmp_path / "generated", max(minimum_users(), 150), seed=7)
        tenant = tmp_path / "generated" / "tenant"
    with start_emulator(tenant) as sample_emu:
        _, result = collect(sample_emu, tmp_path / "sample")
    assert result.methods_errors == 0
    assert normalised(tmp_path / "sample") == normalised(tenant)
    # Graph's order and shapes are kept, so the sample comes back byte for byte.
    for name in ("users.jsonl", "groups.jsonl", "domains.jsonl", "policies.json"):
        assert (tmp_path / "sample" / name).read_bytes() == (tenant / name).read_bytes(), name
