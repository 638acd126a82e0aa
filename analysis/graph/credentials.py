"""Credential material for Entra sign-in: secrets from the environment or a file, certificates from PEM,
and the msal token cache (in memory, or persisted encrypted).

Secrets and keys never appear in logs, exceptions or reprs: errors name the variable or file, never the
value, and :class:`Certificate` shows only its thumbprint.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msal

from analysis.errors import UserError

log = logging.getLogger("analysis.graph.auth")


def read_secret(
    *, env: str | None = None, file: str | Path | None = None, what: str = "client secret"
) -> str:
    """Read a secret from an environment variable or a file (first line, stripped).

    Raises :class:`UserError` naming the variable or file (never the value) when it is missing or empty.
    """
    if env:
        value = os.environ.get(env, "").strip()
        if not value:
            raise UserError(
                f"The {what} was to be read from the environment variable {env}, but {env} is not set "
                "or empty. Export it in the shell that runs mfa-migrate (never pass secrets as arguments)."
            )
        return value
    if file:
        path = Path(file).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UserError(f"Cannot read the {what} from {path}: {exc.strerror}. Check the path.") from None
        if not value:
            raise UserError(f"The {what} file {path} is empty.")
        return value
    raise UserError(f"No {what} given: name an environment variable or a file that holds it.")


@dataclass(frozen=True, repr=False)
class Certificate:
    """A certificate credential: PEM private key + certificate and its thumbprints (lower-case hex)."""

    private_key_pem: str
    certificate_pem: str
    sha256_thumbprint: str
    sha1_thumbprint: str
    passphrase: str | None = None

    def __repr__(self) -> str:  # never show the key
        return f"Certificate(sha256={self.sha256_thumbprint})"

    def msal_credential(self) -> dict[str, Any]:
        """msal's PEM form. With the certificate present msal signs with PS256 and ``x5t#S256``."""
        cred: dict[str, Any] = {
            "private_key": self.private_key_pem,
            "public_certificate": self.certificate_pem,
        }
        if self.passphrase:
            cred["passphrase"] = self.passphrase
        return cred


def load_certificate(
    path: str | Path, passphrase: str | None = None, *, key_path: str | Path | None = None
) -> Certificate:
    """Load a PEM file holding the private key and the certificate (as Azure exports them).

    The key may be in a separate PEM file (``key_path``) and may be encrypted (``passphrase``). The
    thumbprints are computed here: SHA-256 is what msal sends (``x5t#S256``); SHA-1 is what the Entra
    portal shows, for the admin to compare.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    path = Path(path).expanduser()
    text = ""
    for source in (path, Path(key_path).expanduser() if key_path else None):
        if source is None:
            continue
        try:
            text += source.read_text(encoding="ascii") + "\n"
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"Cannot read the certificate file {source}: {exc}. Give a PEM file.") from None
    key_blocks = _pem_blocks(text, "PRIVATE KEY")
    cert_blocks = _pem_blocks(text, "CERTIFICATE")
    if not key_blocks or not cert_blocks:
        raise UserError(
            f"{path} must be a PEM file holding both the private key and the certificate "
            f"(found {len(key_blocks)} key(s), {len(cert_blocks)} certificate(s)). "
            "Concatenate the key and the certificate into one file."
        )
    try:
        serialization.load_pem_private_key(
            key_blocks[0].encode(), password=passphrase.encode() if passphrase else None
        )
        cert = x509.load_pem_x509_certificate(cert_blocks[0].encode())
    except (ValueError, TypeError) as exc:
        raise UserError(f"The certificate file {path} cannot be used: {exc}") from None
    der = cert.public_bytes(serialization.Encoding.DER)
    return Certificate(
        private_key_pem=key_blocks[0],
        certificate_pem=cert_blocks[0],
        sha256_thumbprint=hashlib.sha256(der).hexdigest(),
        sha1_thumbprint=hashlib.sha1(der).hexdigest(),  # display only, as the portal shows it
        passphrase=passphrase,
    )


def _pem_blocks(text: str, kind: str) -> list[str]:
    """All PEM blocks whose label ends with ``kind`` (covers RSA/EC/ENCRYPTED PRIVATE KEY)."""
    blocks, current = [], []  # type: list[str], list[str]
    inside = False
    for line in text.splitlines():
        if line.startswith("-----BEGIN ") and line.rstrip("-").endswith(kind):
            inside, current = True, [line]
        elif inside:
            current.append(line)
            if line.startswith("-----END "):
                blocks.append("\n".join(current) + "\n")
                inside = False
    return blocks


@dataclass
class CacheChoice:
    """What :func:`build_token_cache` built, for the caller to report."""

    cache: Any
    encrypted: bool
    location: str | None = None


def build_token_cache(
    location: str | Path | None, *, allow_plaintext: bool = False, warn: Callable[[str], None] | None = None
) -> CacheChoice:
    """An msal token cache: in memory (no location), or persisted with msal-extensions.

    Persisted caches are encrypted (DPAPI / Keychain / libsecret). When encryption is unavailable (a
    headless Linux server has no Secret Service) this refuses, unless ``allow_plaintext`` is set: then
    it falls back to a plaintext file readable only by the owner, and says so through ``warn``/the log.
    """
    if location is None:
        return CacheChoice(msal.TokenCache(), encrypted=False)
    from msal_extensions import FilePersistence, PersistedTokenCache, build_encrypted_persistence

    path = str(Path(location).expanduser())
    try:
        persistence = build_encrypted_persistence(path)  # libsecret does a trial run here
    except Exception as exc:  # any backend failure: missing gi, no D-Bus, locked keyring, ...
        if not allow_plaintext:
            raise UserError(
                f"Cannot store the token cache encrypted at {path} ({type(exc).__name__}: {exc}). "
                "Run without a persistent cache, or allow a plaintext cache file explicitly "
                "(--allow-plaintext-cache) on a machine you trust."
            ) from None
        message = f"token cache at {path} is NOT encrypted (encryption unavailable: {type(exc).__name__})"
        log.warning(message)
        if warn:
            warn(message)
        persistence = FilePersistence(path)  # created 0600 by msal-extensions
        return CacheChoice(PersistedTokenCache(persistence), encrypted=False, location=path)
    return CacheChoice(PersistedTokenCache(persistence), encrypted=True, location=path)
