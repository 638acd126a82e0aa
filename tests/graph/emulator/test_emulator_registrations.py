"""Users register methods over time (the test hook for a re-registration campaign's progress).

Rules through the dispatcher (what a registration adds, the device limit, the default, a one-time
Temporary Access Pass used up, the schedule's timings), the schedule file's errors through the real
command, and end to end: the product's snapshot collector, run twice against a running emulator,
sees the users who registered in between and not before.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from emulator_tenant import upn
from inprocess import Local, local_emulator

from analysis.cli import main
from analysis.console import CaptureConsole
from analysis.graph.auth import AppOnlyAuth
from analysis.graph.client import GraphClient
from analysis.graph.collect import take_snapshot
from analysis.graph.emulator.launcher import start_emulator

METHODS = "/users/{}/authentication/methods"
AUTHENTICATOR = "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"


def _types(local: Local, user: str) -> list[str]:
    return [m["@odata.type"] for m in local.ok("GET", METHODS.format(user))["value"]]


@pytest.fixture
def local(tenant_dir: Path) -> Local:
    return local_emulator(tenant_dir)


def test_after_reads_registers_between_two_reads(local: Local) -> None:
    regs = local.emu.registrations
    reg = regs.add(
        local.emu, {"user": upn(0), "method": "microsoftAuthenticator", "afterReads": 1, "default": True}
    )
    assert reg.status == "pending"
    assert _types(local, upn(0)) == []  # the first read: not yet
    assert reg.status == "registered" and reg.method_id
    assert _types(local, upn(0)) == [AUTHENTICATOR]
    added = local.ok("GET", f"{METHODS.format(upn(0))}/{reg.method_id}")
    assert added["displayName"] == "iPhone of User 0" and added["createdDateTime"]
    prefs = local.ok("GET", f"/users/{upn(0)}/authentication/signInPreferences", version="beta")
    assert prefs["userPreferredMethodForSecondaryAuthentication"] == "push"


def test_methods_shapes_and_immediate_registration(local: Local) -> None:
    for method in ("passkey", "softwareOath", "windowsHelloForBusiness"):
        assert (
            local.emu.registrations.add(local.emu, {"user": upn(9), "method": method}).status == "registered"
        )
    assert _types(local, upn(9)) == [
        "#microsoft.graph.passwordAuthenticationMethod",
        "#microsoft.graph.fido2AuthenticationMethod",
        "#microsoft.graph.softwareOathAuthenticationMethod",
        "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
    ]
    passkey = local.ok("GET", f"/users/{upn(9)}/authentication/fido2Methods")["value"][0]
    assert passkey["attestationLevel"] == "notAttested" and passkey["displayName"] == "Passkey"


def test_device_limit_refuses_and_one_time_pass_is_used_up(local: Local) -> None:
    full = local.emu.registrations.add(local.emu, {"user": upn(5), "method": "microsoftAuthenticator"})
    assert full.status.startswith("refused: ") and "maximum of 5 devices" in full.status
    assert _types(local, upn(5)).count(AUTHENTICATOR) == 4

    taps = f"/users/{upn(1)}/authentication/temporaryAccessPassMethods"
    local.ok("POST", taps, {"isUsableOnce": True})
    local.emu.registrations.add(local.emu, {"user": upn(1), "method": "microsoftAuthenticator"})
    tap = local.ok("GET", taps)["value"][0]
    assert tap["isUsable"] is False and tap["methodUsabilityReason"] == "OneTimeUsed"


def test_time_based_registrations(local: Local) -> None:
    regs = local.emu.registrations
    past = regs.add(local.emu, {"user": upn(10), "method": "softwareOath", "at": "2020-01-01T00:00:00Z"})
    later = regs.add(local.emu, {"user": upn(11), "method": "softwareOath", "afterSeconds": 0.2})
    assert past.status == "registered" and later.status == "pending"
    time.sleep(0.25)
    assert "#microsoft.graph.softwareOathAuthenticationMethod" in _types(local, upn(11))
    assert later.status == "registered"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"user": "ghost@fabrikam.example", "method": "passkey"},
            "no user 'ghost@fabrikam.example' in the tenant",
        ),
        ({"user": upn(1), "method": "sms"}, "method 'sms' is not one of"),
        ({"user": upn(1), "method": "passkey", "afterReads": 1, "at": "2027-01-01"}, "at most one of"),
        ({"user": upn(1), "method": "passkey", "afterReads": -1}, "afterReads must be a whole number"),
        ({"user": upn(1), "method": "passkey", "at": "soon"}, "is not an ISO 8601 time"),
        ({"user": upn(1), "method": "passkey", "default": True}, "cannot be the default method"),
        ({"user": upn(1), "method": "passkey", "when": "now"}, "unknown key(s) when"),
    ],
)
def test_schedule_file_errors_name_the_line(
    entry: dict[str, object],
    message: str,
    tenant_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    schedule = tmp_path / "registrations.jsonl"
    good = {"user": upn(2), "method": "microsoftAuthenticator", "afterReads": 1}
    schedule.write_text(json.dumps(good) + "\n\n" + json.dumps(entry) + "\n")
    assert main(["emulator", "--tenant", str(tenant_dir), "--registrations", str(schedule)]) == 2
    err = capsys.readouterr().err.strip()
    assert f"{schedule}, line 3: " in err and message in err and "\n" not in err, err


def test_missing_schedule_file(tenant_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["emulator", "--tenant", str(tenant_dir), "--registrations", str(tmp_path / "nope.jsonl")]) == 2
    )
    assert "no such file" in capsys.readouterr().err


def _snapshot(client: GraphClient, out: Path, tenant_id: str) -> dict[str, list[str]]:
    take_snapshot(client, out, CaptureConsole(), tenant_id=tenant_id, read_budget="off")
    users = [json.loads(line) for line in (out / "users.jsonl").read_text().splitlines() if line.strip()]
    return {
        u["userPrincipalName"]: [m["@odata.type"] for m in u.get("authenticationMethods") or []]
        for u in users
    }


@pytest.mark.slow
def test_campaign_progress_between_two_snapshots(tenant_dir: Path, tmp_path: Path) -> None:
    schedule = tmp_path / "registrations.jsonl"
    schedule.write_text(
        "\n".join(
            json.dumps(entry)
            for entry in (
                {"user": upn(0), "method": "microsoftAuthenticator", "afterReads": 1, "default": True},
                {"user": upn(1), "method": "passkey", "afterReads": 1},
                {"user": upn(2), "method": "softwareOath", "afterReads": 2},  # only after a second snapshot
            )
        )
    )
    with start_emulator(tenant_dir, "--registrations", str(schedule), "--test-hooks") as emu:
        auth = AppOnlyAuth(
            authority=emu.authority,
            client_id=emu.client_id,
            credential=emu.client_secret,
            graph_url=emu.graph_url,
            ca_file=emu.ca_file,
        )
        with GraphClient(emu.graph_url, auth, ca_file=emu.ca_file, close_auth=True) as client:
            before = _snapshot(client, tmp_path / "first", emu.tenant_id)
            after = _snapshot(client, tmp_path / "second", emu.tenant_id)
        status = emu.registrations()
        extra = emu.register(upn(3), "microsoftAuthenticator", afterReads=1)
    assert before[upn(0)] == [] and after[upn(0)] == [AUTHENTICATOR]
    assert "#microsoft.graph.fido2AuthenticationMethod" not in before[upn(1)]
    assert "#microsoft.graph.fido2AuthenticationMethod" in after[upn(1)]
    assert "#microsoft.graph.softwareOathAuthenticationMethod" not in after[upn(2)]  # due after the 2nd read
    assert [r["status"] for r in status] == ["registered", "registered", "registered"]
    assert extra["status"] == "pending" and extra["user"] == upn(3)
    unchanged = {u for u in before if u not in (upn(0), upn(1), upn(2))}
    assert all(before[u] == after[u] for u in unchanged)
