"""Fixtures for the Graph client tests: a crafted tenant served by a real emulator on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crafted import write_tenant

from analysis.graph.emulator.launcher import EmulatorInfo, start_emulator


@pytest.fixture(scope="module")
def crafted_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tenant(tmp_path_factory.mktemp("crafted"))


@pytest.fixture(scope="module")
def emu(crafted_dir: Path) -> Iterator[EmulatorInfo]:
    """One emulator per module, serving the crafted tenant; tests write to distinct users."""
    with start_emulator(crafted_dir) as info:
        yield info


@pytest.fixture
def clean_emu(emu: EmulatorInfo) -> Iterator[EmulatorInfo]:
    """The module's emulator with faults, throttling and counters reset before and after the test."""
    emu.set_faults("")
    emu.set_throttle(None)
    emu.admin("POST", "stats/reset")
    yield emu
    emu.set_faults("")
    emu.set_throttle(None)
