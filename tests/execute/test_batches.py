"""Batch lifecycle on real (tiny) workspaces: freezing, hashing, approval rules, refusals, selection."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from os_identity import OTHER_ADMIN
from simulate.builders import Workspace

from analysis import settingsfile
from analysis.errors import UserError
from analysis.execute import batches
from analysis.execute.actors import Actor, os_user
from analysis.execute.batches import approve, get_batch
from analysis.execute.journal import REDACTED, Answer, Entry, Journal, redact, step_statuses
from analysis.execute.livestate import Expectations, LiveState, drift
from analysis.execute.oath import totp
from analysis.execute.options import ExecOptions
from analysis.execute.replan import replan_hash
from analysis.execute.runner import check_runnable
from analysis.execute.selection import Created, Selection, create_batch
from analysis.simulate.runner import simulate
from analysis.simulate.settings import Settings


def _workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path)
    ws.user(1, "alice@contoso.com", phone="7700900123", country_code="44", method="text_message")
    ws.entra("e1", "alice@contoso.com")
    ws.user(
        2,
        "bob@contoso.com",
        phone="2065550100",
        country_code="1",
        backup_phone="2065550101",
        backup_country_code="1",
    )
    ws.entra("e2", "bob@contoso.com")
    ws.phone("e2", "mobile", "+1 2065550100")
    ws.user(3, "carol@contoso.com", phone="7700900999", country_code="44")  # no Entra user: unmatched
    ws.group("g1", "Wave 1", ["e1"])
    ws.fill_phones()
    batches.ensure_schema(ws.con)
    return ws


def _create(
    ws: Workspace, name: str = "wave-1", options: ExecOptions | None = None, **selection: object
) -> Created:
    settings = Settings.default()
    plan = simulate(ws.con, settings, table="plan_batch")
    sel = Selection(**selection) if selection else Selection(group="Wave 1")  # type: ignore[arg-type]
    return create_batch(
        ws.con,
        name=name,
        plan=plan,
        selection=sel,
        options=options or ExecOptions(),
        actor="creator",
    )


def test_create_freezes_rows_with_a_hash_that_covers_them(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    users_file = tmp_path / "users.txt"
    users_file.write_text("# wave\nalice@contoso.com\nBOB@contoso.com\ncarol@contoso.com\n")
    created = _create(ws, users_file=users_file)
    b = created.batch
    assert (b.state, created.users) == ("draft", 2)  # carol is unmatched: nothing to migrate
    assert created.excluded == [("unmatched", 1)]
    frozen = ws.con.execute("SELECT count(*) FROM batch_rows WHERE batch_id = ?", [b.batch_id]).fetchone()[0]
    planned = ws.con.execute(
        "SELECT count(*) FROM plan_batch WHERE username IN ('alice@contoso.com', 'bob@contoso.com')"
    ).fetchone()[0]
    assert frozen == planned == created.rows
    assert batches.hash_rows(ws.con, "batch", b.batch_id, b.settings_signature) == b.plan_hash
    # The hash covers every column: change one value and it changes.
    ws.con.execute(
        "UPDATE batch_rows SET value = '+1 2065550199' WHERE batch_id = ? AND item = 'backup_phone'",
        [b.batch_id],
    )
    assert batches.hash_rows(ws.con, "batch", b.batch_id, b.settings_signature) != b.plan_hash
    with pytest.raises(UserError, match="no longer match the recorded hash"):
        approve(ws.con, b.batch_id, OTHER_ADMIN)
    assumed = json.loads(
        ws.con.execute("SELECT assumed FROM batch_users WHERE username = 'bob@contoso.com'").fetchone()[0]
    )
    assert assumed["mobile"] == "+1 2065550100" and assumed["preferred"] is None


def test_same_os_account_is_refused_whatever_name_it_gives(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    b = _create(ws).batch  # created by this process's OS account, labelled "creator"
    for label in ("creator", "someone-else", None):
        with pytest.raises(UserError, match="only a label"):
            approve(ws.con, b.batch_id, Actor.current(label))
    approved = approve(ws.con, b.name, OTHER_ADMIN, "CHG-1")
    assert (approved.state, approved.approved_by, approved.approved_hash) == (
        "approved",
        "nobody",
        b.plan_hash,
    )
    with pytest.raises(UserError, match="only a draft"):
        approve(ws.con, b.batch_id, OTHER_ADMIN)
    events = batches.events(ws.con, b.batch_id)
    assert [e[2] for e in events] == ["created", "approved"]
    assert [e[6] for e in events] == [os_user().name, "nobody"]  # the proven OS accounts


def test_unapproved_batch_is_refused(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    b = _create(ws).batch
    with pytest.raises(UserError, match="not approved"):
        check_runnable(ws.con, b, "runner", lambda batch: replan_hash(ws.con, batch))


def test_changed_plan_voids_the_approval(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    b = _create(ws).batch
    approve(ws.con, b.batch_id, OTHER_ADMIN)
    b = get_batch(ws.con, b.batch_id)
    assert check_runnable(ws.con, b, "runner", lambda batch: replan_hash(ws.con, batch)) == b
    # The tenant snapshot changes: alice now has that mobile number already -> the plan says noop.
    ws.phone("e1", "mobile", "+44 7700900123")
    ws.fill_phones()
    with pytest.raises(UserError, match="approval is void"):
        check_runnable(ws.con, b, "runner", lambda batch: replan_hash(ws.con, batch))
    after = get_batch(ws.con, b.batch_id)
    assert (after.state, after.approved_by, after.approved_hash) == ("draft", None, None)
    assert [e[2] for e in batches.events(ws.con, b.batch_id)][-1] == "approval_voided"


def test_completed_batch_has_nothing_to_do(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    b = _create(ws).batch
    approve(ws.con, b.batch_id, OTHER_ADMIN)
    b = batches.transition(ws.con, get_batch(ws.con, b.batch_id), "running", "runner", "run_started")
    b = batches.transition(ws.con, b, "completed", "runner", "run_finished")
    assert check_runnable(ws.con, b, "runner", None) is None
    with pytest.raises(UserError, match="cannot become"):
        batches.transition(ws.con, b, "approved", "x", "nope")


def test_selection_errors_name_what_is_wrong(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    users_file = tmp_path / "users.txt"
    users_file.write_text("alice@contoso.com\nnobody@contoso.com\n")
    with pytest.raises(UserError, match=r"line 2: 'nobody@contoso.com'"):
        _create(ws, users_file=users_file)
    with pytest.raises(UserError, match="no Entra group 'Wave 9'"):
        _create(ws, group="Wave 9")
    with pytest.raises(UserError, match="already exists"):
        _create(ws)
        _create(ws)


def test_where_predicate_runs_in_a_sandbox(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    created = _create(ws, where="item = 'backup_phone' AND action = 'write_alternate'")
    assert [r[1] for r in batches.batch_users(ws.con, created.batch.batch_id)] == ["bob@contoso.com"]
    with pytest.raises(UserError, match=r"not several statements|not a valid predicate"):
        _create(ws, "x", where="true; DROP TABLE batches")
    with pytest.raises(UserError, match="not a valid predicate"):
        _create(ws, "y", where="user_id IN (SELECT 1 FROM read_text('/etc/hostname'))")
    with pytest.raises(UserError, match="not a valid predicate"):
        _create(ws, "z", where="user_id IN (SELECT 1 FROM batches)")  # the workspace is not visible
    assert ws.con.execute("SELECT count(*) FROM batches").fetchone()[0] == 1


def test_tier_selects_the_users_of_one_priority_tier(tmp_path: Path) -> None:
    """P1: nothing usable after the phone retirement date (Alice: no valid number, so nothing at all; Bob
    keeps only phones); Dave has the Authenticator app as well (P2: the default the plan sets is a phone).
    An own telecom provider keeps Bob's phones working (P2); Alice stays P1."""
    from analysis.readiness.retirement import Retirement

    ws = _workspace(tmp_path)
    ws.user(4, "dave@contoso.com", phone="2065550444", country_code="1")
    ws.entra("e4", "dave@contoso.com", preferred_method="sms")
    ws.method("e4", "authenticator")
    ws.fill_phones()
    p1 = _create(ws, "p1", tier="P1").batch
    assert [r[1] for r in batches.batch_users(ws.con, p1.batch_id)] == [
        "alice@contoso.com",
        "bob@contoso.com",
    ]
    assert p1.selection == "tier:P1"
    p2 = _create(ws, "p2", tier="P2").batch
    assert [r[1] for r in batches.batch_users(ws.con, p2.batch_id)] == ["dave@contoso.com"]
    with pytest.raises(UserError, match="no MFA Server users"):
        _create(ws, "p3", tier="P3")
    own = _create(ws, "own", tier="P2", retirement=Retirement(phone_delivery="own_provider")).batch
    assert [r[1] for r in batches.batch_users(ws.con, own.batch_id)] == [
        "bob@contoso.com",
        "dave@contoso.com",
    ]
    with pytest.raises(UserError, match="not a tier"):
        _create(ws, "bad", tier="P4")
    # the --where predicate sees the tier too
    phones = _create(ws, "w", where="tier = 'P1' AND item = 'backup_phone'").batch
    assert [r[1] for r in batches.batch_users(ws.con, phones.batch_id)] == ["bob@contoso.com"]


def test_settings_file_execute_section(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        '[migrate]\ndefault_method = "never"\n[execute]\nhandoff = "group"\n'
        'migration_group = "MFA Migration"\n'
    )
    loaded = settingsfile.read(path)
    assert loaded.whatif.default_method == "never" and loaded.execute.migration_group == "MFA Migration"
    path.write_text('[execute]\nhandof = "group"\n')
    with pytest.raises(UserError, match=r"execute\.handof"):
        settingsfile.read(path)
    path.write_text('[execute]\nhandoff = "group"\n')
    with pytest.raises(UserError, match="migration_group"):
        settingsfile.read(path)


def test_journal_keeps_no_secrets_and_tracks_steps(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "j.duckdb"))
    batches.ensure_schema(con)
    journal = Journal(con, batch_id=7, run_id="r1", actor="me")
    body = {"serialNumber": "S1", "secretKey": "JBSWY3DPEHPK3PXP", "nested": [{"verificationCode": "123456"}]}
    create = Entry("7:1:hw_create", 1, "e1", "hw_create", "POST", "/beta/x", body)
    phone = Entry("7:1:mobile", 1, "e1", "mobile", "POST", "/v1.0/y", {"phoneNumber": "+1 2065550100"})
    tap = Entry("7:1:tap", 1, "e1", "tap", "POST", "/v1.0/z", {})
    journal.intents([create, phone, tap])
    journal.responses(
        [
            Answer(create, 201, "ok", {"id": "d1", "secretKey": None}),
            Answer(tap, 201, "ok", {"temporaryAccessPass": "+drkzqAD"}),
        ]
    )
    text = " ".join(str(v) for row in con.execute("SELECT * FROM journal").fetchall() for v in row)
    for secret in ("JBSWY3DPEHPK3PXP", "123456", "+drkzqAD"):
        assert secret not in text
    assert REDACTED in text and "+1 2065550100" in text
    status = step_statuses(con, 7)
    assert status["7:1:hw_create"].done and not status["7:1:hw_create"].open_intent
    assert status["7:1:mobile"].open_intent and not status["7:1:mobile"].done  # sent, no answer yet
    journal.resolved([(phone, "applied", None)])
    assert step_statuses(con, 7)["7:1:mobile"].done
    assert redact({"secretKey": None}) == {"secretKey": None}


def test_totp_matches_rfc6238() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert totp(secret, 30, at=59, digits=8) == "94287082"
    assert totp(secret, 30, at=1111111109, digits=8) == "07081804"
    assert totp(secret.lower() + "==", 30, at=59) == "287082"


def test_drift_ignores_the_batch_own_writes_only() -> None:
    assumed = {
        "mobile": None,
        "alternateMobile": None,
        "office": None,
        "preferred": None,
        "methods": [{"kind": "authenticator", "id": "a1"}],
    }
    expect = Expectations(
        phones={"mobile": "+44 7700900123"},
        preferred="sms",
        hardware_serials=frozenset({"T1"}),
        utility=False,
    )

    def live(**kw: object) -> LiveState:
        methods = [{"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "a1"}]
        methods += kw.get("extra", [])  # type: ignore[arg-type]
        for ptype, number in kw.get("phones", {}).items():  # type: ignore[attr-defined]
            methods.append(
                {
                    "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
                    "phoneType": ptype,
                    "phoneNumber": number,
                }
            )
        return LiveState.from_graph(
            methods, {"userPreferredMethodForSecondaryAuthentication": kw.get("pref")}
        )

    assert drift(assumed, live(), expect) == []
    assert drift(assumed, live(phones={"mobile": "+44 7700 900123"}, pref="sms"), expect) == []  # our writes
    assert drift(assumed, live(phones={"mobile": "+44 7700900999"}), expect)
    assert drift(assumed, live(phones={"office": "+1 2065550100x1"}), expect)
    assert drift(assumed, live(pref="push"), expect)
    hw = {"@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod", "id": "h1"}
    assert drift(assumed, live(extra=[hw]), expect) == []  # the token this batch creates
    sw = {"@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", "id": "s1"}
    assert drift(assumed, live(extra=[sw]), expect)
    gone = LiveState.from_graph([], {})
    assert any("removed" in r for r in drift(assumed, gone, expect))


def test_changing_the_execute_options_after_approval_voids_it(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    b = _create(ws, options=ExecOptions(handoff="none")).batch
    approve(ws.con, b.batch_id, OTHER_ADMIN)
    # Someone switches on Temporary Access Passes after the change board approved the batch.
    changed = ExecOptions(handoff="reregister", tap=True).to_json()
    ws.con.execute("UPDATE batches SET options_json = ? WHERE batch_id = ?", [changed, b.batch_id])
    b = get_batch(ws.con, b.batch_id)
    with pytest.raises(UserError, match=r"\[execute\] options .* approval is void"):
        check_runnable(ws.con, b, "runner", lambda batch: replan_hash(ws.con, batch))
    after = get_batch(ws.con, b.batch_id)
    assert (after.state, after.approved_hash) == ("draft", None)
    assert after.plan_hash != b.plan_hash  # re-hashed over what it now holds
    assert [e[2] for e in batches.events(ws.con, b.batch_id)][-1] == "approval_voided"
    # A person approves what it now holds; then it runs.
    approved = approve(ws.con, b.batch_id, OTHER_ADMIN)
    assert approved.options.tap and approved.approved_hash == approved.plan_hash
    assert check_runnable(ws.con, approved, "runner", lambda batch: replan_hash(ws.con, batch)) == approved
    # Once it has started writing, a change is refused outright.
    running = batches.transition(ws.con, approved, "running", "runner", "run_started")
    running = batches.transition(ws.con, running, "partial", "runner", "run_stopped")
    ws.con.execute(
        "UPDATE batches SET options_json = ? WHERE batch_id = ?", [ExecOptions().to_json(), b.batch_id]
    )
    with pytest.raises(UserError, match="must not write any more"):
        check_runnable(ws.con, get_batch(ws.con, b.batch_id), "runner", None)
