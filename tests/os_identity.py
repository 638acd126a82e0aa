"""Running a command as another operating-system account, so tests see a different proven OS user.

The product reads the OS user from the kernel (``os.geteuid()``), never from the environment, so a test
cannot fake it with ``USER=bob``. Instead the command runs in a new user namespace that maps the uid
``OTHER_UID`` (``nobody``) onto the test's own account (``unshare --user --map-user``): inside, the
process *is* uid 65534, while file access still works as the test's account (root or not, as long as
the kernel allows unprivileged user namespaces).

``OTHER_ADMIN`` is the same identity for in-process tests of the core, which takes the proven identity
from its caller (the command line reads it from the process; tests of the command line use
:func:`other_os_user_argv`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from analysis.execute.actors import Actor, OsUser

REPO_ROOT = Path(__file__).resolve().parents[1]
OTHER_UID = 65534  # nobody
OTHER_ADMIN = Actor(OsUser(OTHER_UID, "nobody"))


def other_os_user_argv(*args: str) -> list[str]:
    """``mfa-migrate ARGS`` as uid 65534 (nobody) in a user namespace."""
    return [
        "unshare",
        "--user",
        f"--map-user={OTHER_UID}",
        f"--map-group={OTHER_UID}",
        sys.executable,
        "-m",
        "analysis",
        *args,
    ]


def subprocess_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), **extra}


def four_eyes_off(workspace: Path, why: str = "test rehearsal with a single identity") -> None:
    """Switch the workspace's four-eyes rule off (recorded as this test's OS account), for tests in which
    one identity creates and approves on purpose."""
    from analysis.execute.policy import set_policy
    from analysis.execute.store import open_workspace

    con = open_workspace(workspace)
    try:
        set_policy(con, "four_eyes", "off", Actor.current(), why)
    finally:
        con.close()
