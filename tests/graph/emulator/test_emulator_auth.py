"""Identity: msal unmodified against the emulator (secret, certificate, device code), bearer checks,
token expiry, permissions (403 naming the permission), admin key."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import msal
import pytest
import requests
from emulator_helpers import assert_graph_error, client_for, delegated_token

from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

SCOPE = ["https://graph.microsoft.com/.default"]


def _session(emu: EmulatorInfo) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=
    session.verify = emu.ca_file
    return session


def test_ready_file_fields(emu: EmulatorInfo) -> None:
    ready = emu.ready
    for key in ("graph_url", "authority", "ca_file", "client_id", "client_secret", "admin_key"):
        assert ready[key]
    assert ready["graph_url"] == f"https://127.0.0.1:{ready['port']}"
    assert ready["authority"] == f"{ready['graph_url']}/{ready['tenant_id']}"
    assert Path(ready["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_tls_is_verified_against_the_emulator_ca(emu: EmulatorInfo) -> None:
    with httpx.Client(trust_env=False) as client, pytest.raises(httpx.ConnectError):
        client.get(f"{emu.graph_url}/_emulator/health")  # system CAs do not know the emulator's CA
    with httpx.Client(verify=emu.tls(), trust_env=False) as client:
        assert client.get(f"{emu.graph_url}/_emulator/health").json() == {"ok": True}


def test_msal_client_secret_unmodified(emu: EmulatorInfo) -> None:
    app = msal.ConfidentialClientApplication(
        emu.client_id,
        client_credential=emu.client_secret,
        authority=emu.authority,
        http_client=_session(emu),
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(scopes=SCOPE)
    assert "access_token" in result, result
    with client_for(emu, result["access_token"]) as graph:
        assert graph.get("/v1.0/users/u1@fabrikam.example").status_code == 200
    again = app.acquire_token_for_client(scopes=SCOPE)
    assert again["token_source"] == "cache"


def test_msal_certificate_unmodified(emu: EmulatorInfo) -> None:
    credential = {
        "private_key": Path(emu.client_key).read_text(),
        "public_certificate": Path(emu.client_certificate).read_text(),
    }
    app = msal.ConfidentialClientApplication(
        emu.client_id,
        client_credential=credential,
        authority=emu.authority,
        http_client=_session(emu),
        validate_authority=False,
    )
    result = app.acquire_token_for_client(scopes=SCOPE)
    assert "access_token" in result, result
    with client_for(emu, result["access_token"]) as graph:
        assert graph.get("/v1.0/domains").status_code == 200


def test_certificate_not_registered_is_refused(emu: EmulatorInfo, tmp_path: Path) -> None:
    from analysis.graph.emulator.tls import make_tls_files

    other = make_tls_files(tmp_path / "other")
    app = msal.ConfidentialClientApplication(
        emu.client_id,
        client_credential={
            "private_key": other.client_key_file.read_text(),
            "public_certificate": other.client_cert_file.read_text(),
        },
        authority=emu.authority,
        http_client=_session(emu),
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(scopes=SCOPE)
    assert result.get("error") == "invalid_client"
    assert "700027" in result["error_description"]


def test_msal_bad_secret_and_unknown_client(emu: EmulatorInfo) -> None:
    app = msal.ConfidentialClientApplication(
        emu.client_id,
        client_credential="wrong",
        authority=emu.authority,
        http_client=_session(emu),
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(scopes=SCOPE)
    assert result["error"] == "invalid_client" and 7000215 in result["error_codes"]
    app = msal.ConfidentialClientApplication(
        "not-registered",
        client_credential=emu.client_secret,
        authority=emu.authority,
        http_client=_session(emu),
        instance_discovery=False,
    )
    assert app.acquire_token_for_client(scopes=SCOPE)["error"] == "unauthorized_client"


def test_msal_device_code_flow_and_silent_refresh(emu: EmulatorInfo) -> None:
    app = msal.PublicClientApplication(
        emu.client_id, authority=emu.authority, http_client=_session(emu), instance_discovery=False
    )
    scopes = ["https://graph.microsoft.com/Policy.ReadWrite.HybridAuthentication"]
    flow = app.initiate_device_flow(scopes=scopes)
    assert "user_code" in flow, flow
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result
    with client_for(emu, result["access_token"]) as graph:
        assert graph.get("/v1.0/policies/featureRolloutPolicies").status_code == 200
    accounts = app.get_accounts()
    assert accounts
    refreshed = app.acquire_token_silent(scopes, account=accounts[0], force_refresh=True)
    assert refreshed and "access_token" in refreshed and refreshed["access_token"] != result["access_token"]


def test_openid_configuration_and_unknown_tenant(emu: EmulatorInfo) -> None:
    with httpx.Client(verify=emu.tls(), trust_env=False) as client:
        config = client.get(f"{emu.authority}/v2.0/.well-known/openid-configuration").json()
        assert config["token_endpoint"] == emu.token_endpoint
        assert config["device_authorization_endpoint"].startswith(emu.authority)
        by_domain = client.get(f"{emu.graph_url}/fabrikam.example/v2.0/.well-known/openid-configuration")
        assert by_domain.json()["token_endpoint"] == emu.token_endpoint
        unknown = client.get(f"{emu.graph_url}/contoso.example/v2.0/.well-known/openid-configuration")
        assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_tenant"


def test_bearer_missing_invalid_and_forged(emu: EmulatorInfo) -> None:
    with client_for(emu, None) as anonymous:
        error = assert_graph_error(anonymous.get("/v1.0/users"), 401, "InvalidAuthenticationToken")
        assert error["message"] == "Access token is empty."
    with client_for(emu, "not-a-jwt") as bad:
        assert_graph_error(bad.get("/v1.0/users"), 401, "InvalidAuthenticationToken")
    token = emu.app_token()
    head, payload, signature = token.split(".")
    with client_for(emu, f"{head}.{payload}.{signature[::-1]}") as forged:
        assert_graph_error(forged.get("/v1.0/users"), 401, "InvalidAuthenticationToken")


@pytest.mark.slow
def test_expire_tokens_forces_reauthentication(tenant_dir: Path) -> None:
    with start_emulator(tenant_dir) as emu:
        token = emu.app_token()
        with client_for(emu, token) as graph:
            assert graph.get("/v1.0/users/u1@fabrikam.example").status_code == 200
            emu.expire_tokens()
            error = assert_graph_error(
                graph.get("/v1.0/users/u1@fabrikam.example"), 401, "InvalidAuthenticationToken"
            )
            assert "expired" in error["message"]
        with client_for(emu, emu.app_token()) as fresh:
            assert fresh.get("/v1.0/users/u1@fabrikam.example").status_code == 200


@pytest.mark.slow
def test_missing_permission_is_403_naming_it(tenant_dir: Path) -> None:
    with start_emulator(tenant_dir, "--roles", "User.Read.All,UserAuthenticationMethod.Read.All") as emu:
        with client_for(emu, emu.app_token()) as graph:
            assert graph.get("/v1.0/users/u1@fabrikam.example/authentication/methods").status_code == 200
            response = graph.post(
                "/v1.0/users/u0@fabrikam.example/authentication/phoneMethods",
                json={"phoneNumber": "+1 5555550100", "phoneType": "mobile"},
            )
            error = assert_graph_error(response, 403, "Authorization_RequestDenied")
            assert "UserAuthenticationMethod.ReadWrite.All" in error["message"]
            assert_graph_error(graph.get("/v1.0/domains"), 403, "Authorization_RequestDenied")
        # the write was refused, so nothing changed
        state = emu.state()
        u0 = next(u for u in state["users.jsonl"] if u["userPrincipalName"] == "u0@fabrikam.example")
        assert u0["authenticationMethods"] == []


def test_staged_rollout_refuses_app_tokens(emu: EmulatorInfo, graph: httpx.Client) -> None:
    error = assert_graph_error(
        graph.get("/v1.0/policies/featureRolloutPolicies"), 403, "Authorization_RequestDenied"
    )
    assert "Policy.Read.HybridAuthentication" in error["message"]
    with client_for(emu, delegated_token(emu)) as delegated:
        assert delegated.get("/v1.0/policies/featureRolloutPolicies").status_code == 200


def test_delegated_token_only_carries_requested_scopes(emu: EmulatorInfo) -> None:
    token = delegated_token(emu, "https://graph.microsoft.com/User.Read.All openid profile")
    with client_for(emu, token) as delegated:
        assert delegated.get("/v1.0/users/u1@fabrikam.example").status_code == 200
        assert_graph_error(
            delegated.get("/v1.0/policies/featureRolloutPolicies"), 403, "Authorization_RequestDenied"
        )


def test_admin_endpoints_need_the_key(emu: EmulatorInfo) -> None:
    with httpx.Client(verify=emu.tls(), trust_env=False) as client:
        assert client.get(f"{emu.graph_url}/_emulator/stats").status_code == 401
        assert (
            client.get(f"{emu.graph_url}/_emulator/stats", headers={"X-Emulator-Key": "nope"}).status_code
            == 401
        )
        stats = client.get(
            f"{emu.graph_url}/_emulator/stats", headers={"X-Emulator-Key": emu.admin_key}
        ).json()
    assert stats["tokens_issued"] >= 1


def test_no_secret_in_emulator_output(emu: EmulatorInfo) -> None:
    token = emu.app_token()
    log = emu.log_file.read_text()
    entries = json.dumps(emu.log())
    for secret in (emu.client_secret, token, emu.admin_key):
        assert secret not in log and secret not in entries
