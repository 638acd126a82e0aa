"""Documentation that must not fall behind the code (after Datasette's docs tests).

A setting the admin can put in a settings file, or a command they can type, that the docs do not
mention is a bug: these tests list what the code accepts and fail on anything the docs leave out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.cli import build_parser
from analysis.simulate.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _keys(doc: dict[str, object], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, value in doc.items():
        out += _keys(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"]
    return out


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every command path, e.g. ``batch run``, from the CLI's own parser."""
    out: list[str] = []
    for action in parser._actions:  # argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append(f"{prefix}{name}")
                out += _commands(sub, f"{prefix}{name} ")
    return out


def test_every_setting_is_in_the_settings_reference() -> None:
    text = (ROOT / "docs" / "simulate.md").read_text(encoding="utf-8")
    keys = _keys(Settings.default().to_dict())
    assert len(keys) >= 9
    missing = [k for k in keys if f"| `{k}` |" not in text]
    assert not missing, f"settings missing from docs/simulate.md ## Settings: {missing}"


def test_every_command_is_documented() -> None:
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    )
    commands = _commands(build_parser())
    assert {"load", "simulate", "batch run", "emulator"} <= set(commands)
    missing = [c for c in commands if f"mfa-migrate {c}" not in text]
    assert not missing, f"commands no page of README.md or docs/ shows: {missing}"
