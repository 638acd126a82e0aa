"""``/groups``: list/get, direct and transitive members, and ``members/$ref`` add/remove.

Graph rules kept here: the OData cast ``transitiveMembers/microsoft.graph.user`` needs advanced query
parameters (reference/graph-api.md §3.3); ``members/$ref`` refuses an object that is already a member
(400, Graph's "One or more added object references already exist"), a group with dynamic membership,
and a group synced from on-premises AD (Graph's "originated within an external service"), and removing a
non-member is 404 (``DELETE .../members/{id}/$ref`` or ``.../members/$ref?$id=<object URL>``, or
``@id``). OData casts may be written ``microsoft.graph.user`` or ``graph.user`` (the router maps it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.graph.emulator import odata
from analysis.graph.emulator.common import GROUP_READ, GROUP_WRITE, body_object, check_select, collection
from analysis.graph.emulator.errors import BAD_REQUEST, UNSUPPORTED_QUERY, GraphError, not_found
from analysis.graph.emulator.odata import DEFAULT
from analysis.graph.emulator.router import Call, Resp, route
from analysis.graph.emulator.routes_users import (
    DEFAULT_PROPERTIES as USER_DEFAULTS,
)
from analysis.graph.emulator.routes_users import (
    HIDDEN as USER_HIDDEN,
)
from analysis.graph.emulator.routes_users import (
    PROPERTY_DEFAULTS,
)
from analysis.graph.emulator.state import CONTACT, GROUP, USER

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

HIDDEN = {"members"}
FILTERS: dict[str, dict[str, str]] = {
    "id": {"eq": DEFAULT},
    "displayName": {"eq": DEFAULT, "startsWith": DEFAULT},
    "mailNickname": {"eq": DEFAULT, "startsWith": DEFAULT},
    "mail": {"eq": DEFAULT, "startsWith": DEFAULT},
    "securityEnabled": {"eq": DEFAULT},
    "mailEnabled": {"eq": DEFAULT},
    "onPremisesSyncEnabled": {"eq": DEFAULT},
    "groupTypes/any": {"eq": DEFAULT},
}
KNOWN_PROPERTIES = {
    "id",
    "displayName",
    "description",
    "groupTypes",
    "membershipRule",
    "membershipRuleProcessingState",
    "securityEnabled",
    "mailEnabled",
    "mail",
    "mailNickname",
    "onPremisesSyncEnabled",
    "onPremisesSecurityIdentifier",
    "createdDateTime",
    "isAssignableToRole",
    "visibility",
}
DYNAMIC = "DynamicMembership"


def _group(emu: Emulator, ref: str) -> dict[str, Any]:
    group = emu.state.groups.get(ref)
    if group is None:
        raise not_found(ref)
    return group


def render_group(group: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    if select:
        return odata.project(group, select)
    return {key: value for key, value in group.items() if key not in HIDDEN}


def render_member(emu: Emulator, member: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    kind = member.get("@odata.type")
    member_id = member.get("id", "")
    if kind == USER and member_id in emu.state.users:
        user = emu.state.users[member_id]
        return {"@odata.type": USER, **odata.project(user, select or USER_DEFAULTS, PROPERTY_DEFAULTS)}
    if kind == GROUP and member_id in emu.state.groups:
        return {"@odata.type": GROUP, **render_group(emu.state.groups[member_id], select)}
    return {"@odata.type": kind or CONTACT, "id": member_id}


def _members_response(
    emu: Emulator, call: Call, group_id: str, members: list[dict[str, Any]], what: str
) -> Resp:
    select = odata.parse_select(call.query.get("$select"))
    check_select(select, KNOWN_PROPERTIES | (emu.state.user_keys - USER_HIDDEN), "directoryObject")
    return collection(
        emu,
        call,
        members,
        lambda member: render_member(emu, member, select),
        "directoryObjects" if what != "users" else "users",
    )


@route("GET", "/groups", GROUP_READ)
def list_groups(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    select = odata.parse_select(call.query.get("$select"))
    check_select(select, KNOWN_PROPERTIES, "group")
    groups = list(emu.state.groups.values())
    text = call.query.get("$filter")
    if text:
        node = odata.parse_filter(text)
        odata.check_filter(node, FILTERS, "Group", call.advanced)
        groups = [group for group in groups if odata.evaluate(node, group)]
    return collection(emu, call, groups, lambda group: render_group(group, select), "groups")


@route("GET", "/groups/{group}", GROUP_READ)
def get_group(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    group = _group(emu, params["group"])
    select = odata.parse_select(call.query.get("$select"))
    check_select(select, KNOWN_PROPERTIES, "group")
    return Resp(200, {"@odata.context": emu.context(call, "groups/$entity"), **render_group(group, select)})


@route("GET", "/groups/{group}/members", GROUP_READ)
def list_members(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    group = _group(emu, params["group"])
    return _members_response(emu, call, group["id"], list(group.get("members") or []), "all")


@route("GET", "/groups/{group}/members/microsoft.graph.user", GROUP_READ)
def list_user_members(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    group = _group(emu, params["group"])
    members = [m for m in group.get("members") or [] if m.get("@odata.type") == USER]
    return _members_response(emu, call, group["id"], members, "users")


@route("GET", "/groups/{group}/transitiveMembers", GROUP_READ)
def list_transitive(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    group = _group(emu, params["group"])
    return _members_response(emu, call, group["id"], emu.state.transitive_members(group["id"]), "all")


@route("GET", "/groups/{group}/transitiveMembers/microsoft.graph.user", GROUP_READ)
def list_transitive_users(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    group = _group(emu, params["group"])
    if not call.advanced:
        raise GraphError(
            400,
            UNSUPPORTED_QUERY,
            "The specified OData cast is only supported with advanced query parameters: send "
            "'ConsistencyLevel: eventual' and '$count=true'.",
        )
    members = [m for m in emu.state.transitive_members(group["id"]) if m.get("@odata.type") == USER]
    return _members_response(emu, call, group["id"], members, "users")


def reference_id(call: Call) -> str:
    """The object id at the end of a ``$ref`` body's ``@odata.id``."""
    body = body_object(call)
    ref = body.get("@odata.id")
    if not isinstance(ref, str) or not ref.strip():
        raise GraphError(
            400, BAD_REQUEST, "Invalid request body: '@odata.id' is required for a $ref request."
        )
    last = ref.rstrip("/").rsplit("/", 1)[-1]
    if last.startswith("directoryObjects(") or "('" in last:
        last = last.split("('", 1)[-1].rstrip("')")
    return last


def check_membership_writable(group: dict[str, Any]) -> None:
    if DYNAMIC in (group.get("groupTypes") or []):
        raise GraphError(
            400,
            BAD_REQUEST,
            "Insufficient privileges to complete the operation. Members of a group with dynamic "
            "membership are managed by its membership rule and cannot be added or removed.",
        )
    if group.get("onPremisesSyncEnabled") is True:
        raise GraphError(
            400,
            BAD_REQUEST,
            "Unable to update the specified properties for objects that have originated within an external "
            "service.",
        )


@route("POST", "/groups/{group}/members/$ref", GROUP_WRITE)
def add_member(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    group = _group(emu, params["group"])
    member_id = reference_id(call)
    found = emu.state.directory_object(member_id)
    if found is None:
        raise not_found(member_id)
    check_membership_writable(group)
    members = group.setdefault("members", [])
    if any(member.get("id") == member_id for member in members):
        raise GraphError(
            400,
            BAD_REQUEST,
            "One or more added object references already exist for the following modified properties: "
            "'members'.",
        )
    members.append({"@odata.type": found[0], "id": member_id})
    return Resp(204)


@route("DELETE", "/groups/{group}/members/{member}/$ref", GROUP_WRITE)
def remove_member(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    return _remove(emu, params["group"], params["member"])


@route("DELETE", "/groups/{group}/members/$ref", GROUP_WRITE)
def remove_member_by_query(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    """Graph's other spelling: ``DELETE .../members/$ref?$id=<directoryObjects URL>`` (the SDK: ``@id``)."""
    ref = call.query.get("$id") or call.query.get("@id") or ""
    if not ref.strip():
        raise GraphError(400, BAD_REQUEST, "The $id query option is required to delete a reference.")
    return _remove(emu, params["group"], ref.rstrip("/").rsplit("/", 1)[-1])


def _remove(emu: Emulator, group_id: str, member_id: str) -> Resp:
    group = _group(emu, group_id)
    members = group.get("members") or []
    index = next((i for i, member in enumerate(members) if member.get("id") == member_id), None)
    if index is None:
        raise not_found(member_id)
    check_membership_writable(group)
    del members[index]
    return Resp(204)
