"""``/users``: list with ``$filter``/``$select``/``$top``/``$count`` and paging, get by id or UPN.

The filter table is Graph's (reference/graph-api.md §3.2, from Microsoft's filter-directory-objects
include): ``eq`` on ``onPremisesSamAccountName``, ``ne``, ``not``, ``endsWith`` and ``eq null`` on most
properties need ``ConsistencyLevel: eventual`` plus ``$count=true``; without them Graph answers 400
``Request_UnsupportedQuery``. ``$count=true`` alone is silently ignored on a collection, and the
``/users/$count`` segment without the header is 400 "$count is not currently supported."
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.graph.emulator import odata
from analysis.graph.emulator.common import USER_READ, check_select, collection, find_user
from analysis.graph.emulator.errors import BAD_REQUEST, GraphError
from analysis.graph.emulator.odata import ADVANCED, DEFAULT
from analysis.graph.emulator.router import Call, Resp, route

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

# Snapshot-only keys: part of users.jsonl, never part of a Graph user object.
HIDDEN = {"authenticationMethods", "signInPreferences"}

DEFAULT_PROPERTIES = [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
]
PROPERTY_DEFAULTS: dict[str, Any] = {"businessPhones": [], "otherMails": [], "proxyAddresses": []}

KNOWN_PROPERTIES = {
    *DEFAULT_PROPERTIES,
    "accountEnabled",
    "ageGroup",
    "assignedLicenses",
    "city",
    "companyName",
    "country",
    "createdDateTime",
    "creationType",
    "department",
    "employeeHireDate",
    "employeeId",
    "employeeType",
    "externalUserState",
    "faxNumber",
    "identities",
    "isResourceAccount",
    "lastPasswordChangeDateTime",
    "mailNickname",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesExtensionAttributes",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "postalCode",
    "preferredDataLocation",
    "proxyAddresses",
    "securityIdentifier",
    "showInAddressList",
    "signInSessionsValidFromDateTime",
    "state",
    "streetAddress",
    "usageLocation",
    "userType",
}

_D, _A = DEFAULT, ADVANCED
FILTERS: dict[str, dict[str, str]] = {
    "id": {"eq": _D},
    "userPrincipalName": {"eq": _D, "startsWith": _D, "endsWith": _A},
    "mail": {"eq": _D, "startsWith": _D, "endsWith": _A, "null": _A},
    "employeeId": {"eq": _D, "null": _A},
    "onPremisesImmutableId": {"eq": _D},
    "onPremisesSecurityIdentifier": {"eq": _D, "null": _A},
    "onPremisesSyncEnabled": {"eq": _D, "null": _A},
    "onPremisesSamAccountName": {"eq": _A, "startsWith": _A},
    "displayName": {"eq": _D, "startsWith": _D, "null": _A},
    "givenName": {"eq": _D, "startsWith": _D, "null": _A},
    "surname": {"eq": _D, "startsWith": _D, "null": _A},
    "accountEnabled": {"eq": _D, "null": _A},
    "userType": {"eq": _D, "null": _A},
    "mailNickname": {"eq": _D, "startsWith": _D, "null": _A},
    "mobilePhone": {"eq": _A, "startsWith": _A, "null": _A},
    "officeLocation": {"eq": _A, "startsWith": _A, "null": _A},
    "companyName": {"eq": _A, "startsWith": _A, "null": _A},
    "employeeType": {"eq": _A, "startsWith": _A, "null": _A},
    "department": {"eq": _A, "startsWith": _A, "null": _A},
    "proxyAddresses/any": {"eq": _D, "startsWith": _D, "endsWith": _A},
    "otherMails/any": {"eq": _D, "startsWith": _D, "endsWith": _A},
}


def allowed_properties(emu: Emulator) -> set[str]:
    """Graph's user properties plus any other property the snapshot's users carry."""
    return KNOWN_PROPERTIES | (emu.state.user_keys - HIDDEN)


def render_user(user: dict[str, Any], select: list[str] | None) -> dict[str, Any]:
    return odata.project(user, select or DEFAULT_PROPERTIES, PROPERTY_DEFAULTS)


INDEXED = {
    "id",
    "userPrincipalName",
    "mail",
    "employeeId",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesImmutableId",
}


def _indexed(emu: Emulator, node: odata.Node) -> list[dict[str, Any]] | None:
    """Users for a plain ``prop eq 'x'`` or ``prop in (...)`` filter, through an index (a hot path)."""
    if node[0] == "cmp" and node[1] == "eq" and node[2] in INDEXED and isinstance(node[3], str):
        return emu.state.users_where(node[2], node[3])
    if node[0] == "in" and node[1] in INDEXED and all(isinstance(v, str) for v in node[2]):
        ids = {u["id"] for value in node[2] for u in emu.state.users_where(node[1], value)}
        return [user for user_id, user in emu.state.users.items() if user_id in ids]
    return None


def filtered_users(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    text = call.query.get("$filter")
    if text:
        node = odata.parse_filter(text)
        odata.check_filter(node, FILTERS, "User", call.advanced)
        found = _indexed(emu, node)
        users = (
            found if found is not None else [u for u in emu.state.users.values() if odata.evaluate(node, u)]
        )
    else:
        users = emu.state.user_list()
    if "$search" in call.query and not call.advanced:
        raise GraphError(
            400,
            "Request_UnsupportedQuery",
            "Request with $search query parameter only works through MSGraph with a special request header: "
            "'ConsistencyLevel: eventual'",
        )
    if "$orderby" in call.query and text and not call.advanced:
        raise GraphError(400, "Request_UnsupportedQuery", "Sorting not supported for current query.")
    return users


@route("GET", "/users/$count", USER_READ)
def count_users(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    if (call.header("consistencylevel") or "").lower() != "eventual":
        raise GraphError(400, BAD_REQUEST, "$count is not currently supported.")
    forced = Call(**{**call.__dict__, "query": {**call.query, "$count": "true"}})
    return Resp(200, str(len(filtered_users(emu, forced))), {"Content-Type": "text/plain"})


@route("GET", "/users", USER_READ)
def list_users(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    select = odata.parse_select(call.query.get("$select"))
    check_select(select, allowed_properties(emu), "user")
    users = filtered_users(emu, call)
    context = f"users({','.join(select)})" if select else "users"
    return collection(emu, call, users, lambda user: render_user(user, select), context)


@route("GET", "/users/{user}", USER_READ)
def get_user(emu: Emulator, call: Call, params: dict[str, str]) -> Resp:
    user = find_user(emu, params["user"])
    select = odata.parse_select(call.query.get("$select"))
    check_select(select, allowed_properties(emu), "user")
    body = {"@odata.context": emu.context(call, "users/$entity"), **render_user(user, select)}
    return Resp(200, body)
