"""User rows (DESIGN §4.2, §4.9): matching, ambiguity, disabled, scope, change detection, precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import UserError
from analysis.simulate.settings import Settings

from .builders import Workspace, action, items, outcome


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


def only(*steps: str, mfa: str = "email", entra: str = "mail", **scope: object) -> dict[str, object]:
    return {"match": {"order": list(steps), "attribute": {"mfa": mfa, "entra": entra}}, "scope": scope}


# ---------------------------------------------------------------- unmatched / matching steps
def test_unmatched_has_no_upn_and_no_items(ws: Workspace) -> None:
    ws.user(1, "alice@contoso.com", phone="7400123456", country_code="44")
    ws.entra("e1", "bob@contoso.com")
    plan = ws.plan()
    row = outcome(plan, "alice@contoso.com", "user")
    assert (row["action"], row["upn"], row["entra_id"], row["ref"], row["value"]) == (
        "unmatched",
        None,
        None,
        None,
        None,
    )
    assert items(plan, "alice@contoso.com") == [("user", None, "unmatched")]


def test_upn_is_case_insensitive_and_fills_upn(ws: Workspace) -> None:
    ws.user(1, "Alice@Contoso.com")
    ws.entra("e1", "alice@contoso.COM")
    row = outcome(ws.plan(), "Alice@Contoso.com", "user")
    assert (row["action"], row["upn"], row["entra_id"]) == ("migrate", "alice@contoso.COM", "e1")


def test_upn_is_not_trimmed(ws: Workspace) -> None:
    ws.user(1, "alice@contoso.com ")
    ws.entra("e1", "alice@contoso.com")
    assert action(ws.plan(only("upn")), "alice@contoso.com ", "user") == "unmatched"


def test_blank_values_never_match(ws: Workspace) -> None:
    ws.user(1, "  ", object_sid=" ", email="")
    ws.entra("e1", "  ", on_premises_security_identifier=" ", mail="")
    assert action(ws.plan(), "  ", "user") == "unmatched"


def test_sid_matches_exactly(ws: Workspace) -> None:
    ws.user(1, "CONTOSO\\alice", object_sid="S-1-5-21-7")
    ws.user(2, "CONTOSO\\bob", object_sid="s-1-5-21-8")
    ws.entra("e1", "alice@contoso.com", on_premises_security_identifier="S-1-5-21-7")
    ws.entra("e2", "bob@contoso.com", on_premises_security_identifier="S-1-5-21-8")
    plan = ws.plan(only("sid"))
    assert outcome(plan, "CONTOSO\\alice", "user")["upn"] == "alice@contoso.com"
    assert action(plan, "CONTOSO\\bob", "user") == "unmatched"


@pytest.mark.parametrize(
    ("mfa", "mfa_value", "entra", "entra_kw"),
    [
        ("email", " Alice.Smith@Contoso.com ", "mail", {"mail": "alice.smith@contoso.com"}),
        (
            "username",
            "CONTOSO\\asmith",
            "onPremisesSamAccountName",
            {"on_premises_sam_account_name": "contoso\\ASMITH "},
        ),
        ("object_sid", "S-1-5-21-9", "employeeId", {"employee_id": " s-1-5-21-9"}),
        (
            "account",
            "CONTOSO\\asmith",
            "onPremisesSamAccountName",
            {"on_premises_sam_account_name": "ASmith"},
        ),
        (
            "account",
            "asmith@contoso.local",
            "onPremisesSamAccountName",
            {"on_premises_sam_account_name": "asmith"},
        ),
        ("email", "ABC123==", "onPremisesImmutableId", {"on_premises_immutable_id": "abc123=="}),
        ("email", "asmith@contoso.com", "userPrincipalName", {}),
    ],
)
def test_attribute_step_is_trimmed_and_case_insensitive(
    ws: Workspace, mfa: str, mfa_value: str, entra: str, entra_kw: dict[str, str]
) -> None:
    username = mfa_value if mfa in ("username", "account") else "CONTOSO\\someone"
    fields = (
        {"email": mfa_value} if mfa == "email" else {"object_sid": mfa_value} if mfa == "object_sid" else {}
    )
    ws.user(1, username, **fields)
    upn = "ASmith@contoso.com" if entra == "userPrincipalName" else "x@contoso.com"
    ws.entra("e1", upn, **entra_kw)
    ws.entra("e2", "other@contoso.com", mail="other@contoso.com")
    row = outcome(ws.plan(only("attribute", mfa=mfa, entra=entra)), username, "user")
    assert (row["action"], row["entra_id"]) == ("migrate", "e1")


def test_attribute_blank_after_trim_never_matches(ws: Workspace) -> None:
    ws.user(1, "CONTOSO\\a", email="   ")
    ws.entra("e1", "a@contoso.com", mail="   ")
    assert action(ws.plan(only("attribute")), "CONTOSO\\a", "user") == "unmatched"


def test_first_step_with_a_result_decides(ws: Workspace) -> None:
    ws.user(1, "alice@contoso.com", object_sid="S-1")
    ws.entra("e1", "alice@contoso.com")
    ws.entra("e2", "other@contoso.com", on_premises_security_identifier="S-1")
    assert outcome(ws.plan(only("sid", "upn")), "alice@contoso.com", "user")["entra_id"] == "e2"
    assert outcome(ws.plan(only("upn", "sid")), "alice@contoso.com", "user")["entra_id"] == "e1"


def test_later_step_used_when_earlier_finds_nothing(ws: Workspace) -> None:
    ws.user(1, "CONTOSO\\alice", email="alice@contoso.com")
    ws.entra("e1", "alice@contoso.com", mail="Alice@Contoso.com")
    assert outcome(ws.plan(), "CONTOSO\\alice", "user")["entra_id"] == "e1"


def test_step_left_out_is_not_tried(ws: Workspace) -> None:
    ws.user(1, "CONTOSO\\alice", email="alice@contoso.com")
    ws.entra("e1", "alice@contoso.com", mail="alice@contoso.com")
    assert action(ws.plan(only("upn", "sid")), "CONTOSO\\alice", "user") == "unmatched"
    assert action(ws.plan(only()), "CONTOSO\\alice", "user") == "unmatched"


def test_several_hits_are_ambiguous_without_fall_through(ws: Workspace) -> None:
    ws.user(1, "CONTOSO\\alice", email="alice@contoso.com", object_sid="S-1")
    ws.entra("e1", "a1@contoso.com", mail="alice@contoso.com")
    ws.entra("e2", "a2@contoso.com", mail="ALICE@contoso.com")
    ws.entra("e3", "a3@contoso.com", on_premises_security_identifier="S-1")
    plan = ws.plan(only("attribute", "sid"))
    row = outcome(plan, "CONTOSO\\alice", "user")
    assert (row["action"], row["upn"], row["entra_id"]) == ("ambiguous", None, None)
    assert "2 Entra users" in row["reason"]
    assert items(plan, "CONTOSO\\alice") == [("user", None, "ambiguous")]


def test_two_mfa_users_on_one_entra_user_are_both_ambiguous(ws: Workspace) -> None:
    ws.user(1, "alice@contoso.com")
    ws.user(2, "ALICE@contoso.com")
    ws.user(3, "bob@contoso.com")
    ws.entra("e1", "alice@contoso.com")
    ws.entra("e2", "bob@contoso.com")
    plan = ws.plan()
    assert action(plan, "alice@contoso.com", "user") == "ambiguous"
    assert action(plan, "ALICE@contoso.com", "user") == "ambiguous"
    assert outcome(plan, "ALICE@contoso.com", "user")["upn"] == "alice@contoso.com"
    assert action(plan, "bob@contoso.com", "user") == "migrate"


def test_sharing_counts_only_users_with_exactly_one_hit(ws: Workspace) -> None:
    # user 2's deciding step finds two Entra users (one of them alice's): it is ambiguous itself,
    # but does not make user 1 ambiguous.
    ws.user(1, "alice@contoso.com")
    ws.user(2, "CONTOSO\\x", email="shared@contoso.com")
    ws.entra("e1", "alice@contoso.com", mail="shared@contoso.com")
    ws.entra("e2", "other@contoso.com", mail="shared@contoso.com")
    plan = ws.plan()
    assert action(plan, "alice@contoso.com", "user") == "migrate"
    assert action(plan, "CONTOSO\\x", "user") == "ambiguous"


def test_sharing_across_different_steps(ws: Workspace) -> None:
    ws.user(1, "alice@contoso.com")
    ws.user(2, "CONTOSO\\alice", object_sid="S-1")
    ws.entra("e1", "alice@contoso.com", on_premises_security_identifier="S-1")
    plan = ws.plan()
    assert action(plan, "alice@contoso.com", "user") == "ambiguous"
    assert action(plan, "CONTOSO\\alice", "user") == "ambiguous"


# ---------------------------------------------------------------- disabled and scope
def test_disabled_user_skipped_only_when_configured(ws: Workspace) -> None:
    ws.user(1, "alice@contoso.com", enabled=False, phone="7400123456", country_code="44")
    ws.entra("e1", "alice@contoso.com")
    plan = ws.plan()
    assert items(plan, "alice@contoso.com") == [("user", None, "user_disabled")]
    assert outcome(plan, "alice@contoso.com", "user")["upn"] == "alice@contoso.com"
    plan = ws.plan({"scope": {"skip_disabled": False}})
    assert action(plan, "alice@contoso.com", "user") == "migrate"
    assert action(plan, "alice@contoso.com", "phone") == "write_mobile"


def test_ambiguous_wins_over_disabled(ws: Workspace) -> None:
    ws.user(1, "alice@contoso.com", enabled=False)
    ws.user(2, "ALICE@CONTOSO.COM", enabled=False)
    ws.entra("e1", "alice@contoso.com")
    assert action(ws.plan(), "alice@contoso.com", "user") == "ambiguous"


def test_out_of_scope_by_group_name_and_id(ws: Workspace) -> None:
    ws.user(1, "in@contoso.com")
    ws.user(2, "out@contoso.com")
    ws.entra("e1", "in@contoso.com")
    ws.entra("e2", "out@contoso.com")
    ws.group("g-1", "MFA Wave 1", ["e1"])
    for group in ("MFA Wave 1", "g-1"):
        plan = ws.plan({"scope": {"group": group}})
        assert action(plan, "in@contoso.com", "user") == "migrate"
        assert action(plan, "out@contoso.com", "user") == "out_of_scope"
        assert items(plan, "out@contoso.com") == [("user", None, "out_of_scope")]
    # names compare exactly: another case is no group at all, which is an error, not everyone out of scope
    with pytest.raises(UserError, match="closest names: 'MFA Wave 1'"):
        ws.plan({"scope": {"group": "mfa wave 1"}})


def test_groups_with_the_same_name_are_united(ws: Workspace) -> None:
    ws.user(1, "a@contoso.com")
    ws.user(2, "b@contoso.com")
    ws.entra("e1", "a@contoso.com")
    ws.entra("e2", "b@contoso.com")
    ws.group("g-1", "Wave", ["e1"])
    ws.group("g-2", "Wave", ["e2"], dynamic=True)
    plan = ws.plan({"scope": {"group": "Wave"}})
    assert action(plan, "a@contoso.com", "user") == action(plan, "b@contoso.com", "user") == "migrate"


def test_a_scope_group_that_matches_nothing_is_an_error_naming_the_closest(ws: Workspace) -> None:
    ws.user(1, "a@contoso.com")
    ws.entra("e1", "a@contoso.com")
    ws.group("g1", "MFA Migration - Wave 1", [])
    ws.group("g2", "Helpdesk", [])
    with pytest.raises(UserError) as caught:
        ws.plan({"scope": {"group": "MFA Migration - Wave1"}})
    text = str(caught.value)
    assert "'scope.group'" in text and "'MFA Migration - Wave1'" in text
    assert "closest names: 'MFA Migration - Wave 1'" in text and "Helpdesk" not in text


def test_disabled_wins_over_out_of_scope(ws: Workspace) -> None:
    ws.user(1, "a@contoso.com", enabled=False)
    ws.entra("e1", "a@contoso.com")
    ws.group("g", "Wave", [])
    assert action(ws.plan({"scope": {"group": "Wave"}}), "a@contoso.com", "user") == "user_disabled"


def test_group_name_is_a_parameter_not_sql(ws: Workspace) -> None:
    name = "O'Brien's wave'; DROP TABLE mfa_users; --"
    ws.user(1, "a@contoso.com")
    ws.entra("e1", "a@contoso.com")
    ws.group("g", name, ["e1"])
    assert action(ws.plan({"scope": {"group": name}}), "a@contoso.com", "user") == "migrate"


# ---------------------------------------------------------------- change detection
SIG = Settings.default().signature()


@pytest.mark.parametrize(
    ("modified", "last", "selection", "expected"),
    [
        ("2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z", SIG, "unchanged"),  # equal times: unchanged
        ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", SIG, "unchanged"),
        ("2024-03-02T00:00:00Z", "2024-03-01T00:00:00Z", SIG, "migrate"),  # modified after
        (None, "2024-03-01T00:00:00Z", SIG, "migrate"),  # unknown modification time
        ("  ", "2024-03-01T00:00:00Z", SIG, "migrate"),
        ("2024-02-01T00:00:00Z", None, SIG, "migrate"),  # never migrated
        ("2024-02-01T00:00:00Z", " ", SIG, "migrate"),
        ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", "phone;always", "migrate"),  # selection changed
        ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", SIG + " ", "migrate"),  # compared as a string
        ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z", None, "migrate"),
    ],
)
def test_change_detection(
    ws: Workspace, modified: str | None, last: str | None, selection: str | None, expected: str
) -> None:
    ws.user(1, "a@contoso.com", modified_at=modified, last_migrated_at=last, migrated_selection=selection)
    ws.entra("e1", "a@contoso.com")
    assert action(ws.plan(), "a@contoso.com", "user") == expected


def test_migrate_all_users_overrides_change_detection(ws: Workspace) -> None:
    ws.user(
        1, "a@contoso.com", modified_at="2024-01-01", last_migrated_at="2024-02-01", migrated_selection=SIG
    )
    ws.entra("e1", "a@contoso.com")
    assert action(ws.plan(), "a@contoso.com", "user") == "unchanged"
    assert action(ws.plan({"scope": {"only_changed": False}}), "a@contoso.com", "user") == "migrate"


def test_selection_signature_follows_the_settings(ws: Workspace) -> None:
    never = Settings.from_dict({"migrate": {"default_method": "never"}})
    ws.user(
        1,
        "a@contoso.com",
        modified_at="2024-01-01",
        last_migrated_at="2024-02-01",
        migrated_selection=never.signature(),
    )
    ws.entra("e1", "a@contoso.com")
    assert action(ws.run(never), "a@contoso.com", "user") == "unchanged"
    assert action(ws.plan(), "a@contoso.com", "user") == "migrate"


def test_migration_marks_later_record_wins_with_its_selection(ws: Workspace) -> None:
    ws.user(
        1, "a@contoso.com", modified_at="2024-02-01", last_migrated_at="2024-01-01", migrated_selection=SIG
    )
    ws.user(
        2, "b@contoso.com", modified_at="2024-02-01", last_migrated_at="2024-03-01", migrated_selection=SIG
    )
    ws.user(
        3, "c@contoso.com", modified_at="2024-02-01", last_migrated_at="2024-03-01", migrated_selection=SIG
    )
    ws.user(4, "d@contoso.com", modified_at="2024-02-01", last_migrated_at=None)
    for u in "abcd":
        ws.entra(f"e{u}", f"{u}@contoso.com")
    ws.mark("a@contoso.com", "2024-03-01", SIG)  # later than the datafile: unchanged
    ws.mark("b@contoso.com", "2024-04-01", "phone;never")  # later, but another selection: migrate
    ws.mark("c@contoso.com", "2024-01-01", "phone;never")  # earlier: the datafile's record counts
    ws.mark("d@contoso.com", "2024-03-01", SIG)  # only the mark exists
    plan = ws.plan()
    assert [action(plan, f"{u}@contoso.com", "user") for u in "abcd"] == [
        "unchanged",
        "migrate",
        "unchanged",
        "unchanged",
    ]


def test_migration_marks_tie_goes_to_the_mark(ws: Workspace) -> None:
    ws.user(
        1,
        "a@contoso.com",
        modified_at="2024-02-01",
        last_migrated_at="2024-03-01",
        migrated_selection="x;never",
    )
    ws.entra("e1", "a@contoso.com")
    ws.mark("a@contoso.com", "2024-03-01", SIG)
    assert action(ws.plan(), "a@contoso.com", "user") == "unchanged"


def test_marks_match_usernames_exactly(ws: Workspace) -> None:
    ws.user(1, "a@contoso.com", modified_at="2024-02-01")
    ws.entra("e1", "a@contoso.com")
    ws.mark("A@contoso.com", "2024-03-01", SIG)
    assert action(ws.plan(), "a@contoso.com", "user") == "migrate"


def test_out_of_scope_wins_over_unchanged(ws: Workspace) -> None:
    ws.user(
        1, "a@contoso.com", modified_at="2024-01-01", last_migrated_at="2024-02-01", migrated_selection=SIG
    )
    ws.entra("e1", "a@contoso.com")
    ws.group("g", "Wave", [])
    assert action(ws.plan({"scope": {"group": "Wave"}}), "a@contoso.com", "user") == "out_of_scope"


def test_one_user_row_per_mfa_user(ws: Workspace) -> None:
    for i in range(1, 6):
        ws.user(i, f"u{i}@contoso.com")
    ws.entra("e1", "u1@contoso.com")
    plan = ws.plan()
    assert sorted(r["user_id"] for r in plan if r["item"] == "user") == [1, 2, 3, 4, 5]
