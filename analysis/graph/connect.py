"""Command-line options for reaching Graph, shared by every command that talks to it.

``add_connection_arguments(parser)`` adds ``--graph-url --authority --client-id`` and one credential
choice; ``connect(args, console)`` turns them into a token provider and a :class:`GraphClient`.
Secrets are named, never given: ``--client-secret-env VAR`` (default ``MFA_MIGRATE_CLIENT_SECRET``),
``--client-secret-file FILE``, ``--certificate PEM`` (key + certificate; passphrase from
``--certificate-passphrase-env``), or ``--device-code`` for a delegated admin sign-in. Commands that
write also get ``--write-budget N/SECONDS``, the client's pace (default Graph's 3000/150).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.console import Console
from analysis.errors import UserError
from analysis.graph.auth import (
    GRAPH_URL,
    AppOnlyAuth,
    Certificate,
    DeviceCodeAuth,
    build_token_cache,
    load_certificate,
    read_secret,
    scope_for,
)
from analysis.graph.client import GraphClient
from analysis.graph.ratelimit import TokenBucket, writes_budget

DEFAULT_SECRET_ENV = "MFA_MIGRATE_CLIENT_SECRET"
# Delegated scopes for a device-code sign-in (reads + the delegated-only staged rollout).
DELEGATED_SCOPES = (
    "User.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Policy.Read.All",
    "Policy.ReadWrite.HybridAuthentication",
    "Domain.Read.All",
)
DEFAULT_WRITE_BUDGET = "3000/150"  # Graph's documented write quota per app and tenant


def add_connection_arguments(parser: argparse.ArgumentParser, *, writes: bool = True) -> None:
    """Add the connection options; ``writes=False`` leaves out the write budget (read-only commands)."""
    group = parser.add_argument_group("Graph connection")
    group.add_argument("--graph-url", default=GRAPH_URL, help=f"Graph service root (default {GRAPH_URL})")
    group.add_argument(
        "--authority",
        required=True,
        help="Entra authority, e.g. https://login.microsoftonline.com/<tenant id>",
    )
    group.add_argument("--client-id", required=True, help="application (client) id of the app registration")
    cred = group.add_mutually_exclusive_group()
    cred.add_argument(
        "--client-secret-env",
        metavar="VAR",
        help=f"environment variable holding the client secret (default {DEFAULT_SECRET_ENV})",
    )
    cred.add_argument("--client-secret-file", metavar="FILE", help="file holding the client secret")
    cred.add_argument(
        "--certificate", metavar="PEM", help="PEM file with the private key and the certificate"
    )
    cred.add_argument(
        "--device-code", action="store_true", help="sign in as an admin (delegated, device code)"
    )
    group.add_argument(
        "--certificate-key", metavar="PEM", help="private key, if not in the --certificate file"
    )
    group.add_argument(
        "--certificate-passphrase-env",
        metavar="VAR",
        help="environment variable holding the key's passphrase",
    )
    group.add_argument("--ca-file", metavar="PEM", help="trust only this CA (the local emulator's ca_file)")
    group.add_argument(
        "--token-cache", metavar="FILE", help="persist tokens here, encrypted (msal-extensions)"
    )
    group.add_argument(
        "--allow-plaintext-cache",
        action="store_true",
        help="if encryption is unavailable, keep the --token-cache file in plaintext (0600)",
    )
    if writes:
        group.add_argument(
            "--write-budget",
            default=DEFAULT_WRITE_BUDGET,
            metavar="N/SECONDS",
            help="client-side write budget: at most N writes in any SECONDS "
            f"(default {DEFAULT_WRITE_BUDGET}, Graph's)",
        )


def parse_write_budget(text: str) -> TokenBucket:
    """``N/SECONDS`` as the client's write bucket; a UserError names the option and an example."""
    count, slash, period = str(text).strip().partition("/")
    try:
        limit, seconds = int(count), float(period)
    except ValueError:
        limit, seconds = 0, 0.0
    if not slash or limit < 2 or not 0 < seconds < float("inf"):  # a bucket of 1 could never refill
        raise UserError(
            f"--write-budget {text!r}: expected N/SECONDS with N >= 2 and SECONDS > 0, e.g. "
            f"{DEFAULT_WRITE_BUDGET}"
        )
    return writes_budget(limit, seconds)


@dataclass
class Connection:
    client: GraphClient
    auth: AppOnlyAuth | DeviceCodeAuth

    @property
    def tenant_id(self) -> str:
        return self.auth.tenant_id

    def close(self) -> None:
        self.client.close()
        self.auth.close()


def credential_from_args(args: argparse.Namespace) -> str | Certificate:
    if args.certificate:
        passphrase = (
            read_secret(env=args.certificate_passphrase_env, what="certificate passphrase")
            if args.certificate_passphrase_env
            else None
        )
        return load_certificate(args.certificate, passphrase, key_path=args.certificate_key)
    if args.client_secret_file:
        return read_secret(file=args.client_secret_file)
    return read_secret(env=args.client_secret_env or DEFAULT_SECRET_ENV)


def connect(
    args: argparse.Namespace,
    console: Console,
    *,
    delegated_scopes: Sequence[str] = DELEGATED_SCOPES,
    read_budget: TokenBucket | None = None,
    max_connections: int = 16,
) -> Connection:
    """Build the token provider and the client from parsed connection arguments."""
    # Checked first, so a bad value fails before any sign-in.
    write_budget = parse_write_budget(getattr(args, "write_budget", DEFAULT_WRITE_BUDGET))
    cache = None
    if args.token_cache:
        choice = build_token_cache(
            args.token_cache, allow_plaintext=args.allow_plaintext_cache, warn=console.warn
        )
        cache = choice.cache
    auth: AppOnlyAuth | DeviceCodeAuth
    if args.device_code:
        origin = scope_for(args.graph_url).removesuffix("/.default")
        auth = DeviceCodeAuth(
            authority=args.authority,
            client_id=args.client_id,
            scopes=[f"{origin}/{scope}" for scope in delegated_scopes],
            show=console.info,
            ca_file=args.ca_file,
            token_cache=cache,
        )
    else:
        auth = AppOnlyAuth(
            authority=args.authority,
            client_id=args.client_id,
            credential=credential_from_args(args),
            graph_url=args.graph_url,
            ca_file=args.ca_file,
            token_cache=cache,
        )
    try:
        client = GraphClient(
            args.graph_url,
            auth,
            ca_file=args.ca_file,
            write_budget=write_budget,
            read_budget=read_budget,
            max_connections=max_connections,
        )
    except ValueError as exc:
        raise UserError(f"--graph-url: {exc}") from None
    return Connection(client, auth)
