"""Helpers shared by the dashboard tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def copy_workspace(src: Path, dst_dir: Path, name: str = "ws.duckdb") -> Path:
    """A private copy of a workspace file (the dashboard writes plan tables and batches into it)."""
    dst = dst_dir / name
    shutil.copyfile(src, dst)
    return dst


def local_user() -> str:
    """The identity the dashboard records in local mode."""
    return f"local:{getpass.getuser()}"
