"""Phone and backup phone (DESIGN §4.3, §4.4, §4.9): slots, extensions, validation, noop, precedence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .builders import Workspace, action, outcome

UK = "7400123456"  # a valid UK mobile number in national form
UK_GRAPH = "+44 7400123456"
UK2 = "7400123457"
UK2_GRAPH = "+44 7400123457"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace(tmp_path)
    w.entra("e1", "a@contoso.com")
    return w


def user(ws: Workspace, **fields: Any) -> None:
    ws.user(1, "a@contoso.com", **fields)


def phone_row(ws: Workspace, item: str = "phone", settings: dict[str, Any] | None = None) -> dict[str, Any]:
    return outcome(ws.plan(settings), "a@contoso.com", item)


def test_no_extension_writes_mobile(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44")
    row = phone_row(ws)
    assert (row["ref"], row["action"], row["value"], row["writable"]) == (
        "phone",
        "write_mobile",
        UK_GRAPH,
        "graph",
    )


def test_extension_writes_office_with_x(ws: Workspace) -> None:
    user(ws, phone="020 7183 8750", country_code="44", extension=" 123 ")
    row = phone_row(ws)
    assert (row["action"], row["value"]) == ("write_office", "+44 2071838750x123")


def test_text_message_drops_the_extension(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", extension="123", method="text_message")
    row = phone_row(ws)
    assert (row["action"], row["value"], row["writable"]) == (
        "write_mobile_drop_extension",
        UK_GRAPH,
        "graph",
    )


@pytest.mark.parametrize(
    ("cc", "number"),
    [
        ("44", "12"),  # not a valid number
        ("44", "hello"),  # parse error
        (None, UK),  # no country code, no '+'
        ("  ", UK),
        ("abc", UK),  # non-numeric
        ("999", UK),  # unknown
        ("1", UK),  # valid digits, wrong country
    ],
)
def test_invalid_number(ws: Workspace, cc: str | None, number: str) -> None:
    user(ws, phone=number, country_code=cc)
    row = phone_row(ws)
    assert (row["action"], row["value"], row["writable"]) == ("invalid_number", None, "none")


def test_plus_number_ignores_country_code(ws: Workspace) -> None:
    user(ws, phone="+44 7400 123456", country_code="abc")
    assert phone_row(ws)["value"] == UK_GRAPH


def test_invalid_extension_even_when_it_would_be_dropped(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", extension="12#", method="text_message")
    assert phone_row(ws)["action"] == "invalid_extension"


@pytest.mark.parametrize("ext", ["12#", "1,2", "*9", "12 3", "x12"])
def test_extension_with_non_digits(ws: Workspace, ext: str) -> None:
    user(ws, phone=UK, country_code="44", extension=ext)
    row = phone_row(ws)
    assert (row["action"], row["value"]) == ("invalid_extension", None)


def test_invalid_number_is_decided_before_invalid_extension(ws: Workspace) -> None:
    user(ws, phone="12", country_code="44", extension="12#")
    assert phone_row(ws)["action"] == "invalid_number"


def test_noop_when_entra_has_the_number_in_the_target_slot(ws: Workspace) -> None:
    user(ws, phone="07400 123456", country_code="44")
    ws.phone("e1", "mobile", UK_GRAPH)
    row = phone_row(ws)
    assert (row["action"], row["value"], row["writable"]) == ("noop", UK_GRAPH, "none")


def test_not_noop_when_the_number_is_in_another_slot(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44")
    ws.phone("e1", "alternateMobile", UK_GRAPH)
    ws.phone("e1", "office", UK_GRAPH)
    assert phone_row(ws)["action"] == "write_mobile"


def test_not_noop_when_entra_has_another_number(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44")
    ws.phone("e1", "mobile", UK2_GRAPH)
    assert phone_row(ws)["action"] == "write_mobile"


def test_office_noop_needs_the_same_extension(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", extension="123")
    ws.phone("e1", "office", UK_GRAPH + "x124")
    assert phone_row(ws)["action"] == "write_office"
    ws.con.execute("DELETE FROM entra_methods")
    ws.phone("e1", "office", UK_GRAPH + "x123")
    row = phone_row(ws)
    assert (row["action"], row["value"]) == ("noop", UK_GRAPH + "x123")


def test_mobile_noop_needs_no_extension_in_entra(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", extension="55", method="text_message")
    ws.phone("e1", "mobile", UK_GRAPH + "x55")
    assert phone_row(ws)["action"] == "write_mobile_drop_extension"
    ws.con.execute("DELETE FROM entra_methods")
    ws.phone("e1", "mobile", UK_GRAPH)
    assert phone_row(ws)["action"] == "noop"


def test_no_phone_row_when_absent_or_not_selected(ws: Workspace) -> None:
    user(ws, phone="   ", country_code="44", backup_phone=UK, backup_country_code="44")
    plan = ws.plan()
    assert [r["item"] for r in plan if r["item"] in ("phone", "backup_phone")] == ["backup_phone"]
    ws.con.execute("UPDATE mfa_users SET phone = ?", [UK])
    plan = ws.plan({"migrate": {"methods": ["backup_phone"]}})
    assert [r["item"] for r in plan if r["item"] in ("phone", "backup_phone")] == ["backup_phone"]
    plan = ws.plan({"migrate": {"methods": ["mobile_app"]}})
    assert [r["item"] for r in plan if r["item"] in ("phone", "backup_phone")] == []


# ---------------------------------------------------------------- backup phone
def test_backup_without_extension_writes_alternate(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", backup_phone=UK2, backup_country_code="+44")
    row = phone_row(ws, "backup_phone")
    assert (row["ref"], row["action"], row["value"], row["writable"]) == (
        "backup_phone",
        "write_alternate",
        UK2_GRAPH,
        "graph",
    )


def test_backup_with_extension_writes_office(ws: Workspace) -> None:
    user(
        ws,
        phone=UK,
        country_code="44",
        backup_phone="2071838750",
        backup_country_code="44",
        backup_extension="9",
    )
    row = phone_row(ws, "backup_phone")
    assert (row["action"], row["value"]) == ("write_office", "+44 2071838750x9")


def test_both_extensions_skip_the_backup(ws: Workspace) -> None:
    user(
        ws,
        phone=UK,
        country_code="44",
        extension="1",
        backup_phone=UK2,
        backup_country_code="44",
        backup_extension="2",
    )
    row = phone_row(ws, "backup_phone")
    assert (row["action"], row["value"], row["writable"]) == ("skip_both_extensions", None, "none")


def test_both_extensions_decided_on_stored_extensions_whatever_else(ws: Workspace) -> None:
    # phone not selected, primary number invalid, backup number invalid, backup extension not digits,
    # text message (which drops the primary's extension): still skip_both_extensions
    user(
        ws,
        phone="12",
        country_code="44",
        extension="1",
        backup_phone="bad",
        backup_country_code="44",
        backup_extension="#",
        method="text_message",
    )
    assert (
        phone_row(ws, "backup_phone", {"migrate": {"methods": ["backup_phone"]}})["action"]
        == "skip_both_extensions"
    )


def test_backup_alternate_fails_without_a_mobile(ws: Workspace) -> None:
    # the phone goes to office (extension), so no mobile phone exists
    user(ws, phone=UK, country_code="44", extension="1", backup_phone=UK2, backup_country_code="44")
    row = phone_row(ws, "backup_phone")
    assert (row["action"], row["value"], row["writable"]) == ("fail_alternate_requires_mobile", None, "none")


@pytest.mark.parametrize(
    ("primary", "selected", "expected"),
    [
        ({"phone": UK, "country_code": "44"}, ["phone", "backup_phone"], "write_alternate"),
        (
            {"phone": UK, "country_code": "44", "extension": "5", "method": "text_message"},
            ["phone", "backup_phone"],
            "write_alternate",
        ),  # dropped extension writes the mobile
        (
            {"phone": UK, "country_code": "44"},
            ["backup_phone"],
            "fail_alternate_requires_mobile",
        ),  # not selected
        ({"phone": "12", "country_code": "44"}, ["phone", "backup_phone"], "fail_alternate_requires_mobile"),
        (
            {"phone": UK, "country_code": "44", "extension": "1#"},
            ["phone", "backup_phone"],
            "fail_alternate_requires_mobile",
        ),
        ({}, ["phone", "backup_phone"], "fail_alternate_requires_mobile"),  # no phone at all
    ],
)
def test_alternate_needs_a_written_mobile(
    ws: Workspace, primary: dict[str, Any], selected: list[str], expected: str
) -> None:
    user(ws, backup_phone=UK2, backup_country_code="44", **primary)
    assert phone_row(ws, "backup_phone", {"migrate": {"methods": selected}})["action"] == expected


def test_alternate_ok_when_entra_already_has_a_mobile(ws: Workspace) -> None:
    user(ws, phone="12", country_code="44", backup_phone=UK2, backup_country_code="44")
    ws.phone("e1", "mobile", "+44 7400999999")
    assert phone_row(ws, "backup_phone")["action"] == "write_alternate"


def test_alternate_ok_when_the_phone_is_a_noop_on_mobile(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", backup_phone=UK2, backup_country_code="44")
    ws.phone("e1", "mobile", UK_GRAPH)
    plan = ws.plan()
    assert (action(plan, "a@contoso.com", "phone"), action(plan, "a@contoso.com", "backup_phone")) == (
        "noop",
        "write_alternate",
    )


def test_backup_noop_in_alternate_slot(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", backup_phone=UK2, backup_country_code="44")
    ws.phone("e1", "alternateMobile", UK2_GRAPH)
    row = phone_row(ws, "backup_phone")
    assert (row["action"], row["value"]) == ("noop", UK2_GRAPH)


def test_fail_alternate_is_decided_before_noop(ws: Workspace) -> None:
    user(ws, backup_phone=UK2, backup_country_code="44")
    ws.phone("e1", "alternateMobile", UK2_GRAPH)
    assert phone_row(ws, "backup_phone")["action"] == "fail_alternate_requires_mobile"


def test_backup_invalid_number_and_extension(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", backup_phone="12", backup_country_code="44")
    assert phone_row(ws, "backup_phone")["action"] == "invalid_number"
    ws.con.execute("UPDATE mfa_users SET backup_phone = ?, backup_extension = '1,2'", [UK2])
    assert phone_row(ws, "backup_phone")["action"] == "invalid_extension"


def test_backup_office_noop(ws: Workspace) -> None:
    user(ws, phone=UK, country_code="44", backup_phone=UK2, backup_country_code="44", backup_extension="77")
    ws.phone("e1", "office", UK2_GRAPH + "x77")
    assert phone_row(ws, "backup_phone")["action"] == "noop"
