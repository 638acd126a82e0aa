"""Entra tokens for Graph through msal: app-only (secret or certificate) and delegated (device code).

One long-lived msal application object per credential, so msal's token cache is reused between calls
(msal checks its cache before every ``acquire_token_for_client``). The provider also keeps the current
access token with its expiry, so the Graph client's hot path never enters msal.

CA pinning: when a CA file is given (the local emulator's self-signed CA), msal gets an explicit
``requests.Session`` with ``trust_env = False`` and ``verify = ca_file``. ``requests`` otherwise lets
``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` from the environment override ``verify=``.

Secrets, certificates and the token cache come from :mod:`analysis.graph.credentials`; secrets never
come from command lines and never appear in logs, exceptions or reprs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import msal
import requests

from analysis.errors import UserError
from analysis.graph.credentials import Certificate
from analysis.graph.errors import AuthError

log = logging.getLogger("analysis.graph.auth")

GRAPH_URL = "https://graph.microsoft.com"
# Hosts msal already knows; anything else (the emulator) must skip instance discovery (internet).
_MICROSOFT_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoft.com",
        "login.windows.net",
        "sts.windows.net",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    }
)
# Refresh this long before expiry so a token never dies mid-request.
_EXPIRY_MARGIN = 300.0


class TokenProvider(Protocol):
    """What the Graph client needs from authentication."""

    def token(self) -> str:
        """A valid access token (cached while it has more than a few minutes left)."""
        ...

    def refresh(self, stale: str | None = None) -> str:
        """A *new* token after Graph rejected ``stale`` with 401 (no-op if another thread already did)."""
        ...


# Graph's own hosts per cloud; the app-only scope names the resource, i.e. one of these.
_GRAPH_HOSTS = frozenset(
    {"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"}
)


def scope_for(graph_url: str) -> str:
    """The app-only scope for a Graph base URL: ``https://graph.microsoft.com/.default`` in production.

    The scope names the *resource* (Graph's application id URI), not the address we reach it at: a
    national cloud's Graph host is its own resource, while anything else (the local emulator, a
    proxy) stands in for global Graph and gets the global scope, as Microsoft's SDKs do.
    """
    parts = urlsplit(graph_url)
    if parts.scheme != "https" or not parts.netloc:
        raise UserError(f"Graph URL {graph_url!r} is not an https:// URL; give e.g. {GRAPH_URL}.")
    host = (parts.hostname or "").lower()
    return f"https://{host}/.default" if host in _GRAPH_HOSTS else f"{GRAPH_URL}/.default"


def pinned_session(ca_file: str | Path | None) -> requests.Session | None:
    """A requests session that trusts only ``ca_file`` and ignores proxy/CA environment variables.

    None when no CA file is given (msal then uses its default session and the system trust store).
    """
    if ca_file is None:
        return None
    session = requests.Session()
    session.trust_env = False
    session.verify = str(ca_file)
    return session


def _app_kwargs(
    authority: str, ca_file: str | Path | None, token_cache: Any, timeout: float
) -> dict[str, Any]:
    parts = urlsplit(authority)
    if parts.scheme != "https":
        raise UserError(f"Authority {authority!r} must be an https:// URL (msal refuses anything else).")
    kwargs: dict[str, Any] = {"authority": authority.rstrip("/"), "timeout": timeout}
    if (parts.hostname or "").lower() not in _MICROSOFT_HOSTS:
        # Instance discovery asks login.microsoftonline.com about the host: needs the internet and
        # would reject the emulator. Tenant discovery (the OIDC document) still runs.
        kwargs["instance_discovery"] = False
    session = pinned_session(ca_file)
    if session is not None:
        kwargs["http_client"] = session
    if token_cache is not None:
        kwargs["token_cache"] = token_cache
    return kwargs


@dataclass
class _Cached:
    token: str = ""
    expires_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _CachingProvider:
    """Keeps the current token and its expiry; subclasses fetch from msal."""

    authority: str

    def __init__(self) -> None:
        self._cached = _Cached()
        self.acquisitions = 0  # tokens msal fetched from the token endpoint (not from its cache)

    def _fetch(self, *, fresh: bool) -> dict[str, Any]:
        raise NotImplementedError

    def _take(self, result: dict[str, Any] | None) -> str:
        if not result or "access_token" not in result:
            result = result or {}
            raise AuthError(
                str(result.get("error", "no_token")),
                str(result.get("error_description", "msal returned no token")).splitlines()[0],
                self.authority,
            )
        if result.get("token_source") != "cache":
            self.acquisitions += 1
        lifetime = float(result.get("expires_in", 3599))
        self._cached.token = result["access_token"]
        # msal itself treats a token with < 5 min left as expired; short-lived tokens (test setups)
        # are kept for 90 % of their life instead, so the hot path does not re-enter msal each call.
        self._cached.expires_at = time.monotonic() + lifetime - min(_EXPIRY_MARGIN, lifetime * 0.1)
        return self._cached.token

    def token(self) -> str:
        with self._cached.lock:
            if self._cached.token and time.monotonic() < self._cached.expires_at:
                return self._cached.token
            return self._take(self._fetch(fresh=False))

    def close(self) -> None:
        """Close msal's HTTP session (its keep-alive connection would otherwise outlive the run)."""
        app = getattr(self, "app", None)
        closer = getattr(getattr(app, "http_client", None), "close", None)
        if callable(closer):
            closer()

    def refresh(self, stale: str | None = None) -> str:
        with self._cached.lock:
            if stale is not None and self._cached.token and self._cached.token != stale:
                return self._cached.token  # another thread already replaced the rejected token
            log.info("access token rejected by Graph; fetching a new one from %s", self.authority)
            return self._take(self._fetch(fresh=True))


class AppOnlyAuth(_CachingProvider):
    """App-only tokens (client credentials) from a ``ConfidentialClientApplication``.

    ``credential`` is a client secret (str) or a :class:`Certificate`. ``scope`` defaults to the
    ``/.default`` scope of ``graph_url``.
    """

    def __init__(
        self,
        *,
        authority: str,
        client_id: str,
        credential: str | Certificate,
        graph_url: str = GRAPH_URL,
        scope: str | None = None,
        ca_file: str | Path | None = None,
        token_cache: Any = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__()
        self.authority, self.client_id = authority.rstrip("/"), client_id
        self.scopes = [scope or scope_for(graph_url)]
        client_credential = (
            credential.msal_credential() if isinstance(credential, Certificate) else credential
        )
        try:
            self.app = msal.ConfidentialClientApplication(
                client_id,
                client_credential=client_credential,
                **_app_kwargs(authority, ca_file, token_cache, timeout),
            )
        except (ValueError, requests.RequestException) as exc:
            raise UserError(f"Cannot use the authority {authority}: {_short(exc)}") from None

    @property
    def tenant_id(self) -> str:
        """The tenant from the authority's OIDC document (a GUID for Entra even when given a domain)."""
        return str(self.app.authority.tenant)

    def _fetch(self, *, fresh: bool) -> dict[str, Any]:
        if fresh:
            self.app.remove_tokens_for_client()  # msal would otherwise return the rejected token
        try:
            return dict(self.app.acquire_token_for_client(scopes=self.scopes) or {})
        except requests.RequestException as exc:
            raise AuthError("connection_error", _short(exc), self.authority) from None


@dataclass(frozen=True)
class SignedIn:
    """Who signed in, from the ID token Entra returned with the tokens (never the token itself)."""

    upn: str
    oid: str
    tenant_id: str
    name: str

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> SignedIn | None:
        oid = str(claims.get("oid") or "")
        upn = str(claims.get("preferred_username") or claims.get("upn") or "")
        if not oid or not upn:
            return None
        return cls(
            upn=upn, oid=oid, tenant_id=str(claims.get("tid") or ""), name=str(claims.get("name") or "")
        )


class DeviceCodeAuth(_CachingProvider):
    """Delegated tokens by the device-code flow, for steps Graph refuses app-only (Staged Rollout).

    The admin sees msal's message ("To sign in, use a web browser to open ... and enter the code ...")
    through ``show``; later tokens come silently from the refresh token in the cache. After a token
    was fetched, :attr:`signed_in` says who signed in (UPN, object id, tenant, name from the ID token),
    which is what an approval records as a proven identity.
    """

    signed_in: SignedIn | None = None

    def __init__(
        self,
        *,
        authority: str,
        client_id: str,
        scopes: Sequence[str],
        show: Callable[[str], None],
        ca_file: str | Path | None = None,
        token_cache: Any = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__()
        self.authority, self.client_id, self.scopes, self.show = (
            authority.rstrip("/"),
            client_id,
            list(scopes),
            show,
        )
        try:
            self.app = msal.PublicClientApplication(
                client_id, **_app_kwargs(authority, ca_file, token_cache, timeout)
            )
        except (ValueError, requests.RequestException) as exc:
            raise UserError(f"Cannot use the authority {authority}: {_short(exc)}") from None

    @property
    def tenant_id(self) -> str:
        return str(self.app.authority.tenant)

    def _fetch(self, *, fresh: bool) -> dict[str, Any]:
        result = self._acquire(fresh=fresh)
        claims = result.get("id_token_claims")
        if isinstance(claims, dict):
            self.signed_in = SignedIn.from_claims(claims) or self.signed_in
        return result

    def _acquire(self, *, fresh: bool) -> dict[str, Any]:
        try:
            accounts = self.app.get_accounts()
            if accounts:
                result = self.app.acquire_token_silent(self.scopes, account=accounts[0], force_refresh=fresh)
                if result and "access_token" in result:
                    return dict(result)
            flow = self.app.initiate_device_flow(scopes=self.scopes)
            if "user_code" not in flow:
                return dict(flow)
            self.show(str(flow["message"]))
            return dict(self.app.acquire_token_by_device_flow(flow) or {})
        except requests.RequestException as exc:
            raise AuthError("connection_error", _short(exc), self.authority) from None


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


class StaticToken:
    """A fixed bearer token (scripts that already hold one). ``refresh`` cannot help, so it fails."""

    authority = "static token"

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self) -> str:
        return self._token

    def refresh(self, stale: str | None = None) -> str:
        raise AuthError("invalid_token", "Graph rejected the given token and it cannot be refreshed")
