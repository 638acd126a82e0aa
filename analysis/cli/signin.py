"""``--sign-in``: prove who approves (or creates) a batch with a device-code sign-in to the tenant.

The operator signs in as themselves through msal's device-code flow (the same
:class:`~analysis.graph.connect.ConnectionSpec` and :class:`~analysis.graph.auth.DeviceCodeAuth` that
delegated Graph access uses); the UPN and object id come from the ID token Entra returns, and only they
are kept. Only ``User.Read`` is asked for: signing in proves identity, it grants this command nothing.
"""

from __future__ import annotations

import argparse

from analysis.console import Console
from analysis.errors import UserError
from analysis.execute.actors import EntraUser
from analysis.graph.auth import GRAPH_URL
from analysis.graph.connect import ConnectionSpec, CredentialSource, connect
from analysis.graph.errors import AuthError

SIGN_IN_SCOPES = ("User.Read",)


def add_sign_in_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Entra sign-in (proves who you are; required by approval = signed_in)")
    group.add_argument(
        "--sign-in", action="store_true", help="sign in with a device code and record your UPN and object id"
    )
    group.add_argument(
        "--authority", help="Entra authority, e.g. https://login.microsoftonline.com/<tenant id>"
    )
    group.add_argument("--client-id", help="application (client) id of the app registration to sign in with")
    group.add_argument("--graph-url", default=GRAPH_URL, help=f"Graph service root (default {GRAPH_URL})")
    group.add_argument("--ca-file", metavar="PEM", help="trust only this CA (the local emulator's ca_file)")


def sign_in(args: argparse.Namespace, console: Console) -> EntraUser:
    """Sign the operator in (device code) and return who they are, from the ID token."""
    if not args.authority or not args.client_id:
        raise UserError("--sign-in needs --authority and --client-id (the tenant and app to sign in to)")
    spec = ConnectionSpec(
        authority=args.authority,
        client_id=args.client_id,
        graph_url=args.graph_url,
        credential=CredentialSource("device_code", ""),
        ca_file=args.ca_file,
    )
    connection = connect(spec, console, delegated_scopes=SIGN_IN_SCOPES)
    try:
        connection.auth.token()
        who = getattr(connection.auth, "signed_in", None)
    except AuthError as exc:
        raise UserError(f"sign-in at {args.authority} failed: {exc}") from None
    finally:
        connection.close()
    if who is None:
        raise UserError(
            f"the sign-in at {args.authority} returned no ID token with a UPN and object id; nothing can be "
            "recorded as proven"
        )
    console.info(f"Signed in as {who.upn} (object id {who.oid}).")
    return EntraUser(upn=who.upn, oid=who.oid, tenant_id=who.tenant_id)
