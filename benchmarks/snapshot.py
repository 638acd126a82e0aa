"""Benchmark: collect a tenant snapshot of N users from the local Graph emulator.

Generates an N-user tenant (``analysis.sample`` when it is installed, else a focused generator of the
same shapes), starts ``mfa-migrate emulator`` on 127.0.0.1, runs the collector exactly as
``mfa-migrate snapshot`` does, and prints time, requests sent, retries and throughput as a markdown
table. Two runs by default: the read budget off (how fast the client and emulator go) and ``auto``
(what a real tenant of that size would be held to: 80 % of 8,000 RU per 10 s).

    .venv/bin/python benchmarks/snapshot.py --users 100000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.console import CaptureConsole  # noqa: E402
from analysis.graph.auth import AppOnlyAuth  # noqa: E402
from analysis.graph.client import GraphClient  # noqa: E402
from analysis.graph.collect import take_snapshot  # noqa: E402
from analysis.graph.emulator.launcher import start_emulator  # noqa: E402

MOBILE = "3179e48a-750b-4051-897c-87b9720928f7"
OFFICE = "e37fc753-ff3b-4958-9484-eaa9425c82bc"
PASSWORD = "28c10230-6103-485e-b985-444c60001490"
TENANT = "5e1f0c2a-9d8b-4c6e-a7f3-2b1d0e9c8a7b"


def _user(i: int) -> dict[str, Any]:
    methods: list[dict[str, Any]] = [
        {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": PASSWORD, "password": None}
    ]
    if i % 3:
        methods.append(
            {
                "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
                "id": MOBILE,
                "phoneNumber": f"+44 77009{i % 100000:05d}",
                "phoneType": "mobile",
                "smsSignInState": "notAllowedByPolicy",
            }
        )
    if i % 7 == 0:
        methods.append(
            {
                "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
                "id": OFFICE,
                "phoneNumber": f"+1 42555{i % 100000:05d}x{i % 900 + 100}",
                "phoneType": "office",
                "smsSignInState": "notSupported",
            }
        )
    if i % 4 == 0:
        methods.append(
            {
                "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
                "id": f"a{i:07d}-0000-4000-8000-000000000000",
                "displayName": f"iPhone {i}",
                "deviceTag": "SoftwareTokenActivated",
                "phoneAppVersion": "6.2401.0119",
                "createdDateTime": "2024-01-05T08:00:00Z",
            }
        )
    return {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "userPrincipalName": f"user{i:06d}@contoso.example",
        "displayName": f"User {i:06d}",
        "accountEnabled": True,
        "userType": "Member",
        "mail": f"user{i:06d}@contoso.example",
        "onPremisesSyncEnabled": True,
        "onPremisesSecurityIdentifier": f"S-1-5-21-1004336348-1177238915-682003330-{10000 + i}",
        "onPremisesSamAccountName": f"user{i:06d}",
        "onPremisesImmutableId": None,
        "employeeId": f"E{i:06d}",
        "authenticationMethods": methods,
        "signInPreferences": {
            "userPreferredMethodForSecondaryAuthentication": "sms" if i % 3 else None,
            "isSystemPreferredAuthenticationMethodEnabled": False,
        },
    }


def generate_tenant(directory: Path, users: int) -> str:
    """Write an N-user snapshot into ``directory``; returns which generator was used."""
    try:
        from analysis.sample import generate
    except ImportError:
        generate = None  # type: ignore[assignment]
    if generate is not None:
        generate(directory.parent / "sample", users, seed=7)
        (directory.parent / "sample" / "tenant").rename(directory)
        return "analysis.sample"
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "users.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(users):
            handle.write(json.dumps(_user(i), separators=(",", ":")) + "\n")
    groups = []
    for g in range(max(1, users // 5000)):
        members = [
            {"@odata.type": "#microsoft.graph.user", "id": f"00000000-0000-4000-8000-{i:012d}"}
            for i in range(g * 5000, min(users, g * 5000 + 5000))
        ]
        groups.append(
            {
                "id": f"00000000-0000-4000-9000-{g:012d}",
                "displayName": f"Wave {g}",
                "groupTypes": [],
                "membershipRule": None,
                "securityEnabled": True,
                "members": members,
            }
        )
    (directory / "groups.jsonl").write_text("".join(json.dumps(g) + "\n" for g in groups), encoding="utf-8")
    (directory / "domains.jsonl").write_text(
        json.dumps({"id": "contoso.example", "authenticationType": "Managed", "isVerified": True}) + "\n",
        encoding="utf-8",
    )
    (directory / "snapshot.json").write_text(
        json.dumps({"tenantId": TENANT, "source": "file"}), encoding="utf-8"
    )
    return "focused generator"


def collect(info: dict[str, Any], out: Path, concurrency: int, read_budget: str) -> dict[str, Any]:
    auth = AppOnlyAuth(
        authority=info["authority"],
        client_id=info["client_id"],
        credential=info["client_secret"],
        graph_url=info["graph_url"],
        ca_file=info["ca_file"],
    )
    with GraphClient(
        info["graph_url"], auth, ca_file=info["ca_file"], max_connections=concurrency + 2, close_auth=True
    ) as client:
        result = take_snapshot(
            client,
            out,
            CaptureConsole(),
            tenant_id=auth.tenant_id,
            concurrency=concurrency,
            read_budget=read_budget,
        )
    return {
        "users": result.users,
        "seconds": result.seconds,
        "requests": int(result.counters["requests"]),
        "batch_items": int(result.counters["batch_items"]),
        "retries": int(result.counters["retries"]),
        "throttled": int(result.counters["throttled"]),
        "budget_wait": result.counters["budget_wait"],
        "methods_errors": result.methods_errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--budgets", default="off,auto", help="comma-separated read budgets to run")
    parser.add_argument(
        "--faults", default="", help="emulator fault spec, e.g. 503=0.02,429=0.01:0.5,drop=0.01"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        work = Path(tmp)
        started = time.monotonic()
        generator = generate_tenant(work / "tenant", args.users)
        generated = time.monotonic() - started
        started = time.monotonic()
        rows = []
        extra = ("--faults", args.faults) if args.faults else ()
        with start_emulator(work / "tenant", *extra, timeout=900) as emu:
            boot = time.monotonic() - started
            for budget in args.budgets.split(","):
                out = work / f"out-{budget}"
                figures = collect(emu.ready, out, args.concurrency, budget)
                figures["identical"] = all(
                    (out / name).read_bytes() == (work / "tenant" / name).read_bytes()
                    # policies.json differs by design: app-only tokens cannot read staged rollout.
                    for name in ("users.jsonl", "groups.jsonl", "domains.jsonl")
                )
                rows.append((budget, figures))
        print(
            f"\nSnapshot of the tenant of a {args.users:,}-user sample from the emulator ({generator}, "
            f"generated in {generated:.1f} s, emulator ready in {boot:.1f} s; {os.cpu_count()} cores, "
            f"concurrency {args.concurrency}{', faults ' + args.faults if args.faults else ''})\n"
        )
        print(
            "| read budget | Entra users | time (s) | users/s | HTTP requests | batch items | retries | 429s "
            "| budget wait, summed over threads (s) | methods errors | users/groups/domains = seed |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for budget, f in rows:
            print(
                f"| {budget} | {f['users']:,} | {f['seconds']:.1f} | {f['users'] / f['seconds']:.0f} | "
                f"{f['requests']:,} | {f['batch_items']:,} | {f['retries']} | {f['throttled']} | "
                f"{f['budget_wait']:.1f} | {f['methods_errors']} | {'yes' if f['identical'] else 'NO'} |"
            )


if __name__ == "__main__":
    main()
