"""A real dashboard in a real browser: what the browser tests and ``benchmarks/dashboard.py`` share.

``streamlit run app.py`` on a free 127.0.0.1 port, and Debian's Chromium started headless with the
flags this machine needs (without the background-networking ones Chromium keeps dialling Google's
hosts, which the closed network refuses).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def operator_token(log: Path) -> str:
    """The token in the operator link the server printed at launch (read the way an operator reads it)."""
    found = re.findall(r"/\?token=([A-Za-z0-9_-]+)", log.read_text(errors="replace"))
    if not found:
        raise RuntimeError(
            f"the dashboard printed no operator link:\n{log.read_text(errors='replace')[-3000:]}"
        )
    return found[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard(env: dict[str, str], log: Path, start_timeout: float = 60) -> Iterator[str]:
    """A fresh ``streamlit run app.py`` with ``env`` added to this environment; yields its URL.

    The server's output goes to ``log`` (appended); its tail is in the error if it does not start.
    """
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    full_env = {k: v for k, v in os.environ.items() if k != "MFA_MIGRATE_GRAPH"}
    full_env.update(env, PYTHONUNBUFFERED="1")
    with log.open("ab") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2, trust_env=False).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
