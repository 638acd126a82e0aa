"""Helpers the route modules share: permission sets, body checks, user lookup, collection answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from analysis.graph.emulator import odata
from analysis.graph.emulator.errors import BAD_REQUEST, GraphError, not_found
from analysis.graph.emulator.router import Call, Perm, Resp

if TYPE_CHECKING:
    from analysis.graph.emulator.core import Emulator

_DIR_READ = ("Directory.Read.All", "Directory.ReadWrite.All")
USER_READ = Perm(
    ("User.Read.All", "User.ReadWrite.All", *_DIR_READ), ("User.Read.All", "User.ReadWrite.All", *_DIR_READ)
)
GROUP_READ = Perm(
    (
        "GroupMember.Read.All",
        "Group.Read.All",
        "GroupMember.ReadWrite.All",
        "Group.ReadWrite.All",
        *_DIR_READ,
    ),
    (
        "GroupMember.Read.All",
        "Group.Read.All",
        "GroupMember.ReadWrite.All",
        "Group.ReadWrite.All",
        *_DIR_READ,
    ),
)
GROUP_WRITE = Perm(
    ("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"),
    ("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"),
)
_METHOD_READ = ("UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All")
METHOD_READ = Perm(_METHOD_READ, _METHOD_READ)
METHOD_WRITE = Perm(("UserAuthenticationMethod.ReadWrite.All",), ("UserAuthenticationMethod.ReadWrite.All",))
PHONE_READ = Perm(
    (*_METHOD_READ, "UserAuthMethod-Phone.Read.All", "UserAuthMethod-Phone.ReadWrite.All"),
    (*_METHOD_READ, "UserAuthMethod-Phone.Read.All", "UserAuthMethod-Phone.ReadWrite.All"),
)
PHONE_WRITE = Perm(
    ("UserAuthenticationMethod.ReadWrite.All", "UserAuthMethod-Phone.ReadWrite.All"),
    ("UserAuthenticationMethod.ReadWrite.All", "UserAuthMethod-Phone.ReadWrite.All"),
)
_POLICY_READ = (
    "Policy.Read.All",
    "Policy.Read.AuthenticationMethod",
    "Policy.ReadWrite.AuthenticationMethod",
)
POLICY_READ = Perm(_POLICY_READ, _POLICY_READ)
POLICY_WRITE = Perm(("Policy.ReadWrite.AuthenticationMethod",), ("Policy.ReadWrite.AuthenticationMethod",))
# Staged rollout: Graph supports delegated permissions only (reference/graph-api.md §4).
ROLLOUT_READ = Perm(
    (),
    (
        "Policy.Read.HybridAuthentication",
        "Policy.ReadWrite.HybridAuthentication",
        "Policy.ReadWrite.FeatureRollout",
        "Directory.ReadWrite.All",
    ),
)
ROLLOUT_WRITE = Perm(
    (),
    ("Policy.ReadWrite.HybridAuthentication", "Policy.ReadWrite.FeatureRollout", "Directory.ReadWrite.All"),
)
DOMAIN_READ = Perm(
    ("Domain.Read.All", "Domain.ReadWrite.All", *_DIR_READ),
    ("Domain.Read.All", "Domain.ReadWrite.All", *_DIR_READ),
)
FEDERATION_WRITE = Perm(
    ("Domain-InternalFederation.ReadWrite.All", "Domain.ReadWrite.All"),
    ("Domain-InternalFederation.ReadWrite.All", "Domain.ReadWrite.All"),
)


def body_object(call: Call) -> dict[str, Any]:
    """The JSON object a write must carry, or Graph's 400 for a missing or malformed one."""
    if not isinstance(call.body, dict):
        raise GraphError(
            400,
            BAD_REQUEST,
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of "
            "valid JSON format.",
        )
    return call.body


def without_odata_type(body: dict[str, Any], type_name: str) -> dict[str, Any]:
    """The body without its ``@odata.type`` (the SDKs send it), or 400 if it names another type."""
    sent = body.get("@odata.type")
    if sent is not None and str(sent).lstrip("#").lower() != f"microsoft.graph.{type_name}".lower():
        raise GraphError(
            400,
            BAD_REQUEST,
            f"A type named '{sent}' could not be resolved by the model; expected "
            f"'microsoft.graph.{type_name}'.",
        )
    return {key: value for key, value in body.items() if key != "@odata.type"}


def find_user(emu: Emulator, ref: str) -> dict[str, Any]:
    if ref.startswith("$"):
        raise GraphError(
            400,
            BAD_REQUEST,
            f"Invalid object identifier '{ref}'. Use /users('{ref}') for a user principal name "
            "starting with '$'.",
        )
    user = emu.state.user(ref)
    if user is None:
        raise not_found(ref)
    return user


def check_select(names: list[str] | None, allowed: set[str], type_name: str) -> None:
    if not names:
        return
    lowered = {name.lower() for name in allowed}
    for name in names:
        if name.lower() not in lowered:
            raise GraphError(
                400,
                BAD_REQUEST,
                f"Could not find a property named '{name}' on type 'microsoft.graph.{type_name}'.",
            )


def collection(
    emu: Emulator,
    call: Call,
    items: list[Any],
    render: Callable[[Any], dict[str, Any]],
    context: str,
    *,
    default_page: int = 100,
    max_page: int = 999,
    paged: bool = True,
) -> Resp:
    """A Graph collection answer: ``@odata.context``, optional ``@odata.count``, ``value``, ``nextLink``."""
    body: dict[str, Any] = {"@odata.context": emu.context(call, context)}
    first_page = "$skiptoken" not in call.query
    if call.advanced and first_page:
        body["@odata.count"] = len(items)
    if paged:
        page = odata.paginate(items, call.query, default_page, max_page)
        body["value"] = [render(item) for item in page.items]
        if page.next_offset is not None:
            body["@odata.nextLink"] = odata.next_link(
                f"{emu.base_url}/{call.version}", call.path, call.query, page.next_offset
            )
    else:
        body["value"] = [render(item) for item in items]
    return Resp(200, body)


def strip(obj: Mapping[str, Any], hidden: set[str]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in hidden}
