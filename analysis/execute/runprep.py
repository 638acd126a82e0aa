"""Everything a run needs before its first write, and nothing it could lose in a crash.

* After a crash (the batch is still ``running``), the operator is told which run did not finish, and
  the run waits until the crashed run's last unanswered write is ``--settle`` seconds old, so a request
  Graph was still working on when the process died cannot land after its user has been re-read.
* The OATH secrets of every user with a token step still to do (create *or* activate), read from the
  MFA Server datafile now, kept in memory only.
* The ``--tap-out`` file for Temporary Access Passes (created mode 0600), and which passes it already
  holds: a pass counts as issued only once it is in the file.
* The Migration Utility's group (or a campaign's communication group), resolved by id or display name.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute import crashpoints
from analysis.execute.batches import Batch
from analysis.execute.journal import columns
from analysis.execute.oath import Secrets
from analysis.execute.work import Context, GroupMembers, Work
from analysis.graph.client import GraphClient
from analysis.graph.errors import GraphError, GraphUnreachable, Stopped
from analysis.graph.wire import odata_string
from analysis.sqlfiles import sql

if TYPE_CHECKING:
    from analysis.execute.runner import RunOptions


def prepare(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    batch: Batch,
    works: list[Work],
    console: Console,
    options: RunOptions,
    after_crash: bool,
    stop: threading.Event,
) -> Context:
    """Check and load what the run needs, then let an interrupted run's requests settle."""
    if after_crash:
        row = con.execute(sql("execute/run.last_run_started"), {"batch_id": batch.batch_id}).fetchone()
        since = f" (started {row[0].astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC by {row[1]})" if row else ""
        console.warn(
            f"{batch.label}: its last run{since} did not finish: the process was killed or crashed. "
            f"Resuming from the journal: {len(works)} user(s) still to do; writes that got no answer are "
            "checked by re-reading, never sent again blindly."
        )
    todo = {(w.username, s.name) for w in works for s in w.steps if not w.progress[s.name].done}
    token_users = sorted({u for u, name in todo if name in ("hw_create", "hw_activate")})
    secrets = Secrets.load(con, batch.batch_id, batch.label, batch.load_id, token_users, options.datafile)
    ctx = Context(batch.options, client.root, secret=secrets.secret, time_step=secrets.time_step)
    if any(name == "tap" for _, name in todo):
        if options.tap_out is None:
            raise UserError(
                f"{batch.label} issues Temporary Access Passes ([execute] tap = true); give --tap-out FILE "
                "to receive them (the file is created readable by you only; passes are never printed or "
                "journaled)"
            )
        ctx.delivered_taps = _open_tap_file(Path(options.tap_out))
        ctx.deliver_tap = _tap_writer(Path(options.tap_out))
    if any(name == "handoff_group" for _, name in todo):
        ctx.members = GroupMembers(resolve_group(client, batch.options.migration_group))
    elif any(name == "campaign_group" for _, name in todo):
        group = batch.options.campaign_group
        ctx.members = GroupMembers(resolve_group(client, group, "execute.campaign_group"))
    settle(con, batch, [f"{batch.batch_id}:"], console, options.settle_seconds, stop)
    return ctx


def settle(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    prefixes: list[str],
    console: Console,
    seconds: float,
    stop: threading.Event,
) -> None:
    """Wait until an interrupted run's unanswered writes (keys starting with one of ``prefixes``) can no
    longer be in flight at Graph."""
    latest = [
        row[0]
        for prefix in prefixes
        if (
            row := con.execute(
                sql("execute/run.open_intent_latest"), {"batch_id": batch.batch_id, "prefix": prefix}
            ).fetchone()
        )
        and row[0] is not None
    ]
    if not latest:
        return
    wait_for = seconds - (datetime.now(UTC) - max(latest)).total_seconds()
    if wait_for > 0:
        console.info(
            f"Writes of an interrupted run have no answer; waiting {wait_for:.0f}s for Graph to finish them "
            "before reading the users back (never re-sending blindly)"
        )
        stop.wait(wait_for)


@contextmanager
def outage_is_a_user_error(what: str) -> Iterator[None]:
    """Graph unreachable (or a stop) outside the pipeline, e.g. while resolving the migration group or
    reading users to verify: a clear one-line error, nothing half done."""
    try:
        yield
    except (GraphUnreachable, Stopped) as exc:
        raise UserError(f"{what}: {exc}; nothing was written, run it again when Graph answers") from None


def resolve_group(client: GraphClient, name_or_id: str, setting: str = "execute.migration_group") -> str:
    """The object id of the group a batch adds users to (the Migration Utility's, or a campaign's
    communication group: ``setting`` names where it was given), by id or by display name."""
    try:
        found = client.get(f"/groups/{quote(name_or_id)}", params={"$select": "id,displayName,groupTypes"})
        return str(found["id"])
    except GraphError as exc:
        if exc.status not in (400, 404):
            raise
    groups = list(
        client.paged(
            "/groups",
            params={"$filter": f"displayName eq {odata_string(name_or_id)}", "$select": "id,displayName"},
        )
    )
    if len(groups) != 1:
        raise UserError(
            f"the group {name_or_id!r} (settings key '{setting}') matches {len(groups)} Entra groups; give "
            "its object id instead"
        )
    return str(groups[0]["id"])


def _open_tap_file(path: Path) -> set[str]:
    """Create ``path`` (mode 0600) if missing, refuse one others can read, and return the ids of the
    passes it already holds (read for their ids only; the passes themselves are never looked at)."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise UserError(f"--tap-out {path} is readable by other users; use a new file or chmod 600 it")
    else:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            method = json.loads(line).get("methodId")
        except ValueError:
            continue
        if method:
            ids.add(str(method))
    return ids


def _tap_writer(path: Path) -> Any:
    lock = threading.Lock()

    def deliver(work: Work, body: dict[str, Any]) -> None:
        line = {
            "username": work.username,
            "entraId": work.entra_id,
            "methodId": body.get("id"),
            "temporaryAccessPass": body.get("temporaryAccessPass"),
            "startDateTime": body.get("startDateTime"),
            "lifetimeInMinutes": body.get("lifetimeInMinutes"),
        }
        with lock, open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
            handle.flush()
            os.fsync(handle.fileno())  # in the operator's hands before the answer is journaled
        crashpoints.reached("delivered", ["tap"])

    return deliver


def set_based(
    con: duckdb.DuckDBPyConnection, query: str, names: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Run ``query`` once over ``rows``, passed as one list per column ``names``."""
    if rows:
        con.execute(query, columns(names, rows))
