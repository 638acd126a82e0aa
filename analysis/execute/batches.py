"""Batches: a chosen set of users with their plan rows frozen under a hash, and the approval around them.

A batch is the unit a change board approves and the executor runs (DESIGN §5). Its life::

    draft ──approve──▶ approved ──run──▶ running ──▶ completed | partial | failed ──verify──▶ verified
      ▲                   │                               │
      └──approval void────┘ (plan hash changed)           └──rollback──▶ rolling_back ──▶ rolled_back

* The plan rows are copied into ``batch_rows`` when the batch is created; ``plan_hash`` is SHA-256 over
  those rows in a canonical order plus the settings fingerprint. What the approver approves is that
  hash (``approved_hash``).
* Before a run the rows are hashed again (they must still be what was approved) and, for a first run,
  the batch's users are planned again on the current workspace: if that plan differs, the approval is
  void and the batch goes back to draft. A change board never approves one thing and gets another.
* Every state change is an append-only ``batch_events`` row with who and when.

Execution options (how to hand devices to Microsoft's utility, whether approver and creator must
differ) come from an optional ``[execute]`` section in the same TOML file as the simulator settings;
they are frozen into the batch at creation so nobody changes the rule after the fact.
"""

from __future__ import annotations

import csv
import getpass
import json
import os
import tomllib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from analysis.errors import UserError
from analysis.simulate.settings import Settings
from analysis.sqlfiles import sql

STATES = (
    "draft",
    "approved",
    "running",
    "completed",
    "partial",
    "failed",
    "verified",
    "rolling_back",
    "rolled_back",
)
#: Allowed state changes. ``running`` → ``running`` is a resume after a crash.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"approved"}),
    "approved": frozenset({"running", "draft"}),
    "running": frozenset({"running", "completed", "partial", "failed"}),
    "completed": frozenset({"verified", "rolling_back"}),
    "partial": frozenset({"running", "verified", "rolling_back"}),
    "failed": frozenset({"running", "rolling_back"}),
    "verified": frozenset({"verified", "rolling_back"}),
    "rolling_back": frozenset({"rolling_back", "rolled_back"}),
    "rolled_back": frozenset(),
}
#: States from which ``batch run`` continues an earlier run (resume) rather than starting one.
RESUMABLE = frozenset({"running", "partial", "failed"})
HANDOFFS = ("group", "reregister", "none")
#: Plan tables the batch code may read (identifiers come from this list only).
PLAN_TABLES = ("plan", "plan_batch", "plan_replan")


@dataclass(frozen=True)
class ExecOptions:
    """The ``[execute]`` section: how a batch is carried out and approved.

    ``handoff``: what to do for users with devices / software OATH that only Microsoft's utility can
    create: ``group`` adds them to ``migration_group`` (the utility's migration group, by id or
    display name), ``reregister`` flags them for re-registration (optionally issuing a Temporary
    Access Pass), ``none`` only reports them.
    """

    handoff: str = "none"
    migration_group: str = ""
    tap: bool = False
    tap_lifetime_minutes: int = 480
    require_distinct_approver: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> ExecOptions:
        known = {f for f in cls.__dataclass_fields__}
        for key in data:
            if key not in known:
                raise UserError(
                    f"unknown settings key 'execute.{key}' in {source}; known keys in [execute]: "
                    + ", ".join(sorted(known))
                )
        d = cls()
        handoff = data.get("handoff", d.handoff)
        if handoff not in HANDOFFS:
            raise UserError(
                f"settings key 'execute.handoff' in {source} has {handoff!r}; allowed: {', '.join(HANDOFFS)}"
            )
        group = data.get("migration_group", d.migration_group)
        if not isinstance(group, str):
            raise UserError(f"settings key 'execute.migration_group' in {source} must be a group name or id")
        if handoff == "group" and not group.strip():
            raise UserError(
                f"settings key 'execute.handoff' in {source} is \"group\" but 'execute.migration_group' "
                "is empty; name the Migration Utility's migration group (display name or id)"
            )
        for key in ("tap", "require_distinct_approver"):
            if not isinstance(data.get(key, getattr(d, key)), bool):
                raise UserError(f"settings key 'execute.{key}' in {source} must be true or false")
        lifetime = data.get("tap_lifetime_minutes", d.tap_lifetime_minutes)
        if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not 10 <= lifetime <= 43200:
            raise UserError(
                f"settings key 'execute.tap_lifetime_minutes' in {source} must be a whole number of "
                "minutes from 10 to 43200 (Graph's range)"
            )
        return cls(
            handoff=handoff,
            migration_group=group.strip(),
            tap=data.get("tap", d.tap),
            tap_lifetime_minutes=lifetime,
            require_distinct_approver=data.get("require_distinct_approver", d.require_distinct_approver),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ExecOptions:
        return cls(**json.loads(text))


def read_settings(path: str | Path | None) -> tuple[Settings, ExecOptions]:
    """Simulator settings and execution options from one TOML file (or the defaults).

    The ``[execute]`` section is taken out before the rest goes to :class:`Settings`, which rejects
    sections it does not know.
    """
    if path is None:
        return Settings.default(), ExecOptions()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"settings file {p} does not exist; give an existing TOML file or leave it out"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read settings file {p}: {exc}. Give a readable UTF-8 TOML file.") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"settings file {p} is not valid TOML ({exc}); fix the syntax") from None
    execute = data.pop("execute", {})
    if not isinstance(execute, dict):
        raise UserError(f"settings 'execute' in {p} must be a table ([execute])")
    return Settings.from_dict(data, source=str(p)), ExecOptions.from_dict(execute, str(p))


def settings_fingerprint(settings: Settings) -> str:
    """Lower-case hex SHA-256 of the settings' canonical TOML (part of the plan hash)."""
    import hashlib

    return hashlib.sha256(settings.to_toml().encode("utf-8")).hexdigest()


def current_actor(given: str | None = None) -> str:
    """``--as NAME`` if given, else the operating-system user (never empty)."""
    if given and given.strip():
        return given.strip()
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): fall back to the uid
        return f"uid:{os.getuid()}"


def now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------------------- schema


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create execution's kept-across-loads tables if missing (never drops or replaces anything)."""
    con.execute(sql("execute/schema"))


@dataclass(frozen=True)
class Batch:
    """One row of ``batches``."""

    batch_id: int
    name: str
    state: str
    selection: str
    settings_toml: str
    settings_signature: str
    selection_signature: str
    options: ExecOptions
    plan_hash: str
    load_id: str | None
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    approved_hash: str | None
    approval_note: str | None
    agreement: float | None

    @property
    def settings(self) -> Settings:
        return Settings.from_dict(tomllib.loads(self.settings_toml), source=f"batch {self.name}")

    @property
    def label(self) -> str:
        return f"batch {self.batch_id} ({self.name})"


def _batch_from_row(row: tuple[Any, ...]) -> Batch:
    values = list(row)
    values[7] = ExecOptions.from_json(values[7])
    return Batch(*values)


def get_batch(con: duckdb.DuckDBPyConnection, ref: str | int) -> Batch:
    """A batch by number or by name; a UserError names what was asked for when there is none."""
    ensure_schema(con)
    text = str(ref).strip()
    row = None
    if text.isdigit():
        row = con.execute(sql("execute/batch_by_id"), [int(text)]).fetchone()
    if row is None:
        row = con.execute(sql("execute/batch_by_name"), [text]).fetchone()
    if row is None:
        raise UserError(
            f"there is no batch {text!r} in this workspace; `mfa-migrate batch list` shows the batches"
        )
    return _batch_from_row(row)


def list_batches(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """One summary row per batch, newest first."""
    ensure_schema(con)
    return con.execute(sql("execute/batch_list")).fetchall()


def record_event(
    con: duckdb.DuckDBPyConnection,
    batch_id: int,
    actor: str,
    event: str,
    from_state: str | None,
    to_state: str | None,
    detail: str | None = None,
) -> None:
    con.execute(sql("execute/event_insert"), [batch_id, now(), actor, event, from_state, to_state, detail])


def transition(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    to_state: str,
    actor: str,
    event: str,
    detail: str | None = None,
) -> Batch:
    """Move a batch to ``to_state`` (checked against :data:`TRANSITIONS`) and record the event.

    The update is conditional on the state read, so two writers cannot both move the same batch.
    """
    if to_state not in TRANSITIONS[batch.state]:
        raise UserError(f"{batch.label} is {batch.state}; it cannot become {to_state}")
    con.execute("BEGIN TRANSACTION")
    try:
        changed = con.execute(
            sql("execute/batch_set_state"), [to_state, batch.batch_id, batch.state]
        ).fetchall()
        if not changed:
            raise UserError(
                f"{batch.label} changed state while this command ran; look at `batch show` and retry"
            )
        record_event(con, batch.batch_id, actor, event, batch.state, to_state, detail)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return get_batch(con, batch.batch_id)


def events(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[tuple[Any, ...]]:
    return con.execute(sql("execute/batch_events"), [batch_id]).fetchall()


# ---------------------------------------------------------------------------------------- hashing


def hash_rows(con: duckdb.DuckDBPyConnection, source: str, batch_id: int | None, fingerprint: str) -> str:
    """SHA-256 (hex) over plan rows in canonical order plus the settings fingerprint.

    ``source`` is ``"batch"`` (the frozen rows of ``batch_id``) or one of :data:`PLAN_TABLES` (a
    re-plan restricted to ``batch_id``'s users). The canonical form is built in SQL
    (``queries/execute/plan_hash.sql``): one JSON array per row, sorted, joined by newlines.
    """
    if source == "batch":
        con.execute(sql("execute/hash_rows_batch"), [batch_id])
    elif source in PLAN_TABLES:
        con.execute(f"CREATE OR REPLACE TEMP VIEW exec_plan_source AS SELECT * FROM {source}")
        con.execute(sql("execute/hash_rows_replan"), [batch_id])
    else:
        raise ValueError(f"unknown hash source {source!r}")
    row = con.execute(sql("execute/plan_hash"), [fingerprint]).fetchone()
    assert row is not None
    return str(row[0])


# ---------------------------------------------------------------------------------------- creation


@dataclass
class Selection:
    """How the users were chosen: exactly one of ``users_file``, ``group``, ``where``, ``user_ids``."""

    users_file: Path | None = None
    group: str | None = None
    where: str | None = None
    user_ids: list[int] | None = None  # programmatic (sync): MFA Server user ids

    def describe(self) -> str:
        if self.users_file is not None:
            return f"users:{self.users_file}"
        if self.group is not None:
            return f"group:{self.group}"
        if self.where is not None:
            return f"where:{self.where}"
        return f"user_ids:{len(self.user_ids or [])}"


@dataclass
class Created:
    batch: Batch
    users: int
    rows: int
    excluded: list[tuple[str, int]]  # (user action, count) of selected users with nothing to migrate
    overlapping: int  # users already in another open batch


def _read_users_file(path: Path) -> list[tuple[int, str]]:
    """(line, name) pairs: one username or UPN per line, or a CSV with a ``username`` (or ``upn``) column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"users file {path} does not exist; give a file with one username per line") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read users file {path}: {exc}. Give a UTF-8 text file.") from None
    lines = text.splitlines()
    out: list[tuple[int, str]] = []
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    header = [h.strip().lower() for h in next(csv.reader([first]))] if first else []
    column = next((c for c in ("username", "upn", "userprincipalname") if c in header), None)
    if column is not None:
        reader = csv.DictReader(lines)
        index = header.index(column)
        for number, record in enumerate(reader, start=2):
            values = list(record.values())
            name = (values[index] or "").strip() if index < len(values) and values[index] else ""
            if name:
                out.append((number, name))
    else:
        for number, line in enumerate(lines, start=1):
            name = line.strip()
            if name and not name.startswith("#"):
                out.append((number, name))
    if not out:
        raise UserError(f"users file {path} names no users; put one username or UPN per line")
    return out


def _selected_user_ids(con: duckdb.DuckDBPyConnection, plan_table: str, selection: Selection) -> list[int]:
    """The MFA Server user ids the selection names (validated; errors name the file line or group)."""
    import pyarrow as pa

    con.execute(f"CREATE OR REPLACE TEMP VIEW exec_plan_source AS SELECT * FROM {plan_table}")
    if selection.users_file is not None:
        wanted = _read_users_file(selection.users_file)
        table = pa.table({"line": [n for n, _ in wanted], "name": [s for _, s in wanted]})
        con.register("exec_wanted_users", table)
        try:
            missing = con.execute(sql("execute/select_users_missing")).fetchall()
            if missing:
                shown = "; ".join(f"line {line}: {name!r}" for line, name in missing[:5])
                more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
                raise UserError(
                    f"users file {selection.users_file}: {len(missing)} name(s) match no MFA Server user "
                    f"(by username or UPN) in this workspace: {shown}{more}. Fix or remove those lines."
                )
            ids = [r[0] for r in con.execute(sql("execute/select_users_file")).fetchall()]
        finally:
            con.unregister("exec_wanted_users")
        return ids
    if selection.group is not None:
        found = con.execute(sql("execute/group_lookup"), [selection.group]).fetchall()
        if not found:
            raise UserError(
                f"there is no Entra group {selection.group!r} (by id or display name) in the workspace's "
                "tenant snapshot; check the name, or reload a newer snapshot"
            )
        return [r[0] for r in con.execute(sql("execute/select_group"), [selection.group]).fetchall()]
    if selection.where is not None:
        return _select_where(con, selection.where)
    return list(selection.user_ids or [])


def _select_where(con: duckdb.DuckDBPyConnection, predicate: str) -> list[int]:
    """Users with any plan row matching an operator-written SQL predicate.

    The predicate is the one piece of SQL an operator writes, so it runs in a separate in-memory
    database that holds nothing but a copy of the plan rows: it cannot read or change the workspace.
    It must be a single expression (no statement separators).
    """
    text = predicate.strip()
    if not text:
        raise UserError("--where is empty; give a predicate on the plan, e.g. \"item = 'oath_token'\"")
    rows = con.sql(sql("execute/plan_for_where")).to_arrow_table()
    sandbox = duckdb.connect(":memory:", config={"enable_external_access": False})
    try:
        sandbox.register("plan_rows", rows)
        sandbox.execute("CREATE TABLE plan AS SELECT * FROM plan_rows")
        sandbox.unregister("plan_rows")
        query = f"SELECT DISTINCT user_id FROM plan WHERE ({text})"  # the documented operator predicate
        statements = duckdb.extract_statements(query)
        if len(statements) != 1:
            raise UserError(
                f"--where must be one SQL expression on the plan's columns, not several statements: {text!r}"
            )
        return [int(r[0]) for r in sandbox.execute(query).fetchall()]
    except duckdb.Error as exc:
        raise UserError(
            f"--where {text!r} is not a valid predicate on the plan ({str(exc).splitlines()[0]}). Columns: "
            "username, upn, item, ref, action, value, reason, writable, entra_id."
        ) from None
    finally:
        sandbox.close()


def create_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    name: str,
    plan_table: str,
    selection: Selection,
    settings: Settings,
    options: ExecOptions,
    actor: str,
) -> Created:
    """Freeze the plan rows of the selected users into a new draft batch.

    ``plan_table`` must hold the simulator's plan made with ``settings`` on this workspace. Only users
    whose ``user`` row says ``migrate`` are taken; the others are counted in :attr:`Created.excluded`.
    """
    if plan_table not in PLAN_TABLES:
        raise ValueError(f"plan table must be one of {PLAN_TABLES}")
    ensure_schema(con)
    name = name.strip()
    if not name:
        raise UserError("a batch needs a name (--name), e.g. --name wave-1")
    if con.execute(sql("execute/batch_by_name"), [name]).fetchone():
        raise UserError(f"a batch named {name!r} already exists; choose another --name")
    ids = _selected_user_ids(con, plan_table, selection)
    if not ids:
        raise UserError(f"the selection ({selection.describe()}) contains no MFA Server users")
    import pyarrow as pa

    con.register("exec_selected_ids", pa.table({"user_id": pa.array(ids, pa.int64())}))
    try:
        excluded = [(str(a), int(n)) for a, n in con.execute(sql("execute/selection_excluded")).fetchall()]
        fingerprint = settings_fingerprint(settings)
        row = con.execute(sql("execute/load_latest")).fetchone()
        load_id = row[0] if row else None
        con.execute("BEGIN TRANSACTION")
        try:
            batch_id = int(con.execute(sql("execute/batch_next_id")).fetchone()[0])  # type: ignore[index]
            con.execute(sql("execute/freeze_users"), [batch_id])
            users = int(con.execute(sql("execute/batch_user_count"), [batch_id]).fetchone()[0])  # type: ignore[index]
            if users == 0:
                raise UserError(
                    f"none of the {len(ids)} selected user(s) has anything to migrate ("
                    + ", ".join(f"{a}: {n}" for a, n in excluded)
                    + "); nothing to put in a batch"
                )
            con.execute(sql("execute/freeze_rows"), [batch_id])
            rows = int(con.execute(sql("execute/batch_row_count"), [batch_id]).fetchone()[0])  # type: ignore[index]
            plan_hash = hash_rows(con, "batch", batch_id, fingerprint)
            con.execute(
                sql("execute/batch_insert"),
                [
                    batch_id,
                    name,
                    "draft",
                    selection.describe(),
                    settings.to_toml(),
                    fingerprint,
                    settings.signature(),
                    options.to_json(),
                    plan_hash,
                    load_id,
                    actor,
                    now(),
                ],
            )
            record_event(
                con,
                batch_id,
                actor,
                "created",
                None,
                "draft",
                f"{users} users, {rows} rows, hash {plan_hash[:12]}",
            )
            overlapping = int(con.execute(sql("execute/batch_overlap"), [batch_id]).fetchone()[0])  # type: ignore[index]
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("exec_selected_ids")
    return Created(get_batch(con, batch_id), users, rows, excluded, overlapping)


# ---------------------------------------------------------------------------------------- approval


def approve(con: duckdb.DuckDBPyConnection, ref: str | int, actor: str, note: str | None = None) -> Batch:
    """Approve a draft batch as ``actor``: the approval binds to the batch's current plan hash."""
    batch = get_batch(con, ref)
    if batch.state != "draft":
        raise UserError(f"{batch.label} is {batch.state}; only a draft batch can be approved")
    check_integrity(con, batch)
    if batch.options.require_distinct_approver and actor.casefold() == batch.created_by.casefold():
        raise UserError(
            f"{batch.label} was created by {batch.created_by!r}, and its rules require a different approver; "
            "ask another administrator to approve it (batch approve N --as THEIR-NAME)"
        )
    con.execute("BEGIN TRANSACTION")
    try:
        changed = con.execute(
            sql("execute/batch_approve"), [actor, now(), batch.plan_hash, note, batch.batch_id]
        ).fetchall()
        if not changed:
            raise UserError(
                f"{batch.label} changed while it was being approved; look at `batch show` and retry"
            )
        record_event(con, batch.batch_id, actor, "approved", "draft", "approved", note)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return get_batch(con, batch.batch_id)


def void_approval(con: duckdb.DuckDBPyConnection, batch: Batch, actor: str, why: str) -> Batch:
    """Back to draft, approval cleared, with the reason recorded."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql("execute/batch_void_approval"), [batch.batch_id])
        record_event(con, batch.batch_id, actor, "approval_voided", batch.state, "draft", why)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return get_batch(con, batch.batch_id)


def check_integrity(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """The frozen rows still hash to the recorded plan hash (and to the approved one, if approved)."""
    actual = hash_rows(con, "batch", batch.batch_id, batch.settings_signature)
    if actual != batch.plan_hash:
        raise UserError(
            f"{batch.label}: its frozen plan rows no longer match the recorded hash (recorded "
            f"{batch.plan_hash[:12]}, now {actual[:12]}); the workspace was edited outside mfa-migrate. "
            "Do not run it: create a new batch."
        )
    if batch.approved_hash is not None and batch.approved_hash != batch.plan_hash:
        raise UserError(f"{batch.label}: the approved hash differs from the plan hash; create a new batch")


def replan_hash(con: duckdb.DuckDBPyConnection, batch: Batch, plan_table: str) -> str:
    """The hash the batch's users would get from ``plan_table`` (a fresh plan with the batch's settings)."""
    return hash_rows(con, plan_table, batch.batch_id, batch.settings_signature)


def batch_users(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[tuple[Any, ...]]:
    return con.execute(sql("execute/batch_users_all"), [batch_id]).fetchall()
