"""Admin endpoints under ``/_emulator``: state, dump, counters, request log, faults, budgets, permissions.

They are the emulator's own controls, not Graph: every one but ``health`` needs the run's admin key
(``X-Emulator-Key``, from the ready file) and none is reachable under ``/v1.0`` or ``/beta``. The
test-only hooks that change the tenant or who signs in live in :mod:`testhooks`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from analysis.graph.emulator.faults import parse_faults
from analysis.graph.emulator.throttle import RU_WINDOW, parse_budget

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

Handler = Callable[[Request, dict[str, Any]], Any]


def admin_ok(emu: Emulator, request: Request) -> bool:
    key = request.headers.get("x-emulator-key", "")
    if not key:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            key = ""
    return bool(key) and hmac.compare_digest(key.encode(), emu.admin_key.encode())


def admin_endpoint(emu: Emulator, handler: Handler, *, refuse: Callable[[], str | None] | None = None) -> Any:
    """A Starlette endpoint: admin key checked, JSON body parsed, ``ValueError`` → 400 with its text.

    ``refuse`` may name a reason to answer 404 instead (test hooks the run was not started with).
    """

    async def endpoint(request: Request) -> Response:
        if not admin_ok(emu, request):
            return JSONResponse(
                {"error": "admin key required: send the ready file's admin_key as X-Emulator-Key"},
                status_code=401,
            )
        reason = refuse() if refuse else None
        if reason:
            return JSONResponse({"error": reason}, status_code=404)
        try:
            payload = await request.json() if await request.body() else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        try:
            with emu.state.lock:
                result = handler(request, payload if isinstance(payload, dict) else {})
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(result)

    return endpoint


def admin_routes(emu: Emulator) -> list[Route]:
    def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    def state(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        emu.registrations.apply_due(emu)
        return emu.state.snapshot_documents()

    def dump(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        emu.registrations.apply_due(emu)
        target = payload.get("dir") or (str(emu.config.dump_dir) if emu.config.dump_dir else None)
        if not target:
            raise ValueError('no target: send {"dir": "/path"} or start the emulator with --dump DIR')
        return {"dir": str(emu.state.dump(Path(target)))}

    def expire(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        emu.tokens.expire_all()
        return {"expired": True}

    def stats(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        out = emu.stats.snapshot()
        out["throttle_writes"] = str(emu.write_budget.budget) if emu.write_budget else None
        out["throttle_ru"] = str(emu.ru_budget.budget) if emu.ru_budget else None
        out["faults_spec"] = emu.faults.spec.text
        return out

    def reset_stats(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        emu.stats.reset()
        return {"reset": True}

    def log(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        since = int(request.query_params.get("since", "0") or 0)
        entries = emu.stats.entries(since)
        return {"entries": entries, "last": entries[-1]["seq"] if entries else since}

    def faults(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            emu.faults.configure(parse_faults(str(payload.get("spec") or "")))
        except Exception as exc:  # UserError: the spec's message is the answer
            raise ValueError(str(exc)) from exc
        return {"faults": emu.faults.spec.text}

    def throttle(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            if "writes" in payload:
                writes = payload["writes"]
                emu.set_budget(parse_budget(str(writes)) if writes else None)
            if "ru" in payload:
                ru = payload["ru"]
                emu.set_ru_budget(parse_budget(str(ru), "ru", RU_WINDOW) if ru else None)
        except Exception as exc:
            raise ValueError(str(exc)) from exc
        return {
            "throttle_writes": str(emu.write_budget.budget) if emu.write_budget else None,
            "throttle_ru": str(emu.ru_budget.budget) if emu.ru_budget else None,
        }

    def permissions(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
        if "roles" in payload:
            emu.tokens.app_roles = frozenset(str(r) for r in payload["roles"])
        if "scopes" in payload:
            emu.tokens.delegated_scopes = frozenset(str(s) for s in payload["scopes"])
        return {"roles": sorted(emu.tokens.app_roles), "scopes": sorted(emu.tokens.delegated_scopes)}

    def admin(handler: Handler) -> Any:
        return admin_endpoint(emu, handler)

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/state", admin(state), methods=["GET"]),
        Route("/_emulator/dump", admin(dump), methods=["POST"]),
        Route("/_emulator/expire-tokens", admin(expire), methods=["POST"]),
        Route("/_emulator/stats", admin(stats), methods=["GET"]),
        Route("/_emulator/stats/reset", admin(reset_stats), methods=["POST"]),
        Route("/_emulator/log", admin(log), methods=["GET"]),
        Route("/_emulator/faults", admin(faults), methods=["POST"]),
        Route("/_emulator/throttle", admin(throttle), methods=["POST"]),
        Route("/_emulator/permissions", admin(permissions), methods=["POST"]),
    ]
