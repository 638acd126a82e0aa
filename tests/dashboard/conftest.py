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
    from analysis.settings import Settings
    from analysis.simulate import simulate

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


@pytest.fixture
def dashboard_env(monkeypatch: pytest.MonkeyPatch, workspace: Path, roles_file: Path) -> Path:
    """Environment for one AppTest: its own workspace copy, local-mode roles, default settings."""
    monkeypatch.setenv("MFA_MIGRATE_WORKSPACE", str(workspace))
    monkeypatch.setenv("MFA_MIGRATE_ROLES", str(roles_file))
    monkeypatch.delenv("MFA_MIGRATE_SETTINGS", raising=False)
    monkeypatch.delenv("MFA_MIGRATE_EMULATOR_READY", raising=False)
    monkeypatch.delenv("MFA_MIGRATE_GRAPH", raising=False)
    return workspace
