"""Output goes through an injected console so the core never prints or imports a UI.

The CLI uses :class:`TerminalConsole`; tests use :class:`CaptureConsole`; the dashboard passes its own.

Everything a terminal console prints passes :func:`escape_controls`: batch names, ``--as`` labels, user
names and file contents are typed by someone else, and an escape sequence or carriage return in them
could move the cursor, clear the screen or overwrite a line, so that the operator reads something other
than what the tool did.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    def advance(self, n: int = 1) -> None: ...


class Console(Protocol):
    def info(self, message: str) -> None: ...
    def warn(self, message: str) -> None: ...
    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None: ...
    def progress(self, label: str, total: int) -> Any: ...


#: C0 and C1 control characters, DEL, and the Unicode controls that reorder or hide text (bidi
#: embeddings, overrides and isolates; zero-width and line/paragraph separators).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\u202e``) instead of acted on.

    ``keep_newlines`` keeps ``\\n`` for the tool's own multi-line messages; values from outside (names,
    cells) are escaped whole.
    """
    if keep_newlines:
        return "\n".join(_CONTROLS.sub(_visible, line) for line in text.split("\n"))
    return _CONTROLS.sub(_visible, text)


class _Bar:
    """A plain one-line progress bar on stderr (no dependency, redraws at most every 1%)."""

    def __init__(self, label: str, total: int, stream: TextIO) -> None:
        self.label, self.total, self.done, self.stream = escape_controls(label), max(total, 1), 0, stream
        self._shown = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        pct = min(100, self.done * 100 // self.total)
        if pct != self._shown and self.stream.isatty():
            self._shown = pct
            filled = pct // 4
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (25 - filled)}] {pct:3d}%")
            self.stream.flush()

    def close(self) -> None:
        if self.stream.isatty():
            self.stream.write("\n")
        self.stream.write(f"{self.label}: {self.done}/{self.total} done\n")


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[escape_controls(str(h)) for h in headers]]
    cells += [["" if v is None else escape_controls(str(v)) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class TerminalConsole:
    def __init__(self, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.out, self.err = out, err

    def info(self, message: str) -> None:
        print(escape_controls(message, keep_newlines=True), file=self.out)

    def warn(self, message: str) -> None:
        print(f"warning: {escape_controls(message, keep_newlines=True)}", file=self.err)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None:
        if title:
            print(escape_controls(title, keep_newlines=True), file=self.out)
        print(format_table(headers, rows), file=self.out)

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[_Bar]:
        bar = _Bar(label, total, self.err)
        try:
            yield bar
        finally:
            bar.close()


class CaptureConsole(TerminalConsole):
    """Collects everything written, for tests."""

    def __init__(self) -> None:
        import io

        super().__init__(io.StringIO(), io.StringIO())

    @property
    def text(self) -> str:
        return self.out.getvalue() + self.err.getvalue()  # type: ignore[attr-defined]
