"""Bad input to every command but ``load`` (settings, batch options, baselines, workspace and output
options) through the real ``mfa-migrate`` entry point: exit code 2, one line naming the file, line or
option and what to do, no traceback, and the workspace exactly as it was (its loads, users, rejects and
batches). ``tests/sources/test_bad_input.py`` covers ``load``; ``tests/sources/test_workspace_file.py``
files that are not workspaces; the emulator's tenant files are covered in ``tests/graph/emulator``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEEP_JSON = "[" * 100_000 + "]" * 100_000
KEPT = ("loads", "load_sources", "mfa_users", "entra_users", "rejects", "batches")

Build = Callable[[Path, Path], list[str]]  # (tmp folder, workspace) -> argv


def _file(tmp: Path, name: str, content: str | bytes) -> str:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _simulate_with(content: str | bytes) -> Build:
    return lambda tmp, ws: ["simulate", "--workspace", str(ws), "--settings", _file(tmp, "s.toml", content)]


def _baseline(content: str | bytes) -> Build:
    def build(tmp: Path, ws: Path) -> list[str]:
        out = str(tmp / "now.json")
        return [
            "readiness",
            "--workspace",
            str(ws),
            "--out",
            out,
            "--baseline",
            _file(tmp, "old.json", content),
        ]

    return build


def _create(*options: str) -> Build:
    return lambda tmp, ws: ["batch", "create", "--workspace", str(ws), "--name", "wave-new", *options]


def _users(content: str) -> Build:
    return lambda tmp, ws: _create("--users", _file(tmp, "users.txt", content))(tmp, ws)


CASES: dict[str, tuple[Build, list[str]]] = {
    # ------------------------------------------------------------------ settings files (--settings)
    "settings file missing": (
        lambda tmp, ws: ["simulate", "--workspace", str(ws), "--settings", str(tmp / "nope.toml")],
        ["nope.toml does not exist"],
    ),
    "settings is a folder": (
        lambda tmp, ws: ["simulate", "--workspace", str(ws), "--settings", str(tmp)],
        ["cannot read settings file", "Give a readable UTF-8 TOML file"],
    ),
    "settings not toml": (_simulate_with("[migrate\nmethods = phone\n"), ["s.toml is not valid TOML"]),
    "settings not utf-8": (_simulate_with(b"[scope]\ngroup = 'J\xf6rg'\n"), ["s.toml", "UTF-8"]),
    "settings unknown section": (_simulate_with("[migrat]\n"), ["migrat", "s.toml"]),
    "settings unknown key": (_simulate_with("[limits]\ndevice_limt = 5\n"), ["limits.device_limt", "s.toml"]),
    "settings unknown method": (
        _simulate_with('[migrate]\nmethods = ["fax"]\n'),
        ["'fax'", "allowed: phone"],
    ),
    "settings limit out of range": (
        _simulate_with("[limits]\ndevice_limit = -1\n"),
        ["limits.device_limit", "whole number from 0 to 100"],
    ),
    "settings nested too deeply": (
        _simulate_with("[migrate]\nmethods = " + "[" * 5000 + "]" * 5000 + "\n"),
        ["s.toml is nested too deeply"],
    ),
    "settings scope group unknown": (
        _simulate_with('[scope]\ngroup = "MFA Migration - Wave1"\n'),
        ["'scope.group'", "s.toml", "closest names: 'MFA Migration - Wave 1'"],
    ),
    "settings wrong type": (_simulate_with("[scope]\nonly_changed = 'yes'\n"), ["scope.only_changed"]),
    "execute settings unknown key": (
        lambda tmp, ws: _create(
            "--where", "item = 'user'", "--settings", _file(tmp, "x.toml", "[execute]\nx=1\n")
        )(tmp, ws),
        ["execute.x", "x.toml"],
    ),
    # ------------------------------------------------------------------ batch options
    "batch group unknown": (_create("--group", "MFA Migration - Wave 9"), ["'MFA Migration - Wave 9'"]),
    "batch users file missing": (
        lambda tmp, ws: _create("--users", str(tmp / "who.txt"))(tmp, ws),
        ["who.txt does not exist"],
    ),
    "batch users file empty": (_users(""), ["users.txt names no users"]),
    "batch users unknown": (
        _users("nobody@contoso.example\n"),
        ["users.txt", "line 1", "nobody@contoso.example"],
    ),
    "batch where not sql": (_create("--where", "item = = 1"), ["--where", "not a valid predicate"]),
    "batch where two statements": (_create("--where", "1=1; DROP TABLE plan"), ["--where", "not a valid"]),
    "batch name taken": (
        lambda tmp, ws: [
            "batch",
            "create",
            "--workspace",
            str(ws),
            "--name",
            "wave-x",
            "--where",
            "item='user'",
        ],
        ["'wave-x' already exists", "another --name"],
    ),
    "batch name blank": (
        lambda tmp, ws: ["batch", "create", "--workspace", str(ws), "--name", " ", "--where", "item='user'"],
        ["needs a name (--name)"],
    ),
    "batch approve unknown": (
        lambda tmp, ws: ["batch", "approve", "wave-404", "--workspace", str(ws)],
        ["no batch 'wave-404'", "batch list"],
    ),
    "batch settings switch the four-eyes rule off": (
        lambda tmp, ws: [
            "batch",
            "create",
            "--workspace",
            str(ws),
            "--name",
            "lax",
            "--where",
            "item='user'",
            "--settings",
            _file(tmp, "lax.toml", "[execute]\nrequire_distinct_approver = false\n"),
        ],
        ["lax.toml", "execute.require_distinct_approver", "policy set four_eyes"],
    ),
    "batch approve own batch under another name": (
        lambda tmp, ws: ["batch", "approve", "wave-x", "--workspace", str(ws), "--as", "bob"],
        ["created by OS user", "only a label"],
    ),
    "batch approve --sign-in without a tenant": (
        lambda tmp, ws: ["batch", "approve", "wave-x", "--workspace", str(ws), "--sign-in"],
        ["--sign-in needs --authority and --client-id"],
    ),
    "batch approve --sign-in at an authority nobody answers": (
        lambda tmp, ws: [
            "batch",
            "approve",
            "wave-x",
            "--workspace",
            str(ws),
            "--sign-in",
            "--authority",
            "https://127.0.0.1:9/tenant",
            "--client-id",
            "app",
        ],
        ["https://127.0.0.1:9/tenant"],
    ),
    "policy set a value it cannot have": (
        lambda tmp, ws: ["policy", "set", "approval", "anyone", "--workspace", str(ws)],
        ["approval cannot be 'anyone'", "os_user, signed_in"],
    ),
    "batch show unknown": (
        lambda tmp, ws: ["batch", "show", "404", "--workspace", str(ws)],
        ["no batch '404'"],
    ),
    # ------------------------------------------------------------------ baselines (readiness --baseline)
    "baseline missing": (
        lambda tmp, ws: [
            "readiness",
            "--workspace",
            str(ws),
            "--out",
            str(tmp / "r.json"),
            "--baseline",
            "x.json",
        ],
        ["baseline x.json does not exist", "readiness --out"],
    ),
    "baseline not json": (_baseline("not json\n"), ["old.json is not a readable JSON report"]),
    "baseline not utf-8": (_baseline(b'{"checks": ["\xff"]}'), ["old.json is not a readable JSON report"]),
    "baseline nested too deeply": (_baseline(DEEP_JSON), ["old.json is nested too deeply"]),
    "baseline not a report": (_baseline('{"a": 1}\n'), ["old.json is JSON but not a readiness report"]),
    "baseline newer schema": (
        _baseline('{"checks": [], "schema_version": 99}'),
        ["old.json has schema_version 99"],
    ),
    # ------------------------------------------------------------------ workspace and output options
    "workspace and datafile both": (
        lambda tmp, ws: ["simulate", "--workspace", str(ws), "--datafile", str(ws)],
        ["not both"],
    ),
    "datafile without tenant": (
        lambda tmp, ws: ["simulate", "--datafile", str(tmp / "p.pfdata")],
        ["--tenant DIR is missing"],
    ),
    "out into a missing folder": (
        lambda tmp, ws: ["simulate", "--workspace", str(ws), "--out", str(tmp / "no" / "p.csv")],
        ["p.csv", "does not exist"],
    ),
    "report of unknown format": (
        lambda tmp, ws: ["readiness", "--workspace", str(ws), "--out", str(tmp / "r.xyz")],
        ["r.xyz", ".html, .json, .csv"],
    ),
}


def _state(ws: Path) -> dict[str, object]:
    """What must survive a refused command: the rows of the tables the workspace keeps."""
    con = duckdb.connect(str(ws), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        state: dict[str, object] = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in KEPT if t in tables
        }
        state["load"] = con.execute("SELECT max(load_id) FROM loads").fetchone()
        return state
    finally:
        con.close()


@pytest.fixture(scope="module")
def with_batch(sample_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample workspace with one draft batch, wave-x (each test copies it again)."""
    path = tmp_path_factory.mktemp("batch-ws") / "ws.duckdb"
    shutil.copyfile(sample_workspace, path)
    assert (
        main(["batch", "create", "--workspace", str(path), "--name", "wave-x", "--where", "item = 'user'"])
        == 0
    )
    return path


def test_there_are_enough_kinds() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_clear_line_and_nothing_is_lost(
    name: str, with_batch: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws.duckdb"
    shutil.copyfile(with_batch, ws)
    before = _state(ws)
    build, expected = CASES[name]
    argv = build(tmp_path, ws)
    capfd.readouterr()
    code = main(argv)
    out, err = capfd.readouterr()
    assert code == 2, (argv, out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in out + err and "internal error" not in err
    for text in expected:
        assert text in err, (text, err)
    assert _state(ws) == before


@pytest.mark.parametrize("command", [["batch", "show", "wave-x"], ["batch", "list"], ["simulate"]])
def test_a_reader_that_leaves_early_is_no_error(command: list[str], with_batch: Path, tmp_path: Path) -> None:
    """``mfa-migrate batch show | head``: the reader closes the pipe before the command writes."""
    ws = tmp_path / "ws.duckdb"
    shutil.copyfile(with_batch, ws)
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", *command, "--workspace", str(ws)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # gone before the first line
    err = proc.stderr.read().decode()
    assert proc.wait(120) == 0, err
    assert err == ""
