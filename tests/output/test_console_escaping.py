"""Names from outside (batch names, --as labels) cannot drive the operator's terminal."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analysis.cli import main
from analysis.console import CaptureConsole, escape_controls

NASTY = "wave\x1b[2J\x1b]0;owned\x07\rOK\u202egnp"


def test_controls_are_shown_not_acted_on() -> None:
    assert escape_controls(NASTY) == "wave\\x1b[2J\\x1b]0;owned\\x07\\x0dOK\\u202egnp"
    assert escape_controls("line 1\nline 2\x1b", keep_newlines=True) == "line 1\nline 2\\x1b"
    assert escape_controls("a\nb") == "a\\x0ab"


def test_the_terminal_console_escapes_messages_and_cells() -> None:
    console = CaptureConsole()
    console.info(f"batch {NASTY}")
    console.warn(NASTY)
    console.table(["name"], [[NASTY]], title=NASTY)
    assert "\x1b" not in console.text and "\r" not in console.text and "\u202e" not in console.text
    assert console.text.count("wave\\x1b[2J") == 4


def test_batch_names_and_as_labels_reach_the_terminal_escaped(
    workspace: Path, tmp_path: Path, console: CaptureConsole
) -> None:
    con = duckdb.connect(str(workspace))
    try:
        from analysis.simulate.runner import simulate
        from analysis.simulate.settings import Settings

        simulate(con, Settings.default(), table="plan")
        (user,) = con.execute(
            "SELECT username FROM plan WHERE item = 'user' AND action = 'migrate' ORDER BY username LIMIT 1"
        ).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    users = tmp_path / "users.txt"
    users.write_text(f"{user}\n", encoding="utf-8")
    ws = ["--workspace", str(workspace)]
    assert main(["batch", "create", *ws, "--name", NASTY, "--users", str(users)]) == 0
    main(["batch", "list", *ws])
    main(["batch", "approve", "1", *ws, "--as", NASTY])
    assert "\x1b" not in console.text and "\r" not in console.text and "\u202e" not in console.text
    assert "wave\\x1b[2J" in console.text
