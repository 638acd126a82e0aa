"""Fixtures for the dashboard tests: private copies of the sample workspace, roles and settings files.

The dashboard writes into its workspace (plan tables, batches), so every test that changes state gets its
own copy; numbers a test compares against are computed on *another* copy with the product's core API
and plain SQL, never through the dashboard's code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from dashboard_helpers import copy_workspace


@pytest.fixture
def workspace(sample_workspace: Path, tmp_path: Path) -> Path:
    """A writable private copy of the sample workspace."""
    return copy_workspace(sample_workspace, tmp_path)


@pytest.fixture(scope="module")
def reference(
    sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A separate copy, planned with the default settings by the core API, to compute expected numbers."""
    from analysis.simulate.runner import simulate
    from analysis.simulate.settings import Settings

    path = copy_workspace(sample_workspace, tmp_path_factory.mktemp("ref"))
    con = duckdb.connect(str(path))
    simulate(con, Settings.default(), table="plan")
    yield con
    con.close()


@pytest.fixture
def roles_file(tmp_path: Path) -> Path:
    """Roles that make the local OS user an approver and operator."""
    f = tmp_path / "roles.toml"
    f.write_text('[roles]\napprovers = ["local:*"]\noperators = ["local:*"]\n', encoding="utf-8")
    return f


def _point_at(monkeypatch: pytest.MonkeyPatch, workspace: Path, roles: Path) -> None:
    monkeypatch.setenv("MFA_MIGRATE_WORKSPACE", str(workspace))
    monkeypatch.setenv("MFA_MIGRATE_ROLES", str(roles))
    for name in ("MFA_MIGRATE_SETTINGS", "MFA_MIGRATE_EMULATOR_READY", "MFA_MIGRATE_GRAPH"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def dashboard_env(monkeypatch: pytest.MonkeyPatch, workspace: Path, roles_file: Path) -> Path:
    """Environment for one AppTest that changes the workspace: its own copy, local-mode roles."""
    _point_at(monkeypatch, workspace, roles_file)
    return workspace


@pytest.fixture(scope="module")
def _shared_copy(sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("shared-ws")
    roles = work / "roles.toml"
    roles.write_text('[roles]\napprovers = ["local:*"]\noperators = ["local:*"]\n', encoding="utf-8")
    return copy_workspace(sample_workspace, work), roles


@pytest.fixture
def shared_env(monkeypatch: pytest.MonkeyPatch, _shared_copy: tuple[Path, Path]) -> Path:
    """One workspace copy for the tests that only read (the plan and report are computed once)."""
    _point_at(monkeypatch, *_shared_copy)
    return _shared_copy[0]
