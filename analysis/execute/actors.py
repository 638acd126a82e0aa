"""Who did something: the operating-system account always, the Entra identity when the operator signed in.

A name typed on the command line (``--as``) proves nothing, so it is kept only as a display label. What
is recorded with every create, approval, run, rollback and cut-over is:

* the **OS user** of the process that made the change, read from the kernel (``os.geteuid()`` looked up
  in the password database), never from ``USER``/``LOGNAME`` or any other environment variable that a
  caller can set. It proves which local account ran the command. It does not prove which *person* sat
  at that account (a shared admin account, ``sudo -u``, root), and anyone who can write the workspace
  file directly can write anything into it: the workspace file's permissions are the boundary.
* the **Entra identity** (UPN and object id from the ID token) when the operator signed in with a
  device code (``--sign-in``) or through the dashboard's OIDC sign-in. It proves that the person could
  sign in to the tenant as that user at that moment.

:func:`os_user` is the one place the OS account is read, so a test can run a command under another
account (a user namespace) and see a different identity recorded.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass


@dataclass(frozen=True)
class OsUser:
    """The effective OS account of this process."""

    uid: int
    name: str

    def same_as(self, uid: int | None, name: str | None) -> bool:
        """The same account as one recorded earlier (matching uid or name: either is enough to be one)."""
        return (uid is not None and uid == self.uid) or (
            name is not None and name.casefold() == self.name.casefold()
        )


def os_user() -> OsUser:
    """The effective OS user from the kernel and the password database (never the environment)."""
    uid = os.geteuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry (containers, user namespaces): the uid is the identity
        name = f"uid:{uid}"
    return OsUser(uid, name)


@dataclass(frozen=True)
class EntraUser:
    """A signed-in Entra user, from the ID token's claims (never the token itself)."""

    upn: str
    oid: str
    tenant_id: str = ""


@dataclass(frozen=True)
class Actor:
    """Who is doing something: the proven OS account, a proven Entra sign-in if any, and a label.

    ``label`` is what ``--as`` typed (display only: it never decides the four-eyes rule); ``via`` says
    through what the change was made when that is not the command line (the dashboard and how its user
    was identified).
    """

    os: OsUser
    label: str | None = None
    entra: EntraUser | None = None
    via: str | None = None

    @classmethod
    def current(
        cls, label: str | None = None, entra: EntraUser | None = None, via: str | None = None
    ) -> Actor:
        """This process's actor, with an optional display label and sign-in."""
        return cls(os_user(), (label or "").strip() or None, entra, via)

    @property
    def text(self) -> str:
        """What batches and the journal show: the label or the signed-in UPN or the OS user, followed by
        the proof behind it, e.g. ``Bob (unverified label; OS user alice)``."""
        proof = []
        if self.label:
            name = self.label
            proof.append("unverified label")
            if self.entra:
                proof.append(f"signed in as {self.entra.upn}")
        elif self.entra:
            name = self.entra.upn
            proof.append("signed in")
        else:
            name = self.os.name
        if name != self.os.name or proof:
            proof.append(f"OS user {self.os.name}")
        if self.via:
            proof.append(self.via)
        return f"{name} ({'; '.join(proof)})" if proof else name

    def __str__(self) -> str:
        return self.text
