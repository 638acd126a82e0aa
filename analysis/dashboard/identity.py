"""Who is using the dashboard, and what they may do.

Two modes, chosen by configuration and always shown in the sidebar:

* **Signed in (OIDC)** when ``.streamlit/secrets.toml`` has an ``[auth]`` section: ``st.login`` sends the
  user to the identity provider (Microsoft Entra ID in the documented example) and the identity is the
  ``email`` claim (else ``preferred_username``, else ``sub``). Tokens are never read or shown.
* **Local mode** otherwise: nobody signs in; the identity recorded for approvals and runs is
  ``local:<OS user>``. The banner says so, because that identity is only as trustworthy as the machine.
  Anyone who can reach the loopback port is that "user", so local mode is read-only unless the session
  presented the operator token printed at launch (``?token=`` in the link; :mod:`analysis.dashboard.guard`).
  The session remembers it, so moving between pages keeps the rights; the token leaves the address bar.

What is recorded with a change is :meth:`Identity.actor`: the OS account the server runs as, always, and
the signed-in user (with Entra's object id, so the four-eyes rule can compare it) when there is one.

Approving and running batches change the tenant, so they are offered only to identities listed in the
roles file (``MFA_MIGRATE_ROLES``, default ``.streamlit/roles.toml``; see ``docs/dashboard.md``).
Everything here is a plain function of its inputs except :func:`current_identity`, which reads
``st.user`` / ``st.secrets``, so the rules are unit-testable.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import streamlit as st

from analysis.execute.actors import Actor, EntraUser

APPROVER = "approver"
OPERATOR = "operator"
ROLES_ENV = "MFA_MIGRATE_ROLES"
DEFAULT_ROLES_FILE = Path(".streamlit") / "roles.toml"
LOCAL_PREFIX = "local:"


@dataclass(frozen=True)
class Roles:
    """The roles file: lists of identities (case-insensitive); ``local:*`` means any local-mode user."""

    approvers: frozenset[str] = frozenset()
    operators: frozenset[str] = frozenset()
    source: str = ""  # the file read, or "" when there is none
    problem: str = ""  # why the file could not be used (shown in the sidebar), "" when fine

    def roles_of(self, identity: str) -> frozenset[str]:
        granted = set()
        if _listed(identity, self.approvers):
            granted.add(APPROVER)
        if _listed(identity, self.operators):
            granted.add(OPERATOR)
        return frozenset(granted)


def _listed(identity: str, names: Iterable[str]) -> bool:
    ident = identity.strip().lower()
    for name in names:
        if name == ident:
            return True
        if name == f"{LOCAL_PREFIX}*" and ident.startswith(LOCAL_PREFIX):
            return True
    return False


def roles_path() -> Path:
    return Path(os.environ.get(ROLES_ENV) or DEFAULT_ROLES_FILE)


def read_roles(path: Path) -> Roles:
    """Parse a roles file; a missing or broken file grants nothing and says why (never raises)."""
    if not path.is_file():
        return Roles(problem=f"no roles file at {path}: nobody may approve or run batches")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return Roles(source=str(path), problem=f"{path} is not valid TOML ({exc}); nobody may approve or run")
    section = doc.get("roles", doc)

    def names(key: str) -> frozenset[str]:
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return frozenset()
        return frozenset(v.strip().lower() for v in value if v.strip())

    return Roles(names("approvers"), names("operators"), source=str(path))


@dataclass(frozen=True)
class Identity:
    name: str  # who the roles file knows (local:<OS user> or the OIDC name)
    display: str  # shown in the sidebar
    mode: Literal["oidc", "local"]
    roles: frozenset[str]
    note: str = ""  # why this identity may not act although the roles file lists it ("" when it may)
    oid: str = ""  # the OIDC object id (Entra's ``oid`` claim), "" when the provider gave none

    def actor(self) -> Actor:
        """Who this session is, as recorded with what it creates, approves and runs.

        Always the OS account of the dashboard's server process (what the core records with every
        event), plus: the OIDC user as a proven Entra identity when the provider gave an object id; else
        the OIDC name as a label; in local mode, that the operator token was presented.
        """
        if self.mode == "local":
            return Actor.current(via="dashboard operator token, local mode")
        if self.oid:
            return Actor.current(entra=EntraUser(upn=self.name, oid=self.oid), via="dashboard sign-in")
        return Actor.current(self.name, via="dashboard sign-in without an object id")

    @property
    def can_approve(self) -> bool:
        return APPROVER in self.roles

    @property
    def can_run(self) -> bool:
        return OPERATOR in self.roles


def local_identity(roles: Roles, os_user: str | None = None, *, operator: bool, note: str = "") -> Identity:
    """The local-mode identity; its roles count only for the operator (who holds the launch token)."""
    user = os_user or _os_user()
    name = f"{LOCAL_PREFIX}{user}"
    granted = roles.roles_of(name)
    if operator or not granted:
        return Identity(name, f"{user} (local mode)", "local", granted if operator else frozenset())
    note = note or (
        "Read-only: open the operator link printed when the dashboard started (…/?token=…) to approve, "
        "run or load."
    )
    return Identity(name, f"{user} (local mode)", "local", frozenset(), note)


def oidc_identity(claims: Mapping[str, Any], roles: Roles) -> Identity:
    """The identity from ID-token claims: only name-like claims are read, never tokens."""
    name = ""
    for claim in ("email", "preferred_username", "upn", "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            name = value.strip()
            break
    display = str(claims.get("name") or name)
    oid = claims.get("oid")
    return Identity(
        name, display, "oidc", roles.roles_of(name), oid=oid.strip() if isinstance(oid, str) else ""
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in containers without a passwd entry
        return f"uid{os.getuid()}"


def auth_configured() -> bool:
    """True when secrets.toml has an ``[auth]`` section (st.login then works)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, OSError):
        return False
    except Exception:  # a malformed secrets.toml: treat as not configured, the sidebar says so
        return False


_OPERATOR_KEY = "_mfa_migrate_operator"


def _operator_session() -> tuple[bool, str]:
    """Whether this session presented the operator token; a token in the URL is taken and removed.

    The fact is kept in the session (not the token), so later pages need no token in their URL; a wrong
    token is reported, and so is one presented after a restart (every start makes a new one).
    """
    from analysis.dashboard.guard import TOKEN_PARAM, token_matches

    note = ""
    given = st.query_params.get(TOKEN_PARAM)
    if given is not None:
        del st.query_params[TOKEN_PARAM]  # not left in the address bar, history or a screenshot
        if token_matches(given):
            st.session_state[_OPERATOR_KEY] = True
        else:
            note = (
                "Read-only: the link's token is not this dashboard's (a new one is printed at every start); "
                "open the operator link from the latest launch to approve, run or load."
            )
    return bool(st.session_state.get(_OPERATOR_KEY, False)), note


def current_identity() -> Identity | None:
    """The user of this session; ``None`` when sign-in is configured and nobody is signed in."""
    roles = read_roles(roles_path())
    if not auth_configured():
        operator, note = _operator_session()
        return local_identity(roles, operator=operator, note=note)
    if not st.user.is_logged_in:
        return None
    return oidc_identity(st.user.to_dict(), roles)


def current_roles() -> Roles:
    return read_roles(roles_path())
