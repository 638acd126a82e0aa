"""Helpers shared by the Graph client tests (a uniquely named module: ``conftest`` is ambiguous)."""

from __future__ import annotations

from typing import Any

from analysis.graph.auth import AppOnlyAuth
from analysis.graph.client import GraphClient, RetryPolicy
from analysis.graph.emulator.launcher import EmulatorInfo

# Fast retries so fault tests stay quick; Retry-After values from the emulator are still honoured.
FAST = RetryPolicy(max_attempts=6, backoff_base=0.02, backoff_cap=0.2)


def app_auth(emu: EmulatorInfo) -> AppOnlyAuth:
    return AppOnlyAuth(
        authority=emu.authority,
        client_id=emu.client_id,
        credential=emu.client_secret,
        graph_url=emu.graph_url,
        ca_file=emu.ca_file,
    )


def make_client(emu: EmulatorInfo, auth: Any = None, **kwargs: Any) -> GraphClient:
    """A client on the emulator that owns (and closes) its token provider."""
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("record", True)
    kwargs.setdefault("close_auth", True)
    return GraphClient(emu.graph_url, auth or app_auth(emu), ca_file=emu.ca_file, **kwargs)
