"""Documentation that must not fall behind the code (after Datasette's docs tests).

A setting the admin can put in a settings file, or a command they can type, that the docs do not
mention is a bug: these tests list what the code accepts and fail on anything the docs leave out.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from analysis import settingsfile
from analysis.cli import build_parser

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
    """Every key of every section the one settings loader accepts."""
    text = (ROOT / "docs" / "simulate.md").read_text(encoding="utf-8")
    defaults = settingsfile.SettingsFile()
    keys = _keys(defaults.whatif.to_dict())
    keys += _keys(
        {
            "execute": defaults.execute.settings_keys(),
            "retirement": defaults.retirement.to_dict(),
            "notices": defaults.notices.to_dict(),
            "freshness": defaults.freshness.to_dict(),
        }
    )
    assert len(keys) >= 16 and {k.split(".")[0] for k in keys} == set(settingsfile.SECTIONS)
    missing = [k for k in keys if f"| `{k}` |" not in text]
    assert not missing, f"settings missing from docs/simulate.md ## Settings: {missing}"


def test_every_option_of_the_assess_commands_is_documented() -> None:
    """simulate, whatif and readiness: every option the parser accepts is shown in README.md or docs/."""
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    )
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    everywhere = {o for a in parser._actions for o in a.option_strings}  # --debug, --version
    options = {
        f"{name} {option}"
        for name in ("simulate", "whatif", "readiness")
        for action in sub.choices[name]._actions
        for option in action.option_strings
        if option.startswith("--") and option not in everywhere
    }
    assert {"readiness --per-user", "readiness --reveal-phones", "simulate --reveal-phones"} <= options
    missing = sorted(o for o in options if o.split(" ")[1] not in text)
    assert not missing, f"options no page of README.md or docs/ shows: {missing}"


def test_every_command_is_documented() -> None:
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    )
    commands = _commands(build_parser())
    assert {"load", "simulate", "batch run", "emulator"} <= set(commands)
    missing = [c for c in commands if f"mfa-migrate {c}" not in text]
    assert not missing, f"commands no page of README.md or docs/ shows: {missing}"


#: What the project ships and a reader sees: code and help text, SQL, docs, the README, demo settings.
SHIPPED = ("analysis", "queries", "docs", "README.md", ".streamlit")


def _shipped_text() -> list[tuple[str, str]]:
    files: list[Path] = []
    for name in SHIPPED:
        path = ROOT / name
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return [
        (str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
        for p in files
        if p.suffix in (".py", ".sql", ".md", ".toml")
    ]


def test_nothing_cites_a_document_the_project_does_not_ship() -> None:
    """The design notes are not shipped, so no help text, docstring, SQL comment or page may cite them,
    and every ``docs/*.md`` a file points at exists."""
    design = [f"{name}:{n}" for name, text in _shipped_text() for n, line in enumerate(text.splitlines(), 1)
              if "DESIGN" in line]  # fmt: skip
    assert design == [], f"cites DESIGN, which is not shipped: {design}"
    cited = {(name, doc) for name, text in _shipped_text() for doc in re.findall(r"docs/[\w.-]+\.md", text)}
    missing = sorted((name, doc) for name, doc in cited if not (ROOT / doc).is_file())
    assert missing == [], f"cite pages that do not exist: {missing}"
    assert len(cited) > 20  # the scan reads the tree
