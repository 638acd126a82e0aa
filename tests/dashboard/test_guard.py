"""Who may reach the dashboard and who may act in local mode (issue #14, item 2), without a browser.

The Host/Origin rule is exercised through the real middleware as an ASGI app (the browser and raw-socket
tests in ``test_guard_browser.py`` exercise it inside the served dashboard); the operator token through
AppTest runs of ``app.py``, which play a browser session that did or did not open the operator link.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from dashboard_helpers import ROOT
from streamlit.testing.v1 import AppTest

from analysis.dashboard import guard
from analysis.dashboard.guard import Allowed, HostGuard

APP = str(ROOT / "app.py")


# ---------------------------------------------------------------- the Host / Origin rule
def test_allowed_hosts_are_the_configured_address_and_port() -> None:
    rule = Allowed.for_address("127.0.0.1", 8501)
    assert rule.hosts == {"127.0.0.1:8501", "localhost:8501"}
    assert rule.host_ok("LOCALHOST:8501") and rule.host_ok("127.0.0.1:8501")
    for host in ("127.0.0.1:8502", "127.0.0.1", "evil.example:8501", "evil.example", "", None):
        assert not rule.host_ok(host), host
    assert Allowed.for_address("10.0.0.5", 80).hosts == {"10.0.0.5:80", "10.0.0.5"}
    assert Allowed.for_address("::1", 8501).hosts == {"[::1]:8501"}
    assert Allowed.for_address("", 8501).hosts == frozenset()  # no address configured: nothing answers


def test_websocket_origin_must_be_this_server_or_listed() -> None:
    rule = Allowed.for_address("127.0.0.1", 8501, frozenset({"https://dash.contoso.com/"}))
    assert rule.origin_ok("http://127.0.0.1:8501") and rule.origin_ok("http://localhost:8501")
    assert rule.origin_ok("https://dash.contoso.com")
    for origin in ("http://evil.example:8501", "http://127.0.0.1:9999", "null", "", None, "file://"):
        assert not rule.origin_ok(origin), origin


def _call(scope_type: str, headers: dict[str, str]) -> tuple[list[dict[str, Any]], bool]:
    """Run one request through HostGuard in front of a trivial app; returns what was sent and whether
    the app behind it was reached."""
    reached = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    scope = {
        "type": scope_type,
        "path": "/_stcore/stream",
        "query_string": b"token=secret-in-query",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    app = HostGuard(inner, allowed=lambda: Allowed.for_address("127.0.0.1", 8501))
    asyncio.run(app(scope, receive, send))
    return sent, bool(reached)


def test_guard_passes_this_server_and_refuses_others(caplog: pytest.LogCaptureFixture) -> None:
    assert _call("http", {"host": "127.0.0.1:8501"}) == ([], True)
    sent, reached = _call("http", {"host": "evil.example:8501"})
    assert not reached and sent[0]["status"] == 403
    assert b"http://127.0.0.1:8501" in sent[1]["body"]
    ok = {"host": "127.0.0.1:8501", "origin": "http://127.0.0.1:8501"}
    assert _call("websocket", ok) == ([], True)
    for headers in (
        {"host": "evil.example:8501", "origin": "http://evil.example:8501"},  # DNS rebinding
        {"host": "127.0.0.1:8501", "origin": "http://evil.example"},  # cross-origin
        {"host": "127.0.0.1:8501"},  # no Origin: not a page this server served
    ):
        sent, reached = _call("websocket", headers)
        assert not reached and sent == [{"type": "websocket.close", "code": 1008}], headers
    assert "refused a websocket request" in caplog.text
    assert "secret-in-query" not in caplog.text  # the query (where a token travels) is never logged


# ---------------------------------------------------------------- the operator token in local mode
def _app(shared_env: Path, token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    if token is not None:
        at.query_params["token"] = token
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _batches(at: AppTest) -> AppTest:
    at.switch_page("analysis/dashboard/pages/batches.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.slow
def test_without_the_token_local_mode_reads_but_cannot_act(shared_env: Path) -> None:
    at = _app(shared_env)
    assert any(m.label == "Readiness score" for m in at.metric)  # reading works
    captions = "\n".join(c.value for c in at.sidebar.caption)
    assert "Read-only: may not approve or run" in captions
    assert any("operator link" in i.value for i in at.sidebar.info)
    at = _batches(at)
    assert not any(b.label == "Create draft batch" for b in at.button)
    assert any("operator link" in i.value for i in at.info)
    load = next(b for b in at.sidebar.button if b.label == "Load into this workspace")
    assert load.disabled


@pytest.mark.slow
def test_a_wrong_token_is_reported_and_grants_nothing(shared_env: Path) -> None:
    at = _app(shared_env, "not-the-token")
    assert any("not this dashboard's" in i.value for i in at.sidebar.info)
    assert "Read-only: may not approve or run" in "\n".join(c.value for c in at.sidebar.caption)
    assert "token" not in at.query_params


@pytest.mark.slow
def test_the_token_grants_the_roles_for_the_whole_session(shared_env: Path) -> None:
    at = _app(shared_env, guard.operator_token())
    assert "token" not in at.query_params  # taken out of the address bar
    assert "May approve and run batches." in [c.value for c in at.sidebar.caption]
    at = _batches(at)  # another page of the same session: no token in its URL, still the operator
    assert "token" not in at.query_params
    assert any(b.label == "Create draft batch" for b in at.button)


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "c",
    "client_secret": "s",
    "server_metadata_url": "https://127.0.0.1:1/.well-known/openid-configuration",
}


@pytest.mark.slow
@pytest.mark.parametrize("user", [{"is_logged_in": False}, {"is_logged_in": True, "email": "eve@x.com"}])
def test_with_sign_in_configured_the_token_counts_for_nothing(shared_env: Path, user: dict[str, Any]) -> None:
    at = AppTest.from_file(APP, default_timeout=180)
    at.secrets["auth"] = AUTH
    at.user = user
    at.query_params["token"] = guard.operator_token()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if not user["is_logged_in"]:
        assert [b.label for b in at.button] == ["Sign in"] and not at.metric
    else:  # signed in, but not in the roles file: the token adds nothing
        assert "Read-only: may not approve or run" in "\n".join(c.value for c in at.sidebar.caption)


def test_launch_line_carries_the_token_only_in_local_mode() -> None:
    rule = Allowed.for_address("127.0.0.1", 8765)
    line = guard.launch_line(False, rule)
    assert f"http://127.0.0.1:8765/?token={guard.operator_token()}" in line
    assert "read-only" in line
    signed = guard.launch_line(True, rule)
    assert guard.operator_token() not in signed and "sign-in is configured" in signed
    assert guard.token_matches(guard.operator_token()) and not guard.token_matches("x")
    assert not guard.token_matches(guard.operator_token() + "x")
