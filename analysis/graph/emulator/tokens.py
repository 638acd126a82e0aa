"""The emulator's identity provider: client credentials, client assertions, device code, refresh tokens.

Access tokens are compact JWTs (HS256 with a per-run key) carrying Entra's claims that matter here:
``roles`` for app-only tokens, ``scp`` for delegated ones, ``tid``, ``appid``, ``exp``. Graph routes
accept only tokens this run issued, unexpired and not revoked by the admin endpoint.

Certificate credentials: msal signs a client assertion (RS256 with ``x5t`` or PS256 with ``x5t#S256``);
it is verified against the certificates registered for the app — the one the emulator generates at
start (in the ready file) plus any ``--client-cert`` files — and its ``aud``/``iss``/``sub``/``exp``.

Device code: ``/devicecode`` issues a code; :mod:`devicecode` decides when it is approved and as whom
(a chosen emulated user, or a fixed emulator admin). Delegated answers carry an ``id_token``
(``oid``, ``preferred_username``, ``name``, ``tid``) and ``client_info`` so msal records the account, and
a ``refresh_token`` that keeps the identity, so ``acquire_token_silent`` works.

Nothing here logs a token, secret or assertion.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from analysis.graph.emulator.devicecode import DeviceFlows, FlowError, Identity

GRAPH_RESOURCE = "https://graph.microsoft.com"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Claims:
    """What a Graph route needs to know about the caller."""

    token_id: str
    kind: str  # "app" | "delegated"
    app_id: str
    oid: str
    roles: frozenset[str]
    scopes: frozenset[str]
    issued_at: float
    expires_at: float

    def permissions(self) -> frozenset[str]:
        return self.roles if self.kind == "app" else self.scopes


class TokenError(Exception):
    """An OAuth error answered by the token endpoint in Entra's shape."""

    def __init__(self, status: int, error: str, aadsts: int, description: str) -> None:
        super().__init__(f"{error}: AADSTS{aadsts}")
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.description = description

    def body(self, correlation_id: str) -> dict[str, Any]:
        trace_id = str(uuid.uuid4())
        stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        return {
            "error": self.error,
            "error_description": (
                f"AADSTS{self.aadsts}: {self.description} Trace ID: {trace_id} "
                f"Correlation ID: {correlation_id} Timestamp: {stamp}"
            ),
            "error_codes": [self.aadsts],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        }


class InvalidToken(Exception):
    """Why a bearer token is refused; the message is Graph's 401 text."""


@dataclass
class TokenService:
    tenant_id: str
    client_id: str
    client_secret: str
    issuer_base: str
    app_roles: frozenset[str]
    delegated_scopes: frozenset[str]
    certificates: list[x509.Certificate]
    lifetime: int = 3599
    device_interval: int = 1
    devices: DeviceFlows = field(default_factory=DeviceFlows)
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _generation: int = 0
    _refresh: dict[str, tuple[str, frozenset[str], Identity]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0

    # ------------------------------------------------------------------ access tokens
    def _sign(self, header: dict[str, Any], payload: dict[str, Any]) -> str:
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
        signature = hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + b64url(signature)

    def _access_token(
        self, kind: str, client_id: str, granted: frozenset[str], who: Identity | None = None
    ) -> tuple[str, int]:
        now = int(time.time())
        payload: dict[str, Any] = {
            "aud": GRAPH_RESOURCE,
            "iss": f"https://sts.windows.net/{self.tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "appid": client_id,
            "tid": self.tenant_id,
            "idtyp": "app" if kind == "app" else "user",
            "jti": str(uuid.uuid4()),
            "ver": "1.0",
            "xms_emu_gen": self._generation,
        }
        if kind == "app":
            payload["oid"] = client_id
            payload["roles"] = sorted(granted)
        else:
            assert who is not None
            payload.update(oid=who.oid, upn=who.upn, unique_name=who.upn, name=who.name)
            payload["scp"] = " ".join(sorted(granted))
        with self._lock:
            self.issued += 1
        return self._sign({"typ": "JWT", "alg": "HS256", "kid": "emulator"}, payload), self.lifetime

    def validate(self, token: str) -> Claims:
        """Claims of a bearer token, or :class:`InvalidToken` with Graph's message."""
        if not token:
            raise InvalidToken("Access token is empty.")
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("IDX14100: JWT is not well formed, there are no dots (.).")
        signing_input = (parts[0] + "." + parts[1]).encode()
        try:
            signature = unb64url(parts[2])
            payload = json.loads(unb64url(parts[1]))
        except (ValueError, json.JSONDecodeError) as exc:
            raise InvalidToken(
                "IDX14102: Unable to decode the header or payload as Base64Url encoded."
            ) from exc
        expected = hmac.new(self._key, signing_input, hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            raise InvalidToken("Invalid signature.")
        now = time.time()
        if payload.get("exp", 0) <= now or payload.get("xms_emu_gen") != self._generation:
            raise InvalidToken("Lifetime validation failed, the token is expired.")
        if payload.get("tid") != self.tenant_id:
            raise InvalidToken("Invalid tenant.")
        kind = "app" if payload.get("idtyp") == "app" else "delegated"
        return Claims(
            token_id=payload.get("jti", ""),
            kind=kind,
            app_id=payload.get("appid", ""),
            oid=str(payload.get("oid", "")),
            roles=frozenset(payload.get("roles") or ()),
            scopes=frozenset(str(payload.get("scp") or "").split()),
            issued_at=float(payload.get("iat", 0)),
            expires_at=float(payload.get("exp", 0)),
        )

    def expire_all(self) -> None:
        """Every token issued so far fails validation from now on (forces clients to re-authenticate)."""
        # Tokens carry the generation they were issued in; a new generation voids all older ones.
        with self._lock:
            self._generation += 1

    # ------------------------------------------------------------------ token endpoint
    def token(self, form: dict[str, str], token_endpoint: str) -> dict[str, Any]:
        grant = form.get("grant_type", "")
        if grant == "client_credentials":
            return self._client_credentials(form, token_endpoint)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            return self._device_token(form)
        if grant == "refresh_token":
            return self._refresh_token(form)
        raise TokenError(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant}'.",
        )

    def _check_client(self, client_id: str) -> None:
        if client_id != self.client_id:
            raise TokenError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{self.tenant_id}'. This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant.",
            )

    def _client_credentials(self, form: dict[str, str], token_endpoint: str) -> dict[str, Any]:
        client_id = form.get("client_id", "")
        self._check_client(client_id)
        if "client_secret" in form:
            if not hmac.compare_digest(form["client_secret"].encode(), self.client_secret.encode()):
                raise TokenError(
                    401,
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the "
                    "client secret value, not the client secret ID, for a secret added to app "
                    f"'{client_id}'.",
                )
        elif form.get("client_assertion"):
            self._verify_assertion(form["client_assertion"], client_id, token_endpoint)
        else:
            raise TokenError(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or "
                "'client_secret'.",
            )
        scopes = form.get("scope", "").split()
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            raise TokenError(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {' '.join(scopes)} is not valid. Client credential flows "
                "must have a scope value with /.default suffixed to the resource identifier "
                "(application ID URI).",
            )
        access, lifetime = self._access_token("app", client_id, self.app_roles)
        return {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access,
        }

    def _verify_assertion(self, assertion: str, client_id: str, token_endpoint: str) -> None:
        def fail(code: int, text: str) -> TokenError:
            return TokenError(401, "invalid_client", code, text)

        parts = assertion.split(".")
        if len(parts) != 3:
            raise fail(50027, "JWT token is invalid or malformed.")
        try:
            header = json.loads(unb64url(parts[0]))
            claims = json.loads(unb64url(parts[1]))
            signature = unb64url(parts[2])
        except (ValueError, json.JSONDecodeError) as exc:
            raise fail(50027, "JWT token is invalid or malformed.") from exc
        alg = header.get("alg")
        # msal pads its base64url thumbprints with "="; JOSE says unpadded: accept both.
        thumb_sha1 = str(header.get("x5t") or "").rstrip("=")
        thumb_sha256 = str(header.get("x5t#S256") or "").rstrip("=")
        cert = None
        for candidate in self.certificates:
            sha256 = b64url(candidate.fingerprint(hashes.SHA256()))
            sha1 = b64url(candidate.fingerprint(hashes.SHA1()))
            if (thumb_sha256 and sha256 == thumb_sha256) or (thumb_sha1 and sha1 == thumb_sha1):
                cert = candidate
        if cert is None:
            raise fail(
                700027,
                f"The certificate with identifier used to sign the client assertion is not registered on "
                f"application. [Reason - The key was not found., Thumbprint of key used by client: "
                f"'{thumb_sha256 or thumb_sha1}'].",
            )
        public_key = cert.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise fail(700027, "Client assertion failed signature validation.")
        signing_input = (parts[0] + "." + parts[1]).encode()
        try:
            if alg == "RS256":
                public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            elif alg == "PS256":
                public_key.verify(
                    signature,
                    signing_input,
                    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                    hashes.SHA256(),
                )
            else:
                raise fail(5002738, f"Invalid JWT token. '{alg}' is not a supported signature algorithm.")
        except InvalidSignature as exc:
            raise fail(700027, "Client assertion failed signature validation.") from exc
        now = time.time()
        if claims.get("iss") != client_id or claims.get("sub") != client_id:
            raise fail(700023, "Client assertion audience claim does not match Realm issuer.")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(str(a).lower().rstrip("/") == token_endpoint.lower().rstrip("/") for a in audiences):
            raise fail(
                700021,
                f"Client assertion audience claim does not match Realm issuer. Expected: {token_endpoint}.",
            )
        if float(claims.get("exp", 0)) + 300 < now or float(claims.get("nbf", 0)) - 300 > now:
            raise fail(700024, "Client assertion is not within its valid time range.")

    # ------------------------------------------------------------------ device code
    def device_code(self, form: dict[str, str], verification_uri: str) -> dict[str, Any]:
        client_id = form.get("client_id", "")
        self._check_client(client_id)
        granted = self._granted_scopes(form.get("scope", "").split())
        code, user_code = self.devices.start(client_id, granted)
        how = (
            "approved by a test through /_emulator/test/device-codes"
            if self.devices.manual
            else f"approved as {self.devices.sign_in_as.upn} after {self.devices.pending_polls} poll(s)"
        )
        return {
            "user_code": user_code,
            "device_code": code,
            "verification_uri": verification_uri,
            "expires_in": 900,
            "interval": self.device_interval,
            "message": (
                f"To sign in, use a web browser to open the page {verification_uri} and enter the code "
                f"{user_code} to authenticate. (Emulator: {how}.)"
            ),
        }

    def _granted_scopes(self, requested: list[str]) -> frozenset[str]:
        names: set[str] = set()
        for scope in requested:
            name = scope.rsplit("/", 1)[-1]
            if name == ".default":
                names.update(self.delegated_scopes)
            elif name in self.delegated_scopes:
                names.add(name)
        return frozenset(names)

    def _device_token(self, form: dict[str, str]) -> dict[str, Any]:
        try:
            client_id, scopes, who = self.devices.poll(form.get("device_code", ""))
        except FlowError as exc:
            raise TokenError(400, exc.error, exc.aadsts, exc.description) from None
        return self._delegated_response(client_id, scopes, who)

    def _refresh_token(self, form: dict[str, str]) -> dict[str, Any]:
        token = form.get("refresh_token", "")
        with self._lock:
            found = self._refresh.pop(token, None)
        if found is None:
            raise TokenError(
                400,
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to inactivity.",
            )
        client_id, scopes, who = found
        if form.get("client_id") != client_id:
            raise TokenError(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
        return self._delegated_response(client_id, scopes, who)

    def _delegated_response(self, client_id: str, scopes: frozenset[str], who: Identity) -> dict[str, Any]:
        access, lifetime = self._access_token("delegated", client_id, scopes, who)
        refresh = secrets.token_urlsafe(48)
        with self._lock:
            self._refresh[refresh] = (client_id, scopes, who)
        now = int(time.time())
        id_token = self._sign(
            {"typ": "JWT", "alg": "HS256", "kid": "emulator"},
            {
                "aud": client_id,
                "iss": f"{self.issuer_base}/{self.tenant_id}/v2.0",
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
                "name": who.name,
                "oid": who.oid,
                "preferred_username": who.upn,
                "sub": b64url(hashlib.sha256(f"{who.oid}:{client_id}".encode()).digest()),
                "tid": self.tenant_id,
                "ver": "2.0",
            },
        )
        client_info = b64url(json.dumps({"uid": who.oid, "utid": self.tenant_id}).encode())
        return {
            "token_type": "Bearer",
            "scope": " ".join(f"{GRAPH_RESOURCE}/{name}" for name in sorted(scopes)),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id_token,
            "client_info": client_info,
        }
