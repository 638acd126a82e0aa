"""The working state one user's steps are decided on, shared by the step kinds, the pipeline and
``batch explain``.

A :class:`Work` is built from the batch's frozen rows (its steps), the journal (which steps are done,
which were sent without a known outcome, the ids earlier answers gave) and, once read, the user's live
Entra state. A step *kind* (:class:`Kind`) looks only at a ``Work`` and the batch's :class:`Context`, so
deciding from a live read (a run) and from the plan's assumptions (``batch explain``) is the same code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from analysis.execute.livestate import Expectations, LiveState
from analysis.execute.options import ExecOptions
from analysis.execute.steps import Step


class Decision(StrEnum):
    """What to do about a step, given the user's state."""

    IN_PLACE = "in_place"  # its effect is there already: nothing to send
    SEND = "send"
    HANDED_OFF = "handed_off"  # left to Microsoft's utility (a default whose method the utility creates)
    BLOCKED = "blocked"  # must not be sent: a run fails the user; a rollback leaves it and reports it


@dataclass(frozen=True)
class Choice:
    decision: Decision
    outcome: str = ""  # the journal note for HANDED_OFF/BLOCKED (e.g. changed_since, left_unset)
    reason: str = ""  # for people


IN_PLACE = Choice(Decision.IN_PLACE)
SEND = Choice(Decision.SEND)


@dataclass(frozen=True)
class Request:
    """One write: ``path`` is relative to the version. ``body`` may hold secrets; the journal redacts."""

    method: str
    version: str
    path: str
    body: Any = None

    @property
    def url(self) -> str:
        return f"/{self.version}{self.path}"


class GroupMembers:
    """The Migration Utility's group as one listing (refreshed to settle an unknown outcome)."""

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        self._members: set[str] | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._members is not None

    def load(self, client: Any) -> None:
        listing = client.paged(f"/groups/{self.group_id}/members", params={"$select": "id"})
        members = {str(m.get("id")) for m in listing}
        with self._lock:
            self._members = members

    def assume(self, members: set[str]) -> None:
        """Take ``members`` as the listing (``batch explain``: what the plan assumed, no read)."""
        with self._lock:
            self._members = set(members)

    def __contains__(self, entra_id: object) -> bool:
        with self._lock:
            assert self._members is not None, "membership is decided only on a listing"
            return entra_id in self._members

    def add(self, entra_id: str) -> None:
        with self._lock:
            if self._members is not None:
                self._members.add(entra_id)

    def discard(self, entra_id: str) -> None:
        with self._lock:
            if self._members is not None:
                self._members.discard(entra_id)


@dataclass
class Context:
    """What every user's steps in one batch share."""

    options: ExecOptions
    graph_root: str  # the service root, for @odata.id references
    members: GroupMembers | None = None
    secret: Callable[[str], str] = lambda _username: ""  # OATH secret of a user, read when needed
    time_step: Callable[[str], int] = lambda _username: 30
    delivered_taps: set[str] = field(default_factory=set)  # TAP method ids written to --tap-out
    deliver_tap: Callable[[Work, dict[str, Any]], None] | None = None


@dataclass
class Progress:
    """Where one step stands in this run."""

    done: bool = False
    open: bool = False  # sent without a known outcome: re-read before anything else
    failed: str | None = None
    handed_off: bool = False
    left: str | None = None  # rollback: deliberately left as it is (why)
    sends: int = 0  # sends in this run
    refused: int | None = None  # the status Graph refused the last send with


@dataclass
class Work:
    """One user in a run or rollback."""

    user_id: int
    username: str
    entra_id: str
    steps: tuple[Step, ...]
    before_image: str | None = None
    assumed: dict[str, Any] | None = None  # run: the Entra state the plan assumed
    expect: Expectations | None = None  # run: what the batch itself changes (not drift)
    utility: bool = False
    progress: dict[str, Progress] = field(default_factory=dict)
    ids: dict[str, dict[str, str]] = field(default_factory=dict)  # step name -> ids journaled
    live: LiveState | None = None
    devices: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # serial -> inventory device
    read_at: int = 0  # writes answered when the live state was read (a kind may want a fresher read)
    writes: int = 0
    needs_read: bool = True
    in_flight: bool = False
    check: str | None = None  # a step Graph refused: re-read to see whether it is in place anyway
    read_failures: int = 0
    status: str = "pending"
    detail: str | None = None
    replan: str | None = None

    def __post_init__(self) -> None:
        for step in self.steps:
            self.progress.setdefault(step.name, Progress())

    def next_step(self) -> Step | None:
        """The first step still to do (in order: a user's steps never overtake each other)."""
        for step in self.steps:
            p = self.progress[step.name]
            if not (p.done or p.handed_off or p.left or p.failed):
                return step
        return None

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def id_of(self, step: str, what: str) -> str | None:
        return (self.ids.get(step) or {}).get(what)


class Kind:
    """How one kind of step is carried out. Subclasses override what they need."""

    version = "v1.0"
    #: Decide only on a read taken after the user's last write (rollback's "is the default still ours").
    fresh_read = False

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        raise NotImplementedError

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        raise NotImplementedError

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        """Apply a successful answer to the user's state; return the ids later steps need."""
        return {}

    def found(self, step: Step, work: Work, ctx: Context) -> dict[str, str]:
        """The ids a read shows for a step found in place (an unknown outcome resolved ``applied``)."""
        return {}

    def unknown_outcome(self, step: Step, work: Work, ctx: Context) -> str:
        """How a re-read settles a send whose answer was lost: ``applied`` or ``not_applied``."""
        return "applied" if self.decide(step, work, ctx).decision is Decision.IN_PLACE else "not_applied"

    def lookup(self, step: Step, work: Work) -> str | None:
        """A token serial the read must look up in the inventory for this step, if any."""
        return None
