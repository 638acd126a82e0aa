"""The ``mfa-migrate`` command line.

Each area registers its own subcommands (``register(subparsers)``) in a module here, so adding a
command never touches another area's code. Handlers take the parsed args and a console and return an
exit code. A :class:`~analysis.errors.UserError` becomes a one-paragraph message and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO, cast

from analysis import __version__
from analysis.cli import campaign, data, execute, graph, notices, readiness, refresh, sample, simulate
from analysis.console import TerminalConsole, escape_controls
from analysis.errors import UserError

AREAS = (data, simulate, readiness, campaign, notices, graph, execute, refresh, sample)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mfa-migrate",
        description="Audit, simulate and execute an Azure MFA Server to Microsoft Entra MFA migration.",
    )
    parser.add_argument("--version", action="version", version=f"mfa-migrate {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for area in AREAS:
        area.register(sub)
    _debug_everywhere(parser)
    return parser


DEBUG_HELP = "show tracebacks for internal errors (accepted anywhere on the command line)"


def _debug_everywhere(parser: argparse.ArgumentParser) -> None:
    """Let every subcommand take ``--debug`` too, so it works wherever it is typed.

    The subcommands' copy defaults to "not given" (SUPPRESS), so it never resets a ``--debug`` given
    before the subcommand.
    """
    for action in parser._actions:  # argparse keeps its subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if not any("--debug" in a.option_strings for a in child._actions):
                    child.add_argument(
                        "--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP
                    )
                _debug_everywhere(child)


class _ReaderMayLeave:
    """An output stream that outlives its reader: ``mfa-migrate batch show | head`` closes the pipe early.

    The first write to a closed pipe points the file descriptor at /dev/null and the command carries on
    to its end and its own exit code (a batch run is never cut short because its reader stopped
    reading); nothing else is printed, as with other Unix tools. This is the one place the CLI handles
    a broken pipe.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._discard()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._discard()

    def _discard(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())  # also what the interpreter flushes at exit
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, ...
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out, err = (cast(TextIO, _ReaderMayLeave(s)) for s in (sys.stdout, sys.stderr))
    console = TerminalConsole(out, err)
    try:
        return _run(args, console, err)
    finally:
        out.flush()  # what is still buffered goes now, through the wrapper, not at interpreter exit
        err.flush()


def _run(args: argparse.Namespace, console: TerminalConsole, err: TextIO) -> int:
    try:
        return int(args.handler(args, console) or 0)
    except UserError as exc:
        print(f"error: {escape_controls(str(exc), keep_newlines=True)}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=err)
        return 130
    except Exception as exc:
        if args.debug or os.environ.get("MFA_MIGRATE_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {escape_controls(str(exc), keep_newlines=True)}\n"
            "This is a bug in mfa-migrate; run again with --debug for the traceback and report it.",
            file=err,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
