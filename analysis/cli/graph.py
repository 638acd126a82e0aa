"""CLI commands of the Graph area: ``snapshot`` (collect a tenant) and ``emulator`` (serve one locally).

Two engineers share this file: each subcommand registers itself in its own ``_register_*`` function.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.console import Console


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this area's subcommands to the parser."""
    _register_snapshot(sub)
    _register_emulator(sub)


# ------------------------------------------------------------------------------------------ snapshot
def _register_snapshot(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from analysis.cli.connection import add_connection_arguments, add_read_arguments

    parser = sub.add_parser(
        "snapshot",
        help="read the tenant's current Entra state into a snapshot directory",
        description=(
            "Read users (all, or a group's transitive members) with their authentication methods and "
            "default method, groups, the authentication methods policy, staged rollout policies and "
            "domains from Microsoft Graph (or the local emulator) into a tenant snapshot directory."
        ),
    )
    add_connection_arguments(parser, writes=False)
    parser.add_argument("--group", metavar="NAME_OR_ID", help="only this group's transitive user members")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="snapshot directory to write")
    parser.add_argument("--force", action="store_true", help="replace a snapshot already in --out")
    add_read_arguments(parser)
    parser.set_defaults(handler=_snapshot)


def _snapshot(args: argparse.Namespace, console: Console) -> int:
    from analysis.cli.connection import check_read_arguments, connect_from_args
    from analysis.graph.collect import take_snapshot

    check_read_arguments(args)
    connection = connect_from_args(args, console, max_connections=args.concurrency + 2)
    try:
        result = take_snapshot(
            connection.client,
            args.out,
            console,
            tenant_id=connection.tenant_id,
            group=args.group,
            concurrency=args.concurrency,
            read_budget=args.read_budget,
            force=args.force,
        )
    finally:
        connection.close()
    counters = result.counters
    console.table(
        ["users", "groups", "domains", "methods errors", "requests", "retries", "429s", "seconds"],
        [
            [
                result.users,
                result.groups,
                result.domains,
                result.methods_errors,
                int(counters.get("requests", 0)),
                int(counters.get("retries", 0)),
                int(counters.get("throttled", 0)),
                f"{result.seconds:.1f}",
            ]
        ],
        title=f"Snapshot written to {result.out}",
    )
    return 0


# ------------------------------------------------------------------------------------------ emulator
def _register_emulator(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The local Graph emulator's subcommand (owned by the emulator's engineer)."""
    parser = sub.add_parser(
        "emulator",
        help="serve a tenant snapshot as a local Microsoft Graph (HTTPS, 127.0.0.1) for tests and rehearsals",
        description=(
            "Serve a tenant snapshot directory as a local Microsoft Graph over HTTPS on 127.0.0.1, with an "
            "Entra-like token endpoint that msal accepts (client secret, certificate, device code). A fresh "
            "CA and certificates are made at start; --ready-file receives the URLs, the CA file and the "
            "credentials as JSON once the server accepts connections. Stop it with Ctrl+C or SIGTERM."
        ),
    )
    parser.add_argument("--tenant", required=True, type=Path, metavar="DIR", help="tenant snapshot directory")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: a free port)")
    parser.add_argument(
        "--ready-file", type=Path, metavar="FILE", help="write connection details here (JSON) when ready"
    )
    parser.add_argument(
        "--throttle-writes",
        metavar="N[/SECONDS]",
        help="write budget: N writes per SECONDS (default window 150 s, as Graph's); excess gets 429",
    )
    parser.add_argument(
        "--throttle-ru",
        metavar="N[/SECONDS]",
        help="resource-unit budget for all requests (default window 10 s; Graph: 3500, 5000 or 8000)",
    )
    parser.add_argument(
        "--faults",
        default="",
        metavar="SPEC",
        help="e.g. 503=0.05,slow=0.02:2.0,drop=0.01,dropafter=0.01,seed=1 (see docs/emulator.md)",
    )
    parser.add_argument(
        "--dump", type=Path, metavar="DIR", help="write the tenant state here as a snapshot on exit"
    )
    parser.add_argument("--client-id", help="application (client) id the token endpoint accepts")
    parser.add_argument(
        "--client-secret-env",
        metavar="VAR",
        help="take the accepted client secret from this environment variable (default: a random one)",
    )
    parser.add_argument(
        "--client-cert",
        type=Path,
        action="append",
        default=[],
        metavar="PEM",
        help="also accept client assertions signed with this certificate (repeatable)",
    )
    parser.add_argument(
        "--roles",
        metavar="LIST",
        help="comma-separated application permissions app tokens carry (default: all the tool needs)",
    )
    parser.add_argument(
        "--scopes", metavar="LIST", help="comma-separated delegated permissions (default: all)"
    )
    parser.add_argument(
        "--token-lifetime", type=int, default=3599, metavar="SECONDS", help="access token lifetime"
    )
    parser.add_argument(
        "--phone-format",
        choices=("strict", "lenient"),
        default="strict",
        help="strict: only '+cc number[xext]'; lenient: also '+ccnumber' without the space",
    )
    parser.add_argument(
        "--allow-app-staged-rollout",
        action="store_true",
        help="let app-only tokens manage staged rollout (Graph documents delegated only)",
    )
    parser.add_argument(
        "--test-hooks",
        action="store_true",
        help="serve the test-only endpoints under /_emulator/test/ (approve device codes, register "
        "methods for users); never for a rehearsal against a real tenant's copy",
    )
    parser.add_argument(
        "--sign-in-as",
        metavar="USER",
        help="device-code sign-ins approve as this user of the tenant (UPN or id; default: an "
        "emulator admin)",
    )
    parser.add_argument(
        "--device-approval",
        choices=("auto", "manual"),
        default="auto",
        help="auto: device codes are approved after one pending poll; manual: a test approves each one "
        "(needs --test-hooks)",
    )
    parser.add_argument(
        "--registrations",
        type=Path,
        metavar="FILE",
        help="test schedule: users who register methods over time (JSON lines: user, method, "
        "at | afterSeconds | afterReads; see docs/emulator.md)",
    )
    parser.set_defaults(handler=_emulator)


def _emulator(args: argparse.Namespace, console: Console) -> int:
    import os

    from analysis.errors import UserError
    from analysis.graph.emulator.core import DEFAULT_CLIENT_ID, EmulatorConfig
    from analysis.graph.emulator.faults import parse_faults
    from analysis.graph.emulator.server import run
    from analysis.graph.emulator.throttle import RU_WINDOW, parse_budget

    config = EmulatorConfig(
        tenant_dir=args.tenant,
        port=args.port,
        ready_file=args.ready_file,
        dump_dir=args.dump,
        throttle_writes=parse_budget(args.throttle_writes) if args.throttle_writes else None,
        throttle_ru=parse_budget(args.throttle_ru, "--throttle-ru", RU_WINDOW) if args.throttle_ru else None,
        faults=parse_faults(args.faults or ""),
        client_id=args.client_id or DEFAULT_CLIENT_ID,
        client_cert_files=tuple(args.client_cert),
        token_lifetime=args.token_lifetime,
        phone_format=args.phone_format,
        allow_app_staged_rollout=args.allow_app_staged_rollout,
        test_hooks=args.test_hooks,
        sign_in_as=args.sign_in_as,
        device_approval=args.device_approval,
        registrations_file=args.registrations,
    )
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port {args.port}: must be between 0 and 65535 (0 picks a free port).")
    if args.token_lifetime < 1:
        raise UserError("--token-lifetime must be at least 1 second.")
    if args.client_secret_env:
        secret = os.environ.get(args.client_secret_env)
        if not secret:
            raise UserError(
                f"--client-secret-env {args.client_secret_env}: that environment variable is empty or unset."
            )
        config.client_secret = secret
    if args.roles is not None:
        config.app_roles = frozenset(r.strip() for r in args.roles.split(",") if r.strip())
    if args.scopes is not None:
        config.delegated_scopes = frozenset(s.strip() for s in args.scopes.split(",") if s.strip())
    return run(config, console)
