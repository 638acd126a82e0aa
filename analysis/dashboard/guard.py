"""Who may reach the dashboard's server at all, and the operator token of local mode.

Two rules hold for every HTTP request and websocket of the server, before Streamlit sees it:

* **Host**: the ``Host`` header must name the configured address and port (``server.address`` and
  ``server.port``; ``localhost`` and ``127.0.0.1`` stand for each other). A page on another site that
  re-points its own name at 127.0.0.1 (DNS rebinding) sends its own name as ``Host`` and is refused,
  so it can neither read the data nor drive the websocket.
* **Origin** (websockets only): the page that opens the websocket must have been served by this server
  (or come from an origin listed in Streamlit's ``server.corsAllowedOrigins``, for a reverse proxy).
  Browsers always send ``Origin`` on a websocket, so a missing one is refused too.

Local mode (no sign-in configured) has no identity to check, so acting (create, approve, run, load)
needs the **operator token**: a random value made when this process starts and printed once, in the
launch line the operator reads (``http://127.0.0.1:8501/?token=…``). Whoever reaches the port without
it can only read. The token is never logged elsewhere, never stored on disk and never put in a cookie;
:mod:`analysis.dashboard.identity` keeps the fact that a session presented it.

``app.py`` installs :func:`middleware` and :func:`announce` through Streamlit's own ``st.App`` API
(``streamlit run app.py`` serves it), so nothing of Streamlit is patched.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.middleware import Middleware

_LOG = logging.getLogger("mfa_migrate.dashboard.guard")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Names of this machine's loopback interface that a browser never resolves elsewhere.
LOOPBACK = frozenset({"127.0.0.1", "localhost"})
TOKEN_PARAM = "token"

_TOKEN = secrets.token_urlsafe(32)  # one per process: a restart makes the old link useless


def token_matches(candidate: str) -> bool:
    """Whether ``candidate`` is this process's operator token (constant-time comparison)."""
    return hmac.compare_digest(candidate.encode("utf-8", "replace"), _TOKEN.encode("ascii"))


def operator_token() -> str:
    """The token, for the launch line (and for tests that play the operator in the same process)."""
    return _TOKEN


@dataclass(frozen=True)
class Allowed:
    """What the server answers to: exact ``host:port`` values, and extra websocket origins."""

    hosts: frozenset[str]
    origins: frozenset[str] = frozenset()
    url: str = ""  # the address to show in refusals, e.g. http://127.0.0.1:8501

    @classmethod
    def for_address(cls, address: str, port: int, origins: frozenset[str] = frozenset()) -> Allowed:
        address = address.strip().lower()
        names = LOOPBACK if address in LOOPBACK else frozenset({address}) if address else frozenset()
        shown = {f"[{n}]" if ":" in n else n for n in names}
        hosts = {f"{n}:{port}" for n in shown} | (shown if port == 80 else set())
        url = f"http://{address}:{port}" if address else ""
        return cls(frozenset(hosts), frozenset(o.rstrip("/").lower() for o in origins), url)

    def host_ok(self, host: str | None) -> bool:
        return host is not None and host.lower() in self.hosts

    def origin_ok(self, origin: str | None) -> bool:
        if not origin:
            return False
        parts = urlsplit(origin)
        if parts.scheme in ("http", "https") and parts.netloc.lower() in self.hosts:
            return True
        return origin.rstrip("/").lower() in self.origins


def configured() -> Allowed:
    """The rule from Streamlit's configuration, read per request (the port is final only once bound)."""
    from streamlit import config

    origins = frozenset(str(o) for o in (config.get_option("server.corsAllowedOrigins") or []))
    return Allowed.for_address(
        str(config.get_option("server.address") or ""), int(config.get_option("server.port")), origins
    )


class HostGuard:
    """ASGI middleware refusing a foreign ``Host`` (HTTP 403) and a foreign websocket ``Origin``."""

    def __init__(self, app: ASGIApp, allowed: Callable[[], Allowed] = configured) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rule = self.allowed()
        hosts = _header(scope, b"host")
        host = hosts[0] if len(hosts) == 1 else None
        if not rule.host_ok(host):
            why = f"the Host header {_shown(hosts)} is not this dashboard's address"
            await _refuse(kind, receive, send, why, rule)
            return
        if kind == "websocket":
            origins = _header(scope, b"origin")
            if len(origins) != 1 or not rule.origin_ok(origins[0]):
                why = f"a page from {_shown(origins)} may not open this dashboard's websocket"
                await _refuse(kind, receive, send, why, rule)
                return
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == name]


def _shown(values: list[str]) -> str:
    if not values:
        return "(none)"
    return ", ".join(repr(v[:80]) for v in values)


async def _refuse(kind: str, receive: Receive, send: Send, why: str, rule: Allowed) -> None:
    # only the header values are logged: never the path or query, which may carry the token
    _LOG.warning("refused a %s request: %s", "websocket" if kind == "websocket" else "HTTP", why)
    if kind == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1008})  # before accept: the server answers 403
        return
    where = f" Open {rule.url} instead." if rule.url else " Set server.address (e.g. 127.0.0.1)."
    body = f"Refused: {why}.{where}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def middleware() -> list[Middleware]:
    """The middleware ``app.py`` hands to ``st.App`` (it runs before Streamlit's own)."""
    return [Middleware(HostGuard)]


def launch_line(sign_in: bool, allowed: Allowed | None = None) -> str:
    """What the operator reads when the server starts: the link that carries the token, or why none."""
    rule = allowed or configured()
    if sign_in:
        return f"  mfa-migrate: sign-in is configured; roles come from the signed-in identity ({rule.url})."
    return (
        f"  mfa-migrate operator link (approve, run, load; keep it to yourself): "
        f"{rule.url}/?{TOKEN_PARAM}={_TOKEN}\n"
        "  Without this link the dashboard is read-only. A new token is made at every start."
    )


@asynccontextmanager
async def announce(_app: object) -> AsyncIterator[None]:
    """Lifespan hook: print the launch line once the server's port is final."""
    from analysis.dashboard.identity import auth_configured

    print(launch_line(auth_configured()), file=sys.stdout, flush=True)
    yield
