"""SHA-256 fingerprints of secrets (docs/workspace.md), so matching never needs the secret itself.

The loader computes the same fingerprints in SQL (``mfa_*_check`` in ``queries/sources/workspace.sql``)
over in-memory frames; these Python twins exist for code that handles one secret at a time (the
executor writing a ledger line, the sample generator, tests) and a test keeps the two in step.
"""

from __future__ import annotations

import hashlib

REDACTED = "<redacted>"


def normalise_secret(secret: str) -> str:
    """A Base32 secret as fingerprinted: upper-cased, with spaces and ``=`` padding removed."""
    return secret.upper().replace(" ", "").replace("=", "")


def secret_fingerprint(secret: str) -> str:
    """Lower-case hex SHA-256 of the normalised secret's UTF-8 bytes."""
    return hashlib.sha256(normalise_secret(secret).encode("utf-8")).hexdigest()


def device_token_fingerprint(token: str) -> str:
    """Lower-case hex SHA-256 of the device token's UTF-8 bytes, exactly as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
