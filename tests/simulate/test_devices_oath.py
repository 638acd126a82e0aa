"""Mobile-app devices and the OATH token (DESIGN §4.5, §4.6, §4.9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .builders import Workspace, action, outcome

U = "a@contoso.com"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace(tmp_path)
    w.entra("e1", U)
    return w


def devices(plan: list[dict[str, Any]]) -> dict[str, str]:
    """device_id -> action (the plan is a set; which device gets which action is what matters)."""
    return {r["ref"]: r["action"] for r in plan if r["item"] == "device"}


def t(day: int) -> str:
    return f"2024-01-{day:02d}T00:00:00Z"


def test_new_device_is_created_by_the_utility(ws: Workspace) -> None:
    ws.user(1, U)
    ws.device(10, 1, "iPhone", t(1))
    row = outcome(ws.plan(), U, "device")
    assert (row["ref"], row["action"], row["value"], row["writable"]) == (
        "10",
        "create_device",
        None,
        "utility",
    )


def test_duplicate_names_keep_the_newest(ws: Workspace) -> None:
    ws.user(1, U)
    ws.device(10, 1, "iPhone", t(5))
    ws.device(11, 1, " IPHONE ", t(9))  # same name trimmed, case-insensitive, newer
    ws.device(12, 1, "iphone", None)  # missing time counts as oldest
    ws.device(13, 1, "Pixel", t(1))
    assert devices(ws.plan()) == {
        "11": "create_device",
        "10": "skip_duplicate_name",
        "13": "create_device",
        "12": "skip_duplicate_name",
    }


def test_duplicate_name_tie_goes_to_the_larger_device_id(ws: Workspace) -> None:
    ws.user(1, U)
    ws.device(10, 1, "iPhone", t(5))
    ws.device(11, 1, "iPhone", t(5))
    ws.device(20, 1, "Pixel", None)
    ws.device(21, 1, "Pixel", "  ")  # blank time = missing
    assert devices(ws.plan()) == {
        "11": "create_device",
        "10": "skip_duplicate_name",
        "21": "create_device",
        "20": "skip_duplicate_name",
    }


def test_missing_names_are_never_duplicates(ws: Workspace) -> None:
    ws.user(1, U)
    ws.device(10, 1, None, t(1))
    ws.device(11, 1, "  ", t(2))
    ws.device(12, 1, None, t(3))
    assert list(devices(ws.plan()).values()) == ["create_device"] * 3


def test_cap_is_five_devices(ws: Workspace) -> None:
    ws.user(1, U)
    for i in range(7):
        ws.device(10 + i, 1, f"d{i}", t(1 + i))
    assert devices(ws.plan({"limits": {"device_limit": 100}})) == {
        "16": "create_device",
        "15": "create_device",
        "14": "create_device",
        "13": "create_device",
        "12": "create_device",
        "11": "skip_over_max",
        "10": "skip_over_max",
    }


@pytest.mark.parametrize(
    ("token", "methods", "cap"),
    [
        ({"oath_serial": "SN1", "oath_secret_sha256": "ab", "oath_kind": "totp"}, None, 4),
        ({"oath_serial": "SN1", "oath_kind": "hotp"}, None, 4),  # HOTP still "has a token"
        ({"oath_serial": "SN1"}, None, 4),  # without a secret too
        ({"oath_serial": "SN1", "oath_secret_sha256": "ab"}, ["mobile_app"], 5),  # token not selected
        ({"oath_serial": "  ", "oath_secret_sha256": "ab"}, None, 5),  # blank serial = no token
    ],
)
def test_cap_is_four_with_a_selected_oath_token(
    ws: Workspace, token: dict[str, Any], methods: list[str] | None, cap: int
) -> None:
    ws.user(1, U, **token)
    for i in range(6):
        ws.device(10 + i, 1, f"d{i}", t(1 + i))
    settings: dict[str, Any] = {"limits": {"device_limit": 100}}
    if methods:
        settings["migrate"] = {"methods": methods}
    newest_first = [str(15 - i) for i in range(6)]
    assert devices(ws.plan(settings)) == {
        ref: "create_device" if i < cap else "skip_over_max" for i, ref in enumerate(newest_first)
    }


def test_duplicates_are_removed_before_the_cap(ws: Workspace) -> None:
    ws.user(1, U)
    for i in range(5):
        ws.device(10 + i, 1, f"d{i}", t(10 + i))
    ws.device(30, 1, "d0", t(1))  # older duplicate of d0
    acts = devices(ws.plan())
    assert acts["30"] == "skip_duplicate_name"
    assert [acts[str(10 + i)] for i in range(5)] == ["create_device"] * 5


def test_entra_methods_use_slots(ws: Workspace) -> None:
    ws.user(1, U)
    ws.method("e1", "authenticator")
    ws.method("e1", "software_oath")
    ws.method("e1", "hardware_oath")
    ws.method("e1", "fido2")  # not a slot
    ws.phone("e1", "mobile", "+44 7400123456")  # not a slot
    for i in range(4):
        ws.device(10 + i, 1, f"d{i}", t(1 + i))
    assert devices(ws.plan()) == {
        "13": "create_device",
        "12": "create_device",
        "11": "skip_device_limit",
        "10": "skip_device_limit",
    }
    row = outcome(ws.plan(), U, "device", "11")
    assert row["writable"] == "none" and "slot 6 of 5" in row["reason"]


def test_device_limit_setting_counts_slots(ws: Workspace) -> None:
    ws.user(1, U)
    ws.device(10, 1, "d0", t(1))
    ws.device(11, 1, "d1", t(2))
    assert devices(ws.plan({"limits": {"device_limit": 1}})) == {
        "11": "create_device",
        "10": "skip_device_limit",
    }
    assert devices(ws.plan({"limits": {"device_limit": 0}})) == {
        "11": "skip_device_limit",
        "10": "skip_device_limit",
    }


def test_ledger_secret_match_updates_without_a_slot(ws: Workspace) -> None:
    ws.user(1, U)
    mids = [ws.method("e1", "authenticator") for _ in range(5)]  # every slot used
    ws.ledger("e1", mids[0], secret="s-old")
    ws.device(10, 1, "d0", t(1), secret="s-old")
    ws.device(11, 1, "d1", t(2), secret="s-new")
    plan = ws.plan()
    assert devices(plan) == {"11": "skip_device_limit", "10": "update_device"}
    assert outcome(plan, U, "device", "10")["writable"] == "utility"


def test_ledger_token_match_creates_software_oath_using_a_slot(ws: Workspace) -> None:
    ws.user(1, U)
    mids = [ws.method("e1", "authenticator") for _ in range(4)]
    ws.ledger("e1", mids[0], kind="oath_token", token="tok")  # the line's kind does not matter
    ws.device(10, 1, "d0", t(2), token="tok")
    ws.device(11, 1, "d1", t(1), token="other")
    plan = ws.plan()
    assert devices(plan) == {"10": "create_software_oath", "11": "skip_device_limit"}
    assert outcome(plan, U, "device", "10")["writable"] == "utility"


def test_secret_match_is_tried_before_token_match(ws: Workspace) -> None:
    ws.user(1, U)
    m = ws.method("e1", "authenticator")
    ws.ledger("e1", m, secret="s", token="tok")
    ws.device(10, 1, "d0", t(1), secret="s", token="tok")
    assert devices(ws.plan()) == {"10": "update_device"}


def test_ledger_line_counts_only_while_its_method_exists(ws: Workspace) -> None:
    ws.user(1, U)
    ws.ledger("e1", "deleted-method", secret="s", token="tok")
    ws.device(10, 1, "d0", t(1), secret="s")
    ws.device(11, 1, "d1", t(2), token="tok")
    assert devices(ws.plan()) == {"11": "create_device", "10": "create_device"}


def test_ledger_of_another_user_does_not_count(ws: Workspace) -> None:
    ws.entra("e2", "b@contoso.com")
    m = ws.method("e2", "authenticator")
    ws.ledger("e2", m, secret="s")
    ws.user(1, U)
    ws.device(10, 1, "d0", t(1), secret="s")
    assert devices(ws.plan()) == {"10": "create_device"}


def test_ledger_hex_compares_case_insensitively(ws: Workspace) -> None:
    ws.user(1, U)
    m = ws.method("e1", "authenticator")
    ws.ledger("e1", m, secret="s", upper=True)
    ws.device(10, 1, "d0", t(1), secret="s")
    assert devices(ws.plan()) == {"10": "update_device"}


def test_no_device_rows_when_mobile_app_not_selected(ws: Workspace) -> None:
    ws.user(1, U)
    ws.device(10, 1, "d0", t(1))
    assert devices(ws.plan({"migrate": {"methods": ["phone", "oath_token"]}})) == {}


def test_export_csv_users_have_unknown_devices(ws: Workspace) -> None:
    ws.user(1, U, details_known=False)
    row = outcome(ws.plan(), U, "device")
    assert (row["ref"], row["action"], row["writable"]) == (None, "unknown", "none")
    assert "Export Users CSV" in row["reason"]
    assert devices(ws.plan({"migrate": {"methods": ["phone"]}})) == {}


# ---------------------------------------------------------------- OATH token
def token(**kw: Any) -> dict[str, Any]:
    return {"oath_serial": "SN-42", "oath_kind": "totp", "oath_secret_sha256": "abc"} | kw


def test_token_created_through_graph(ws: Workspace) -> None:
    ws.user(1, U, **token())
    row = outcome(ws.plan(), U, "oath_token")
    assert (row["ref"], row["action"], row["value"], row["writable"]) == (
        "SN-42",
        "create_hardware_oath",
        None,
        "graph",
    )


def test_hotp_is_unsupported_before_missing_secret(ws: Workspace) -> None:
    ws.user(1, U, **token(oath_kind="HOTP", oath_secret_sha256=None))
    assert action(ws.plan(), U, "oath_token") == "unsupported_hotp"


def test_missing_secret(ws: Workspace) -> None:
    ws.user(1, U, **token(oath_secret_sha256="  "))
    assert action(ws.plan(), U, "oath_token") == "missing_secret"


def test_ledger_secret_match_updates_the_token(ws: Workspace) -> None:
    from .builders import sha

    ws.user(1, U, **token(oath_secret_sha256=sha("tok-secret")))
    mids = [ws.method("e1", "hardware_oath") for _ in range(5)]  # no free slot needed
    ws.ledger("e1", mids[2], kind="oath_token", secret="tok-secret", upper=True)
    row = outcome(ws.plan(), U, "oath_token")
    assert (row["action"], row["writable"]) == ("update_oath", "utility")


def test_token_needs_a_slot_after_the_devices(ws: Workspace) -> None:
    ws.user(1, U, **token())
    ws.method("e1", "authenticator")
    for i in range(4):
        ws.device(10 + i, 1, f"d{i}", t(1 + i))
    plan = ws.plan()  # 1 used + 4 device creates = 5: no slot left for the token
    assert list(devices(plan).values()) == ["create_device"] * 4
    row = outcome(plan, U, "oath_token")
    assert (row["action"], row["writable"]) == ("skip_device_limit", "none")
    plan = ws.plan({"limits": {"device_limit": 6}})
    assert action(plan, U, "oath_token") == "create_hardware_oath"


def test_updated_devices_leave_the_slot_for_the_token(ws: Workspace) -> None:
    ws.user(1, U, **token())
    m = ws.method("e1", "authenticator")
    for _ in range(3):
        ws.method("e1", "software_oath")
    ws.ledger("e1", m, secret="s")
    ws.device(10, 1, "d0", t(1), secret="s")
    assert action(ws.plan(), U, "oath_token") == "create_hardware_oath"


def test_no_token_row_without_a_serial_or_when_not_selected(ws: Workspace) -> None:
    ws.user(1, U, **token(oath_serial=None))
    assert [r for r in ws.plan() if r["item"] == "oath_token"] == []
    ws.con.execute("UPDATE mfa_users SET oath_serial = 'SN-1'")
    assert [r for r in ws.plan({"migrate": {"methods": ["phone"]}}) if r["item"] == "oath_token"] == []


def test_export_csv_users_have_unknown_tokens_but_known_hotp(ws: Workspace) -> None:
    ws.user(1, U, details_known=False, **token(oath_secret_sha256=None))
    row = outcome(ws.plan(), U, "oath_token")
    assert (row["action"], row["writable"]) == ("unknown", "none")
    ws.con.execute("UPDATE mfa_users SET oath_kind = 'hotp'")
    assert action(ws.plan(), U, "oath_token") == "unsupported_hotp"
