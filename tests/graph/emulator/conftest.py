"""Fixtures for the emulator's own tests: a crafted tenant, a running emulator, authorised clients."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator_helpers import client_for
from emulator_tenant import write_tenant

from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator


@pytest.fixture(scope="module")
def tenant_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tenant(tmp_path_factory.mktemp("tenant"))


@pytest.fixture(scope="module")
def emu(tenant_dir: Path) -> Iterator[EmulatorInfo]:
    """One emulator per test module; tests in a module use distinct users so they do not interfere."""
    with start_emulator(tenant_dir) as info:
        yield info


@pytest.fixture(scope="module")
def graph(emu: EmulatorInfo) -> Iterator[httpx.Client]:
    """An httpx client with an app-only bearer token (all default permissions)."""
    with client_for(emu, emu.app_token()) as client:
        yield client
