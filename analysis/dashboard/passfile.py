"""Where a dashboard run keeps the Temporary Access Passes it issues, until they are downloaded once.

The command line writes passes only to the operator's ``--tap-out`` file. A run started from the
dashboard has no operator terminal, so it writes them to a file of the same format (JSON lines, created
0600) in a private folder (0700) beside the workspace, one file per batch. The Batches page offers that
file once as a download: :func:`take` reads it and deletes it in one go, so a pass is never shown again,
and nothing of it is logged, journaled or drawn on a page. A later run of the same batch (a resumed one)
appends to the same file while it is still there, so the passes it already holds count as issued, as
with ``--tap-out``.

Nothing here imports streamlit (the run's thread and the page both use it).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

FOLDER = ".mfa-migrate-passes"
_lock = threading.Lock()


def _file(workspace: str, batch_id: int) -> Path:
    ws = Path(workspace).resolve()
    return ws.parent / FOLDER / f"{ws.stem}-batch-{batch_id}.jsonl"


def path_for(workspace: str, batch_id: int) -> Path:
    """The pass file of ``batch_id`` (its folder is created 0700 on first use)."""
    path = _file(workspace, batch_id)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path.parent, 0o700)
    return path


def waiting(workspace: str, batch_id: int) -> int:
    """How many passes wait for their download (0: none, or already taken)."""
    path = _file(workspace, batch_id)
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0


def take(workspace: str, batch_id: int) -> bytes:
    """The pass file's content, deleting the file: the one download (empty once taken)."""
    path = _file(workspace, batch_id)
    with _lock:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return b""
        path.unlink()
    return data
