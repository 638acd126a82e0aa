"""Test hook: kill this process (SIGKILL, like ``kill -9``) at a named step boundary.

The crash tests prove that a run or rollback killed at *every* boundary resumes without losing or
repeating a write. A boundary is ``<where>:<step>``:

* ``intent``: the intents of a ``$batch`` envelope are committed, nothing has left;
* ``sent``: Graph's answer is in memory, nothing of it is recorded;
* ``delivered``: a Temporary Access Pass is in the ``--tap-out`` file, its answer not yet journaled;
* ``response``: the answers are journaled (between two steps of a user, e.g. create/assign/activate);
* ``resolved``: unknown outcomes were settled by re-reading and journaled;
* ``before_image``: the users' before-images are stored, nothing was sent for them yet;

and ``<step>`` is a journal step name (``mobile``, ``hw_assign``, ``rb_mobile``, ...) or ``*``.

``MFA_MIGRATE_TEST_KILL_AT`` holds a comma-separated set of boundaries; the process dies at the first
moment it reaches one, after appending every asked-for boundary of that moment to the file named by
``MFA_MIGRATE_TEST_KILL_LOG`` (so the test knows which ones fired). Unset (always, outside tests),
:func:`reached` does nothing.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable

KILL_AT = "MFA_MIGRATE_TEST_KILL_AT"
KILL_LOG = "MFA_MIGRATE_TEST_KILL_LOG"
BOUNDARIES = ("intent", "sent", "delivered", "response", "resolved", "before_image")

_points = frozenset(p.strip() for p in os.environ.get(KILL_AT, "").split(",") if p.strip())


def reached(where: str, steps: Iterable[str | None] = ("*",)) -> None:
    """Die here if the test asked for ``where`` at one of ``steps`` (no-op otherwise).

    Every asked-for boundary this moment is (one per step of a ``$batch`` envelope) is logged: the
    kill happened after the intents of all of them, not only the first.
    """
    if not _points:
        return
    hits = sorted({f"{where}:{step}" for step in steps if f"{where}:{step}" in _points})
    if not hits and f"{where}:*" in _points:
        hits = [f"{where}:*"]
    if not hits:
        return
    log = os.environ.get(KILL_LOG)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write("".join(f"{hit}\n" for hit in hits))
            handle.flush()
            os.fsync(handle.fileno())
    os.kill(os.getpid(), signal.SIGKILL)
