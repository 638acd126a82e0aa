"""Helpers shared by the Graph client tests (a uniquely named module: ``conftest`` is ambiguous)."""

from __future__ import annotations

from typing import Any

from analysis.graph.auth import AppOnlyAuth
from analysis.graph.client import GraphClient, RetryPolicy
from analysis.graph.emulator.launcher import EmulatorInfo

# Fast retries so fault tests stay quick; Retry-After values from the emulator are still honoured.
FAST = RetryPolicy(max_attempts=6, backoff_base=0.02, backoff_cap=0.2)


def app_auth(emu: EmulatorInfo) -> AppOnlyAuth:
    return AppOnlyAuth(
        authority=emu.authority,
        client_id=emu.client_id,
        credential=emu.client_secret,
        graph_url=emu.graph_url,
        ca_file=emu.ca_file,
    )


def make_client(emu: EmulatorInfo, auth: Any = None, **kwargs: Any) -> GraphClient:
    """A client on the emulator that owns (and closes) its token provider."""
    kwargs.setdefault("retry", FAST)
    kwargs.setdefault("record", True)
    kwargs.setdefault("close_auth", True)
    return GraphClient(emu.graph_url, auth or app_auth(emu), ca_file=emu.ca_file, **kwargs)


def self_signed(common_name: str) -> tuple[str, str]:
    """A fresh RSA key and a one-day self-signed certificate for it, as PEM text: (key, certificate)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem.decode(), cert.public_bytes(serialization.Encoding.PEM).decode()
