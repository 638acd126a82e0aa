"""Command-line options for reaching Graph, shared by every command that talks to it.

``add_connection_arguments(parser)`` adds ``--graph-url --authority --client-id`` and one credential
choice; :func:`spec_from_args` turns the parsed flags into the core's
:class:`~analysis.graph.connect.ConnectionSpec`. Secrets are named, never given: ``--client-secret-env
VAR`` (default ``MFA_MIGRATE_CLIENT_SECRET``), ``--client-secret-file FILE``, ``--certificate PEM`` (key
+ certificate; passphrase from ``--certificate-passphrase-env``), or ``--device-code`` for a delegated
admin sign-in. Commands that write also get ``--write-budget N/SECONDS`` (default Graph's 3000/150)
and ``--give-up-after`` (how long an unreachable Graph is retried).
"""

from __future__ import annotations

import argparse

from analysis.console import Console
from analysis.errors import UserError
from analysis.graph.auth import GRAPH_URL
from analysis.graph.connect import (
    DEFAULT_SECRET_ENV,
    DEFAULT_WRITE_BUDGET,
    Connection,
    ConnectionSpec,
    CredentialSource,
    connect,
)
from analysis.graph.reachability import DEFAULT_GIVE_UP, Reachability


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
    group.add_argument(
        "--give-up-after",
        type=float,
        default=DEFAULT_GIVE_UP,
        metavar="SECONDS",
        help="when Graph cannot be reached (refused, DNS, timeout), retry for this long before stopping "
        f"(default {DEFAULT_GIVE_UP:.0f}); an untrusted TLS certificate is never retried",
    )
    if writes:
        group.add_argument(
            "--write-budget",
            default=DEFAULT_WRITE_BUDGET,
            metavar="N/SECONDS",
            help="client-side write budget: at most N writes in any SECONDS "
            f"(default {DEFAULT_WRITE_BUDGET}, Graph's)",
        )


def add_read_arguments(parser: argparse.ArgumentParser) -> None:
    """``--concurrency`` and ``--read-budget``, the options of every command that reads many users."""
    parser.add_argument("--concurrency", type=int, default=4, help="$batch requests in flight (default 4)")
    parser.add_argument(
        "--read-budget",
        default="auto",
        metavar="RU",
        help="resource units per 10 s: a number, 'auto' (80%% of the tenant's quota) or 'off'",
    )


def check_read_arguments(args: argparse.Namespace) -> None:
    """Refuse a bad ``--concurrency`` or ``--read-budget`` before anything is opened or signed in to."""
    if args.concurrency < 1:
        raise UserError("--concurrency must be at least 1")
    if args.read_budget not in ("auto", "off") and not str(args.read_budget).isdigit():
        raise UserError(f"--read-budget must be a number, 'auto' or 'off', not {args.read_budget!r}")


def spec_from_args(args: argparse.Namespace) -> ConnectionSpec:
    """The connection the parsed flags describe."""
    credential: CredentialSource
    if args.certificate:
        credential = CredentialSource(
            "certificate", args.certificate, args.certificate_key, args.certificate_passphrase_env
        )
    elif args.client_secret_file:
        credential = CredentialSource("secret_file", args.client_secret_file)
    elif args.device_code:
        credential = CredentialSource("device_code", "")
    else:
        credential = CredentialSource("secret_env", args.client_secret_env or DEFAULT_SECRET_ENV)
    return ConnectionSpec(
        authority=args.authority,
        client_id=args.client_id,
        graph_url=args.graph_url,
        credential=credential,
        ca_file=args.ca_file,
        token_cache=args.token_cache,
        allow_plaintext_cache=args.allow_plaintext_cache,
        write_budget=getattr(args, "write_budget", DEFAULT_WRITE_BUDGET),
    )


def connect_from_args(
    args: argparse.Namespace,
    console: Console,
    *,
    max_connections: int = 16,
    reachability: Reachability | None = None,
) -> Connection:
    """:func:`~analysis.graph.connect.connect` for the parsed flags (``--give-up-after`` included)."""
    give_up = float(getattr(args, "give_up_after", DEFAULT_GIVE_UP))
    if not give_up > 0:
        raise UserError("--give-up-after must be more than 0 seconds")
    if reachability is None:
        reachability = Reachability(give_up_after=give_up, report=console.warn)
    else:
        reachability.give_up_after = give_up
    return connect(spec_from_args(args), console, max_connections=max_connections, reachability=reachability)
