"""A crafted migration for executor tests: one spec, written twice — as a workspace (through the
simulator's test builders and the real simulator) and as the emulator's tenant snapshot — so the
plan's assumptions and the emulated tenant agree exactly, without depending on the loader.

Users cycle through four shapes so every write path is used:

* ``k % 4 == 0``: phone without extension → POST mobile; backup → POST alternate; default voiceMobile
* ``k % 4 == 1``: phone with extension → POST office; default voiceOffice
* ``k % 4 == 2``: text message, Entra already holds another mobile and the default voiceMobile → PATCH
  mobile; default sms (over voiceMobile)
* ``k % 4 == 3``: mobile app with a device (→ migration group) and a phone → POST mobile; default push is
  left to the utility (no Authenticator in Entra yet)

``build(..., tokens=N)`` adds N users with a hardware OATH token (create, assign, activate; default
oath), whose secrets are in a small MFA Server datafile (:func:`datafile_of`), as the executor reads them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from simulate.builders import Workspace
from sources.builders import make_pfdata
from sources.builders import user as pf_user

from analysis.execute import batches
from analysis.graph.emulator.launcher import REPO_ROOT, EmulatorInfo

TENANT_ID = "11111111-2222-3333-4444-555555555555"
GROUP_ID = "9a9a9a9a-0000-4000-8000-000000000001"
GROUP_NAME = "MFA Server Migration"
RING_ID = "9a9a9a9a-0000-4000-8000-000000000002"
PHONE_TYPE = "#microsoft.graph.phoneAuthenticationMethod"


def entra_id(k: int) -> str:
    return f"00000000-0000-4000-8000-{k:012d}"


def upn(k: int) -> str:
    return f"user{k:04d}@contoso.com"


def token_secret(k: int) -> str:
    """The (test) Base32 OATH secret of token user ``k``."""
    return base64.b32encode(f"mfa-migrate-test-{k:04d}".encode()).decode().rstrip("=")


def datafile_of(workspace: Path) -> Path:
    return workspace.parent / "PhoneFactor.pfdata"


def build(directory: Path, users: int, tokens: int = 0) -> tuple[Path, Path]:
    """(workspace file, tenant snapshot dir) for ``users`` crafted users and ``tokens`` token users."""
    directory.mkdir(parents=True, exist_ok=True)
    ws = Workspace(directory, "ws.duckdb")
    tenant = directory / "tenant"
    tenant.mkdir(exist_ok=True)
    lines = []
    ws.con.execute("BEGIN TRANSACTION")  # one commit for all rows: much faster on a file
    for k in range(users):
        eid, name = entra_id(k), upn(k)
        shape = k % 4
        methods: list[dict[str, Any]] = [
            {
                "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
                "id": "28c10230-6103-485e-b985-444c60001490",
            }
        ]
        number = f"7911{100000 + k:06d}"  # valid UK mobiles
        preferred = None
        fields: dict[str, Any] = {
            "country_code": "44",
            "phone": number,
            "modified_at": "2024-05-01T00:00:00Z",
        }
        if shape == 0:
            fields.update(backup_country_code="1", backup_phone=f"206{3010000 + k:07d}", method="phone_call")
        elif shape == 1:
            fields.update(extension=str(100 + k), method="phone_call")
        elif shape == 2:
            fields.update(method="text_message")
            old = f"+44 7911{500000 + k:06d}"
            ws.phone(eid, "mobile", old)
            preferred = "voiceMobile"  # a default before: rollback PATCHes it back
            methods.append(
                {
                    "@odata.type": PHONE_TYPE,
                    "id": "3179e48a-750b-4051-897c-87b9720928f7",
                    "phoneNumber": old,
                    "phoneType": "mobile",
                    "smsSignInState": "notSupported",
                }
            )
        else:
            fields.update(method="mobile_app", app_mode="standard")
        ws.user(k + 1, name, **fields)
        if shape == 3:
            ws.device(
                10_000 + k,
                k + 1,
                name="iPhone",
                activated_at="2024-01-01T00:00:00Z",
                secret=f"s{k}",
                token=f"t{k}",
            )
        ws.entra(eid, name, display_name=f"User {k}", preferred_method=preferred)
        lines.append(
            {
                "id": eid,
                "userPrincipalName": name,
                "displayName": f"User {k}",
                "accountEnabled": True,
                "userType": "Member",
                "authenticationMethods": methods,
                "signInPreferences": {
                    "userPreferredMethodForSecondaryAuthentication": preferred,
                    "isSystemPreferredAuthenticationMethodEnabled": False,
                },
            }
        )
    pf_users = []
    for k in range(users, users + tokens):
        eid, name, serial = entra_id(k), upn(k), f"TOK{k:05d}"
        ws.user(
            k + 1,
            name,
            method="oath_token",
            oath_serial=serial,
            oath_secret_sha256=hashlib.sha256(token_secret(k).encode()).hexdigest(),
            oath_kind="totp",
            oath_time_step=30,
        )
        ws.entra(eid, name, display_name=f"User {k}")
        pf_users.append(
            pf_user(
                k + 1,
                name,
                method="oath_token",
                phone=None,
                country_code=None,
                oath_serial=serial,
                oath_secret=token_secret(k),
                oath_kind="totp",
                oath_time_step=30,
            )
        )
        lines.append(
            {
                "id": eid,
                "userPrincipalName": name,
                "displayName": f"User {k}",
                "accountEnabled": True,
                "userType": "Member",
                "authenticationMethods": [
                    {
                        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
                        "id": "28c10230-6103-485e-b985-444c60001490",
                    }
                ],
                "signInPreferences": {
                    "userPreferredMethodForSecondaryAuthentication": None,
                    "isSystemPreferredAuthenticationMethodEnabled": False,
                },
            }
        )
    ws.con.execute("COMMIT")
    if pf_users:
        assert ws.path is not None
        make_pfdata(datafile_of(ws.path), pf_users)
    ws.group(GROUP_ID, GROUP_NAME, [])
    ws.fill_phones()
    batches.ensure_schema(ws.con)
    ws.con.close()
    (tenant / "snapshot.json").write_text(
        json.dumps({"tenantId": TENANT_ID, "takenAt": "2024-06-01T00:00:00Z", "source": "file"})
    )
    (tenant / "users.jsonl").write_text("".join(json.dumps(u) + "\n" for u in lines))
    user = "#microsoft.graph.user"
    groups = [
        {"id": GROUP_ID, "displayName": GROUP_NAME, "groupTypes": [], "securityEnabled": True, "members": []},
        {
            "id": RING_ID,
            "displayName": "Ring 1",
            "groupTypes": [],
            "securityEnabled": True,
            "members": [{"@odata.type": user, "id": entra_id(k)} for k in range(min(users, 4))],
        },
        {
            "id": "9a9a9a9a-0000-4000-8000-000000000003",
            "displayName": "Dynamic",
            "groupTypes": ["DynamicMembership"],
            "membershipRule": 'user.department -eq "Sales"',
            "securityEnabled": True,
            "members": [],
        },
        {
            "id": "9a9a9a9a-0000-4000-8000-000000000004",
            "displayName": "Nested",
            "groupTypes": [],
            "securityEnabled": True,
            "members": [{"@odata.type": "#microsoft.graph.group", "id": RING_ID}],
        },
    ]
    (tenant / "groups.jsonl").write_text("".join(json.dumps(g) + "\n" for g in groups))
    domain = {
        "id": "contoso.com",
        "authenticationType": "Federated",
        "isVerified": True,
        "federationConfiguration": [
            {
                "@odata.type": "#microsoft.graph.internalDomainFederation",
                "id": "fed-1",
                "displayName": "Contoso",
                "issuerUri": "http://contoso.com/adfs",
                "federatedIdpMfaBehavior": "acceptIfMfaDoneByFederatedIdp",
            }
        ],
    }
    (tenant / "domains.jsonl").write_text(json.dumps(domain) + "\n")
    assert ws.path is not None
    return ws.path, tenant


SETTINGS = f"""
[execute]
handoff = "group"
migration_group = "{GROUP_NAME}"
"""


def cli(
    *args: str,
    emu: EmulatorInfo | None = None,
    timeout: float = 180,
    check: bool = True,
    subprocess_: bool = False,
    other_os_user: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``mfa-migrate ARGS`` (Graph connection arguments appended when ``emu``).

    ``other_os_user=True`` runs it in a subprocess as another OS account (``tests/os_identity.py``),
    e.g. the second administrator who approves a batch.

    By default in-process, through the real argument parser and command handlers with a capturing
    console (exit code 2 for a UserError, as ``main`` does): interpreter start-up dominates a
    subprocess on a busy 2-core machine. ``subprocess_=True`` runs the installed entry point instead.
    """
    argv = [*args, *(connection(emu) if emu is not None else [])]
    if emu is not None:
        os.environ["MFA_MIGRATE_CLIENT_SECRET"] = emu.client_secret
    if subprocess_ or other_os_user:
        from os_identity import other_os_user_argv

        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO_ROOT)
        done = subprocess.run(
            other_os_user_argv(*argv) if other_os_user else [sys.executable, "-m", "analysis", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=REPO_ROOT,
        )
    else:
        from analysis.cli import build_parser
        from analysis.console import CaptureConsole
        from analysis.errors import UserError

        console = CaptureConsole()
        parsed = build_parser().parse_args(argv)
        try:
            code = int(parsed.handler(parsed, console) or 0)
        except UserError as exc:
            console.err.write(f"error: {exc}\n")
            code = exc.exit_code
        done = subprocess.CompletedProcess(argv, code, console.out.getvalue(), console.err.getvalue())  # type: ignore[attr-defined]
    if check and done.returncode != 0:
        raise AssertionError(
            f"mfa-migrate {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def connection(emu: EmulatorInfo) -> list[str]:
    return [
        "--graph-url",
        emu.graph_url,
        "--authority",
        emu.authority,
        "--client-id",
        emu.client_id,
        "--ca-file",
        emu.ca_file,
    ]


def popen_run(
    workspace: Path,
    batch: str,
    emu: EmulatorInfo,
    *extra: str,
    command: str = "run",
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """``batch run`` (or ``command``, e.g. ``rollback``) in a subprocess that the test may kill."""
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["MFA_MIGRATE_CLIENT_SECRET"] = emu.client_secret
    command_line = [
        sys.executable,
        "-m",
        "analysis",
        "batch",
        command,
        batch,
        "--workspace",
        str(workspace),
        *connection(emu),
        "--settle",
        "1",  # the emulator answers in milliseconds; production waits Graph's 60 s
        *extra,
    ]
    return subprocess.Popen(
        command_line, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT
    )


def user_of(state: dict[str, Any], k: int) -> dict[str, Any]:
    for user in state["users.jsonl"]:
        if user["id"] == entra_id(k):
            return dict(user)
    raise KeyError(k)


def phones(user: dict[str, Any]) -> dict[str, str]:
    return {
        m["phoneType"]: m["phoneNumber"]
        for m in user.get("authenticationMethods") or []
        if m.get("@odata.type") == PHONE_TYPE
    }


def create_and_approve(
    workspace: Path, settings_text: str = SETTINGS, name: str = "w", where: str = "true"
) -> None:
    """``batch create --where W`` + ``batch approve`` in-process (the CLI path is tested elsewhere)."""
    import duckdb
    from os_identity import OTHER_ADMIN

    from analysis import settingsfile
    from analysis.execute.batches import approve
    from analysis.execute.selection import Selection, create_batch
    from analysis.simulate.runner import simulate

    settings_path = workspace.parent / f"{name}.toml"
    settings_path.write_text(settings_text)
    loaded = settingsfile.read(settings_path)
    options = loaded.execute
    con = duckdb.connect(str(workspace))
    try:
        plan = simulate(con, loaded.whatif, table="plan_batch")
        created = create_batch(
            con,
            name=name,
            plan=plan,
            selection=Selection(where=where),
            options=options,
            actor="alice",
        )
        con.execute("DROP TABLE plan_batch")
        approve(con, created.batch.batch_id, OTHER_ADMIN)  # a second administrator's account
    finally:
        con.close()


def writes(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Writes Graph received (batch items and plain requests; not the envelopes)."""
    return [e for e in log if e["method"] != "GET" and not e["path"].endswith("/$batch")]


def status_of(entry: dict[str, Any]) -> int:
    return entry["status"] if isinstance(entry["status"], int) else 0


def pattern_of(url: str) -> re.Pattern[str]:
    parts = re.split(r"<[^>]*>", url)  # placeholders stand for ids only Graph gives
    return re.compile("[^/]+".join(re.escape(p) for p in parts))


def match_writes(
    expected: list[tuple[str, str]], applied: list[tuple[str, str]]
) -> tuple[list[Any], list[Any]]:
    """(expected writes nothing applied, applied writes nothing expected): both must be empty."""
    left = list(applied)
    missing = []
    for method, url in expected:
        pattern = pattern_of(url)
        hit = next((a for a in left if a[0] == method and pattern.fullmatch(a[1])), None)
        if hit is None:
            missing.append((method, url))
        else:
            left.remove(hit)
    return missing, left


def explain(ws: Path, batch: str, emu: EmulatorInfo) -> list[dict[str, Any]]:
    out = cli("batch", "explain", batch, "--workspace", str(ws), "--json", "--graph-url", emu.graph_url)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
