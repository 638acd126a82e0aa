"""Running and verifying batches from the dashboard: where to send the writes, and runs in the background.

A run can take minutes. It must not stop because someone clicks elsewhere (Streamlit stops a page's
script on the next interaction), so each run or verification is a :class:`Job` on its own thread with
its own DuckDB cursor, and pages poll the job's progress with a fragment. The job registry is
process-wide: every session sees that batch 7 is running, and a second run of the same batch is refused.

Targets (never rendered with their secrets):

* **Local emulator** — the ready file that ``mfa-migrate emulator --ready-file F`` writes (URLs, CA file,
  client id and the emulator's throwaway client secret). Path from ``MFA_MIGRATE_EMULATOR_READY`` or
  typed on the page.
* **Microsoft Graph** — a connection file (TOML) from ``MFA_MIGRATE_GRAPH`` with ``authority``,
  ``client_id``, ``graph_url`` and a credential *by reference* (``client_secret_env``,
  ``client_secret_file`` or ``certificate``), the same options as the CLI's connection arguments.

Nothing here imports streamlit: the page draws; this module only runs (so it is testable headless).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analysis.errors import UserError

EMULATOR_ENV = "MFA_MIGRATE_EMULATOR_READY"
GRAPH_ENV = "MFA_MIGRATE_GRAPH"
log = logging.getLogger("mfa_migrate.dashboard")


@dataclass(frozen=True)
class Target:
    kind: str  # 'emulator' | 'graph'
    path: str  # the ready file or the connection file
    graph_url: str
    label: str


def emulator_target(path: str) -> Target:
    """Read an emulator ready file; a missing or malformed file is a UserError that says what to do."""
    from analysis.graph.connect import emulator_spec

    spec = emulator_spec(path)
    url = spec.graph_url
    if not url.startswith(("https://127.0.0.1", "https://localhost")):
        raise UserError(
            f"the emulator ready file {Path(path).expanduser()} points at {url}, not this machine; "
            "refusing to treat it as the emulator"
        )
    return Target("emulator", str(Path(path).expanduser()), url, f"Local emulator at {url}")


def graph_target(path: str) -> Target:
    doc = _graph_doc(path)
    url = str(doc.get("graph_url") or "https://graph.microsoft.com")
    return Target(
        "graph", str(Path(path).expanduser()), url, f"Microsoft Graph at {url} ({doc['authority']})"
    )


def _graph_doc(path: str) -> dict[str, Any]:
    p = Path(path).expanduser()
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"no Graph connection file at {p} ({GRAPH_ENV}); see docs/dashboard.md for its format"
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"cannot read the Graph connection file {p}: {exc}") from None
    doc = doc.get("graph", doc)
    for key in ("authority", "client_id"):
        if not doc.get(key):
            raise UserError(f"the Graph connection file {p} lacks {key!r}")
    if "client_secret" in doc:
        raise UserError(
            f"the Graph connection file {p} holds a client secret; name it instead "
            '(client_secret_env = "VAR" or client_secret_file = "FILE") so it never sits in a config file'
        )
    return doc


def configured_targets() -> list[Target]:
    """Targets configured through the environment (problems are left for when one is chosen)."""
    out = []
    if os.environ.get(EMULATOR_ENV):
        with suppress(UserError):
            out.append(emulator_target(os.environ[EMULATOR_ENV]))
    if os.environ.get(GRAPH_ENV):
        with suppress(UserError):
            out.append(graph_target(os.environ[GRAPH_ENV]))
    return out


def connection_spec(target: Target) -> Any:
    """The :class:`~analysis.graph.connect.ConnectionSpec` a target describes (secrets by reference)."""
    from analysis.graph.connect import DEFAULT_WRITE_BUDGET, ConnectionSpec, CredentialSource, emulator_spec

    if target.kind == "emulator":
        return emulator_spec(target.path)
    doc = _graph_doc(target.path)
    if doc.get("certificate"):
        credential = CredentialSource(
            "certificate",
            str(doc["certificate"]),
            doc.get("certificate_key"),
            doc.get("certificate_passphrase_env"),
        )
    elif doc.get("client_secret_file"):
        credential = CredentialSource("secret_file", str(doc["client_secret_file"]))
    else:
        credential = CredentialSource(
            "secret_env", str(doc.get("client_secret_env") or "MFA_MIGRATE_CLIENT_SECRET")
        )
    budget = doc.get("write_budget") or (
        f"{doc['writes_per_150s']}/150" if doc.get("writes_per_150s") else DEFAULT_WRITE_BUDGET
    )  # the old key too
    return ConnectionSpec(
        authority=str(doc["authority"]),
        client_id=str(doc["client_id"]),
        graph_url=str(doc.get("graph_url") or "https://graph.microsoft.com"),
        credential=credential,
        ca_file=doc.get("ca_file"),
        token_cache=doc.get("token_cache"),
        write_budget=str(budget),
    )


def open_connection(target: Target, reachability: Any = None) -> Any:
    """A :class:`~analysis.graph.connect.Connection` to the target (the caller closes it)."""
    from analysis.graph.connect import connect

    return connect(connection_spec(target), _NullConsole(), reachability=reachability)


# ---------------------------------------------------------------------------------------- jobs
@dataclass
class Job:
    """One background run or verification of one batch, as the pages see it."""

    kind: str  # 'run' | 'verify' | 'rollback' | 'refresh' (read the batch's users again: latest state)
    batch_id: int
    actor: str
    target: str
    started: float = field(default_factory=time.time)
    finished: float | None = None
    label: str = ""
    done: int = 0
    total: int = 0
    messages: list[str] = field(default_factory=list)
    result: Any = None
    error: str = ""
    stop: threading.Event = field(default_factory=threading.Event)  # the page's Stop button sets it
    reachability: Any = None  # analysis.graph.reachability.Reachability of the job's connection

    def outage(self) -> str | None:
        """What is unreachable, since when and when the next try is; None while Graph answers."""
        outage = self.reachability.outage if self.reachability is not None else None
        return outage.describe() if outage is not None else None

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else (0.0 if self.running else 1.0)


class _Bar:
    def __init__(self, job: Job) -> None:
        self.job = job

    def advance(self, n: int = 1) -> None:
        self.job.done += n


class JobConsole:
    """The Console the executor talks to: progress and messages go into the Job."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def info(self, message: str) -> None:
        self.job.messages.append(message)

    def warn(self, message: str) -> None:
        self.job.messages.append(f"warning: {message}")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None:
        self.job.messages.append(title or "table")

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[_Bar]:
        self.job.label, self.job.total, self.job.done = label, total, 0
        yield _Bar(self.job)


class _NullConsole(JobConsole):
    def __init__(self) -> None:
        super().__init__(Job("none", 0, "", ""))


_jobs: dict[tuple[str, int], Job] = {}
KINDS = {"run": "run", "verify": "verified", "rollback": "rolled back", "refresh": "refreshed from Entra"}
DOING = {"run": "running", "verify": "verifying", "rollback": "rolling back", "refresh": "refreshing"}
_jobs_lock = threading.Lock()


def job_for(path: str, batch_id: int) -> Job | None:
    with _jobs_lock:
        return _jobs.get((path, batch_id))


def forget(path: str, batch_id: int) -> None:
    with _jobs_lock:
        job = _jobs.get((path, batch_id))
        if job is not None and not job.running:
            del _jobs[(path, batch_id)]


def start(path: str, batch_id: int, kind: str, actor: str, target: Target) -> Job:
    """Start a run, verification, rollback or refresh of ``batch_id`` in the background; refuses a second
    concurrent one. A rollback is started only after the page's confirmation (the CLI's ``--confirm``).

    The job opens the workspace as a writer (:func:`analysis.execute.store.writer`): it holds the
    writer role while it runs, so a ``batch run`` from a terminal is refused meanwhile (and the other
    way round), and it lets go of the file whenever another process waits for it.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    with _jobs_lock:
        existing = _jobs.get((path, batch_id))
        if existing is not None and existing.running:
            raise UserError(
                f"batch {batch_id} is already being {KINDS[existing.kind]} "
                f"by {existing.actor}; wait for it to finish"
            )
        job = Job(kind, batch_id, actor, target.label)
        _jobs[(path, batch_id)] = job
    thread = threading.Thread(
        target=_work, args=(path, job, target), name=f"mfa-migrate-{kind}-{batch_id}", daemon=True
    )
    thread.start()
    return job


def _work(path: str, job: Job, target: Target) -> None:
    from analysis.execute.store import writer
    from analysis.graph.reachability import Reachability

    console = JobConsole(job)
    job.reachability = Reachability(report=console.warn, stop=job.stop)
    command = f"dashboard: batch {job.kind} {job.batch_id} by {job.actor}"
    try:
        with writer(path, command, console) as cur:
            _carry_out(cur, job, target, console, path)
    except UserError as exc:
        job.error = str(exc)
    except Exception as exc:  # a bug: the page says so without a traceback; the log has it
        log.exception("dashboard %s of batch %s failed", job.kind, job.batch_id)
        job.error = (
            f"internal error ({type(exc).__name__}) while {DOING[job.kind]} "
            f"batch {job.batch_id}; the journal keeps what was sent, so running it again resumes safely. "
            "The server log has the details."
        )
    finally:
        job.finished = time.time()


def _carry_out(
    cur: duckdb.DuckDBPyConnection, job: Job, target: Target, console: JobConsole, path: str
) -> None:
    from analysis.execute import replan, verify
    from analysis.execute import runner as execute

    connection = None
    try:
        connection = open_connection(target, job.reachability)
        client = connection.client
        if job.kind == "run":
            job.result = execute.run_batch(
                cur,
                client,
                job.batch_id,
                console,
                actor=job.actor,
                # passes (if the batch issues any) wait in a private file for their one download
                options=execute.RunOptions(stop=job.stop, tap_out=_pass_file(cur, job, path)),
                replan=lambda b: replan.replan_hash(cur, b),
                replan_users=lambda b, lives: replan.replan_drifted(cur, b, lives),
            )
        elif job.kind == "verify":
            job.result = verify.verify_batch(cur, client, job.batch_id, console, actor=job.actor)
        elif job.kind == "refresh":
            from analysis.execute.refresh import Choice, refresh

            job.result = refresh(cur, client, Choice(batch=str(job.batch_id)), console)
        else:
            from analysis.execute.rollback import rollback_batch

            job.result = rollback_batch(
                cur, client, job.batch_id, console, actor=job.actor, confirm=True, stop=job.stop
            )
    finally:
        if connection is not None:
            connection.close()


def _pass_file(cur: duckdb.DuckDBPyConnection, job: Job, path: str) -> Path | None:
    """Where this run delivers Temporary Access Passes (:mod:`analysis.dashboard.passfile`); None for a
    batch that issues none."""
    from analysis.dashboard import passfile
    from analysis.execute.batches import get_batch

    options = get_batch(cur, job.batch_id).options
    if not (options.campaign or (options.tap and options.handoff == "reregister")):
        return None
    return passfile.path_for(path, job.batch_id)
