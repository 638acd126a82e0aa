"""The step kinds of a rollback: undo one write of the batch, if it is still the batch's.

Each undo is decided against a fresh read: the value is back as it was (``in place``), still what the
batch wrote (``send`` the undo), or something else (``blocked``: someone changed it since, so it is
left alone and reported; rollback never overwrites another person's change). A DELETE whose target is
already gone (404) counts as applied: that is what it wanted.
"""

from __future__ import annotations

from typing import Any

from analysis.execute.kinds import auth_path, device_of, method_id
from analysis.execute.livestate import norm_phone
from analysis.execute.reads import INVENTORY
from analysis.execute.steps import Step
from analysis.execute.work import IN_PLACE, SEND, Choice, Context, Decision, Kind, Request, Work
from analysis.graph.constants import PHONE_METHOD_IDS

CHANGED = Choice(Decision.BLOCKED, "changed_since", "changed since")
UNSETTABLE = "it carries the default method this batch set, and Graph cannot unset a default method"


def _live(work: Work) -> Any:
    assert work.live is not None, "a step is decided only on a read user"
    return work.live


class UndoPhone(Kind):
    """rb_mobile / rb_alternateMobile / rb_office: PATCH the earlier number back, or DELETE."""

    @staticmethod
    def slot(step: Step) -> str:
        return step.name.removeprefix("rb_")

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        now = norm_phone(_live(work).phones.get(self.slot(step)))
        if now == norm_phone(step.before):
            return IN_PLACE
        return SEND if now == norm_phone(step.value) else CHANGED

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        slot = self.slot(step)
        path = f"{auth_path(work)}/phoneMethods/{PHONE_METHOD_IDS[slot]}"
        if step.before:
            return Request("PATCH", self.version, path, {"phoneNumber": step.before, "phoneType": slot})
        return Request("DELETE", self.version, path)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        _live(work).phones[self.slot(step)] = step.before
        return {}


class UndoDefault(Kind):
    """rb_default over an earlier default: PATCH it back."""

    version = "beta"

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        now = _live(work).preferred
        if now == step.before:
            return IN_PLACE
        return SEND if now == step.value else CHANGED

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        body = {"userPreferredMethodForSecondaryAuthentication": step.before}
        return Request("PATCH", self.version, f"{auth_path(work)}/signInPreferences", body)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        _live(work).preferred = step.before
        return {}


class UndoUnsetDefault(Kind):
    """rb_default where there was none before: Graph cannot unset a default. It clears by itself when
    its last method is deleted (the undos before this one), so this only looks, on a fresh read."""

    fresh_read = True

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        now = _live(work).preferred
        if now is None:
            return IN_PLACE
        if now == step.value:
            return Choice(Decision.BLOCKED, "left_unset", "Graph cannot unset a default method")
        return CHANGED


class UndoAssign(Kind):
    """rb_hw_unassign: remove the token from the user (beta)."""

    version = "beta"

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        serial = str(step.value)
        assigned = ((device_of(work, serial) or {}).get("assignedTo") or {}).get("id")
        return SEND if _live(work).hardware(serial) is not None or assigned == work.entra_id else IN_PLACE

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        path = f"{auth_path(work)}/hardwareOathMethods/{method_id(work, str(step.value))}"
        return Request("DELETE", self.version, path)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        serial = str(step.value)
        live = _live(work)
        live.methods = [m for m in live.methods if m.get("serial") != serial]
        device = device_of(work, serial)
        if device is not None:
            device["assignedTo"] = None
        return {}


class UndoCreate(Kind):
    """rb_hw_delete: delete the token the batch created from the inventory, unless someone has it."""

    version = "beta"

    def lookup(self, step: Step, work: Work) -> str | None:
        return str(step.value)

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        device = device_of(work, str(step.value))
        if device is None:
            return IN_PLACE
        return CHANGED if (device.get("assignedTo") or {}).get("id") else SEND

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        device = device_of(work, str(step.value)) or {}
        return Request("DELETE", self.version, f"{INVENTORY}/{device.get('id')}")

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        work.devices[str(step.value)] = None
        return {}


class UndoHandoff(Kind):
    """rb_handoff_group: remove the user from the migration group again."""

    def decide(self, step: Step, work: Work, ctx: Context) -> Choice:
        assert ctx.members is not None
        return SEND if work.entra_id in ctx.members else IN_PLACE

    def request(self, step: Step, work: Work, ctx: Context) -> Request:
        assert ctx.members is not None
        path = f"/groups/{ctx.members.group_id}/members/{work.entra_id}/$ref"
        return Request("DELETE", self.version, path)

    def effect(self, step: Step, work: Work, ctx: Context, body: Any) -> dict[str, str]:
        assert ctx.members is not None
        ctx.members.discard(work.entra_id)
        return {}


UNDO_KINDS: dict[str, Kind] = {
    "rb_phone": UndoPhone(),
    "rb_default": UndoDefault(),
    "rb_default_unset": UndoUnsetDefault(),
    "rb_hw_unassign": UndoAssign(),
    "rb_hw_delete": UndoCreate(),
    "rb_handoff_group": UndoHandoff(),
}

#: Which default a method provides: deleting it is refused while it carries a default the batch set.
PROVIDES = {
    "rb_mobile": {"sms", "voiceMobile"},
    "rb_alternateMobile": {"voiceAlternateMobile"},
    "rb_office": {"voiceOffice"},
    "rb_hw_unassign": {"oath"},
}


def holds_unsettable_default(step: Step, work: Work) -> bool:
    """True when ``step`` deletes the method behind a default this batch set over none (Graph refuses
    to delete a default method while the user has others, and the default cannot be unset)."""
    ours = next((s for s in work.steps if s.kind == "rb_default_unset"), None)
    live = work.live
    if ours is None or live is None or live.preferred != ours.value:
        return False
    return live.preferred in PROVIDES.get(step.name, set())
