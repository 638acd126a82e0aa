"""Start the emulator in a subprocess and wait until it is ready: for tests, benchmarks and rehearsals.

::

    from analysis.graph.emulator.launcher import start_emulator

    with start_emulator(Path("sample_data/tenant"), "--throttle-writes", "20/1") as emu:
        httpx.get(f"{emu.graph_url}/v1.0/users", headers=..., verify=emu.tls())

The child is ``python -m analysis emulator --tenant DIR --port 0 --ready-file F [extra args]``; it is
stopped with SIGTERM (so ``--dump`` runs) and killed if it does not exit within ``stop_timeout``. Its
output goes to a log file (``EmulatorInfo.log_file``) whose tail is shown if it fails to start.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class EmulatorInfo:
    """What the ready file says, plus the process and helpers for the admin endpoints."""

    graph_url: str
    authority: str
    ca_file: str
    client_id: str
    client_secret: str
    admin_key: str
    tenant_id: str
    port: int
    client_certificate: str
    client_key: str
    client_thumbprint_sha1: str
    client_thumbprint_sha256: str
    token_endpoint: str
    process: subprocess.Popen[bytes]
    log_file: Path
    ready: dict[str, Any] = field(default_factory=dict)

    def tls(self) -> ssl.SSLContext:
        """An SSL context trusting only the emulator's CA (httpx's ``verify=``; a path is deprecated)."""
        return ssl.create_default_context(cafile=self.ca_file)

    def admin(self, method: str, path: str, json_body: Any = None, timeout: float = 30.0) -> Any:
        """Call an admin endpoint (``/_emulator/...``) with the admin key; returns the JSON answer."""
        with httpx.Client(verify=self.tls(), trust_env=False, timeout=timeout) as client:
            response = client.request(
                method,
                f"{self.graph_url}/_emulator/{path.lstrip('/')}",
                headers={"X-Emulator-Key": self.admin_key},
                json=json_body,
            )
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", "stats")
        return result

    def expire_tokens(self) -> None:
        self.admin("POST", "expire-tokens")

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("GET", "state")
        return result

    def dump(self, directory: Path) -> None:
        self.admin("POST", "dump", {"dir": str(directory)})

    def set_faults(self, spec: str) -> None:
        self.admin("POST", "faults", {"spec": spec})

    def set_throttle(self, writes: str | None) -> None:
        """Change the write budget (``"N/SECONDS"``, None = unlimited)."""
        self.admin("POST", "throttle", {"writes": writes})

    def set_ru_budget(self, units: str | None) -> None:
        """Change the resource-unit budget (``"N/SECONDS"``, None = unlimited)."""
        self.admin("POST", "throttle", {"ru": units})

    def log(self, since: int = 0) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.admin("GET", f"log?since={since}")["entries"]
        return entries

    # ---- test hooks (the emulator must run with --test-hooks; docs/emulator.md "Test hooks")
    def pending_sign_ins(self) -> list[dict[str, Any]]:
        """Device-code sign-ins waiting for approval (``user_code``, ``client_id``, ``scopes``, ...)."""
        pending: list[dict[str, Any]] = self.admin("GET", "test/device-codes")["pending"]
        return pending

    def approve_sign_in(self, user_code: str, user: str) -> dict[str, Any]:
        """Approve a pending device-code sign-in as ``user`` (UPN or object id of the tenant)."""
        result: dict[str, Any] = self.admin(
            "POST", "test/device-codes/approve", {"user_code": user_code, "user": user}
        )
        return result

    def decline_sign_in(self, user_code: str) -> None:
        self.admin("POST", "test/device-codes/approve", {"user_code": user_code, "decline": True})

    def sign_in_as(self, user: str | None) -> None:
        """Whom automatic device-code approval signs in (None: the emulator admin)."""
        self.admin("POST", "test/sign-in-as", {"user": user})

    def register(self, user: str, method: str, **when: Any) -> dict[str, Any]:
        """``user`` registers ``method`` now or later (``afterReads=1``, ``at=...``, ``afterSeconds=...``)."""
        result: dict[str, Any] = self.admin("POST", "test/register", {"user": user, "method": method, **when})
        return result

    def registrations(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.admin("GET", "test/registrations")["registrations"]
        return result

    def app_token(self) -> str:
        """A client-credentials access token straight from the token endpoint (no msal)."""
        with httpx.Client(verify=self.tls(), trust_env=False, timeout=30.0) as client:
            response = client.post(
                self.token_endpoint,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "scope": "https://graph.microsoft.com/.default",
                },
            )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def start_emulator(
    tenant_dir: Path | str,
    *extra_args: str,
    timeout: float = 60.0,
    stop_timeout: float = 15.0,
    env: dict[str, str] | None = None,
) -> Iterator[EmulatorInfo]:
    """Run the emulator for ``tenant_dir`` until the ``with`` block ends."""
    work = Path(tempfile.mkdtemp(prefix="mfa-emu-run-"))
    ready_file = work / "ready.json"
    log_file = work / "emulator.log"
    command = [
        sys.executable,
        "-m",
        "analysis",
        "emulator",
        "--tenant",
        str(tenant_dir),
        "--port",
        "0",
        "--ready-file",
        str(ready_file),
        *extra_args,
    ]
    child_env = dict(os.environ)
    child_env["PYTHONUNBUFFERED"] = "1"
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), child_env.get("PYTHONPATH", "")]))
    child_env.update(env or {})
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=child_env
        )
    try:
        deadline = time.monotonic() + timeout
        while not ready_file.exists():
            if process.poll() is not None:
                raise RuntimeError(
                    f"emulator exited with code {process.returncode} before it was ready:\n{_tail(log_file)}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"emulator not ready after {timeout:.0f} s:\n{_tail(log_file)}")
            time.sleep(0.05)
        ready = json.loads(ready_file.read_text())
        info = EmulatorInfo(
            graph_url=ready["graph_url"],
            authority=ready["authority"],
            ca_file=ready["ca_file"],
            client_id=ready["client_id"],
            client_secret=ready["client_secret"],
            admin_key=ready["admin_key"],
            tenant_id=ready["tenant_id"],
            port=int(ready["port"]),
            client_certificate=ready["client_certificate"],
            client_key=ready["client_key"],
            client_thumbprint_sha1=ready["client_thumbprint_sha1"],
            client_thumbprint_sha256=ready["client_thumbprint_sha256"],
            token_endpoint=ready["token_endpoint"],
            process=process,
            log_file=log_file,
            ready=ready,
        )
        yield info
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if process.returncode in (0, -15):  # keep the log of a crash for whoever investigates
            shutil.rmtree(work, ignore_errors=True)
