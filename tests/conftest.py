"""Shared fixtures: real DuckDB workspaces built from the committed sample data, and what the CLI prints."""

import shutil
from pathlib import Path

import pytest

from analysis.console import CaptureConsole

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace loaded from sample_data/ once per session. Copy it before writing to it."""
    from analysis.console import CaptureConsole
    from analysis.sources.workspace import load

    path = tmp_path_factory.mktemp("ws") / "sample.duckdb"
    load(path, SAMPLE / "PhoneFactor.pfdata", SAMPLE / "tenant", CaptureConsole())
    return path


@pytest.fixture
def workspace(sample_workspace: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the sample workspace."""
    path = tmp_path / "ws.duckdb"
    shutil.copyfile(sample_workspace, path)
    return path


@pytest.fixture
def console(monkeypatch: pytest.MonkeyPatch) -> CaptureConsole:
    """What ``analysis.cli.main`` prints (it builds its console; it gets this one, out of capsys' reach)."""
    captured = CaptureConsole()
    monkeypatch.setattr("analysis.cli.TerminalConsole", lambda *streams: captured)
    return captured
