"""The ASGI application: Graph under ``/v1.0`` and ``/beta``, Entra-like auth under ``/{tenant}``, admin
under ``/_emulator``.

Admin endpoints live in :mod:`admin`, the test hooks in :mod:`testhooks`.

Graph requests are handled as raw ASGI (not a Starlette route) for one reason: a *dropped connection*
fault must close the socket without any response, which needs the server's transport. uvicorn's
``send`` callable is a bound method of its request cycle, which holds the transport; if that ever
changes the fault falls back to an exception (uvicorn then answers 500 or closes the connection).

Every Graph answer carries ``request-id`` and ``client-request-id`` (echoed if the client sent one,
else equal to the request id), as Graph's do.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

# Registering the routes is a side effect of importing these modules.
from analysis.graph.emulator import (  # noqa: F401
    routes_batch,
    routes_devices,
    routes_domains,
    routes_groups,
    routes_hardware,
    routes_methods,
    routes_phones,
    routes_policies,
    routes_rollout,
    routes_tap,
    routes_users,
)
from analysis.graph.emulator.admin import admin_routes
from analysis.graph.emulator.core import ODATA_JSON, Emulator
from analysis.graph.emulator.errors import (
    INVALID_TOKEN,
    TOO_MANY,
    UNAVAILABLE,
    error_body,
)
from analysis.graph.emulator.router import WRITE_METHODS, Call, Resp
from analysis.graph.emulator.testhooks import test_routes
from analysis.graph.emulator.throttle import format_retry_after
from analysis.graph.emulator.tokens import InvalidToken, TokenError

_INVALID_JSON = object()
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
)


def _encode(resp: Resp) -> Response:
    headers = dict(resp.headers)
    if resp.status == 204 or resp.body is None:
        return Response(status_code=resp.status, headers=headers)
    if isinstance(resp.body, str):
        headers.setdefault("Content-Type", "text/plain")
        return Response(resp.body, status_code=resp.status, headers=headers)
    content_type = ODATA_JSON if resp.status < 400 else "application/json"
    headers.setdefault("Content-Type", content_type)
    headers.setdefault("Cache-Control", "no-cache")
    if resp.status < 400:
        headers.setdefault("OData-Version", "4.0")
    payload = json.dumps(resp.body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(payload, status_code=resp.status, headers=headers)


def abort_connection(send: Send) -> None:
    """Close the client's connection at once, without a response (a dropped-connection fault)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("emulator fault: connection dropped")
    cycle.disconnected = True  # type: ignore[union-attr]
    transport.abort()


class GraphApp:
    """ASGI entry point."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.auth_app = Starlette(routes=self._auth_routes() + admin_routes(emu) + test_routes(emu))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.emu.stats.bump("requests")
            path: str = scope["path"]
            if path.startswith(("/v1.0/", "/beta/")) or path in ("/v1.0", "/beta"):
                await self.graph(scope, receive, send)
                return
        await self.auth_app(scope, receive, send)

    # ------------------------------------------------------------------ Graph
    async def graph(self, scope: Scope, receive: Receive, send: Send) -> None:
        emu = self.emu
        emu.stats.bump("graph_requests")
        started = time.time()
        request = Request(scope, receive)
        request_id = str(uuid.uuid4())
        client_request_id = request.headers.get("client-request-id") or request_id
        version, _, rest = scope["path"].lstrip("/").partition("/")
        path = "/" + rest
        raw = await request.body()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = _INVALID_JSON
        method = request.method.upper()
        is_write = method in WRITE_METHODS
        if path.rstrip("/").lower() == "/$batch" and isinstance(body, dict):
            items = body.get("requests") or []
            is_write = any(
                isinstance(i, dict) and str(i.get("method", "")).upper() in WRITE_METHODS for i in items
            )
        call = Call(
            method=method,
            version=version,
            path=path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=None if body is _INVALID_JSON else body,
            claims=None,
            request_id=request_id,
            client_request_id=client_request_id,
        )
        if body is _INVALID_JSON:
            call.body = "<invalid>"

        def log(status: int | str, retry_after: str | None = None) -> None:
            emu.stats.record(
                {
                    "t": started,
                    "method": method,
                    "path": scope["path"],
                    "status": status,
                    "request_id": request_id,
                    "client_request_id": client_request_id,
                    "batch": False,
                    "write": is_write,
                    "retry_after": retry_after,
                }
            )

        decision = emu.faults.decide(is_write)
        if decision.slow:
            emu.stats.bump("fault_slow")
            await asyncio.sleep(decision.slow)
        if decision.kind == "drop":
            emu.stats.bump("fault_drop")
            log("dropped")
            abort_connection(send)
            return
        if decision.kind in ("503", "504", "429"):
            emu.stats.bump(f"fault_{decision.kind}")
            status = int(decision.kind)
            code = {503: UNAVAILABLE, 504: "GatewayTimeout", 429: TOO_MANY}[status]
            message = {
                503: "The service is temporarily unavailable. Please retry later.",
                504: "The request timed out.",
                429: "Please retry again later.",
            }[status]
            headers = {"request-id": request_id, "client-request-id": client_request_id}
            retry_after = None
            if status == 429:
                retry_after = format_retry_after(decision.retry_after)
                headers["Retry-After"] = retry_after
                emu.stats.bump("throttled")
            fault = Resp(status, error_body(code, message, request_id, client_request_id), headers)
            log(status, retry_after)
            await _encode(fault)(scope, receive, send)
            return

        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise InvalidToken("Access token is empty.")
            call.claims = emu.tokens.validate(token.strip())
        except InvalidToken as exc:
            emu.stats.bump("unauthorized")
            resp = Resp(
                401,
                error_body(INVALID_TOKEN, str(exc), request_id, client_request_id),
                {
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                    "WWW-Authenticate": WWW_AUTHENTICATE,
                },
            )
            log(401)
            await _encode(resp)(scope, receive, send)
            return

        if path.rstrip("/").lower() == "/$batch":
            emu.stats.bump("batch_requests")
        resp = emu.dispatch(call)
        if decision.kind == "dropafter":
            emu.stats.bump("fault_dropafter")
            log(f"dropped-after-{resp.status}")
            abort_connection(send)
            return
        log(resp.status, resp.headers.get("Retry-After"))
        await _encode(resp)(scope, receive, send)

    # ------------------------------------------------------------------ identity provider
    def _tenant_ok(self, tenant: str) -> bool:
        state = self.emu.state
        return (
            tenant.lower() in (state.tenant_id.lower(), "organizations", "common")
            or tenant.lower() in state.domains
        )

    def _tenant_error(self, tenant: str) -> JSONResponse:
        error = TokenError(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
            "into the correct cloud.",
        )
        return JSONResponse(error.body(str(uuid.uuid4())), status_code=400)

    def _endpoints(self) -> dict[str, str]:
        base = f"{self.emu.base_url}/{self.emu.state.tenant_id}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "issuer": f"{base}/v2.0",
        }

    async def openid_configuration(self, request: Request) -> Response:
        tenant = request.path_params["tenant"]
        if not self._tenant_ok(tenant):
            return self._tenant_error(tenant)
        host = self.emu.base_url.split("://", 1)[1]
        config = {
            **self._endpoints(),
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "name",
                "oid",
                "preferred_username",
                "tid",
            ],
            "tenant_region_scope": "EU",
            "cloud_instance_name": host,
            "cloud_graph_host_name": host,
            "msgraph_host": host,
            "rbac_url": self.emu.base_url,
        }
        return JSONResponse(config)

    async def instance_discovery(self, request: Request) -> Response:
        host = self.emu.base_url.split("://", 1)[1]
        tenant = self.emu.state.tenant_id
        return JSONResponse(
            {
                "tenant_discovery_endpoint": (
                    f"{self.emu.base_url}/{tenant}/v2.0/.well-known/openid-configuration"
                ),
                "api-version": "1.1",
                "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
            }
        )

    async def _form(self, request: Request) -> dict[str, str]:
        raw = (await request.body()).decode("utf-8", "replace")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                form.setdefault("client_id", client_id)
                form.setdefault("client_secret", secret)
            except (ValueError, UnicodeDecodeError):
                pass
        return form

    async def token(self, request: Request) -> Response:
        tenant = request.path_params["tenant"]
        if not self._tenant_ok(tenant):
            return self._tenant_error(tenant)
        correlation = request.headers.get("client-request-id") or str(uuid.uuid4())
        form = await self._form(request)
        try:
            body = self.emu.tokens.token(form, self._endpoints()["token_endpoint"])
        except TokenError as exc:
            return JSONResponse(
                exc.body(correlation), status_code=exc.status, headers={"client-request-id": correlation}
            )
        self.emu.stats.bump("tokens_issued")
        return JSONResponse(body, headers={"client-request-id": correlation, "Cache-Control": "no-store"})

    async def device_code(self, request: Request) -> Response:
        tenant = request.path_params["tenant"]
        if not self._tenant_ok(tenant):
            return self._tenant_error(tenant)
        form = await self._form(request)
        try:
            body = self.emu.tokens.device_code(form, f"{self.emu.base_url}/devicelogin")
        except TokenError as exc:
            return JSONResponse(exc.body(str(uuid.uuid4())), status_code=exc.status)
        return JSONResponse(body)

    async def authorize(self, request: Request) -> Response:
        error = TokenError(
            400,
            "unsupported_response_type",
            70000,
            "The emulator does not support interactive sign-in; use the device code flow.",
        )
        return JSONResponse(error.body(str(uuid.uuid4())), status_code=400)

    async def keys(self, request: Request) -> Response:
        return JSONResponse({"keys": []})

    def _auth_routes(self) -> list[Route]:
        return [
            Route("/common/discovery/instance", self.instance_discovery, methods=["GET"]),
            Route(
                "/{tenant}/v2.0/.well-known/openid-configuration", self.openid_configuration, methods=["GET"]
            ),
            Route("/{tenant}/.well-known/openid-configuration", self.openid_configuration, methods=["GET"]),
            Route("/{tenant}/oauth2/v2.0/token", self.token, methods=["POST"]),
            Route("/{tenant}/oauth2/v2.0/devicecode", self.device_code, methods=["POST"]),
            Route("/{tenant}/oauth2/v2.0/authorize", self.authorize, methods=["GET"]),
            Route("/{tenant}/discovery/v2.0/keys", self.keys, methods=["GET"]),
        ]
