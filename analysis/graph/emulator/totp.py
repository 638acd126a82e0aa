"""RFC 6238 TOTP, to check a hardware OATH token's activation code the way Entra does.

Entra accepts the current code of a token's time step (30 or 60 s) and, for clock drift, the
neighbouring steps (±1). Secrets are Base32 as imported (spaces and padding tolerated).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import time

_HASHES = {"hmacsha1": hashlib.sha1, "hmacsha256": hashlib.sha256}


def decode_secret(secret: str) -> bytes:
    """Base32 bytes of a secret; ValueError if it is not Base32."""
    cleaned = secret.replace(" ", "").replace("=", "").upper()
    if not cleaned:
        raise ValueError("empty secret")
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except binascii.Error as exc:
        raise ValueError("not Base32") from exc


def code_at(secret: str, counter: int, hash_function: str = "hmacsha1", digits: int = 6) -> str:
    key = decode_secret(secret)
    digest = hmac.new(key, struct.pack(">Q", counter), _HASHES[hash_function]).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp(secret: str, period: int = 30, hash_function: str = "hmacsha1", at: float | None = None) -> str:
    """The current code (what a client computes to activate a token it imported)."""
    return code_at(secret, int((time.time() if at is None else at) // period), hash_function)


def verify(
    secret: str,
    code: str,
    period: int = 30,
    hash_function: str = "hmacsha1",
    window: int = 1,
    at: float | None = None,
) -> bool:
    counter = int((time.time() if at is None else at) // period)
    return any(
        hmac.compare_digest(code_at(secret, counter + delta, hash_function), code)
        for delta in range(-window, window + 1)
    )
