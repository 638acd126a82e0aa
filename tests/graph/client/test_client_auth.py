"""msal's real token flows against the emulator's Entra endpoints: secret, certificate, device code."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import msal
import pytest
import requests
from graph_client_helpers import app_auth, make_client, self_signed

from analysis.errors import UserError
from analysis.graph.auth import AppOnlyAuth, DeviceCodeAuth
from analysis.graph.credentials import build_token_cache, load_certificate
from analysis.graph.emulator.launcher import EmulatorInfo
from analysis.graph.errors import AuthError

pytestmark = pytest.mark.slow  # starts an emulator


@pytest.fixture
def closing() -> Iterator[list[AppOnlyAuth | DeviceCodeAuth]]:
    """Providers a test made; closed afterwards so no keep-alive connection outlives the test."""
    made: list[AppOnlyAuth | DeviceCodeAuth] = []
    yield made
    for auth in made:
        auth.close()


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    result: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return result


def test_client_secret_token_is_cached_in_the_long_lived_app(
    clean_emu: EmulatorInfo, closing: list[AppOnlyAuth | DeviceCodeAuth]
) -> None:
    before = clean_emu.stats()["tokens_issued"]
    auth = app_auth(clean_emu)
    closing.append(auth)
    token = auth.token()
    assert claims(token)["tid"] == clean_emu.tenant_id
    assert "UserAuthenticationMethod.ReadWrite.All" in claims(token)["roles"]  # type: ignore[operator]
    assert auth.token() == token
    assert auth.tenant_id == clean_emu.tenant_id
    assert clean_emu.stats()["tokens_issued"] - before == 1
    # A forced refresh (what a 401 triggers) bypasses msal's cache and gets a new token.
    fresh = auth.refresh(token)
    assert fresh != token and auth.acquisitions == 2
    # A refresh for a token that was already replaced does not fetch again.
    assert auth.refresh(token) == fresh and auth.acquisitions == 2


def test_wrong_secret_is_an_auth_error_without_the_secret(
    clean_emu: EmulatorInfo, caplog: pytest.LogCaptureFixture, closing: list[AppOnlyAuth | DeviceCodeAuth]
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "definitely-not-the-secret-" + clean_emu.client_secret[:4]
    auth = AppOnlyAuth(
        authority=clean_emu.authority,
        client_id=clean_emu.client_id,
        credential=wrong,
        graph_url=clean_emu.graph_url,
        ca_file=clean_emu.ca_file,
    )
    closing.append(auth)
    with pytest.raises(AuthError) as info:
        auth.token()
    assert info.value.error == "invalid_client"
    assert "AADSTS7000215" in str(info.value)
    assert wrong not in str(info.value) and wrong not in caplog.text
    assert clean_emu.client_secret not in caplog.text


def test_certificate_credential_signs_a_client_assertion(clean_emu: EmulatorInfo) -> None:
    cert = load_certificate(clean_emu.client_certificate, key_path=clean_emu.client_key)
    assert cert.sha256_thumbprint == clean_emu.client_thumbprint_sha256
    assert cert.sha1_thumbprint == clean_emu.client_thumbprint_sha1
    auth = AppOnlyAuth(
        authority=clean_emu.authority,
        client_id=clean_emu.client_id,
        credential=cert,
        graph_url=clean_emu.graph_url,
        ca_file=clean_emu.ca_file,
    )
    with make_client(clean_emu, auth) as client:
        assert client.get("/users", params={"$top": "1", "$select": "id"})["value"]


def test_certificate_not_registered_is_refused(
    clean_emu: EmulatorInfo, tmp_path: Path, closing: list[AppOnlyAuth | DeviceCodeAuth]
) -> None:
    pem = tmp_path / "stranger.pem"
    pem.write_text("".join(self_signed("stranger")))
    auth = AppOnlyAuth(
        authority=clean_emu.authority,
        client_id=clean_emu.client_id,
        credential=load_certificate(pem),
        graph_url=clean_emu.graph_url,
        ca_file=clean_emu.ca_file,
    )
    closing.append(auth)
    with pytest.raises(AuthError) as info:
        auth.token()
    assert "AADSTS700027" in str(info.value)


def test_device_code_flow_shows_the_message_then_refreshes_silently(
    clean_emu: EmulatorInfo, closing: list[AppOnlyAuth | DeviceCodeAuth]
) -> None:
    shown: list[str] = []
    auth = DeviceCodeAuth(
        authority=clean_emu.authority,
        client_id=clean_emu.client_id,
        scopes=["https://graph.microsoft.com/Policy.ReadWrite.HybridAuthentication"],
        show=shown.append,
        ca_file=clean_emu.ca_file,
    )
    closing.append(auth)
    token = auth.token()
    assert len(shown) == 1 and "enter the code" in shown[0]
    assert "Policy.ReadWrite.HybridAuthentication" in str(claims(token)["scp"])
    with make_client(clean_emu, auth) as client:
        assert client.get("/policies/featureRolloutPolicies")["value"]
    # A 401-triggered refresh uses the refresh token: no second device-code prompt.
    fresh = auth.refresh(token)
    assert fresh != token and len(shown) == 1


def test_ca_pinning_survives_requests_ca_bundle(
    clean_emu: EmulatorInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DESIGN §6: with REQUESTS_CA_BUNDLE set, requests ignores verify=; the explicit session does not."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", requests.certs.where())
    # The pitfall is real: msal's own verify= loses to the environment ...
    with pytest.raises(requests.exceptions.SSLError):
        msal.ConfidentialClientApplication(
            clean_emu.client_id,
            client_credential=clean_emu.client_secret,
            authority=clean_emu.authority,
            instance_discovery=False,
            verify=clean_emu.ca_file,
        )
    # ... while the provider's pinned session and the client's SSL context work.
    with make_client(clean_emu) as client:
        assert client.get("/users", params={"$top": "1", "$select": "id"})["value"]


def test_persistent_cache_refuses_plaintext_unless_asked(
    clean_emu: EmulatorInfo, tmp_path: Path, closing: list[AppOnlyAuth | DeviceCodeAuth]
) -> None:
    location = tmp_path / "cache" / "tokens.bin"
    try:
        choice = build_token_cache(location)
    except UserError as exc:  # headless Linux: no Secret Service, so no encryption
        assert "--allow-plaintext-cache" in str(exc)
        warnings: list[str] = []
        choice = build_token_cache(location, allow_plaintext=True, warn=warnings.append)
        assert not choice.encrypted and warnings and "NOT encrypted" in warnings[0]
    first = AppOnlyAuth(
        authority=clean_emu.authority,
        client_id=clean_emu.client_id,
        credential=clean_emu.client_secret,
        graph_url=clean_emu.graph_url,
        ca_file=clean_emu.ca_file,
        token_cache=choice.cache,
    )
    closing.append(first)
    token = first.token()
    issued = clean_emu.stats()["tokens_issued"]
    # A second process (a new app object on the same cache file) reuses the persisted token.
    again = build_token_cache(location, allow_plaintext=True).cache
    second = AppOnlyAuth(
        authority=clean_emu.authority,
        client_id=clean_emu.client_id,
        credential=clean_emu.client_secret,
        graph_url=clean_emu.graph_url,
        ca_file=clean_emu.ca_file,
        token_cache=again,
    )
    closing.append(second)
    assert second.token() == token
    assert clean_emu.stats()["tokens_issued"] == issued
    if not choice.encrypted:
        assert (location.stat().st_mode & 0o777) == 0o600
