"""What a running batch has done so far, in a small file beside the workspace, so that a run started in
a terminal can be watched from the dashboard (or another terminal) without opening the database.

The file is ``<workspace>.run/progress-<batch>.json`` (:mod:`analysis.sources.sidecar`), replaced
atomically about once a second while the run works and a last time when it ends. It holds counts only:
users done of the total, writes sent and answered ok, 429s seen, the write rate and an estimate of the
time left, plus the pid and command of the process. No user names, numbers or secrets.

A reader tells a live run from a dead one by the writer role: the file's pid must hold it now; a file
whose process is gone (killed) is reported as such, and ``batch run`` resumes that batch.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.sources import access, sidecar

#: Seconds between two writes of the file while a run works.
EVERY = 1.0


def path_of(workspace: Path | str, batch_id: int) -> Path | None:
    folder = sidecar.run_dir(workspace, create=False)
    return folder / f"progress-{int(batch_id)}.json" if folder is not None else None


class ProgressFile:
    """Kept up to date by the pipeline of one run (or rollback) of one batch on a workspace lease."""

    def __init__(self, workspace: Path, batch_id: int, kind: str, command: str, total: int) -> None:
        self.workspace, self.batch_id, self.kind, self.total = workspace, batch_id, kind, total
        self.command = command
        self.started = time.time()
        self._written = 0.0

    def update(self, done: int, tally: Any, counters: Any, *, final: str | None = None) -> None:
        """Write the figures now (``final``: how the run ended) or, in the loop, at most every second."""
        now = time.monotonic()
        if final is None and now - self._written < EVERY:
            return
        self._written = now
        elapsed = max(1e-6, time.time() - self.started)
        ok = int(getattr(tally, "writes_ok", 0))
        rate = ok / elapsed
        eta = (self.total - done) * elapsed / done if done and final is None else None
        doc = {
            "batch_id": self.batch_id,
            "kind": self.kind,
            "pid": os.getpid(),
            "command": self.command,
            "started": datetime.fromtimestamp(self.started, UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
            "updated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
            "users_total": self.total,
            "users_done": done,
            "writes_sent": int(getattr(tally, "writes_sent", 0)),
            "writes_ok": ok,
            "throttled": int(getattr(counters, "throttled", 0)),
            "rate": round(rate, 2),
            "eta_seconds": None if eta is None else round(eta),
            "finished": final,
        }
        target = path_of(self.workspace, self.batch_id)
        if target is None:
            return
        with suppress(OSError):  # a full disk must not stop the run: watching is a convenience
            sidecar.write_json(target, doc)


def for_run(con: Any, batch_id: int, kind: str, total: int) -> ProgressFile | None:
    """A progress file when ``con`` is a lease on a workspace file (tests' plain connections get none)."""
    workspace = access.path_of(con)
    if workspace is None or sidecar.run_dir(workspace) is None:
        return None
    holder = sidecar.read_holder(workspace)
    command = holder.command if holder is not None and holder.pid == os.getpid() else f"batch {kind}"
    return ProgressFile(workspace, batch_id, kind, command, total)


@dataclass(frozen=True)
class Seen:
    """A progress file as a watcher reads it."""

    doc: dict[str, Any]
    alive: bool  # its process still holds the writer role

    @property
    def fraction(self) -> float:
        total = int(self.doc.get("users_total") or 0)
        return min(1.0, int(self.doc.get("users_done") or 0) / total) if total else 0.0

    def describe(self) -> str:
        d = self.doc
        eta = d.get("eta_seconds")
        left = f", about {_duration(eta)} left" if eta is not None and self.alive else ""
        return (
            f"{d.get('users_done', 0):,} of {d.get('users_total', 0):,} users done; "
            f"{d.get('writes_ok', 0):,} writes ok of {d.get('writes_sent', 0):,} sent; "
            f"{d.get('throttled', 0):,} throttled (429); {d.get('rate', 0)} writes/s{left}"
        )


def watch(workspace: Path | str, batch_id: int) -> Seen | None:
    """The batch's progress file, if any, and whether the process writing it still runs."""
    target = path_of(workspace, batch_id)
    if target is None:
        return None
    try:
        doc = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    holder = sidecar.current_writer(workspace)
    alive = doc.get("finished") is None and holder is not None and holder.pid == doc.get("pid")
    return Seen(doc, alive)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
