"""Device-code sign-in as a chosen emulated user: the ID token names them, Graph's ``/me`` is them.

What ``batch approve --sign-in`` builds on: msal's device flow unmodified, the emulator approving as
``--sign-in-as USER`` (automatic) or as whoever a test approves a pending code as (manual), and the
test hooks refused unless the emulator was started with ``--test-hooks``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msal
import pytest
import requests
from emulator_helpers import assert_graph_error, client_for
from emulator_tenant import TENANT_ID, uid, upn

from analysis.errors import UserError
from analysis.graph.auth import DeviceCodeAuth
from analysis.graph.emulator.core import EmulatorConfig
from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator
from analysis.graph.emulator.server import device_flows
from analysis.graph.emulator.state import TenantState

SCOPES = [
    "https://graph.microsoft.com/User.Read.All",
    "https://graph.microsoft.com/UserAuthenticationMethod.ReadWrite.All",
]


@pytest.fixture(scope="module")
def hooked(tenant_dir: Path) -> Iterator[EmulatorInfo]:
    with start_emulator(tenant_dir, "--test-hooks", "--sign-in-as", upn(3)) as info:
        yield info


@pytest.fixture(scope="module")
def manual(tenant_dir: Path) -> Iterator[EmulatorInfo]:
    with start_emulator(tenant_dir, "--test-hooks", "--device-approval", "manual") as info:
        yield info


def _app(emu: EmulatorInfo) -> msal.PublicClientApplication:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=
    session.verify = emu.ca_file
    return msal.PublicClientApplication(
        emu.client_id, authority=emu.authority, http_client=session, instance_discovery=False
    )


def _hook(
    emu: EmulatorInfo, method: str, path: str, body: Any = None, key: str | None = None
) -> httpx.Response:
    with httpx.Client(verify=emu.tls(), trust_env=False, timeout=30.0) as client:
        return client.request(
            method,
            f"{emu.graph_url}/_emulator/test/{path}",
            headers={"X-Emulator-Key": key if key is not None else emu.admin_key},
            json=body,
        )


def test_sign_in_as_a_chosen_user_gives_their_id_token_and_me(hooked: EmulatorInfo) -> None:
    app = _app(hooked)
    result = app.acquire_token_by_device_flow(app.initiate_device_flow(scopes=SCOPES))
    claims = result["id_token_claims"]
    assert claims["preferred_username"] == upn(3)
    assert claims["oid"] == uid(3)
    assert claims["tid"] == TENANT_ID
    assert claims["name"] == "User 3"
    with client_for(hooked, result["access_token"]) as graph:
        me = graph.get("/v1.0/me", params={"$select": "id,userPrincipalName"})
        assert me.json()["userPrincipalName"] == upn(3), me.text
        assert graph.get("/v1.0/me/authentication/methods").json()["value"][1]["phoneType"] == "office"
    # the refresh token keeps the identity
    silent = app.acquire_token_silent(SCOPES, account=app.get_accounts()[0], force_refresh=True)
    assert silent["id_token_claims"]["oid"] == uid(3)


def test_product_device_code_auth_reports_who_signed_in(hooked: EmulatorInfo) -> None:
    shown: list[str] = []
    auth = DeviceCodeAuth(
        authority=hooked.authority,
        client_id=hooked.client_id,
        scopes=SCOPES,
        show=shown.append,
        ca_file=hooked.ca_file,
    )
    assert auth.signed_in is None
    assert auth.token()
    assert auth.signed_in is not None
    assert (auth.signed_in.upn, auth.signed_in.oid, auth.signed_in.tenant_id) == (upn(3), uid(3), TENANT_ID)
    assert "enter the code" in shown[0]
    auth.close()


def test_sign_in_as_can_change_at_run_time(hooked: EmulatorInfo) -> None:
    hooked.sign_in_as(uid(6))
    try:
        app = _app(hooked)
        result = app.acquire_token_by_device_flow(app.initiate_device_flow(scopes=SCOPES))
        assert result["id_token_claims"]["preferred_username"] == upn(6)
        unknown = _hook(hooked, "POST", "sign-in-as", {"user": "nobody@fabrikam.example"})
        assert unknown.status_code == 400 and "nobody@fabrikam.example" in unknown.json()["error"]
    finally:
        hooked.sign_in_as(upn(3))


def test_me_needs_a_delegated_token(hooked: EmulatorInfo) -> None:
    with client_for(hooked, hooked.app_token()) as graph:
        answer = graph.get("/v1.0/me")
    error = assert_graph_error(answer, 400, "BadRequest")
    assert "delegated" in error["message"]


def _poll_in_background(
    app: msal.PublicClientApplication, flow: dict[str, Any]
) -> tuple[threading.Thread, dict]:
    out: dict[str, Any] = {}

    def poll() -> None:
        out.update(app.acquire_token_by_device_flow(flow))

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    return thread, out


def test_manual_approval_as_a_user_and_decline(manual: EmulatorInfo) -> None:
    app = _app(manual)
    flow = app.initiate_device_flow(scopes=SCOPES)
    flow["expires_at"] = flow["expires_at"] - 900 + 30  # give up after 30 s, not 15 minutes
    thread, result = _poll_in_background(app, flow)
    pending = manual.pending_sign_ins()
    assert [p["user_code"] for p in pending] == [flow["user_code"]]
    assert "device_code" not in pending[0]  # the bearer secret is never listed
    approved = manual.approve_sign_in(flow["user_code"], upn(5))
    assert approved == {"user_code": flow["user_code"], "approved_as": upn(5), "oid": uid(5)}
    thread.join(30)
    assert result["id_token_claims"]["preferred_username"] == upn(5)
    assert manual.pending_sign_ins() == []

    declined_flow = app.initiate_device_flow(scopes=SCOPES)
    thread, declined = _poll_in_background(app, declined_flow)
    manual.decline_sign_in(declined_flow["user_code"])
    thread.join(30)
    assert declined["error"] == "authorization_declined" and "access_token" not in declined

    unknown = _hook(manual, "POST", "device-codes/approve", {"user_code": "NOPE", "user": upn(5)})
    assert unknown.status_code == 400 and "NOPE" in unknown.json()["error"]


def test_hooks_are_refused_without_test_hooks_or_key(emu: EmulatorInfo, hooked: EmulatorInfo) -> None:
    off = _hook(emu, "GET", "device-codes")
    assert off.status_code == 404 and "--test-hooks" in off.json()["error"]
    entry = {"user": upn(11), "method": "passkey"}
    assert _hook(emu, "POST", "register", entry).status_code == 404
    registered = _hook(hooked, "POST", "register", entry).json()
    assert registered["status"] == "registered" and registered["userId"] == uid(11)
    assert _hook(hooked, "POST", "register", {"user": upn(11), "method": "sms"}).status_code == 400
    assert _hook(hooked, "GET", "device-codes", key="wrong").status_code == 401
    # Graph paths never reach the hooks
    with client_for(hooked, hooked.app_token()) as graph:
        assert graph.get("/v1.0/_emulator/test/device-codes").status_code == 400


def test_sign_in_options_are_checked_at_start(tenant_dir: Path) -> None:
    state = TenantState.load(tenant_dir)
    with pytest.raises(
        UserError, match=r"--sign-in-as ghost@fabrikam\.example: no such user in .*users\.jsonl"
    ):
        device_flows(EmulatorConfig(tenant_dir=tenant_dir, sign_in_as="ghost@fabrikam.example"), state)
    with pytest.raises(UserError, match="--device-approval manual needs --test-hooks"):
        device_flows(EmulatorConfig(tenant_dir=tenant_dir, device_approval="manual"), state)
    flows = device_flows(EmulatorConfig(tenant_dir=tenant_dir, sign_in_as=upn(2).upper()), state)
    assert (flows.sign_in_as.oid, flows.sign_in_as.upn) == (uid(2), upn(2))
