"""The emulator's engine: configuration, counters, and the one dispatch path every Graph call takes.

:meth:`Emulator.dispatch` resolves the route, checks the caller's permissions, charges a write against
the budget (429 when exhausted), runs the handler under the state lock and turns a :class:`GraphError`
into Graph's error body. Plain HTTP requests and ``$batch`` items both come through here, so a batch
item is judged exactly like the same request sent alone.
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.graph.emulator.errors import DENIED, INSUFFICIENT, TOO_MANY, GraphError, error_body
from analysis.graph.emulator.faults import FaultInjector, FaultSpec
from analysis.graph.emulator.registrations import Registrations
from analysis.graph.emulator.router import Call, Resp, Route, normalise_path, resolve
from analysis.graph.emulator.state import TenantState
from analysis.graph.emulator.throttle import Budget, SlidingWindow, format_retry_after
from analysis.graph.emulator.tokens import TokenService

ODATA_JSON = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)

# What a migration needs (reference/graph-api.md §6): granted by default so every route works.
DEFAULT_APP_ROLES = frozenset(
    {
        "User.Read.All",
        "GroupMember.ReadWrite.All",
        "UserAuthenticationMethod.ReadWrite.All",
        "Policy.Read.All",
        "Policy.ReadWrite.AuthenticationMethod",
        "Domain.Read.All",
        "Domain-InternalFederation.ReadWrite.All",
        "AuditLog.Read.All",
    }
)
DEFAULT_DELEGATED_SCOPES = DEFAULT_APP_ROLES | {"Policy.ReadWrite.HybridAuthentication"}
METHODS_LIST = "/users/{user}/authentication/methods"  # the reads registrations' afterReads counts
DEFAULT_CLIENT_ID = "2f1d4e8a-6c3b-4a57-9e0d-6d5e6d0e0a01"


@dataclass
class EmulatorConfig:
    tenant_dir: Path
    port: int = 0
    ready_file: Path | None = None
    dump_dir: Path | None = None
    throttle_writes: Budget | None = None
    throttle_ru: Budget | None = None
    faults: FaultSpec = field(default_factory=FaultSpec)
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    app_roles: frozenset[str] = DEFAULT_APP_ROLES
    delegated_scopes: frozenset[str] = DEFAULT_DELEGATED_SCOPES
    token_lifetime: int = 3599
    device_pending_polls: int = 1
    device_approval: str = "auto"  # "auto" | "manual" (a test approves through the hooks)
    sign_in_as: str | None = None  # UPN or id of the user device-code sign-ins approve as
    test_hooks: bool = False  # serve /_emulator/test/* (testhooks.py)
    registrations_file: Path | None = None  # users who register methods over time (registrations.py)
    client_cert_files: tuple[Path, ...] = ()
    phone_format: str = "strict"
    allow_app_staged_rollout: bool = False
    work_dir: Path | None = None


def resource_units(found: Route, call: Call) -> int:
    """What Graph's identity-and-access bucket charges for a request (reference/graph-api.md §2.3)."""
    if call.is_write:
        return 1
    template = found.template
    if template == "/users":
        cost = 2
    elif "/transitiveMembers" in template:
        cost = 5
    elif template.startswith("/groups/{group}/members"):
        cost = 3
    else:
        cost = 1
    if "$select" in call.query:
        cost -= 1
    if "$expand" in call.query:
        cost += 1
    top = call.query.get("$top", "")
    if top.isdigit() and int(top) < 20:
        cost -= 1
    return max(cost, 1)


class Stats:
    """Counters served by ``GET /_emulator/stats`` and a bounded request log (no bodies, no tokens)."""

    def __init__(self, log_size: int = 20000) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.log: deque[dict[str, Any]] = deque(maxlen=log_size)
        self.seq = 0

    def bump(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] += n

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log.append(entry)
            status = entry.get("status")
            if isinstance(status, int):
                self.by_status[status] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {
                key: self.counts.get(key, 0)
                for key in (
                    "requests",
                    "graph_requests",
                    "batch_requests",
                    "batch_items",
                    "writes",
                    "writes_applied",
                    "throttled",
                    "unauthorized",
                    "forbidden",
                    "tokens_issued",
                )
            }
            out["faults"] = {
                kind: self.counts.get(f"fault_{kind}", 0)
                for kind in ("503", "504", "429", "drop", "dropafter", "slow")
            }
            out["by_status"] = {str(k): v for k, v in sorted(self.by_status.items())}
            return out

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self.log if entry["seq"] > since]

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.by_status.clear()
            self.log.clear()


class Emulator:
    """State, identity, budget, faults and counters for one running emulator."""

    def __init__(
        self, config: EmulatorConfig, state: TenantState, tokens: TokenService, base_url: str
    ) -> None:
        self.config = config
        self.state = state
        self.tokens = tokens
        self.base_url = base_url
        self.admin_key = secrets.token_urlsafe(24)
        self.stats = Stats()
        self.faults = FaultInjector(config.faults)
        self.write_budget: SlidingWindow | None = (
            SlidingWindow(config.throttle_writes) if config.throttle_writes else None
        )
        self.ru_budget: SlidingWindow | None = (
            SlidingWindow(config.throttle_ru) if config.throttle_ru else None
        )
        self.registrations = Registrations()

    # ------------------------------------------------------------------ helpers for handlers
    def context(self, call: Call, fragment: str) -> str:
        return f"{self.base_url}/{call.version}/$metadata#{fragment}"

    def set_budget(self, budget: Budget | None) -> None:
        self.write_budget = SlidingWindow(budget) if budget else None

    def set_ru_budget(self, budget: Budget | None) -> None:
        self.ru_budget = SlidingWindow(budget) if budget else None

    # ------------------------------------------------------------------ dispatch
    def error_response(self, err: GraphError, call: Call) -> Resp:
        body = error_body(err.code, err.message, call.request_id, call.client_request_id, err.inner)
        return Resp(err.status, body, dict(err.headers))

    def _authorize(self, found: Route, call: Call) -> None:
        perm = found.perm
        claims = call.claims
        if perm is None or claims is None:
            return
        if claims.kind == "app":
            allowed = perm.app
            if not allowed and self.config.allow_app_staged_rollout:
                allowed = ("Directory.ReadWrite.All",)
            if not allowed:
                self.stats.bump("forbidden")
                raise GraphError(
                    403,
                    DENIED,
                    f"{INSUFFICIENT} This API does not support application permissions; use a delegated "
                    f"token with one of: {', '.join(perm.delegated)}.",
                )
        else:
            allowed = perm.delegated
        if not claims.permissions() & set(allowed):
            self.stats.bump("forbidden")
            kind = "application permission" if claims.kind == "app" else "delegated permission"
            raise GraphError(403, DENIED, f"{INSUFFICIENT} Missing {kind}: {' or '.join(allowed)}.")

    def _me(self, path: str, call: Call) -> str:
        """``/me/...`` is ``/users/{signed-in user}/...``; Graph refuses it for app-only tokens."""
        head, _, rest = path.partition("/me")
        if head or (rest and not rest.startswith("/")):
            return path
        if call.claims is not None and call.claims.kind == "app":
            raise GraphError(
                400, "BadRequest", "/me request is only valid with delegated authentication flow."
            )
        oid = call.claims.oid if call.claims is not None else ""
        return f"/users/{oid}{rest}"

    def charge_units(self, found: Route, call: Call) -> int:
        """Charge the request's resource units (reference §2.3) against the RU budget; 429 when spent."""
        units = resource_units(found, call)
        budget = self.ru_budget
        if budget is None:
            return units
        wait = budget.acquire(units)
        if wait is None:
            return units
        raise self._throttled(call, wait, "ReadWrite", "ResourceUnitLimitExceeded")

    def charge_write(self, call: Call) -> None:
        """Count one write against the budget or refuse it with Graph's 429."""
        budget = self.write_budget
        if budget is None:
            return
        wait = budget.acquire()
        if wait is None:
            return
        raise self._throttled(call, wait, "Write", "WriteLimitExceeded")

    def _throttled(self, call: Call, wait: float, access: str, information: str) -> GraphError:
        """Graph's 429 for a spent budget: when to retry, and which budget (scope, information)."""
        self.stats.bump("throttled")
        app_id = call.claims.app_id if call.claims else ""
        return GraphError(
            429,
            TOO_MANY,
            "Please retry again later.",
            headers={
                "Retry-After": format_retry_after(wait),
                "x-ms-throttle-scope": f"Tenant_Application/{access}/{app_id}/{self.state.tenant_id}",
                "x-ms-throttle-information": information,
            },
            inner={"code": "429", "status": "429", "message": "Please retry after"},
        )

    def dispatch(self, call: Call) -> Resp:
        started = time.time()
        path = normalise_path(call.path)
        counted_write = False
        units = 0
        try:
            path = self._me(path, call)
            found, params = resolve(call.method, call.version, path)
            self._authorize(found, call)
            counted_write = call.is_write and found.template != "/$batch"
            if found.template != "/$batch":
                units = self.charge_units(found, call)
            if counted_write:
                self.charge_write(call)
                self.stats.bump("writes")
            with self.state.lock:
                if self.registrations.items:
                    self.registrations.apply_due(self)
                resp = found.handler(self, call, params)
                if counted_write and resp.status < 400:
                    self.state.changed = True
                if call.method == "GET" and resp.status == 200 and found.template == METHODS_LIST:
                    self.registrations.note_read(self, params["user"])
            if counted_write and resp.status < 400:
                self.stats.bump("writes_applied")
        except GraphError as err:
            resp = self.error_response(err, call)
        except Exception:  # a bug in the emulator: answer like Graph's 500, keep the stack in its log
            traceback.print_exc(file=sys.stderr)
            resp = self.error_response(
                GraphError(500, "generalException", "An internal server error occurred."), call
            )
        if units:
            resp.headers.setdefault("x-ms-resource-unit", str(units))
        resp.headers.setdefault("request-id", call.request_id)
        resp.headers.setdefault("client-request-id", call.client_request_id)
        if call.in_batch:
            self.stats.bump("batch_items")
            self.stats.record(
                {
                    "t": started,
                    "method": call.method,
                    "path": f"/{call.version}{path}",
                    "status": resp.status,
                    "request_id": call.request_id,
                    "client_request_id": call.client_request_id,
                    "batch": True,
                    "write": counted_write,
                    "retry_after": resp.headers.get("Retry-After"),
                }
            )
        return resp
