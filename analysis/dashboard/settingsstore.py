"""Where the dashboard's current settings come from, and making a what-if current without a restart.

Every page and session uses one settings file (``MFA_MIGRATE_SETTINGS``, or the defaults), read again at
every rerun. *Make current* on the What-if page writes the chosen settings there — all sections, so the
file keeps its ``[execute]`` and ``[retirement]`` — and from the next rerun on every page and session
plans with them; nothing needs restarting. Without a configured file it writes
``<workspace>.settings.toml`` next to the workspace and uses that from then on, also after a restart (the
variable, when set, wins: it names the file on purpose).
Each change is recorded in the workspace table ``dashboard_settings_changes`` (who, when, the file,
what it held before and after), and only identities that may create batches may make one.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

SETTINGS_ENV = "MFA_MIGRATE_SETTINGS"
_lock = threading.Lock()
_written: dict[str, str] = {}  # workspace path -> settings file this process made current


def path_for(workspace: str) -> str | None:
    """The settings file in force for this workspace (None: the defaults): the one made current in this
    process, else ``MFA_MIGRATE_SETTINGS``, else ``<workspace>.settings.toml`` when an earlier *Make
    current* left one."""
    made = Path(workspace).with_suffix(".settings.toml")
    return _written.get(workspace) or os.environ.get(SETTINGS_ENV) or (str(made) if made.is_file() else None)


def read(workspace: str) -> Any:
    """The settings file in force, read now (a :class:`analysis.settingsfile.SettingsFile`)."""
    from analysis import settingsfile

    return settingsfile.read(path_for(workspace))


def make_current(ctx: Any, text: str) -> Path:
    """Write ``text`` (a whole settings file, already validated) as the current settings; returns the
    file. Raises :class:`analysis.errors.UserError` when the identity may not, the workspace is read-only,
    or the file cannot be written."""
    import tomllib

    from analysis import settingsfile
    from analysis.dashboard.session import cursor
    from analysis.errors import UserError
    from analysis.sqlfiles import sql

    ident, ws = ctx.identity, ctx.workspace
    if not (ident.can_approve or ident.can_run):
        raise UserError(
            f"{ident.name} may not change the current settings: that is for approvers and operators"
        )
    if ws.read_only:
        raise UserError(
            "the workspace is open read-only, so the change could not be recorded; try again later"
        )
    settingsfile.from_dict(tomllib.loads(text), "the what-if settings")  # refuse anything the loader would
    with _lock:
        current = path_for(ws.path)
        target = Path(current) if current else Path(ws.path).with_suffix(".settings.toml")
        before = target.read_text(encoding="utf-8") if target.exists() else None
        temporary = target.with_name(target.name + ".new")
        try:
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(target)
        except OSError as exc:
            raise UserError(f"cannot write the settings file {target}: {exc.strerror or exc}") from None
        cur = cursor(ws.path)
        cur.execute(sql("dashboard/settingsstore.schema"))
        cur.execute(
            sql("dashboard/settingsstore.insert"),
            {"actor": ident.name, "path": str(target), "before": before, "after": text},
        )
        _written[ws.path] = str(target)
    return target
