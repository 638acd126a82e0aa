"""Shared fixtures: real DuckDB workspaces built from the committed sample data."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace loaded from sample_data/ once per session. Copy it before writing to it."""
    from analysis.console import CaptureConsole
    from analysis.workspace import load

    path = tmp_path_factory.mktemp("ws") / "sample.duckdb"
    load(path, SAMPLE / "PhoneFactor.pfdata", SAMPLE / "tenant", CaptureConsole())
    return path
