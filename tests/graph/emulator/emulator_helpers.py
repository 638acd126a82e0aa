"""Helpers shared by the emulator's tests: authorised clients, tokens, Graph error assertions."""

from __future__ import annotations

import time
from typing import Any

import httpx

from analysis.graph.emulator.launcher import EmulatorInfo


def client_for(info: EmulatorInfo, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(
        base_url=info.graph_url, verify=info.tls(), trust_env=False, headers=headers, timeout=30.0
    )


def delegated_token(info: EmulatorInfo, scopes: str = "https://graph.microsoft.com/.default") -> str:
    """A delegated token through the raw device-code flow (first poll pending, second approved)."""
    with httpx.Client(verify=info.tls(), trust_env=False, timeout=30.0) as client:
        base = f"{info.authority}/oauth2/v2.0"
        flow = client.post(f"{base}/devicecode", data={"client_id": info.client_id, "scope": scopes}).json()
        grant = "urn:ietf:params:oauth:grant-type:device_code"
        form = {"grant_type": grant, "client_id": info.client_id, "device_code": flow["device_code"]}
        for _ in range(5):
            answer = client.post(f"{base}/token", data=form)
            if answer.status_code == 200:
                token: str = answer.json()["access_token"]
                return token
            assert answer.json()["error"] == "authorization_pending"
            time.sleep(0.05)
    raise AssertionError("device code flow never completed")


def assert_graph_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is Graph's error body with request ids in body and headers."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    inner = error["innerError"]
    assert inner["request-id"] == response.headers["request-id"]
    assert inner["client-request-id"] == response.headers["client-request-id"]
    assert "T" in inner["date"] and not inner["date"].endswith("Z")
    return error
