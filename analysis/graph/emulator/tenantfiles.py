"""Reading a tenant snapshot's files for the emulator: every problem is one line naming file, line, fix.

A snapshot is usually written by ``mfa-migrate snapshot``, but people also hand-edit one, export it from
elsewhere, or save it in the wrong encoding. The emulator must then stop with a message that says which
file and which line, and what to do, never a traceback (and never start serving a tenant that would
answer 500 to the first request that touches the bad object). So besides JSON syntax, the shapes the
routes rely on are checked here: ids present and unique, method lists that are lists of objects with
an ``@odata.type`` and an ``id``, group members with ids, and so on.

Text must be UTF-8 (a byte-order mark is accepted, as Windows tools write one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis.errors import UserError

FIX = "Fix the file or write the snapshot again with `mfa-migrate snapshot`."
Row = tuple[int, dict[str, Any]]  # (line number, object)


def _text(path: Path, raw: bytes, line: int | None = None) -> str:
    """``raw`` decoded as UTF-8 (``line``: its line number in the file; None: the whole file)."""
    try:
        return raw.decode("utf-8-sig" if line in (None, 1) else "utf-8")
    except UnicodeDecodeError as exc:
        number = line if line is not None else raw.count(b"\n", 0, exc.start) + 1
        where = f"{path}, line {number}"
        raise UserError(
            f"{where}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start + 1}). "
            "Save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`) or write the snapshot again with "
            "`mfa-migrate snapshot`."
        ) from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(
            f"{path}: cannot be read ({exc.strerror or exc}). Check the path and its permissions."
        ) from None


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno}). {FIX}") from None
    except RecursionError:
        raise UserError(f"{where}: JSON nested too deeply to be a Graph object. {FIX}") from None


def read_json(path: Path) -> Any:
    """A whole-file JSON document (``snapshot.json``, ``policies.json``)."""
    text = _text(path, _read_bytes(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno}). {FIX}"
        ) from None
    except RecursionError:
        raise UserError(f"{path}: JSON nested too deeply to be a Graph object. {FIX}") from None


def check_devices(path: Path, rows: list[Row]) -> None:
    """The emulator-only hardware token inventory: ids, and a time step of 30 or 60 seconds."""
    require_ids(path, rows, "hardware token")
    for number, device in rows:
        step = device.get("timeIntervalInSeconds", 30)
        if step not in (30, 60) or isinstance(step, bool):
            raise UserError(f"{path}, line {number}: timeIntervalInSeconds must be 30 or 60. {FIX}")


def read_jsonl(path: Path) -> list[Row]:
    """One JSON object per line (blank lines skipped), each with its line number; [] if the file is absent."""
    if not path.exists():
        return []
    rows: list[Row] = []
    for number, raw in enumerate(_read_bytes(path).split(b"\n"), start=1):
        text = _text(path, raw, number)
        if not text.strip():
            continue
        where = f"{path}, line {number}"
        row = _parse(text, where)
        if not isinstance(row, dict):
            raise UserError(f"{where}: expected one JSON object per line, found {type(row).__name__}. {FIX}")
        rows.append((number, row))
    return rows


def require_ids(path: Path, rows: list[Row], what: str) -> None:
    """Every object has a non-empty string ``id``, and no id appears twice."""
    seen: dict[str, int] = {}
    for number, row in rows:
        ident = row.get("id")
        if not isinstance(ident, str) or not ident:
            raise UserError(
                f'{path}, line {number}: this {what} has no "id" (a string); every {what} needs one.'
            )
        key = ident.lower()
        if key in seen:
            raise UserError(
                f"{path}, line {number}: {what} id {ident} is already on line {seen[key]}; each {what} once."
            )
        seen[key] = number


def _objects(value: Any, where: str, name: str, *, need_type: bool) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        raise UserError(f"{where}: {name} must be a list, found {type(value).__name__}. {FIX}")
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise UserError(f'{where}: {name} item {index} must be an object with an "id". {FIX}')
        if need_type and not isinstance(item.get("@odata.type"), str):
            raise UserError(
                f'{where}: {name} item {index} has no "@odata.type" (e.g. '
                f'"#microsoft.graph.phoneAuthenticationMethod"). {FIX}'
            )


def check_users(path: Path, rows: list[Row]) -> None:
    require_ids(path, rows, "user")
    for number, user in rows:
        where = f"{path}, line {number}"
        upn = user.get("userPrincipalName")
        if upn is not None and not isinstance(upn, str):
            raise UserError(f"{where}: userPrincipalName must be a string. {FIX}")
        _objects(user.get("authenticationMethods"), where, "authenticationMethods", need_type=True)
        prefs = user.get("signInPreferences")
        if prefs is not None and not isinstance(prefs, dict):
            raise UserError(f"{where}: signInPreferences must be an object or null. {FIX}")


def check_groups(path: Path, rows: list[Row]) -> None:
    require_ids(path, rows, "group")
    for number, group in rows:
        where = f"{path}, line {number}"
        _objects(group.get("members"), where, "members", need_type=True)
        types = group.get("groupTypes")
        if types is not None and not (isinstance(types, list) and all(isinstance(t, str) for t in types)):
            raise UserError(f"{where}: groupTypes must be a list of strings. {FIX}")


def check_domains(path: Path, rows: list[Row]) -> None:
    require_ids(path, rows, "domain")
    for number, domain in rows:
        _objects(
            domain.get("federationConfiguration"),
            f"{path}, line {number}",
            "federationConfiguration",
            need_type=False,
        )


def check_policies(path: Path, raw: Any) -> None:
    if not isinstance(raw, dict):
        raise UserError(f"{path}: expected a JSON object with authenticationMethodsPolicy. {FIX}")
    policy = raw.get("authenticationMethodsPolicy")
    if policy is not None:
        if not isinstance(policy, dict):
            raise UserError(f"{path}: authenticationMethodsPolicy must be an object. {FIX}")
        _objects(
            policy.get("authenticationMethodConfigurations"),
            f"{path} (authenticationMethodsPolicy)",
            "authenticationMethodConfigurations",
            need_type=False,
        )
        enforcement = policy.get("registrationEnforcement")
        if enforcement is not None and not isinstance(enforcement, dict):
            raise UserError(f"{path}: registrationEnforcement must be an object. {FIX}")
    rollout = raw.get("featureRolloutPolicies")
    if rollout is not None:
        _objects(rollout, path.as_posix(), "featureRolloutPolicies", need_type=False)
        for index, item in enumerate(rollout, start=1):
            _objects(
                item.get("appliesTo"),
                f"{path} (featureRolloutPolicies item {index})",
                "appliesTo",
                need_type=False,
            )
