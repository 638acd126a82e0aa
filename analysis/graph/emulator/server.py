"""Start and stop the emulator: certificates, socket, uvicorn, the ready file, dump on shutdown.

The ready file is written (atomically) only once uvicorn accepts connections, so a caller that waits
for it can connect at once. It is JSON::

    {"graph_url", "authority", "ca_file", "client_id", "client_secret", "admin_key", "tenant_id",
     "port", "pid", "client_certificate", "client_key", "client_thumbprint_sha1",
     "client_thumbprint_sha256", "token_endpoint"}

and holds credentials, so it is created readable by the owner only. SIGTERM or SIGINT stop the server
gracefully; with ``--dump DIR`` the state is written there after the last request finished.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from cryptography import x509

from analysis.console import Console
from analysis.errors import UserError
from analysis.graph.emulator.app import GraphApp
from analysis.graph.emulator.core import Emulator, EmulatorConfig
from analysis.graph.emulator.devicecode import EMULATOR_ADMIN, DeviceFlows, Identity
from analysis.graph.emulator.state import TenantState
from analysis.graph.emulator.tls import TlsFiles, make_tls_files
from analysis.graph.emulator.tokens import TokenService

HOST = "127.0.0.1"


def _bind(port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when proto says TCP, and
    # without it every response pays a 40 ms Nagle + delayed-ACK stall.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise UserError(
            f"cannot listen on {HOST}:{port} ({exc.strerror}); pick another --port or use --port 0."
        ) from exc
    sock.listen(256)
    sock.setblocking(False)
    return sock


def _client_certificates(tls: TlsFiles, extra: tuple[Path, ...]) -> list[x509.Certificate]:
    certs = list(x509.load_pem_x509_certificates(tls.client_cert_file.read_bytes()))
    for path in extra:
        try:
            certs.extend(x509.load_pem_x509_certificates(path.read_bytes()))
        except (OSError, ValueError) as exc:
            raise UserError(
                f"{path}: not a readable PEM certificate ({exc}); pass a PEM file to --client-cert."
            ) from exc
    return certs


def ready_document(emu: Emulator, tls: TlsFiles, port: int) -> dict[str, Any]:
    tenant = emu.state.tenant_id
    return {
        "graph_url": emu.base_url,
        "authority": f"{emu.base_url}/{tenant}",
        "ca_file": str(tls.ca_file),
        "client_id": emu.config.client_id,
        "client_secret": emu.config.client_secret,
        "admin_key": emu.admin_key,
        "tenant_id": tenant,
        "port": port,
        "pid": os.getpid(),
        "client_certificate": str(tls.client_cert_file),
        "client_key": str(tls.client_key_file),
        "client_thumbprint_sha1": tls.client_thumbprint_sha1,
        "client_thumbprint_sha256": tls.client_thumbprint_sha256,
        "token_endpoint": f"{emu.base_url}/{tenant}/oauth2/v2.0/token",
    }


def _write_ready(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
    tmp.replace(path)


def device_flows(config: EmulatorConfig, state: TenantState) -> DeviceFlows:
    """Who device-code sign-ins approve as, and whether a test must approve them."""
    who = EMULATOR_ADMIN
    if config.sign_in_as:
        user = state.user(config.sign_in_as)
        if user is None:
            raise UserError(
                f"--sign-in-as {config.sign_in_as}: no such user in {config.tenant_dir / 'users.jsonl'}; "
                "give the userPrincipalName or object id of one of its users."
            )
        who = Identity.of_user(user)
    manual = config.device_approval == "manual"
    if manual and not config.test_hooks:
        raise UserError(
            "--device-approval manual needs --test-hooks: a test approves each sign-in through "
            "/_emulator/test/device-codes/approve."
        )
    return DeviceFlows(pending_polls=config.device_pending_polls, manual=manual, sign_in_as=who)


def build(config: EmulatorConfig, work_dir: Path, port: int) -> tuple[Emulator, TlsFiles]:
    """The emulator object for a loaded tenant (no server): used by :func:`run` and by tests in-process."""
    state = TenantState.load(config.tenant_dir)
    tls = make_tls_files(work_dir / "tls")
    base_url = f"https://{HOST}:{port}"
    tokens = TokenService(
        devices=device_flows(config, state),
        tenant_id=state.tenant_id,
        client_id=config.client_id,
        client_secret=config.client_secret,
        issuer_base=base_url,
        app_roles=config.app_roles,
        delegated_scopes=config.delegated_scopes,
        certificates=_client_certificates(tls, config.client_cert_files),
        lifetime=config.token_lifetime,
    )
    emu = Emulator(config, state, tokens, base_url)
    if config.registrations_file is not None:
        emu.registrations.load(emu, config.registrations_file)
    return emu, tls


class _Server(uvicorn.Server):
    """uvicorn, minus a 5 s stall at shutdown.

    Closing an idle keep-alive TLS connection waits for the client's close_notify, which an idle client
    never sends, so uvicorn's graceful shutdown would wait out its whole timeout. Idle connections are
    aborted first; requests in flight still finish gracefully.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for connection in list(self.server_state.connections):
            cycle = getattr(connection, "cycle", None)
            transport = getattr(connection, "transport", None)
            if transport is not None and (cycle is None or cycle.response_complete):
                transport.abort()
        await super().shutdown(sockets)


async def _serve(server: uvicorn.Server, sock: socket.socket, on_ready: Any) -> None:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
            return
        await asyncio.sleep(0.01)
    on_ready()
    await task


def run(config: EmulatorConfig, console: Console) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit code."""
    own_work_dir = config.work_dir is None
    work_dir = Path(tempfile.mkdtemp(prefix="mfa-emulator-")) if own_work_dir else Path(str(config.work_dir))
    sock = _bind(config.port)
    port = sock.getsockname()[1]
    try:
        emu, tls = build(config, work_dir, port)
        uv_config = uvicorn.Config(
            GraphApp(emu),
            ssl_certfile=str(tls.cert_file),
            ssl_keyfile=str(tls.key_file),
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            lifespan="off",
            http="h11",
            timeout_keep_alive=30,
            timeout_graceful_shutdown=5,
        )
        server = _Server(uv_config)

        def stop(signum: int, frame: FrameType | None) -> None:
            server.should_exit = True

        # uvicorn restores the previous handlers after shutdown and re-raises the signal it caught;
        # ours turn that into a normal return, so the dump below still runs.
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

        def on_ready() -> None:
            document = ready_document(emu, tls, port)
            if config.ready_file:
                _write_ready(config.ready_file, document)
            console.info(
                f"Graph emulator for tenant {emu.state.tenant_id} at {emu.base_url} "
                f"({len(emu.state.users)} users, {len(emu.state.groups)} groups); CA {tls.ca_file}"
            )

        try:
            asyncio.run(_serve(server, sock, on_ready))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if config.dump_dir:
            emu.state.dump(config.dump_dir)
            console.info(f"tenant state written to {config.dump_dir}")
        return 0
    finally:
        sock.close()
        if config.ready_file and config.ready_file.exists():
            config.ready_file.unlink(missing_ok=True)
        if own_work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
