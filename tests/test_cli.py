"""The command line as a whole: ``--debug`` is accepted wherever it is typed."""

from __future__ import annotations

import argparse

import pytest

from analysis import cli
from analysis.cli import build_parser, main


def _paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                out.append((*prefix, name))
                out += _paths(child, (*prefix, name))
    return out


def test_every_command_takes_debug_anywhere() -> None:
    parser = build_parser()
    paths = _paths(parser)
    assert ("batch", "run") in paths and ("simulate",) in paths
    for path in paths:
        # parse only as far as --debug goes: the parser stops at the first required argument missing,
        # so check the option is known to each (sub)command's own parser
        sub = parser
        for name in path:
            sub = next(a for a in sub._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
        assert any("--debug" in a.option_strings for a in sub._actions), path
    args = parser.parse_args(["sample", "--users", "3", "--out", "x", "--debug"])
    assert args.debug is True
    assert parser.parse_args(["--debug", "sample", "--out", "x"]).debug is True
    assert parser.parse_args(["sample", "--out", "x"]).debug is False
    assert parser.parse_args(["batch", "--debug", "list", "--workspace", "w"]).debug is True


def test_debug_at_the_end_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: argparse.Namespace, console: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli.sample, "run", broken)
    assert main(["sample", "--out", "x"]) == 1
    assert "internal error: RuntimeError: boom" in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="boom"):
        main(["sample", "--out", "x", "--debug"])
