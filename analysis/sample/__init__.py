"""Synthetic MFA Server datafile and Entra tenant snapshot (``mfa-migrate sample``).

``generate(out, users, seed)`` writes ``out/PhoneFactor.pfdata`` (SQLite, docs/workspace.md) and
``out/tenant/`` (docs/workspace.md). The first users are hand-made scenarios that put every branch of the
sync rules into the data (``scenarios.py``, with the plan rows docs/simulate.md predicts for them); the rest
are a random but realistic population (``population.py``). The same seed always gives the same
files, and a million users take well under a minute.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.console import Console
from analysis.errors import UserError
from analysis.sample import population, scenarios, tenant, writers
from analysis.sample.numbers import build_templates
from analysis.sample.population import Population
from analysis.sample.scenarios import SCOPE_GROUP_NAME, Expected

__all__ = ["SCOPE_GROUP_NAME", "Expected", "SampleSummary", "generate", "minimum_users"]


@dataclass(frozen=True)
class SampleSummary:
    users: int
    devices: int
    entra_users: int
    entra_methods: int
    ledger_lines: int
    groups: int
    seconds: float
    expected: tuple[Expected, ...]  # what docs/simulate.md predicts for the scenario users (default settings)


def minimum_users(seed: int = 7) -> int:
    """The number of hand-made scenario users (a sample needs at least this many users)."""
    return len(scenarios.build(seed).users)


def _merge(sc: scenarios.Scenarios, pop: Population) -> Population:
    out = Population()
    out.users.add_rows(u.mfa for u in sc.users)  # scenario rows first: they take the first ids
    out.devices.add_rows(d for u in sc.users for d in u.devices)
    out.entra_users.add_rows(u.entra for u in sc.users if u.entra is not None)
    out.entra_users.add_rows(sc.extra_entra)
    out.methods.add_rows(m for u in sc.users for m in u.methods)
    out.ledger.add_rows(line for u in sc.users for line in u.ledger)
    for table_name in ("users", "devices", "entra_users", "methods", "ledger"):
        getattr(out, table_name).extend(getattr(pop, table_name))
    members: dict[str, list[str]] = {}
    for u in sc.users:
        for key in sorted(u.groups):
            if u.entra is not None:
                members.setdefault(key, []).append(u.entra["id"])
    for key, ids in pop.members.items():
        members.setdefault(key, []).extend(ids)
    out.members = members
    return out


def generate(out: Path, users: int, seed: int = 7, console: Console | None = None) -> SampleSummary:
    """Write a sample of ``users`` MFA Server users into ``out`` (created if missing; the sample's own
    files are replaced, nothing else in ``out`` is touched)."""
    started = time.perf_counter()
    sc = scenarios.build(seed)
    if users < len(sc.users):
        raise UserError(
            f"--users {users} is too small: the sample's hand-made scenarios alone have "
            f"{len(sc.users)} users. "
            f"Ask for at least {len(sc.users)}."
        )
    templates = build_templates(seed)
    pop = population.build(
        seed, users - len(sc.users), templates, len(sc.users) + 1, sc.next_device_id, sc.domain_sid
    )
    data = _merge(sc, pop)
    ids = tenant.group_ids(seed)
    groups = tenant.groups(seed, ids, data.members)
    tenant_dir = out / "tenant"
    try:
        tenant_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create the output directory {out}: {exc.strerror}. Choose another --out."
        ) from exc

    def write_tenant() -> None:
        writers.write_json(tenant_dir / "snapshot.json", tenant.snapshot(seed))
        writers.write_users_jsonl(tenant_dir / "users.jsonl", data.entra_users, data.methods)
        writers.write_groups(tenant_dir / "groups.jsonl", groups)
        writers.write_json(tenant_dir / "policies.json", tenant.policies(seed, ids))
        writers.write_jsonl(tenant_dir / "domains.jsonl", tenant.domains(seed))
        writers.write_ledger_jsonl(tenant_dir / "ledger.jsonl", data.ledger)

    # DuckDB writes the tenant files while SQLite writes the datafile (both release the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        tenant_done = pool.submit(write_tenant)
        writers.write_pfdata(
            out / "PhoneFactor.pfdata",
            data.users,
            data.devices,
            tenant.pfdata_meta(),
            tenant.pfdata_settings(),
            tenant.pfdata_auth_services(),
        )
        tenant_done.result()
    summary = SampleSummary(
        users=len(data.users),
        devices=len(data.devices),
        entra_users=len(data.entra_users),
        entra_methods=len(data.methods),
        ledger_lines=len(data.ledger),
        groups=len(groups),
        seconds=time.perf_counter() - started,
        expected=tuple(sc.expected),
    )
    if console is not None:
        _report(console, out, summary)
    return summary


def _report(console: Console, out: Path, s: SampleSummary) -> None:
    rows: list[tuple[str, Any]] = [
        ("MFA Server users", s.users),
        ("Authenticator devices", s.devices),
        ("Entra users", s.entra_users),
        ("Entra methods", s.entra_methods),
        ("ledger lines", s.ledger_lines),
        ("groups", s.groups),
    ]
    console.table(["what", "count"], rows, title=f"Sample written to {out} in {s.seconds:.1f} s")
