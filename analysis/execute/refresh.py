"""``mfa-migrate refresh``: read chosen users again from Graph and keep what was read as their latest state.

Between a snapshot and the next, the workspace learns about the tenant only from what the product itself
reads (docs/workspace.md, "Latest state"). A refresh is that read on demand: for a users file, an Entra
group (its transitive members in the snapshot), a batch's users, or every Entra user, it reads each
user's authentication methods and sign-in preferences (what the snapshot reads per user) in ``$batch``
envelopes, paging a long method list, within a read budget (resource units per 10 s, as ``snapshot``),
and keeps each good read in ``entra_latest`` with its time. A user Graph would not let it read (403),
who no longer exists (404), or who stayed throttled is kept in ``entra_latest_not_read`` with the
reason and keeps the earlier state: a failed read is never "no methods".

Reads are stored in parts; after each part the workspace is let go if another process waits for it, so
the dashboard and reading commands go on beside a long refresh; the users' states are laid over the
snapshot once, at the end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute import batches as batches_mod
from analysis.execute.reads import ReadResult, Target, chunks, read_chunk
from analysis.graph.client import GraphClient
from analysis.graph.errors import AuthError, ForbiddenError, GraphUnreachable, Stopped, UnauthorizedError
from analysis.graph.ratelimit import TokenBucket, tenant_read_quota
from analysis.sources import access, latest
from analysis.sqlfiles import sql

#: Share of the tenant's resource-unit quota a refresh uses by default (the rest is left to other apps).
READ_SHARE = 0.8
#: Users stored per part: a killed refresh keeps what it read up to the last part.
PART = 2000
#: Rounds of re-reading users Graph answered "try again" for, after the first pass.
RETRY_ROUNDS = 2
#: Envelopes handed to the readers ahead of the one being stored: a few seconds of reads at the budget,
#: so storing a part never leaves the read budget unused (the readers still send ``concurrency`` at once).
LOOKAHEAD = 256


@dataclass(frozen=True)
class Choice:
    """Whom to refresh: exactly one of the four."""

    users_file: Path | None = None
    group: str | None = None
    batch: str | None = None
    everyone: bool = False

    def describe(self) -> str:
        if self.users_file is not None:
            return f"the users of {self.users_file}"
        if self.group is not None:
            return f"group {self.group!r}"
        if self.batch is not None:
            return f"batch {self.batch}"
        return "every Entra user of the snapshot"


@dataclass
class Refreshed:
    """What a refresh did, for the command's summary and the benchmark."""

    users: int = 0
    read: int = 0
    not_read: list[tuple[str, str]] = field(default_factory=list)  # (UPN or id, reason)
    seconds: float = 0.0
    requests: int = 0  # reads asked of Graph ($batch items: methods and sign-in preferences per user)
    read_budget: int | None = None  # resource units per 10 s, None: off
    store_seconds: float = 0.0  # of ``seconds``: keeping the reads and laying them over the snapshot
    counters: dict[str, float] = field(default_factory=dict)

    @property
    def reads_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def choose(con: duckdb.DuckDBPyConnection, choice: Choice) -> list[tuple[str, str]]:
    """(Entra id, UPN) of the chosen users; a name or group the snapshot does not know is a one-line error."""
    if choice.users_file is not None:
        from analysis.execute.selection import _read_users_file

        wanted = _read_users_file(choice.users_file)
        con.execute(
            sql("execute/refresh.wanted"), {"lines": [n for n, _ in wanted], "names": [t for _, t in wanted]}
        )
        con.execute(sql("execute/refresh.wanted_matches"))
        missing = con.execute(sql("execute/refresh.wanted_missing")).fetchall()
        if missing:
            shown = "; ".join(f"line {line}: {name!r}" for line, name in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise UserError(
                f"users file {choice.users_file}: {len(missing)} name(s) match no Entra user (by UPN or "
                f"object id) in the workspace's snapshot: {shown}{more}. Fix or remove those lines."
            )
        rows = con.execute(sql("execute/refresh.wanted_users")).fetchall()
    elif choice.group is not None:
        if not con.execute(sql("execute/selection.group_lookup"), {"group": choice.group}).fetchall():
            raise UserError(
                f"there is no Entra group {choice.group!r} (by id or display name) in the workspace's tenant "
                "snapshot; check the name, or load a newer snapshot"
            )
        rows = con.execute(sql("execute/refresh.group_users"), {"group": choice.group}).fetchall()
    elif choice.batch is not None:
        batch = batches_mod.get_batch(con, choice.batch)
        rows = con.execute(sql("execute/refresh.batch_users"), {"batch_id": batch.batch_id}).fetchall()
    elif choice.everyone:
        rows = con.execute(sql("execute/refresh.all_users")).fetchall()
    else:
        raise UserError("choose whom to refresh: --users FILE, --group NAME, --batch N or --all")
    return [(str(e), str(u or e)) for e, u in rows]


def budget_for(con: duckdb.DuckDBPyConnection, read_budget: str | int) -> TokenBucket | None:
    """The read bucket: ``auto`` = 80 % of the quota of a tenant the snapshot's size, a number, or ``off``."""
    if read_budget == "off":
        return None
    if read_budget == "auto":
        row = con.execute(sql("execute/refresh.tenant_users")).fetchone()
        per_10s = int(tenant_read_quota(int(row[0]) if row else 0) * READ_SHARE)
    else:
        per_10s = int(read_budget)
    if per_10s < 1:
        raise UserError(f"--read-budget must be at least 1 resource unit per 10 s, not {read_budget!r}")
    return TokenBucket(per_10s, 10.0)


def _read_all(
    client: GraphClient, targets: Sequence[Target], concurrency: int
) -> Iterator[dict[str, ReadResult]]:
    """Each envelope's reads as they come back, ``concurrency`` envelopes in flight (a few more queued)."""
    parts = iter(chunks(targets))
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="graph-refresh") as pool:
        running: set[Future[dict[str, ReadResult]]] = set()
        for part in parts:
            running.add(pool.submit(read_chunk, client, part))
            if len(running) >= max(LOOKAHEAD, concurrency * 2):
                break
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                nxt = next(parts, None)
                if nxt is not None:
                    running.add(pool.submit(read_chunk, client, nxt))


def refresh(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    choice: Choice,
    console: Console,
    *,
    concurrency: int = 4,
    read_budget: str | int = "auto",
    users: list[tuple[str, str]] | None = None,
) -> Refreshed:
    """Read the chosen users (``users``: :func:`choose`'s answer, when the caller checked the choice before
    signing in) from Graph and keep each read as the user's latest state (see the module)."""
    started = time.monotonic()
    latest.ensure_schema(con)
    if users is None:
        users = choose(con, choice)
    out = Refreshed(users=len(users))
    if not users:
        console.info(f"Nobody to refresh in {choice.describe()}.")
        return out
    if client.read_budget is None:
        client.read_budget = budget_for(con, read_budget)
    out.read_budget = int(client.read_budget.limit) if client.read_budget is not None else None
    budget = f"{out.read_budget} resource units per 10 s" if out.read_budget else "no read budget"
    console.info(f"Reading {len(users)} user(s) of {choice.describe()} from Graph ({budget}) ...")
    access.let_go(con)  # reading takes a while: the workspace is free for others meanwhile
    todo = [Target(e) for e, _ in users]
    good: dict[str, ReadResult] = {}
    failed: dict[str, str] = {}
    try:
        _read_rounds(con, client, todo, concurrency, console, out, good, failed)
    except (GraphUnreachable, Stopped) as exc:
        kept = out.read + _store(con, good, failed, out, last=True)
        raise UserError(
            f"the refresh stopped: {exc}; {kept} user(s) read so far are kept, run it again for the rest"
        ) from None
    except (AuthError, UnauthorizedError, ForbiddenError) as exc:
        raise UserError(
            f"Graph refused the refresh: {exc}. The app needs UserAuthenticationMethod.Read.All (admin "
            "consent), or sign in with --device-code as an administrator who may read methods."
        ) from None
    out.read += _store(con, good, failed, out, last=True)
    upn_of = dict(users)
    out.not_read = sorted((upn_of.get(e, e), why) for e, why in _not_read_now(con, [e for e, _ in users]))
    out.seconds = time.monotonic() - started
    out.counters = client.counters.as_dict()
    return out


def _read_rounds(
    con: duckdb.DuckDBPyConnection,
    client: GraphClient,
    todo: list[Target],
    concurrency: int,
    console: Console,
    out: Refreshed,
    good: dict[str, ReadResult],
    failed: dict[str, str],
) -> None:
    """Read ``todo``, then those Graph said to try again for (up to :data:`RETRY_ROUNDS` more times),
    storing every :data:`PART` users."""
    with console.progress("Reading users from Entra", len(todo)) as bar:
        for round_ in range(1 + RETRY_ROUNDS):
            again: list[Target] = []
            out.requests += sum(t.size for t in todo)
            for part in _read_all(client, todo, concurrency):
                final = 0
                for entra_id, result in part.items():
                    if result.live is not None:
                        good[entra_id] = result
                    elif result.retry and round_ < RETRY_ROUNDS:
                        again.append(Target(entra_id))
                        continue
                    else:
                        failed[entra_id] = latest.reason_of(result)
                    final += 1
                bar.advance(final)
                if len(good) + len(failed) >= PART:
                    out.read += _store(con, good, failed, out)
            todo = again
            if not todo:
                break


def _store(
    con: duckdb.DuckDBPyConnection,
    pending: dict[str, ReadResult],
    failed: dict[str, str],
    out: Refreshed,
    *,
    last: bool = False,
) -> int:
    """Keep what was read so far (and who could not be read), then let a waiting process in."""
    started = time.monotonic()
    kept = latest.record(con, dict(pending), "refresh", not_read=dict(failed), apply_now=False)
    pending.clear()
    failed.clear()
    if last:
        latest.apply(con)
    # between parts, give the file up only to a process that waits for it: closing a large workspace
    # (a checkpoint) and opening it again for every part would cost more than the storing itself
    if last:
        access.let_go(con)
    else:
        access.pause(con)
    out.store_seconds += time.monotonic() - started
    return kept


def _not_read_now(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[tuple[str, str]]:
    rows = con.execute(sql("execute/refresh.not_read"), {"entra_id": ids}).fetchall()
    return [(str(e), str(r)) for e, r in rows]
