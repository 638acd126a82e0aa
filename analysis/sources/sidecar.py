"""The files beside a workspace that let several processes share it (docs/workspace.md, "Several processes").

They live in ``<workspace>.run/`` (created on first use):

* ``writer`` — the **writer role**: one process at a time may carry out long work that changes the
  tenant or replaces the workspace (``load``, ``batch run``/``verify``/``rollback``, ``sync``,
  ``refresh``, Staged Rollout changes). The holder keeps an exclusive ``flock`` on the file for its
  whole life and writes its pid, command and start time into it; the kernel drops the lock when the
  process dies, however it dies, so a crashed writer never blocks the next one (which takes over and
  says whom it replaced). A second writer is refused with one line naming the holder.
* ``waiting`` — the **waiting signal**: a process that finds the DuckDB file taken holds a shared
  ``flock`` on it while it waits; the process holding the file checks it (one non-blocking ``flock``)
  at its safe points and lets go, so nobody waits for more than a moment.
* ``progress-<batch>.json`` — what a running batch has done so far (:mod:`analysis.execute.progress`),
  for the dashboard to show a run started from a terminal without opening the database.

On a system without ``fcntl`` the role falls back to the recorded pid being alive, and the waiting
signal is off (waiters then simply retry).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.sources.workspace_file import check_writable

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


def run_dir(workspace: Path | str, create: bool = True) -> Path | None:
    """``<workspace>.run/``; None when it does not exist and cannot be made (a read-only folder)."""
    path = Path(workspace)
    folder = path.with_name(path.name + ".run")
    if create and not folder.is_dir():
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            return None
    return folder if folder.is_dir() else None


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def command_of(pid: int) -> str:
    """A short description of process ``pid``'s command line (for messages), or ''."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
    if not args:
        return ""
    for i, arg in enumerate(args):  # `python -m analysis.cli ...`, `.venv/bin/mfa-migrate ...`
        if arg.endswith("mfa-migrate") or arg == "analysis.cli":
            return " ".join(["mfa-migrate", *args[i + 1 : i + 5]])[:80]
        if arg.endswith("streamlit"):
            return "the dashboard (streamlit)"
    return " ".join(Path(args[0]).name.split()[:1] + args[1:4])[:80]


# ---------------------------------------------------------------------------------------- the role
@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) the writer role."""

    pid: int
    command: str
    since: str
    host: str = ""

    def describe(self) -> str:
        return f"pid {self.pid} ({self.command}, since {self.since})"


def read_holder(workspace: Path | str) -> Holder | None:
    """The writer role's record, whether or not its process still runs."""
    folder = run_dir(workspace, create=False)
    if folder is None:
        return None
    try:
        doc = json.loads((folder / "writer").read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("pid"), int):
        return None
    return Holder(
        int(doc["pid"]), str(doc.get("command", "")), str(doc.get("since", "")), str(doc.get("host", ""))
    )


def current_writer(workspace: Path | str) -> Holder | None:
    """The process holding the writer role now, or None."""
    holder = read_holder(workspace)
    if holder is None or holder.pid == os.getpid():
        return holder
    folder = run_dir(workspace, create=False)
    if folder is None:
        return None
    if fcntl is None:  # pragma: no cover
        return holder if pid_alive(holder.pid) else None
    try:
        fd = os.open(folder / "writer", os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return holder
    finally:
        os.close(fd)
    return None


_held: dict[str, tuple[int, int]] = {}  # workspace -> (fd, depth): the role is re-entrant in a process
_held_lock = threading.Lock()


@contextmanager
def writer_role(workspace: Path | str, command: str) -> Iterator[Holder | None]:
    """Hold the writer role for ``workspace`` while the block runs.

    Yields the earlier holder this process took over from (a writer that died without letting go), or
    None. Refuses, with one line naming the holder, while another live process holds it. Nested and
    concurrent use within one process shares the role (the dashboard's background jobs).
    """
    key = str(Path(workspace).resolve())
    with _held_lock:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            taken_over = None
        else:
            fd, taken_over = _acquire(Path(workspace), command)
            _held[key] = (fd, 1)
    try:
        yield taken_over
    finally:
        with _held_lock:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                _release(fd)


def _acquire(workspace: Path, command: str) -> tuple[int, Holder | None]:
    check_writable(workspace)  # a read-only folder or file: the workspace's own one-line error
    folder = run_dir(workspace)
    if folder is None:
        raise UserError(
            f"The folder of the workspace {workspace} is read-only, so no process may write to the "
            "workspace. Use a copy in a folder you can write to."
        )
    try:
        fd = os.open(folder / "writer", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UserError(
            f"{folder / 'writer'} cannot be opened ({exc.strerror}): it marks who writes the workspace, and "
            "another user made it. Run as that user, or give yourself write access to the folder."
        ) from None
    earlier = read_holder(workspace)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        elif (
            earlier is not None and earlier.pid != os.getpid() and pid_alive(earlier.pid)
        ):  # pragma: no cover
            raise BlockingIOError
    except BlockingIOError:
        os.close(fd)
        holder = read_holder(workspace)
        who = holder.describe() if holder else "another process"
        raise UserError(
            f"The workspace {workspace} is being written by {who}; one writer at a time. Wait for it to "
            "finish (or stop it), then run this again. Reading commands and the dashboard work meanwhile."
        ) from None
    since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    doc = {"pid": os.getpid(), "command": command, "since": since, "host": socket.gethostname()}
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(doc) + "\n").encode(), 0)
    stale = earlier if earlier is not None and earlier.pid != os.getpid() and earlier.command else None
    return fd, stale


def _release(fd: int) -> None:
    with suppress(OSError):
        os.ftruncate(fd, 0)
    os.close(fd)  # closing drops the flock


# ---------------------------------------------------------------------------------------- waiting
class WaitSignal:
    """This process waits for the workspace: a shared flock on ``waiting`` while it does."""

    def __init__(self, workspace: Path | str) -> None:
        self.fd: int | None = None
        folder = run_dir(workspace)
        if folder is None or fcntl is None:
            return
        with suppress(OSError):
            self.fd = os.open(folder / "waiting", os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self.fd, fcntl.LOCK_SH)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class WaitProbe:
    """Asks, cheaply and often, whether any process waits for the workspace (kept open by its holder)."""

    def __init__(self, workspace: Path | str) -> None:
        self.fd: int | None = None
        self._checked = 0.0
        self._answer = False
        folder = run_dir(workspace)
        if folder is not None and fcntl is not None:
            with suppress(OSError):
                self.fd = os.open(folder / "waiting", os.O_RDWR | os.O_CREAT, 0o644)

    def someone_waits(self, every: float = 0.0) -> bool:
        """True while another process (or thread) holds the waiting signal (asked at most every ``every``
        seconds)."""
        if self.fd is None or fcntl is None:
            return False
        now = time.monotonic()
        if every and now - self._checked < every:
            return self._answer
        self._checked = now
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._answer = True
            return True
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self._answer = False
        return False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def write_json(path: Path, doc: dict[str, Any]) -> None:
    """Replace ``path`` with ``doc`` atomically (readers see the old or the new file, never half)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
