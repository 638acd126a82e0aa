"""How every process reaches the workspace file: one function, short-lived connections, nobody locked out.

DuckDB lets one process open a file for writing, or any number of processes for reading, never both at
once, and a process that finds the file taken is refused at once. So every part of the product opens
the workspace through :func:`read` or :func:`write` (or their ``with`` forms) and holds it only while it
works (docs/workspace.md, "Several processes"):

* **Readers** (``batch list``/``show``, the dashboard's pages) open it read-only; any number at once.
* **Writers** open it read-write for a unit of work and close it again. A long-running writer (a batch
  run) holds its connection between units only while nobody else wants the file: at each safe point it
  calls :func:`pause`, which lets go when another process is waiting (the waiting signal of
  :mod:`analysis.sources.sidecar`); its next statement opens the file again.
* **Whoever finds the file taken** raises the waiting signal and retries for up to ``wait`` seconds
  (readers: a moment; the holder lets go at its next safe point), then gives up with one line naming the
  process that holds it.

Within one process, connections share one DuckDB instance (DuckDB's rule: one per file and process),
handed out as :class:`Lease` objects: a lease behaves like a ``DuckDBPyConnection`` (it forwards every
call to its own cursor) but may let go of the file and take it again, so code keeps one object however
often the file changes hands underneath. The instance is closed, and the file released, when the last
lease closes or pauses.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, cast

import duckdb

from analysis.errors import UserError
from analysis.sources import sidecar, workspace_file

#: Seconds a reader waits for the file before giving up (the environment variable overrides it).
WAIT_ENV = "MFA_MIGRATE_WAIT_SECONDS"
READ_WAIT = 15.0
WRITE_WAIT = 60.0
#: A long-running writer taking the file back after a pause waits this long for readers to finish.
HOLD_WAIT = 600.0
_PID = re.compile(r"\(PID (\d+)\)")


class WorkspaceBusy(UserError):
    """The workspace stayed taken by another process for longer than this one may wait."""

    def __init__(self, message: str, holder: str = "another process") -> None:
        super().__init__(message)
        self.holder = holder  # who keeps it, for callers that word their own message


def default_wait(write: bool) -> float:
    raw = os.environ.get(WAIT_ENV)
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            raise UserError(f"{WAIT_ENV}={raw!r} is not a number of seconds") from None
    return WRITE_WAIT if write else READ_WAIT


class _Shared:
    """This process's one DuckDB instance of a workspace file, and the leases on it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cond = threading.Condition()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.mode: str | None = None  # 'ro' | 'rw'
        self.active: set[Lease] = set()
        self.want_write = 0
        self.opening = False
        self.checked = False  # the file was identified as a workspace (once per process)
        self.marked = False  # and carries the marker (written by the first read-write open)
        self.prefer_write = False
        self.probe: sidecar.WaitProbe | None = None

    # -- leases
    def acquire(
        self, lease: Lease, write: bool, wait: float, new_ok: bool = False
    ) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + wait
        me = threading.get_ident()
        with self.cond:
            if write:
                self.want_write += 1
            try:
                while True:
                    joins = not write and any(x.thread == me for x in self.active)  # never wait on oneself
                    if self.con is not None and (
                        self.mode == "rw" or (not write and (joins or not self.want_write))
                    ):
                        cur = self.con.cursor()
                        self.active.add(lease)
                        return cur
                    if self.con is not None and self.mode == "ro" and write:
                        for other in [x for x in self.active if x.thread == me]:
                            other.suspend_locked()  # this thread's own read leases reopen lazily
                        if not self.active:
                            self._close_locked()
                    if self.con is None and not self.opening:
                        self.opening = True
                        try:
                            self.cond.release()
                            try:
                                con, mode = self._open(write, deadline, wait, new_ok)
                            finally:
                                self.cond.acquire()
                        finally:
                            self.opening = False
                            self.cond.notify_all()
                        self.con, self.mode = con, mode
                        continue
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise WorkspaceBusy(
                            f"The workspace {self.path} is busy in this process (another page or job is "
                            "using it); try again in a moment."
                        )
                    self.cond.wait(min(remaining, 0.05))
            finally:
                if write:
                    self.want_write -= 1

    def release(self, lease: Lease, cur: duckdb.DuckDBPyConnection) -> None:
        with self.cond:
            try:
                cur.close()
            finally:
                self.active.discard(lease)
                if not self.active:
                    self._close_locked()
                self.cond.notify_all()

    def _close_locked(self) -> None:
        con, self.con, self.mode = self.con, None, None
        if con is not None:
            con.close()

    def someone_waits(self) -> bool:
        if self.probe is None:
            self.probe = sidecar.WaitProbe(self.path)
        return self.probe.someone_waits()

    # -- opening the file
    def _open(
        self, write: bool, deadline: float, wait: float, new_ok: bool
    ) -> tuple[duckdb.DuckDBPyConnection, str]:
        modes = ["rw"] if write else (["rw", "ro"] if self.prefer_write and _writable(self.path) else ["ro"])
        signal: sidecar.WaitSignal | None = None
        delay = 0.005
        try:
            while True:
                for mode in modes:
                    try:
                        return self._connect(mode == "ro", new_ok), mode
                    except (duckdb.IOException, duckdb.ConnectionException) as exc:
                        if isinstance(exc, duckdb.IOException) and not _is_lock_error(exc):
                            raise UserError(
                                f"The workspace {self.path} cannot be opened: {_first_line(exc)}."
                            ) from None
                        last = exc
                if time.monotonic() >= deadline:
                    message = _busy_message(self.path, last, write, wait)
                    raise WorkspaceBusy(message, holder_of(self.path, last))
                if signal is None:
                    signal = sidecar.WaitSignal(self.path)
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        finally:
            if signal is not None:
                signal.close()

    def _connect(self, read_only: bool, new_ok: bool) -> duckdb.DuckDBPyConnection:
        if self.checked and not new_ok:  # identified once per process: one open, not two
            con = workspace_file.connect_known(
                self.path, read_only=read_only, mark=not (read_only or self.marked)
            )
        else:
            con = workspace_file.open_workspace(self.path, read_only=read_only, new_ok=new_ok)
            self.checked = True
        self.marked = self.marked or not read_only
        return con


class Lease:
    """A connection to the workspace that may let go of the file between units of work.

    Every ``DuckDBPyConnection`` method works on it (forwarded to its own cursor, opened on first use).
    :meth:`pause` lets go of the file when another process waits for it; the next call takes it back.
    Never pause inside a transaction, or between creating a temporary object and using it.
    """

    def __init__(self, shared: _Shared, write: bool, wait: float, new_ok: bool = False) -> None:
        self._shared, self._write, self._wait, self._new_ok = shared, write, wait, new_ok
        self._cur: duckdb.DuckDBPyConnection | None = None
        self._closed = False
        self.thread = threading.get_ident()

    @property
    def path(self) -> Path:
        return self._shared.path

    @property
    def writable(self) -> bool:
        """Whether this lease writes (a read lease may still sit on this process's read-write instance)."""
        return self._write

    def _c(self) -> duckdb.DuckDBPyConnection:
        if self._cur is None:
            if self._closed:
                raise duckdb.ConnectionException("Connection already closed!")
            self._cur = self._shared.acquire(self, self._write, self._wait, self._new_ok)
        return self._cur

    def __getattr__(self, name: str) -> Any:
        return getattr(self._c(), name)

    def execute(self, query: Any, parameters: Any = None) -> duckdb.DuckDBPyConnection:
        return self._c().execute(query, parameters)

    def executemany(self, query: Any, parameters: Any = None) -> duckdb.DuckDBPyConnection:
        return self._c().executemany(query, parameters)

    def sql(self, query: Any, **kwargs: Any) -> duckdb.DuckDBPyRelation:
        return self._c().sql(query, **kwargs)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Another lease of the same kind (never a bare cursor, which would keep the file open)."""
        return cast(duckdb.DuckDBPyConnection, Lease(self._shared, self._write, self._wait))

    def pause(self, force: bool = False) -> bool:
        """Let go of the file if another process waits for it (``force``: in any case); True if it did."""
        if self._cur is None or not (force or self._shared.someone_waits()):
            return False
        cur, self._cur = self._cur, None
        self._shared.release(self, cur)
        if not force:  # give the waiter a moment to get in before the next statement takes the file back
            until = time.monotonic() + 0.5
            while time.monotonic() < until and self._shared.someone_waits():
                time.sleep(0.01)
        return True

    def suspend_locked(self) -> None:
        """Drop the cursor (called with the instance's lock held); the next call takes a new one."""
        cur, self._cur = self._cur, None
        self._shared.active.discard(self)
        if cur is not None:
            cur.close()

    def close(self) -> None:
        self._closed = True
        cur, self._cur = self._cur, None
        if cur is not None:
            self._shared.release(self, cur)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a lease nobody closed must not keep the file locked
        if getattr(self, "_cur", None) is not None:
            with suppress(Exception):
                self.close()


_registry: dict[str, _Shared] = {}
_registry_lock = threading.Lock()


def _shared(path: Path | str) -> _Shared:
    key = str(Path(path).resolve())
    with _registry_lock:
        shared = _registry.get(key)
        if shared is None:
            shared = _registry[key] = _Shared(Path(key))
        return shared


def prefer_write(path: Path | str) -> None:
    """Open ``path`` read-write for reads too when nobody else has it (the dashboard: its pages also
    write plans and caches, and switching a process's instance between modes costs a reopen)."""
    _shared(path).prefer_write = True


def read(path: Path | str, *, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """A read lease on the workspace (the caller closes it; ``with`` works too). Read-only unless this
    process already has the file open read-write."""
    shared = _shared(path)
    lease = Lease(shared, False, default_wait(False) if wait is None else wait)
    lease._c()  # open now: a missing or foreign file is refused here, not at the first query
    return cast(duckdb.DuckDBPyConnection, lease)


def write(path: Path | str, *, wait: float | None = None, new_ok: bool = False) -> duckdb.DuckDBPyConnection:
    """A write lease on the workspace (the caller closes it). ``new_ok`` lets the loader create it."""
    shared = _shared(path)
    lease = Lease(shared, True, default_wait(True) if wait is None else wait, new_ok)
    lease._c()
    return cast(duckdb.DuckDBPyConnection, lease)


def hold(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A write lease for a long-running writer: it pauses at safe points (:func:`pause`) and takes the
    file back afterwards waiting as long as readers need."""
    shared = _shared(path)
    lease = Lease(shared, True, default_wait(True))
    lease._c()
    lease._wait = HOLD_WAIT
    return cast(duckdb.DuckDBPyConnection, lease)


@contextmanager
def reading(path: Path | str, *, wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    con = read(path, wait=wait)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def writing(path: Path | str, *, wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    con = write(path, wait=wait)
    try:
        yield con
    finally:
        con.close()


def pause(con: Any) -> bool:
    """At a safe point of a long-running writer: let a waiting process in (no-op on a plain connection)."""
    return con.pause() if isinstance(con, Lease) else False


def let_go(con: Any) -> None:
    """Before a long stretch without database work (reading users from Graph): give the file back now;
    the next statement takes it again."""
    if isinstance(con, Lease):
        con.pause(force=True)


def path_of(con: Any) -> Path | None:
    """The workspace a lease is on (None for a plain DuckDB connection)."""
    return con.path if isinstance(con, Lease) else None


def is_writable(con: Any) -> bool:
    """Whether ``con`` may write: a write lease, or any plain connection (tests, the loader)."""
    return con.writable if isinstance(con, Lease) else True


# ---------------------------------------------------------------------------------------- messages
def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def holder_of(path: Path | str, exc: Exception | None = None) -> str:
    """Who keeps the workspace: the writer role's holder, else the pid DuckDB names, or 'another process'."""
    writer = sidecar.current_writer(path)
    match = _PID.search(str(exc)) if exc is not None else None
    pid = int(match.group(1)) if match else None
    if writer is not None and (pid is None or pid == writer.pid):
        return writer.describe()
    if pid is not None:
        command = sidecar.command_of(pid)
        return f"pid {pid}" + (f" ({command})" if command else "")
    return "another process"


def _busy_message(path: Path, exc: Exception, write: bool, wait: float) -> str:
    wanted = "write to" if write else "read"
    return (
        f"The workspace {path} is in use by {holder_of(path, exc)} and could not be opened to {wanted} "
        f"within {wait:.0f} s. It is usually free again in a moment (a load keeps it for "
        f"its whole run): try again, or raise {WAIT_ENV}."
    )
