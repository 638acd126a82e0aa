"""Fixtures for the readiness tests: a private copy of the clean world per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from readiness_world import World, clean_world, copy_world


@pytest.fixture(scope="session")
def clean_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readiness") / "clean.duckdb"
    clean_world(path).close()
    return path


@pytest.fixture
def world(clean_template: Path, tmp_path: Path) -> Iterator[World]:
    w = copy_world(clean_template, tmp_path / "ws.duckdb")
    yield w
    w.close()
