"""Hardware OATH secrets: read from the MFA Server datafile when a token is written, never stored.

A run needs a user's secret for two steps: creating the token in the inventory (the secret is part of
the device) and activating it (a TOTP code computed from the secret). Both can be the step a resumed
run starts with, so the secrets of every user with *any* token step still to do are loaded before the
first write: a run killed between assigning and activating a token resumes with the secret at hand.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import time
from pathlib import Path

import duckdb

from analysis.errors import UserError
from analysis.sqlfiles import sql


def totp(
    secret: str, period: int = 30, at: float | None = None, digits: int = 6, algorithm: str = "sha1"
) -> str:
    """RFC 6238 code for a Base32 secret (spaces and ``=`` padding tolerated). Never logged."""
    cleaned = secret.replace(" ", "").replace("=", "").upper()
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except binascii.Error:
        raise ValueError("the OATH secret is not Base32") from None
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, algorithm)).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


class Secrets:
    """The OATH secrets and time steps of a batch's token users, loaded once before the first write."""

    def __init__(self, secrets: dict[str, str], time_steps: dict[str, int]) -> None:
        self._secrets, self._time_steps = secrets, time_steps

    def secret(self, username: str) -> str:
        try:
            return self._secrets[username]
        except KeyError:
            raise UserError(
                f"no OATH secret was loaded for {username}; this is a bug: run the batch again to resume"
            ) from None

    def time_step(self, username: str) -> int:
        return self._time_steps.get(username, 30)

    @classmethod
    def load(
        cls,
        con: duckdb.DuckDBPyConnection,
        batch_id: int,
        label: str,
        load_id: str | None,
        usernames: list[str],
        datafile: Path | None,
    ) -> Secrets:
        """Read the secrets of ``usernames`` from ``datafile`` (default: the one the workspace was loaded
        from); a UserError says what to do when the file or a secret is missing."""
        if not usernames:
            return cls({}, {})
        if datafile is None:
            row = con.execute(sql("execute/run.datafile_path"), {"load_id": load_id}).fetchone()
            datafile = Path(row[0]) if row else None
        if datafile is None or not Path(datafile).is_file():
            raise UserError(
                f"{label} writes hardware OATH tokens, whose secrets are read from the MFA Server datafile "
                f"only when written, but the datafile {datafile or '(none recorded)'} is not there; give "
                "its path with --datafile"
            )
        from analysis.sources.datafile import read_oath_secrets

        secrets = read_oath_secrets(Path(datafile), usernames)
        missing = [u for u in usernames if not secrets.get(u)]
        if missing:
            raise UserError(
                f"the datafile {datafile} holds no OATH secret for {len(missing)} user(s) this batch gives a "
                f"hardware token (e.g. {missing[0]!r}); was it replaced by another datafile? Reload it and "
                "create a new batch"
            )
        steps = {
            str(username): int(step or 30)
            for username, step in con.execute(
                sql("execute/run.oath_time_steps"), {"batch_id": batch_id}
            ).fetchall()
        }
        return cls(secrets, steps)
