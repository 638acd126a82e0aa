"""Fixtures for the loader's tests: a small valid pair of inputs, and a fresh workspace path."""

from __future__ import annotations

from pathlib import Path

import pytest

from .builders import (
    DEVICE_SECRET,
    DEVICE_TOKEN,
    OATH_SECRET,
    PIN_HASH,
    device,
    entra_user,
    make_pfdata,
    make_tenant,
    phone_method,
    user,
)


@pytest.fixture
def pfdata(tmp_path: Path) -> Path:
    """Three users (one with a hardware token and PIN, one disabled), three devices."""
    return make_pfdata(
        tmp_path / "PhoneFactor.pfdata",
        users=[
            user(
                1,
                "alice@contoso.com",
                email="alice@contoso.com",
                object_sid="S-1-5-21-1-1001",
                oath_serial="TOTP0001",
                oath_secret=OATH_SECRET,
                oath_kind="TOTP",
                oath_time_step=30,
                pin_hash=PIN_HASH,
                method="oath_token",
            ),
            user(
                2,
                "CONTOSO\\bob",
                method="text_message",
                extension="123",
                backup_country_code="1",
                backup_phone="206 555 0100",
            ),
            user(3, "carol@contoso.com", enabled=0, method="mobile_app", phone=None, country_code=None),
        ],
        devices=[
            device(
                10,
                1,
                device_token=DEVICE_TOKEN,
                oath_secret=DEVICE_SECRET,
                activated_at="2023-02-01T00:00:00Z",
            ),
            device(11, 1, device_name=None),
            device(12, 3, device_token="tok-carol"),
        ],
    )


@pytest.fixture
def tenant(tmp_path: Path) -> Path:
    return make_tenant(
        tmp_path / "tenant",
        users=[
            entra_user("u-alice", "alice@contoso.com", [phone_method("m1", "+44 7700900123")]),
            entra_user("u-bob", "bob@contoso.com"),
        ],
        groups=[
            {
                "id": "g-pilot",
                "displayName": "Pilot",
                "groupTypes": [],
                "securityEnabled": True,
                "members": [{"@odata.type": "#microsoft.graph.user", "id": "u-alice"}],
            }
        ],
    )


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return tmp_path / "work.duckdb"
