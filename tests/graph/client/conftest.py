"""Fixtures for the Graph client tests: a crafted tenant served by a real emulator on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crafted import write_tenant

from analysis.graph.auth import AppOnlyAuth
from analysis.graph.client import GraphClient, RetryPolicy
from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator

# Fast retries so fault tests stay quick; Retry-After values from the emulator are still honoured.
FAST = RetryPolicy(max_attempts=6, backoff_base=0.02, backoff_cap=0.2)


@pytest.fixture(scope="module")
def crafted_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tenant(tmp_path_factory.mktemp("crafted"))


@pytest.fixture(scope="module")
def emu(crafted_dir: Path) -> Iterator[EmulatorInfo]:
    """One emulator per module, serving the crafted tenant; tests write to distinct users."""
    with start_emulator(crafted_dir) as info:
        yield info


def app_auth(emu: EmulatorInfo) -> AppOnlyAuth:
    return AppOnlyAuth(
        authority=emu.authority,
        client_id=emu.client_id,
        credential=emu.client_secret,
        graph_url=emu.graph_url,
        ca_file=emu.ca_file,
    )


def make_client(emu: EmulatorInfo, auth: Any = None, **kwargs: Any) -> GraphClient:
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("record", True)
    kwargs.setdefault("close_auth", True)
    return GraphClient(emu.graph_url, auth or app_auth(emu), ca_file=emu.ca_file, **kwargs)


@pytest.fixture
def clean_emu(emu: EmulatorInfo) -> Iterator[EmulatorInfo]:
    """The module's emulator with faults, throttling and counters reset before and after the test."""
    emu.set_faults("")
    emu.set_throttle(None)
    emu.admin("POST", "stats/reset")
    yield emu
    emu.set_faults("")
    emu.set_throttle(None)
