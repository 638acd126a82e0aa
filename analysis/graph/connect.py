"""Reaching Graph: a :class:`ConnectionSpec` says where and as whom; :func:`connect` signs in.

The spec is plain data so that every front end builds it its own way and none of them leaks into the
core: the command line from its flags (``analysis/cli/connection.py``), the dashboard from a connection
file or an emulator ready file. Secrets are *referenced* by the spec (an environment variable, a file,
a certificate file), never held in it, so a spec can be logged or shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.console import Console
from analysis.errors import UserError
from analysis.graph.auth import GRAPH_URL, AppOnlyAuth, DeviceCodeAuth, scope_for
from analysis.graph.client import GraphClient
from analysis.graph.credentials import Certificate, build_token_cache, load_certificate, read_secret
from analysis.graph.ratelimit import TokenBucket, writes_budget
from analysis.graph.reachability import Reachability

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
CREDENTIAL_KINDS = ("secret_env", "secret_file", "certificate", "device_code", "emulator_ready_file")


@dataclass(frozen=True)
class CredentialSource:
    """Where the credential comes from; ``kind`` is one of :data:`CREDENTIAL_KINDS`.

    ``secret_env``/``secret_file``: a client secret in that variable or file (``where``);
    ``certificate``: a PEM with key and certificate (``where``; ``key_file`` if the key is separate,
    ``passphrase_env`` for an encrypted key); ``device_code``: a delegated admin sign-in;
    ``emulator_ready_file``: the local emulator's throwaway secret, from its ready file (``where``).
    """

    kind: str = "secret_env"
    where: str = DEFAULT_SECRET_ENV
    key_file: str | None = None
    passphrase_env: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in CREDENTIAL_KINDS:
            raise ValueError(f"unknown credential kind {self.kind!r}")

    def resolve(self) -> str | Certificate:
        """The client secret or certificate (a UserError names the variable or file, never the value)."""
        if self.kind == "certificate":
            passphrase = (
                read_secret(env=self.passphrase_env, what="certificate passphrase")
                if self.passphrase_env
                else None
            )
            return load_certificate(self.where, passphrase, key_path=self.key_file)
        if self.kind == "secret_file":
            return read_secret(file=self.where)
        if self.kind == "emulator_ready_file":
            return _ready_file_secret(Path(self.where))
        return read_secret(env=self.where or DEFAULT_SECRET_ENV)


@dataclass(frozen=True)
class ConnectionSpec:
    """Everything :func:`connect` needs: where Graph is, which app signs in and how, whom to trust."""

    authority: str
    client_id: str
    graph_url: str = GRAPH_URL
    credential: CredentialSource = CredentialSource()
    ca_file: str | None = None  # trust only this CA (the local emulator's)
    token_cache: str | None = None
    allow_plaintext_cache: bool = False
    write_budget: str = DEFAULT_WRITE_BUDGET  # "N/SECONDS"

    @property
    def label(self) -> str:
        return f"{self.graph_url} ({self.authority})"


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


def connect(
    spec: ConnectionSpec,
    console: Console,
    *,
    delegated_scopes: Sequence[str] = DELEGATED_SCOPES,
    read_budget: TokenBucket | None = None,
    max_connections: int = 16,
    reachability: Reachability | None = None,
) -> Connection:
    """Build the token provider and the client for ``spec``.

    ``reachability`` decides how long an unreachable Graph is retried and reports the outage (default:
    reported through ``console``, given up after 10 minutes).
    """
    write_budget = parse_write_budget(spec.write_budget)  # first, so a bad value fails before sign-in
    cache = None
    if spec.token_cache:
        choice = build_token_cache(
            spec.token_cache, allow_plaintext=spec.allow_plaintext_cache, warn=console.warn
        )
        cache = choice.cache
    auth: AppOnlyAuth | DeviceCodeAuth
    if spec.credential.kind == "device_code":
        origin = scope_for(spec.graph_url).removesuffix("/.default")
        auth = DeviceCodeAuth(
            authority=spec.authority,
            client_id=spec.client_id,
            scopes=[f"{origin}/{scope}" for scope in delegated_scopes],
            show=console.info,
            ca_file=spec.ca_file,
            token_cache=cache,
        )
    else:
        auth = AppOnlyAuth(
            authority=spec.authority,
            client_id=spec.client_id,
            credential=spec.credential.resolve(),
            graph_url=spec.graph_url,
            ca_file=spec.ca_file,
            token_cache=cache,
        )
    try:
        client = GraphClient(
            spec.graph_url,
            auth,
            ca_file=spec.ca_file,
            write_budget=write_budget,
            read_budget=read_budget,
            max_connections=max_connections,
            reachability=reachability or Reachability(report=console.warn),
        )
    except ValueError as exc:
        raise UserError(f"--graph-url: {exc}") from None
    return Connection(client, auth)


def emulator_spec(ready_file: str | Path) -> ConnectionSpec:
    """The spec for a local emulator from the ready file ``mfa-migrate emulator --ready-file`` wrote."""
    path = Path(ready_file).expanduser()
    doc = _ready_doc(path)
    return ConnectionSpec(
        authority=str(doc["authority"]),
        client_id=str(doc["client_id"]),
        graph_url=str(doc["graph_url"]),
        credential=CredentialSource("emulator_ready_file", str(path)),
        ca_file=str(doc["ca_file"]),
    )


def _ready_doc(path: Path) -> dict[str, object]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"no emulator ready file at {path}. Start one with `mfa-migrate emulator --tenant DIR --port 0 "
            f"--ready-file {path}` and try again."
        ) from None
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the emulator ready file {path}: {exc}") from None
    if not isinstance(doc, dict):
        raise UserError(f"the emulator ready file {path} is not a JSON object")
    for key in ("graph_url", "authority", "ca_file", "client_id", "client_secret"):
        if not doc.get(key):
            raise UserError(
                f"the emulator ready file {path} lacks {key!r}; is it really an emulator ready file?"
            )
    return doc


def _ready_file_secret(path: Path) -> str:
    return str(_ready_doc(path)["client_secret"])
