"""Which Graph permission a call needs, so a 403 can tell the admin exactly what to grant.

Graph's own 403 message ("Insufficient privileges to complete the operation.") never names the
permission. The table below is the least-privileged application permission per endpoint family from
Microsoft's permission tables (reference/graph-api.md §6); the first matching row wins. If the
error message itself names a permission (some workloads and the emulator do), that name is used.
"""

from __future__ import annotations

import re

# (methods, path regex on the path after /v1.0 or /beta, permission). Order matters: specific first.
_TABLE: tuple[tuple[frozenset[str], re.Pattern[str], str], ...] = tuple(
    (frozenset(methods.split()), re.compile(pattern, re.IGNORECASE), permission)
    for methods, pattern, permission in (
        ("GET", r"^/users/[^/]+/authentication(/|$)", "UserAuthenticationMethod.Read.All"),
        (
            "POST PATCH PUT DELETE",
            r"^/users/[^/]+/authentication(/|$)",
            "UserAuthenticationMethod.ReadWrite.All",
        ),
        ("GET", r"^/directory/authenticationMethodDevices", "Policy.Read.All"),
        (
            "POST PATCH PUT DELETE",
            r"^/directory/authenticationMethodDevices",
            "Policy.ReadWrite.AuthenticationMethod",
        ),
        ("GET", r"^/policies/authenticationMethodsPolicy", "Policy.Read.All"),
        (
            "POST PATCH PUT DELETE",
            r"^/policies/authenticationMethodsPolicy",
            "Policy.ReadWrite.AuthenticationMethod",
        ),
        ("GET", r"^/policies/featureRolloutPolicies", "Policy.Read.HybridAuthentication (delegated)"),
        (
            "POST PATCH PUT DELETE",
            r"^/policies/featureRolloutPolicies",
            "Policy.ReadWrite.HybridAuthentication (delegated)",
        ),
        (
            "POST PATCH PUT DELETE",
            r"^/domains/[^/]+/federationConfiguration",
            "Domain-InternalFederation.ReadWrite.All",
        ),
        ("GET", r"^/domains", "Domain.Read.All"),
        ("POST PATCH PUT DELETE", r"^/groups/[^/]+/members/\$ref", "GroupMember.ReadWrite.All"),
        ("GET", r"^/groups", "GroupMember.Read.All"),
        ("GET", r"^/reports/authenticationMethods", "AuditLog.Read.All"),
        ("GET", r"^/(users|organization)", "User.Read.All"),
    )
)

# A permission-looking token: Word.Word(.All) with optional hyphenated family (UserAuthMethod-Phone...).
_NAMED = re.compile(r"\b([A-Z][A-Za-z]+(?:-[A-Za-z]+)?\.(?:Read|ReadWrite|Write)[A-Za-z.]*)\b")


def required_permission(method: str, path: str) -> str | None:
    """The least-privileged application permission for ``method path`` (path relative to the version)."""
    path = "/" + path.split("?", 1)[0].lstrip("/")
    for methods, pattern, permission in _TABLE:
        if method.upper() in methods and pattern.search(path):
            return permission
    return None


def permission_in_message(message: str) -> str | None:
    """A permission name that Graph (or the emulator) spelled out in an error message, if any."""
    match = _NAMED.search(message or "")
    return match.group(1).rstrip(".") if match else None
