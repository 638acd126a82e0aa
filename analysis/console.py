"""Output goes through an injected console so the core never prints or imports a UI.

The CLI uses :class:`TerminalConsole`; tests use :class:`CaptureConsole`; the dashboard passes its own.
"""

from __future__ import annotations

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


class _Bar:
    """A plain one-line progress bar on stderr (no dependency, redraws at most every 1%)."""

    def __init__(self, label: str, total: int, stream: TextIO) -> None:
        self.label, self.total, self.done, self.stream = label, max(total, 1), 0, stream
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
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class TerminalConsole:
    def __init__(self, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.out, self.err = out, err

    def info(self, message: str) -> None:
        print(message, file=self.out)

    def warn(self, message: str) -> None:
        print(f"warning: {message}", file=self.err)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None:
        if title:
            print(title, file=self.out)
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
