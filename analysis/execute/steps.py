"""Steps as data: what a batch writes for one user, derived by pure functions from its frozen rows.

A *step* is one write of one user, named as the journal names it (the idempotency key is
``<batch>:<user>:<step>``, rollback's ``rb:<batch>:<user>:<step>``). Its *kind* selects the handler
(:mod:`analysis.execute.kinds`, :mod:`analysis.execute.undo`) that builds its request, tests whether it
is already in place against live state, and applies its effect. Nothing here talks to Graph or the
workspace: the same rows always give the same steps, which is what lets ``batch explain`` show exactly
what a run sends.

Per user, a run writes in this order (Graph requires a mobile before an alternate): mobile, alternate
and office phone; a hardware OATH token (create in the inventory, assign, activate); the default
method; then the hand-off of what only Microsoft's utility can create (the migration group, or a
Temporary Access Pass for re-registration). Rollback undoes them in reverse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.execute.livestate import Expectations
from analysis.execute.options import ExecOptions
from analysis.graph.constants import PHONE_TYPES
from analysis.simulate.actions import lookup

HW_STEPS = ("hw_create", "hw_assign", "hw_activate")
#: Journal step names of a run, in the order a user's steps go.
RUN_STEPS = (*PHONE_TYPES, *HW_STEPS, "default", "handoff_group", "campaign_group", "tap")
#: Rollback step names, in the order a user's undo goes.
UNDO_STEPS = (
    "rb_default",
    "rb_hw_unassign",
    "rb_hw_delete",
    "rb_office",
    "rb_alternateMobile",
    "rb_mobile",
    "rb_handoff_group",
    "rb_campaign_group",
)


@dataclass(frozen=True)
class Step:
    """One write of one user. ``kind`` selects the handler; ``name`` is the journal's step name.

    ``value`` is what the step writes (a phone number, a default method, a token serial, a group);
    ``before`` what rollback restores (None: delete, or for ``rb_default``: Graph cannot unset it).
    """

    name: str
    kind: str
    row_no: int | None = None
    value: str | None = None
    before: str | None = None


@dataclass(frozen=True)
class UserPlan:
    """A user's steps, and what the batch itself may change (so its own writes are not drift)."""

    steps: tuple[Step, ...]
    expect: Expectations
    utility: bool  # the user has devices / software OATH only Microsoft's utility can create


def plan_user(rows: Iterable[Sequence[Any]], options: ExecOptions) -> UserPlan:
    """The run steps of one user from the batch's frozen rows ``(row_no, item, ref, action, value,
    writable)``, in write order. A campaign batch (``options.campaign``) writes none of the rows: it adds
    the user to ``campaign_group`` if one is set (the group kind of the migration group's hand-off),
    then issues a Temporary Access Pass."""
    if options.campaign:
        group = Step("campaign_group", "handoff_group", None, options.campaign_group)
        issue = (group, Step("tap", "tap")) if options.campaign_group else (Step("tap", "tap"),)
        return UserPlan(issue, Expectations({}, None, frozenset(), False), False)
    phones: dict[str, Step] = {}
    hardware: list[Step] = []
    default: Step | None = None
    utility = False
    for row_no, item, ref, action, value, writable in rows:
        entry = lookup(item, action)  # the vocabulary says which step carries a row out
        step = entry.step if entry is not None else None
        if writable == "utility" or step == "handoff":
            utility = True
        elif writable != "graph" or entry is None:
            continue
        elif step == "phone" and entry.phone_type is not None:
            phones[entry.phone_type] = Step(entry.phone_type, "phone", row_no, value)
        elif step == "hardware_oath":
            hardware = [Step(name, name, row_no, str(ref)) for name in HW_STEPS]
        elif step == "default":
            default = Step("default", "default", row_no, value)
    steps = [phones[slot] for slot in PHONE_TYPES if slot in phones] + hardware
    if default is not None:
        steps.append(default)
    if utility and options.handoff == "group":
        steps.append(Step("handoff_group", "handoff_group", None, options.migration_group))
    elif utility and options.handoff == "reregister" and options.tap:
        steps.append(Step("tap", "tap"))
    expect = Expectations(
        phones={s.name: str(s.value) for s in phones.values()},
        preferred=default.value if default else None,
        hardware_serials=frozenset(str(s.value) for s in hardware[:1]),
        utility=utility,
    )
    return UserPlan(tuple(steps), expect, utility)


def plan_undo(applied: set[str], wrote: dict[str, str], before: dict[str, Any]) -> tuple[Step, ...]:
    """The rollback steps of one user: undo each run step in ``applied`` (the journal says this batch
    wrote it), restoring ``before`` (the before-image). ``wrote`` maps step names to what the batch
    wrote there (``hw``: the token serial).

    Graph cannot unset a default method: where the batch set one over none, the default clears by
    itself when its method is deleted, so that check comes last (on a fresh read) and is reported if
    the default is still the batch's.
    """
    steps: list[Step] = []
    unset_default = "default" in applied and before.get("preferred") is None
    if "default" in applied and not unset_default:
        steps.append(Step("rb_default", "rb_default", None, wrote.get("default"), before.get("preferred")))
    if "hw_assign" in applied or "hw_activate" in applied:
        steps.append(Step("rb_hw_unassign", "rb_hw_unassign", None, wrote.get("hw")))
    if "hw_create" in applied:
        steps.append(Step("rb_hw_delete", "rb_hw_delete", None, wrote.get("hw")))
    for slot in reversed(PHONE_TYPES):  # office, alternate, then mobile: Graph wants the mobile last
        if slot in applied:
            steps.append(Step(f"rb_{slot}", "rb_phone", None, wrote.get(slot), before.get(slot)))
    if "handoff_group" in applied:
        steps.append(Step("rb_handoff_group", "rb_handoff_group"))
    if "campaign_group" in applied:
        steps.append(Step("rb_campaign_group", "rb_handoff_group"))
    if unset_default:
        steps.append(Step("rb_default", "rb_default_unset", None, wrote.get("default"), None))
    return tuple(steps)


def written_values(rows: Iterable[Sequence[Any]]) -> dict[str, str]:
    """What one user's frozen Graph rows ``(item, action, ref, value)`` write, by run step name
    (``hw``: the token serial)."""
    out: dict[str, str] = {}
    for item, action, ref, value in rows:
        entry = lookup(item, action)
        if entry is None:
            continue
        if entry.step == "phone" and entry.phone_type:
            out[entry.phone_type] = value
        elif entry.step == "hardware_oath":
            out["hw"] = str(ref)
        elif entry.step == "default":
            out["default"] = value
    return out
