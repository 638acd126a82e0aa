"""The notice templates: Jinja2 text an administrator may edit, rendered in a sandbox.

One template per phase (``awareness.txt``, ``action.txt``, ``reminder.txt``); a language variant
(``action.de.txt``) is used for users whose MFA Server language is ``de`` when it exists. The first
line is ``Subject: ...``; the rest is the body. The project ships English templates
(``analysis/notices/templates``); ``--templates DIR`` uses an administrator's copies instead.

Templates are data an administrator edits, so they render in Jinja2's immutable sandbox (no attribute
tricks reach Python internals), with autoescape off (the output is plain text for a CSV, made safe by
the one CSV writer) and strict undefined names (a misspelt variable is an error, not an empty gap).
Any template problem is a :class:`~analysis.errors.UserError` naming the file and line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from analysis.errors import UserError

PHASES: tuple[str, ...] = ("awareness", "action", "reminder")
SHIPPED = Path(__file__).resolve().parent / "templates"
SUFFIX = ".txt"


@dataclass(frozen=True)
class Rendered:
    """One notice: its subject line and body text."""

    subject: str
    body: str


class Templates:
    """The phase templates of one folder, compiled once, rendered per user."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else SHIPPED
        if not self.folder.is_dir():
            raise UserError(
                f"--templates {self.folder} is not a folder; give a folder holding "
                + ", ".join(p + SUFFIX for p in PHASES)
                + f" (copy them from {SHIPPED})"
            )
        missing = [p + SUFFIX for p in PHASES if not (self.folder / (p + SUFFIX)).is_file()]
        if missing:
            raise UserError(
                f"template folder {self.folder} lacks {', '.join(missing)}; every phase needs a template "
                f"(copy the shipped ones from {SHIPPED})"
            )
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(self.folder)),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._cache: dict[str, jinja2.Template] = {}

    def name_for(self, phase: str, language: str) -> str:
        """The template file for ``phase`` in ``language``: the language variant if there is one."""
        variant = f"{phase}.{language.strip().lower()}{SUFFIX}" if language.strip() else ""
        if variant and "/" not in variant and (self.folder / variant).is_file():
            return variant
        return phase + SUFFIX

    def _template(self, name: str) -> jinja2.Template:
        if name not in self._cache:
            try:
                self._cache[name] = self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise UserError(
                    f"notice template {self.folder / name}, line {exc.lineno}: {exc.message}. "
                    "Fix the template (docs/notices.md lists the variables)"
                ) from None
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(f"cannot read notice template {self.folder / name}: {exc}") from None
        return self._cache[name]

    def check(self) -> None:
        """Compile every template of the folder, so a syntax error stops the command before any work."""
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            self._template(path.name)

    def render(self, phase: str, language: str, values: dict[str, Any]) -> Rendered:
        """The notice of ``phase`` for one user (``values``: the template variables)."""
        name = self.name_for(phase, language)
        template = self._template(name)
        try:
            text = template.render(values)
        except Exception as exc:  # the template's own fault: name where, never a traceback
            line = _template_line(exc, template.filename)
            where = f", line {line}" if line else ""
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UserError(
                f"notice template {self.folder / name}{where}: {message}. "
                "Fix the template (docs/notices.md lists the variables)"
            ) from None
        return split_subject(text, self.folder / name)


def _template_line(exc: BaseException, filename: str | None) -> int | None:
    """The template line a render error was raised on (Jinja maps its frames back to template lines)."""
    tb = exc.__traceback__ or sys.exc_info()[2]
    line = None
    while tb is not None:
        if filename and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def split_subject(text: str, source: Path) -> Rendered:
    """``Subject: ...`` on the first line, then the body."""
    first, _, rest = text.lstrip("\n").partition("\n")
    if not first.lower().startswith("subject:"):
        raise UserError(
            f"notice template {source}, line 1: the first line must be 'Subject: ...' (the notice's subject)"
        )
    return Rendered(first.split(":", 1)[1].strip(), rest.strip("\n"))
