"""The settings file: one TOML file, every section, one loader for every command and the dashboard.

Sections:

* ``[migrate]``, ``[match]``, ``[scope]``, ``[limits]``: the what-if settings the simulator plans with
  (:class:`analysis.simulate.settings.Settings`, docs/simulate.md);
* ``[execute]``: how batches are carried out and approved (:class:`analysis.execute.options.ExecOptions`,
  docs/executing.md);
* ``[retirement]``: when Microsoft stops delivering phone codes
  (:class:`analysis.readiness.retirement.Retirement`);
* ``[notices]``: when per-user notices go out and the helpdesk forecast's assumption
  (:class:`analysis.notices.settings.NoticeSettings`, docs/notices.md);
* ``[freshness]``: when the tenant snapshot counts as old (:class:`analysis.sources.freshness.Freshness`).

Every command that takes ``--settings`` (and the dashboard's ``MFA_MIGRATE_SETTINGS``) reads the file
here, so a file one command accepts no other command rejects. The file is optional and may be partial;
an unknown section or key, or a bad value, is a :class:`~analysis.errors.UserError` naming it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.execute.options import ExecOptions
from analysis.notices.settings import NoticeSettings
from analysis.readiness.retirement import Retirement
from analysis.simulate.settings import SECTIONS as WHATIF_SECTIONS
from analysis.simulate.settings import Settings, check_sections
from analysis.sources.freshness import Freshness

__all__ = ["SECTIONS", "Freshness", "SettingsFile", "from_dict", "read", "to_toml"]

#: Every section a settings file may hold, in the order the documentation lists them.
SECTIONS: tuple[str, ...] = (*WHATIF_SECTIONS, "execute", "retirement", "notices", "freshness")


@dataclass(frozen=True)
class SettingsFile:
    """Everything one settings file says (each part its defaults when the file leaves it out)."""

    whatif: Settings = field(default_factory=Settings)
    execute: ExecOptions = field(default_factory=ExecOptions)
    retirement: Retirement = field(default_factory=Retirement)
    notices: NoticeSettings = field(default_factory=NoticeSettings)
    freshness: Freshness = field(default_factory=Freshness)
    source: str = "the defaults (no settings file)"


def read(path: str | Path | None) -> SettingsFile:
    """The settings file at ``path``, validated; ``None`` gives the defaults."""
    if path is None:
        return SettingsFile()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(
            f"settings file {p} does not exist; give an existing TOML file or leave it out"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read settings file {p}: {exc}. Give a readable UTF-8 TOML file.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(
            f"settings file {p} is not valid TOML ({exc}); fix the syntax (docs/simulate.md lists every key)"
        ) from None
    except RecursionError:  # tomllib gives up on deep nesting; no setting nests more than two levels
        raise UserError(
            f"settings file {p} is nested too deeply to be a settings file; docs/simulate.md lists every key"
        ) from None
    return from_dict(data, str(p))


def from_dict(data: dict[str, Any], source: str) -> SettingsFile:
    """Validate a nested dict shaped like the file (``{"migrate": {...}, "execute": {...}, ...}``)."""
    check_sections(data, SECTIONS, f"in {source}")
    whatif = {k: v for k, v in data.items() if k in WHATIF_SECTIONS}
    return SettingsFile(
        whatif=Settings.from_dict(whatif, source=source),
        execute=ExecOptions.from_dict(data.get("execute", {}), source),
        retirement=Retirement.from_dict(data.get("retirement", {}), source),
        notices=NoticeSettings.from_dict(data.get("notices", {}), source),
        freshness=Freshness.from_dict(data.get("freshness", {}), source),
        source=source,
    )


def to_toml(settings: SettingsFile) -> str:
    """The whole file as TOML, every section (``read`` of it gives ``settings`` back): what the
    dashboard saves, so a saved file carries ``[execute]``, ``[retirement]`` and ``[freshness]`` along with
    the what-if."""
    lines = [settings.whatif.to_toml().rstrip("\n")]
    for section, values in (
        ("execute", settings.execute.settings_keys()),
        ("retirement", settings.retirement.to_dict()),
        ("notices", settings.notices.to_dict()),
        ("freshness", settings.freshness.to_dict()),
    ):
        lines.append(f"\n[{section}]")
        lines.extend(f"{key} = {_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()  # a TOML local date
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
