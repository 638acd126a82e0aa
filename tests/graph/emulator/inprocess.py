"""The emulator's engine without a server: route rules tested by calling the dispatcher directly.

For rules (validation, state changes) where a TLS server and a subprocess add seconds and nothing to
prove; the wire, tokens and Microsoft's SDK are covered by the tests that start a real emulator.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import analysis.graph.emulator.app  # noqa: F401  (registers every route)
from analysis.graph.emulator.core import Emulator, EmulatorConfig
from analysis.graph.emulator.router import Call, Resp
from analysis.graph.emulator.state import TenantState
from analysis.graph.emulator.tokens import Claims, TokenService

APP_CLAIMS = Claims(
    token_id="t",
    kind="app",
    app_id="app",
    oid="app",
    roles=frozenset(EmulatorConfig(tenant_dir=Path(".")).app_roles),
    scopes=frozenset(),
    issued_at=0.0,
    expires_at=0.0,
)


@dataclass
class Local:
    """An emulator engine for one tenant directory; ``call`` is one Graph request."""

    emu: Emulator

    def call(self, method: str, path: str, body: Any = None, version: str = "v1.0", **headers: str) -> Resp:
        base, _, query = path.partition("?")
        params = dict(part.split("=", 1) for part in query.split("&") if part)
        request_id = str(uuid.uuid4())
        return self.emu.dispatch(
            Call(
                method=method,
                version=version,
                path=base,
                query=params,
                headers={k.lower().replace("_", "-"): v for k, v in headers.items()},
                body=body,
                claims=APP_CLAIMS,
                request_id=request_id,
                client_request_id=request_id,
            )
        )

    def ok(self, method: str, path: str, body: Any = None, version: str = "v1.0") -> Any:
        resp = self.call(method, path, body, version)
        assert resp.status < 400, (resp.status, resp.body)
        return resp.body

    def refused(
        self, method: str, path: str, body: Any = None, status: int = 400, version: str = "v1.0"
    ) -> str:
        """The error code of a request Graph refuses with ``status``."""
        resp = self.call(method, path, body, version)
        assert resp.status == status, (resp.status, resp.body)
        return str(resp.body["error"]["code"])


def local_emulator(tenant_dir: Path, **config: Any) -> Local:
    state = TenantState.load(tenant_dir)
    emu_config = EmulatorConfig(tenant_dir=tenant_dir, **config)
    tokens = TokenService(
        tenant_id=state.tenant_id,
        client_id=emu_config.client_id,
        client_secret=emu_config.client_secret,
        issuer_base="https://127.0.0.1:1",
        app_roles=emu_config.app_roles,
        delegated_scopes=emu_config.delegated_scopes,
        certificates=[],
    )
    return Local(Emulator(emu_config, state, tokens, "https://127.0.0.1:1"))
