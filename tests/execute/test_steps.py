"""Steps as data: the pure functions that turn a batch's frozen rows into a user's run and undo steps,
and the step kinds deciding against a given state (no Graph, no workspace)."""

from __future__ import annotations

from analysis.execute.kinds import KINDS
from analysis.execute.livestate import LiveState
from analysis.execute.options import ExecOptions
from analysis.execute.steps import plan_undo, plan_user, written_values
from analysis.execute.undo import UNDO_KINDS
from analysis.execute.work import Context, Decision, GroupMembers, Work

ROWS = [  # (row_no, item, ref, action, value, writable), as frozen
    (1, "user", None, "migrate", None, "none"),
    (2, "default_method", "default_method", "set_default", "oath", "graph"),
    (3, "backup_phone", "backup_phone", "write_alternate", "+1 2065550101", "graph"),
    (4, "phone", "phone", "write_mobile", "+44 7700900123", "graph"),
    (5, "oath_token", "SN1", "create_hardware_oath", None, "graph"),
    (6, "device", "17", "create_device", None, "utility"),
]


def test_a_users_steps_come_in_write_order_from_the_rows_alone() -> None:
    plan = plan_user(ROWS, ExecOptions(handoff="group", migration_group="G"))
    names = [s.name for s in plan.steps]
    assert names == [
        "mobile",
        "alternateMobile",
        "hw_create",
        "hw_assign",
        "hw_activate",
        "default",
        "handoff_group",
    ]
    assert plan.utility and plan.expect.preferred == "oath" and plan.expect.hardware_serials == {"SN1"}
    assert plan.expect.phones == {"mobile": "+44 7700900123", "alternateMobile": "+1 2065550101"}
    assert plan_user(ROWS, ExecOptions(handoff="group", migration_group="G")) == plan  # pure
    tap = plan_user(ROWS, ExecOptions(handoff="reregister", tap=True))
    assert tap.steps[-1].name == "tap"
    assert plan_user(ROWS, ExecOptions(handoff="none")).steps[-1].name == "default"


def test_undo_goes_in_reverse_and_leaves_an_unsettable_default_for_last() -> None:
    wrote = written_values([(r[1], r[3], r[2], r[4]) for r in ROWS if r[5] == "graph"])
    applied = {
        "mobile",
        "alternateMobile",
        "hw_create",
        "hw_assign",
        "hw_activate",
        "default",
        "handoff_group",
    }
    steps = plan_undo(applied, wrote, {"preferred": None, "mobile": None, "alternateMobile": None})
    assert [s.name for s in steps] == [
        "rb_hw_unassign",
        "rb_hw_delete",
        "rb_alternateMobile",
        "rb_mobile",
        "rb_handoff_group",
        "rb_default",
    ]
    assert steps[-1].kind == "rb_default_unset" and steps[0].value == "SN1"
    back = plan_undo({"default", "mobile"}, wrote, {"preferred": "sms", "mobile": "+44 1"})
    assert [(s.name, s.kind, s.before) for s in back] == [
        ("rb_default", "rb_default", "sms"),
        ("rb_mobile", "rb_phone", "+44 1"),
    ]


def _work(live: LiveState) -> tuple[Work, Context]:
    plan = plan_user(ROWS, ExecOptions(handoff="group", migration_group="G"))
    work = Work(1, "alice", "e1", plan.steps, None, {}, plan.expect, utility=True, live=live)
    members = GroupMembers("g1")
    members.assume({"e1"})
    return work, Context(ExecOptions(handoff="group", migration_group="G"), "https://graph", members=members)


def test_kinds_decide_against_the_state_they_are_given() -> None:
    live = LiveState(preferred=None)
    live.phones["mobile"] = "+44 7700 900123"  # spaces do not matter
    work, ctx = _work(live)
    decide = {s.name: KINDS[s.kind].decide(s, work, ctx).decision for s in work.steps}
    assert decide["mobile"] is Decision.IN_PLACE
    assert decide["alternateMobile"] is Decision.SEND and decide["hw_create"] is Decision.SEND
    assert decide["handoff_group"] is Decision.IN_PLACE  # already a member
    alt = work.step("alternateMobile")
    assert alt is not None
    request = KINDS["phone"].request(alt, work, ctx)
    assert (request.method, request.url) == ("POST", "/v1.0/users/e1/authentication/phoneMethods")
    mobile = work.step("mobile")
    assert mobile is not None
    work.live.phones["mobile"] = "+44 7700900999"  # type: ignore[union-attr]
    patch = KINDS["phone"].request(mobile, work, ctx)
    assert patch.method == "PATCH" and patch.url.endswith(
        "/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7"
    )


def test_a_token_step_uses_the_ids_earlier_answers_gave() -> None:
    work, ctx = _work(LiveState())
    create = work.step("hw_create")
    assert create is not None
    ids = KINDS["hw_create"].effect(create, work, ctx, {"id": "dev-1"})
    assert ids == {"device": "dev-1"}
    work.ids["hw_create"] = ids
    assign = work.step("hw_assign")
    assert assign is not None
    assert KINDS["hw_assign"].request(assign, work, ctx).body == {"device": {"id": "dev-1"}}
    # A resumed run knows the device only from the journal (nothing in memory, no read of it).
    fresh, _ = _work(LiveState())
    fresh.ids["hw_create"] = {"device": "dev-1"}
    fresh.progress["hw_create"].done = True
    assert KINDS["hw_assign"].request(assign, fresh, ctx).body == {"device": {"id": "dev-1"}}
    assert KINDS["hw_assign"].lookup(assign, fresh) is None  # no inventory search needed
    fresh.ids["hw_assign"] = {"method": "m-1"}
    activate = work.step("hw_activate")
    assert activate is not None
    assert "/hardwareOathMethods/m-1/activate" in KINDS["hw_activate"].request(activate, fresh, ctx).path


def test_a_default_is_left_to_the_utility_when_its_method_does_not_exist_yet() -> None:
    rows = [r for r in ROWS if r[3] != "create_hardware_oath"]
    rows[1] = (2, "default_method", "default_method", "set_default", "push", "graph")
    plan = plan_user(rows, ExecOptions(handoff="group", migration_group="G"))
    work = Work(1, "alice", "e1", plan.steps, live=LiveState(), utility=True)
    default = work.step("default")
    assert default is not None
    choice = KINDS["default"].decide(default, work, Context(ExecOptions(), "https://graph"))
    assert choice.decision is Decision.HANDED_OFF


def test_undo_kinds_restore_only_what_is_still_the_batchs() -> None:
    steps = plan_undo({"mobile"}, {"mobile": "+44 2"}, {"mobile": "+44 1"})
    step = steps[0]
    ctx = Context(ExecOptions(), "https://graph")

    def decide(now: str | None) -> Decision:
        live = LiveState()
        live.phones["mobile"] = now
        return UNDO_KINDS[step.kind].decide(step, Work(1, "a", "e1", steps, live=live), ctx).decision

    assert decide("+44 2") is Decision.SEND  # ours: PATCH back
    assert decide("+44 1") is Decision.IN_PLACE  # already back
    assert decide("+44 3") is Decision.BLOCKED  # someone changed it since: left alone
