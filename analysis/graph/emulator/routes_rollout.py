"""Staged rollout: ``/policies/featureRolloutPolicies`` and their ``appliesTo`` groups.

Follows reference/graph-api.md §4: delegated permissions only (an app-only token gets 403 unless the
emulator runs with ``--allow-app-staged-rollout``); ``appliesTo`` takes groups only, at most 10, no
dynamic groups, no groups with nested groups or contacts, none above 50,000 users; a group already
applied is refused. ``feature`` is an evolvable enum: ``certificateBasedAuthentication`` and
``multiFactorAuthentication`` are answered as ``unknownFutureValue`` unless the request carries
``Prefer: include-unknown-enum-members``, and can only be *sent* with that header. One policy per
feature. Create 201, update 204, delete 204, ``appliesTo/$ref`` add 204 / remove 204.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator.common import ROLLOUT_READ, ROLLOUT_WRITE, body_object
from analysis.graph.emulator.errors import BAD_REQUEST, GraphError, not_found
from analysis.graph.emulator.router import Call, Resp, route
from analysis.graph.emulator.routes_groups import DYNAMIC, reference_id
from analysis.graph.emulator.state import CONTACT, GROUP, USER

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

FEATURES = {
    "passthroughAuthentication",
    "seamlessSso",
    "passwordHashSync",
    "emailAsAlternateId",
    "unknownFutureValue",
}
EVOLVABLE = {"certificateBasedAuthentication", "multiFactorAuthentication"}
MAX_GROUPS = 10
MAX_GROUP_USERS = 50_000
UPDATABLE = {"displayName", "description", "isEnabled", "isAppliedToOrganization"}


def _render(call: Call, policy: dict[str, Any], expand: bool) -> dict[str, Any]:
    out = {key: value for key, value in policy.items() if key != "appliesTo"}
    if out.get("feature") in EVOLVABLE and not call.prefers("include-unknown-enum-members"):
        out["feature"] = "unknownFutureValue"
    if expand:
        out["appliesTo"] = list(policy.get("appliesTo") or [])
    return out


def _expand(call: Call) -> bool:
    return "appliesto" in [part.strip().lower() for part in call.query.get("$expand", "").split(",")]


def _policy(emu: Emulator, policy_id: str) -> dict[str, Any]:
    policy = emu.state.rollout.get(policy_id)
    if policy is None:
        raise not_found(policy_id)
    return policy


def _check_feature(call: Call, feature: Any) -> str:
    if feature in EVOLVABLE and not call.prefers("include-unknown-enum-members"):
        raise GraphError(
            400,
            BAD_REQUEST,
            f"Invalid value '{feature}' for property 'feature': it is an evolvable enum member; "
            "send the header "
            "'Prefer: include-unknown-enum-members' to use it.",
        )
    if feature not in FEATURES | EVOLVABLE or feature == "unknownFutureValue":
        raise GraphError(400, BAD_REQUEST, f"Invalid value '{feature}' for property 'feature'.")
    return str(feature)


@route("GET", "/policies/featureRolloutPolicies", ROLLOUT_READ)
def list_rollout(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    expand = _expand(call)
    return Resp(
        200,
        {
            "@odata.context": emu.context(call, "policies/featureRolloutPolicies"),
            "value": [_render(call, policy, expand) for policy in emu.state.rollout.values()],
        },
    )


@route("POST", "/policies/featureRolloutPolicies", ROLLOUT_WRITE)
def create_rollout(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    body = body_object(call)
    for key in ("displayName", "feature", "isEnabled"):
        if key not in body:
            raise GraphError(
                400, BAD_REQUEST, f"The property '{key}' is required when creating a featureRolloutPolicy."
            )
    feature = _check_feature(call, body["feature"])
    if any(policy.get("feature") == feature for policy in emu.state.rollout.values()):
        raise GraphError(
            400,
            BAD_REQUEST,
            f"A feature rollout policy for feature '{feature}' already exists in this tenant.",
        )
    if not isinstance(body["isEnabled"], bool):
        raise GraphError(400, BAD_REQUEST, "isEnabled must be true or false.")
    policy = {
        "id": str(uuid.uuid4()),
        "displayName": body["displayName"],
        "description": body.get("description"),
        "feature": feature,
        "isEnabled": body["isEnabled"],
        "isAppliedToOrganization": bool(body.get("isAppliedToOrganization", False)),
        "appliesTo": [],
    }
    emu.state.rollout[policy["id"]] = policy
    return Resp(
        201,
        {
            "@odata.context": emu.context(call, "policies/featureRolloutPolicies/$entity"),
            **_render(call, policy, False),
        },
    )


@route("GET", "/policies/featureRolloutPolicies/{policy}", ROLLOUT_READ)
def get_rollout(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    policy = _policy(emu, params["policy"])
    return Resp(
        200,
        {
            "@odata.context": emu.context(call, "policies/featureRolloutPolicies/$entity"),
            **_render(call, policy, _expand(call)),
        },
    )


@route("PATCH", "/policies/featureRolloutPolicies/{policy}", ROLLOUT_WRITE)
def update_rollout(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    policy = _policy(emu, params["policy"])
    body = body_object(call)
    for key in body:
        if key == "feature":
            if _check_feature(call, body[key]) != policy.get("feature"):
                raise GraphError(400, BAD_REQUEST, "The feature of a rollout policy cannot be changed.")
        elif key not in UPDATABLE:
            raise GraphError(400, BAD_REQUEST, f"Property '{key}' cannot be updated.")
    policy.update({key: value for key, value in body.items() if key in UPDATABLE})
    return Resp(204)


@route("DELETE", "/policies/featureRolloutPolicies/{policy}", ROLLOUT_WRITE)
def delete_rollout(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    policy = _policy(emu, params["policy"])
    del emu.state.rollout[policy["id"]]
    return Resp(204)


@route("GET", "/policies/featureRolloutPolicies/{policy}/appliesTo", ROLLOUT_READ)
def list_applies_to(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    policy = _policy(emu, params["policy"])
    items = []
    for entry in policy.get("appliesTo") or []:
        group = emu.state.groups.get(entry.get("id", ""))
        rendered = {"@odata.type": GROUP, "id": entry.get("id")}
        if group is not None:
            rendered["displayName"] = group.get("displayName")
        items.append(rendered)
    return Resp(200, {"@odata.context": emu.context(call, "directoryObjects"), "value": items})


@route("POST", "/policies/featureRolloutPolicies/{policy}/appliesTo/$ref", ROLLOUT_WRITE)
def add_applies_to(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    policy = _policy(emu, params["policy"])
    object_id = reference_id(call)
    found = emu.state.directory_object(object_id)
    if found is None:
        raise not_found(object_id)
    kind, group = found
    if kind != GROUP:
        raise GraphError(400, BAD_REQUEST, "Staged rollout policies can only be applied to groups.")
    applied = policy.setdefault("appliesTo", [])
    if any(entry.get("id") == object_id for entry in applied):
        raise GraphError(
            400,
            BAD_REQUEST,
            "One or more added object references already exist for the following modified properties: "
            "'appliesTo'.",
        )
    if DYNAMIC in (group.get("groupTypes") or []):
        raise GraphError(400, BAD_REQUEST, "Dynamic groups are not supported for staged rollout.")
    members = group.get("members") or []
    if any(member.get("@odata.type") == GROUP for member in members):
        raise GraphError(400, BAD_REQUEST, "Nested groups are not supported for staged rollout.")
    if any(member.get("@odata.type") == CONTACT for member in members):
        raise GraphError(
            400, BAD_REQUEST, "Groups that contain contacts are not supported for staged rollout."
        )
    if sum(1 for member in members if member.get("@odata.type") == USER) > MAX_GROUP_USERS:
        raise GraphError(
            400,
            BAD_REQUEST,
            f"Groups with more than {MAX_GROUP_USERS} members are not supported for staged rollout.",
        )
    if len(applied) >= MAX_GROUPS:
        raise GraphError(
            400, BAD_REQUEST, f"A staged rollout feature can be applied to at most {MAX_GROUPS} groups."
        )
    applied.append({"id": object_id})
    return Resp(204)


@route("DELETE", "/policies/featureRolloutPolicies/{policy}/appliesTo/{object}/$ref", ROLLOUT_WRITE)
def remove_applies_to(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    policy = _policy(emu, params["policy"])
    applied = policy.get("appliesTo") or []
    index = next((i for i, entry in enumerate(applied) if entry.get("id") == params["object"]), None)
    if index is None:
        raise not_found(params["object"])
    del applied[index]
    return Resp(204)
