"""``/users/{id|upn}/authentication/temporaryAccessPassMethods``: create, list, get, delete (v1.0, beta).

Creation follows Graph's rules for ``temporaryAccessPassAuthenticationMethod`` and the tenant's
``TemporaryAccessPass`` configuration in the authentication methods policy:

* the configuration must be ``enabled`` and the user in its ``includeTargets`` (``all_users`` or a
  group they are a transitive member of) and not in its ``excludeTargets``;
* ``lifetimeInMinutes`` (default: the policy's ``defaultLifetimeInMinutes``) within 10..43200 and the
  policy's ``minimumLifetimeInMinutes``..``maximumLifetimeInMinutes``;
* ``isUsableOnce`` (default: the policy's) cannot be ``false`` when the policy makes every pass one-time;
* ``startDateTime`` (default: now) is an ISO 8601 time (without an offset: UTC); a pass that would
  already have expired is refused;
* a user has one pass: creating one while another exists deletes the old one (Graph documents this).

Every refusal is 400 with the auth-methods code ``badRequest``. The pass itself (``defaultLength``
characters) is in the 201 answer only: it is never stored, dumped, logged, or returned by a GET
(``temporaryAccessPass`` is ``null`` there). ``isUsable`` and ``methodUsabilityReason`` are computed
when read: ``NotYetValid`` before the start, ``Expired`` after the lifetime, ``DisabledByPolicy`` while
the policy is off, ``OneTimeUsed`` once a one-time pass was used (by a registration, see
:mod:`registrations`), else ``EnabledByPolicy``.
"""

from __future__ import annotations

import secrets
import string
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator.common import METHOD_READ, METHOD_WRITE, body_object, collection, find_user
from analysis.graph.emulator.errors import method_error
from analysis.graph.emulator.methods import TAP, delete_method, find_method, method_context, of_type
from analysis.graph.emulator.router import Call, Resp, route
from analysis.graph.emulator.state import now_iso

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

GRAPH_MIN_LIFETIME, GRAPH_MAX_LIFETIME = 10, 43200
WRITABLE = {"startDateTime", "lifetimeInMinutes", "isUsableOnce"}
# Graph's passes mix letters, digits and a few symbols (its example: "+drkzqAD").
ALPHABET = string.ascii_letters + string.digits + "+-*!@#$%&"
SEGMENT = "temporaryAccessPassMethods"


def tap_config(emu: Emulator) -> dict[str, Any]:
    return emu.state.methods_policy_config("TemporaryAccessPass") or {}


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time as UTC (no offset: taken as UTC); None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def in_scope(emu: Emulator, user: dict[str, Any], config: dict[str, Any]) -> bool:
    """Is the user targeted by a method configuration (``includeTargets`` minus ``excludeTargets``)?"""

    def matches(target: dict[str, Any]) -> bool:
        target_id = str(target.get("id") or "")
        if target_id == "all_users" or target_id == user["id"]:
            return True
        return any(m.get("id") == user["id"] for m in emu.state.transitive_members(target_id))

    included = any(matches(t) for t in config.get("includeTargets") or [] if isinstance(t, dict))
    excluded = any(matches(t) for t in config.get("excludeTargets") or [] if isinstance(t, dict))
    return included and not excluded


def usability(emu: Emulator, method: dict[str, Any], now: datetime | None = None) -> tuple[bool, str]:
    """(``isUsable``, ``methodUsabilityReason``) of a stored pass at ``now``."""
    now = now or datetime.now(UTC)
    start = parse_time(method.get("startDateTime")) or parse_time(method.get("createdDateTime"))
    lifetime = method.get("lifetimeInMinutes")
    if start is None or not isinstance(lifetime, int):  # a seeded pass without times: as the snapshot says
        return bool(method.get("isUsable")), str(method.get("methodUsabilityReason") or "")
    if tap_config(emu).get("state") != "enabled":
        return False, "DisabledByPolicy"
    if method.get("isUsableOnce") and method.get("lastUsedDateTime"):
        return False, "OneTimeUsed"
    if now < start:
        return False, "NotYetValid"
    if now >= start + timedelta(minutes=lifetime):
        return False, "Expired"
    return True, "EnabledByPolicy"


def render_tap(emu: Emulator, method: dict[str, Any]) -> dict[str, Any]:
    usable, reason = usability(emu, method)
    out = {key: value for key, value in method.items() if key != "lastUsedDateTime"}
    out.update(temporaryAccessPass=None, isUsable=usable, methodUsabilityReason=reason)
    return out


def _checked(emu: Emulator, user: dict[str, Any], body: dict[str, Any]) -> tuple[int, bool, str]:
    """(lifetime, usable once, start) for a create request, or Graph's 400."""
    for key, value in body.items():
        if key == "@odata.type" and str(value).lstrip("#") == TAP.lstrip("#"):
            continue
        if key not in WRITABLE:
            raise method_error(
                f"Property '{key}' cannot be set when creating a Temporary Access Pass; only "
                "startDateTime, lifetimeInMinutes and isUsableOnce can."
            )
    config = tap_config(emu)
    if config.get("state") != "enabled":
        raise method_error(
            "Temporary Access Pass is not enabled in the tenant's authentication methods policy."
        )
    if not in_scope(emu, user, config):
        raise method_error(
            "The user is not targeted by the Temporary Access Pass configuration of the authentication "
            "methods policy."
        )
    low = max(GRAPH_MIN_LIFETIME, int(config.get("minimumLifetimeInMinutes") or GRAPH_MIN_LIFETIME))
    high = min(GRAPH_MAX_LIFETIME, int(config.get("maximumLifetimeInMinutes") or GRAPH_MAX_LIFETIME))
    lifetime = body.get("lifetimeInMinutes", config.get("defaultLifetimeInMinutes") or 60)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not low <= lifetime <= high:
        raise method_error(
            f"lifetimeInMinutes must be a whole number of minutes between {low} and {high}, as the "
            "tenant's Temporary Access Pass policy allows."
        )
    policy_once = bool(config.get("isUsableOnce", False))
    once = body.get("isUsableOnce", policy_once)
    if not isinstance(once, bool):
        raise method_error("isUsableOnce must be true or false.")
    if policy_once and not once:
        raise method_error(
            "The tenant's Temporary Access Pass policy allows one-time passes only (isUsableOnce)."
        )
    now = datetime.now(UTC)
    start_text = body.get("startDateTime")
    if start_text is None:
        return lifetime, once, now_iso()
    start = parse_time(start_text)
    if start is None:
        raise method_error(
            f"startDateTime {start_text!r} is not an ISO 8601 date and time, e.g. 2027-01-15T08:00:00Z."
        )
    if start + timedelta(minutes=lifetime) <= now:
        raise method_error(
            "startDateTime plus lifetimeInMinutes is in the past: the pass would never be usable."
        )
    return lifetime, once, start.strftime("%Y-%m-%dT%H:%M:%SZ")


@route("POST", f"/users/{{user}}/authentication/{SEGMENT}", METHOD_WRITE)
def create_tap(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    body = body_object(call) if call.body is not None else {}
    lifetime, once, start = _checked(emu, user, body)
    length = min(48, max(8, int(tap_config(emu).get("defaultLength") or 8)))
    secret_pass = "".join(secrets.choice(ALPHABET) for _ in range(length))
    method = {
        "@odata.type": TAP,
        "id": str(uuid.uuid4()),
        "temporaryAccessPass": None,
        "createdDateTime": now_iso(),
        "startDateTime": start,
        "lifetimeInMinutes": lifetime,
        "isUsableOnce": once,
    }
    methods = emu.state.methods_of(user)
    methods[:] = [m for m in methods if m.get("@odata.type") != TAP]  # one pass per user
    methods.append(method)
    answer = dict(render_tap(emu, method), temporaryAccessPass=secret_pass)
    return Resp(201, {"@odata.context": method_context(emu, call, user, f"{SEGMENT}/$entity"), **answer})


@route("GET", f"/users/{{user}}/authentication/{SEGMENT}", METHOD_READ)
def list_taps(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    context = f"users('{user['id']}')/authentication/{SEGMENT}"
    return collection(emu, call, of_type(user, TAP), lambda m: render_tap(emu, m), context, paged=False)


@route("GET", f"/users/{{user}}/authentication/{SEGMENT}/{{method}}", METHOD_READ)
def get_tap(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    method = find_method(user, TAP, params["method"])
    context = method_context(emu, call, user, f"{SEGMENT}/$entity")
    return Resp(200, {"@odata.context": context, **render_tap(emu, method)})


@route("DELETE", f"/users/{{user}}/authentication/{SEGMENT}/{{method}}", METHOD_WRITE)
def delete_tap(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    delete_method(emu, user, find_method(user, TAP, params["method"]))
    return Resp(204)
