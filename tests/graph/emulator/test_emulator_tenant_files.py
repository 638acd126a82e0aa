"""Bad tenant files stop ``mfa-migrate emulator`` with one line naming the file, the line and the fix.

Each case damages one file of a good snapshot the way people do (another encoding, a hand edit, a
truncated copy) and runs the real command in-process: exit code 2, a single line on stderr, no traceback,
and the emulator never starts serving a tenant that would answer 500 later.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from emulator_tenant import USERS, write_tenant

from analysis.cli import main
from analysis.graph.emulator.state import TenantState

Damage = Callable[[Path], None]


def _lines(name: str, number: int, edit: Callable[[str], str]) -> Damage:
    def damage(tenant: Path) -> None:
        lines = (tenant / name).read_text(encoding="utf-8").splitlines()
        lines[number - 1] = edit(lines[number - 1])
        (tenant / name).write_text("\n".join(lines) + "\n", encoding="utf-8")

    return damage


def _edit_line(name: str, number: int, change: Callable[[dict], object]) -> Damage:
    """Change the object on one line (``change`` mutates it)."""

    def edit(line: str) -> str:
        row = json.loads(line)
        change(row)
        return json.dumps(row)

    return _lines(name, number, edit)


def _raw_line(name: str, number: int, text: str) -> Damage:
    return _lines(name, number, lambda line: text)


def _write(name: str, data: bytes) -> Damage:
    return lambda tenant: (tenant / name).write_bytes(data)


def _latin1_line(tenant: Path) -> None:
    lines = (tenant / "users.jsonl").read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b'"User 3"', '"Jürgen Müller"'.encode("latin-1"))
    (tenant / "users.jsonl").write_bytes(b"\n".join(lines))


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda row: row.__setitem__(key, value)


def _policies(change: Callable[[dict], None]) -> Damage:
    def damage(tenant: Path) -> None:
        raw = json.loads((tenant / "policies.json").read_text())
        change(raw)
        (tenant / "policies.json").write_text(json.dumps(raw))

    return damage


CASES: dict[str, tuple[Damage, str]] = {
    "users.jsonl in Latin-1": (_latin1_line, r"users\.jsonl, line 4: not UTF-8 text \(byte 0xfc"),
    "snapshot.json in UTF-16": (
        lambda t: (t / "snapshot.json").write_text('{"tenantId": "x"}', encoding="utf-16"),
        r"snapshot\.json, line 1: not UTF-8 text",
    ),
    "policies.json in Latin-1": (
        _write(
            "policies.json",
            '{"authenticationMethodsPolicy": {"description": "Richtlinie für"}}'.encode("latin-1"),
        ),
        r"policies\.json, line 1: not UTF-8 text",
    ),
    "truncated JSON line": (
        _raw_line("users.jsonl", 3, '{"id": "x", "displayName": '),
        r"users\.jsonl, line 3: not valid JSON",
    ),
    "a line that is a list": (
        _raw_line("groups.jsonl", 2, "[1, 2]"),
        r"groups\.jsonl, line 2: expected one JSON object per line, found list",
    ),
    "deeply nested line": (
        _raw_line("domains.jsonl", 1, "[" * 100_000 + "]" * 100_000),
        r"domains\.jsonl, line 1: JSON nested too deeply",
    ),
    "user without id": (
        _edit_line("users.jsonl", 5, lambda row: row.pop("id")),
        r'users\.jsonl, line 5: this user has no "id"',
    ),
    "duplicate user id": (
        _edit_line("users.jsonl", 6, _set("id", "10000000-0000-4000-8000-000000000001")),
        r"users\.jsonl, line 6: user id 10000000-0000-4000-8000-000000000001 is already on line 2",
    ),
    "methods not a list": (
        _edit_line("users.jsonl", 2, _set("authenticationMethods", "phone")),
        r"users\.jsonl, line 2: authenticationMethods must be a list, found str",
    ),
    "method without @odata.type": (
        _edit_line("users.jsonl", 2, lambda row: row["authenticationMethods"][1].pop("@odata.type")),
        r'users\.jsonl, line 2: authenticationMethods item 2 has no "@odata.type"',
    ),
    "method without id": (
        _edit_line("users.jsonl", 3, lambda row: row["authenticationMethods"][0].pop("id")),
        r'users\.jsonl, line 3: authenticationMethods item 1 must be an object with an "id"',
    ),
    "signInPreferences a string": (
        _edit_line("users.jsonl", 2, _set("signInPreferences", "sms")),
        r"users\.jsonl, line 2: signInPreferences must be an object or null",
    ),
    "upn a number": (
        _edit_line("users.jsonl", 2, _set("userPrincipalName", 7)),
        r"users\.jsonl, line 2: userPrincipalName must be a string",
    ),
    "group member without id": (
        _edit_line(
            "groups.jsonl", 1, lambda row: row["members"].append({"@odata.type": "#microsoft.graph.user"})
        ),
        r'groups\.jsonl, line 1: members item 3 must be an object with an "id"',
    ),
    "groupTypes a string": (
        _edit_line("groups.jsonl", 1, _set("groupTypes", "Unified")),
        r"groups\.jsonl, line 1: groupTypes must be a list of strings",
    ),
    "federation configuration an object": (
        _edit_line("domains.jsonl", 2, _set("federationConfiguration", {"id": "x"})),
        r"domains\.jsonl, line 2: federationConfiguration must be a list, found dict",
    ),
    "ledger line not JSON": (
        _write("ledger.jsonl", b'{"userId": "u"}\n\n{oops\n'),
        r"ledger\.jsonl, line 3: not valid JSON",
    ),
    "policies a list": (_write("policies.json", b"[]"), r"policies\.json: expected a JSON object"),
    "policies bad JSON": (
        _write("policies.json", b'{\n  "authenticationMethodsPolicy": {,\n}'),
        r"policies\.json, line 2: not valid JSON",
    ),
    "method configurations without ids": (
        _policies(
            lambda raw: raw["authenticationMethodsPolicy"]["authenticationMethodConfigurations"].append(
                {"state": "enabled"}
            )
        ),
        r"policies\.json \(authenticationMethodsPolicy\): authenticationMethodConfigurations item 5 must be"
        r' an object with an "id"',
    ),
    "rollout policy without id": (
        _policies(lambda raw: raw["featureRolloutPolicies"][0].pop("id")),
        r'featureRolloutPolicies item 1 must be an object with an "id"',
    ),
    "snapshot.json without tenantId": (
        _write("snapshot.json", b'{"source": "file"}'),
        r'snapshot\.json: needs a JSON object with a non-empty "tenantId"',
    ),
    "users.jsonl is a directory": (
        lambda t: ((t / "users.jsonl").unlink(), (t / "users.jsonl").mkdir()),
        r"users\.jsonl: cannot be read \(Is a directory\)",
    ),
    "token with a 45 s step": (
        _write(
            "hardwareOathDevices.jsonl", b'{"id": "d1", "serialNumber": "S1", "timeIntervalInSeconds": 45}\n'
        ),
        r"hardwareOathDevices\.jsonl, line 1: timeIntervalInSeconds must be 30 or 60",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_tenant_file_is_one_clear_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage, expected = CASES[case]
    tenant = write_tenant(tmp_path / "tenant")
    damage(tenant)
    assert main(["emulator", "--tenant", str(tenant), "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and "\n" not in err, err
    assert re.search(expected, err), err
    assert str(tenant) in err  # the full path, so the user finds the file


def test_byte_order_mark_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant")
    users = (tenant / "users.jsonl").read_bytes()
    (tenant / "users.jsonl").write_bytes(b"\xef\xbb\xbf" + users.replace(b"\n", b"\n\n", 1))
    (tenant / "snapshot.json").write_bytes(b"\xef\xbb\xbf" + (tenant / "snapshot.json").read_bytes())
    state = TenantState.load(tenant)
    assert len(state.users) == USERS and state.user("u1@fabrikam.example") is not None
