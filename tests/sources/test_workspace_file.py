"""The workspace is the product's own (issue #14, item 3), through the real ``mfa-migrate`` commands.

A load writes only into a new or empty file, an earlier workspace of this product (the marker table, or
a workspace from before the marker), and refuses everything else with one line naming what the file is,
leaving it byte for byte as it was. No connection the product opens lets DuckDB fetch an extension.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from analysis.cli import main
from analysis.sources import workspace_file
from analysis.sources.workspace import connect

ROOT = Path(__file__).resolve().parents[2]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(pfdata: Path, tenant: Path, ws: Path, *extra: str) -> int:
    return main(["load", "--datafile", str(pfdata), "--tenant", str(tenant), "--workspace", str(ws), *extra])


def _one_line_error(capfd: pytest.CaptureFixture[str]) -> str:
    out, err = capfd.readouterr()
    assert err.startswith("error: ") and err.count("\n") == 1, out + err
    assert "Traceback" not in out + err
    return err


def _marker(ws: Path) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        return con.execute("SELECT format_version, created_by FROM mfa_migrate_workspace").fetchall()
    finally:
        con.close()


def test_a_new_or_empty_file_becomes_a_marked_workspace(pfdata: Path, tenant: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.duckdb"
    assert _load(pfdata, tenant, new) == 0
    ((version, by),) = _marker(new)
    assert version == workspace_file.FORMAT_VERSION and str(by).startswith("mfa-migrate ")
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    assert _load(pfdata, tenant, empty) == 0
    assert _marker(empty)[0][0] == workspace_file.FORMAT_VERSION
    assert _load(pfdata, tenant, new) == 0  # a second load keeps the one marker row
    assert len(_marker(new)) == 1


def _other_programs_db(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE mfa_users (who VARCHAR, since DATE)")
    con.execute("INSERT INTO mfa_users VALUES ('the other program''s row', DATE '2024-01-01')")
    con.execute("CREATE TABLE invoices (n INTEGER)")
    con.close()
    return path


def _text(path: Path) -> Path:
    path.write_text("name,phone\nalice,+44 7700 900123\n", encoding="utf-8")
    return path


def _sqlite(path: Path, pfdata: Path) -> Path:
    shutil.copyfile(pfdata, path)
    return path


def _binary(path: Path) -> Path:
    path.write_bytes(bytes(range(256)) * 4)
    return path


def _newer(path: Path, pfdata: Path, tenant: Path) -> Path:
    assert _load(pfdata, tenant, path) == 0
    con = duckdb.connect(str(path))
    con.execute("UPDATE mfa_migrate_workspace SET format_version = 99")
    con.close()
    return path


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("other duckdb", "a DuckDB database of another program (tables invoices, mfa_users)"),
        ("text", "is a text file, not an mfa-migrate workspace"),
        ("sqlite datafile", "is a SQLite database (the MFA Server datafile? give that as --datafile)"),
        ("binary", "is neither a DuckDB file nor text"),
        ("newer format", "written by a newer mfa-migrate (workspace format 99"),
    ],
)
def test_load_refuses_a_file_that_is_not_its_workspace_and_leaves_it_untouched(
    kind: str, expected: str, pfdata: Path, tenant: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target.duckdb"
    build = {
        "other duckdb": lambda: _other_programs_db(target),
        "text": lambda: _text(target),
        "sqlite datafile": lambda: _sqlite(target, pfdata),
        "binary": lambda: _binary(target),
        "newer format": lambda: _newer(target, pfdata, tenant),
    }
    build[kind]()
    before = _digest(target)
    capfd.readouterr()
    assert _load(pfdata, tenant, target) == 2
    err = _one_line_error(capfd)
    assert expected in err and str(target) in err
    assert _digest(target) == before  # not even a checkpoint: the file was never opened for writing
    assert not target.with_name(target.name + ".wal").exists()
    if kind == "other duckdb":
        con = duckdb.connect(str(target), read_only=True)
        assert con.execute("SELECT who FROM mfa_users").fetchall() == [("the other program's row",)]
        con.close()


@pytest.mark.parametrize(
    "command",
    [
        ["simulate", "--workspace", "{ws}"],
        ["readiness", "--workspace", "{ws}", "--out", "{ws}.json"],
    ],
)
def test_reading_commands_say_what_the_file_is(
    command: list[str], tmp_path: Path, capfd: pytest.CaptureFixture[str], pfdata: Path
) -> None:
    for target, expected in (
        (_text(tmp_path / "notes.txt"), "is a text file"),
        (_other_programs_db(tmp_path / "crm.duckdb"), "a DuckDB database of another program"),
        (_sqlite(tmp_path / "copy.pfdata", pfdata), "is a SQLite database"),
    ):
        before = _digest(target)
        assert main([a.replace("{ws}", str(target)) for a in command]) == 2
        err = _one_line_error(capfd)
        assert expected in err and "another process" not in err, err
        assert _digest(target) == before


def test_a_workspace_from_before_the_marker_is_recognised_and_marked(
    pfdata: Path, tenant: Path, tmp_path: Path
) -> None:
    ws = tmp_path / "old.duckdb"
    assert _load(pfdata, tenant, ws) == 0
    con = duckdb.connect(str(ws))
    con.execute("DROP TABLE mfa_migrate_workspace")  # as every workspace written before the marker
    con.close()
    ro = connect(ws, read_only=True)  # read-only: accepted, nothing written
    ro.close()
    assert "mfa_migrate_workspace" not in _tables(ws)
    assert _load(pfdata, tenant, ws) == 0
    assert _marker(ws)[0][0] == workspace_file.FORMAT_VERSION


def _tables(ws: Path) -> set[str]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()


def test_a_blank_duckdb_file_may_be_loaded_but_not_read(
    pfdata: Path, tenant: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.duckdb"
    duckdb.connect(str(blank)).close()
    assert main(["simulate", "--workspace", str(blank)]) == 2
    assert "empty DuckDB database" in _one_line_error(capfd)
    assert _load(pfdata, tenant, blank) == 0


def test_no_connection_of_the_product_fetches_extensions(pfdata: Path, tenant: Path, tmp_path: Path) -> None:
    ws = tmp_path / "w.duckdb"
    assert _load(pfdata, tenant, ws) == 0
    show = (
        "SELECT current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')"
    )
    for read_only in (False, True):
        con = connect(ws, read_only=read_only)
        try:
            assert con.execute(show).fetchone() == (False, False)
            assert con.cursor().execute(show).fetchone() == (False, False)
            # a query that would need the sqlite extension fails at once instead of downloading it
            with pytest.raises(duckdb.Error) as caught:
                con.execute(f"ATTACH '{pfdata}' AS pf (TYPE sqlite, READ_ONLY)")
            assert "http" not in str(caught.value).lower()
        finally:
            con.close()


def _as_other_user() -> list[str]:
    """Run as ``nobody`` when the tests run as root (root writes into read-only folders anyway)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test a read-only folder as root"
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_a_workspace_in_a_read_only_folder_is_one_clear_error(pfdata: Path, tenant: Path) -> None:
    # outside pytest's tmp tree (private to this user), so that the other user can read the inputs
    base = Path(tempfile.mkdtemp(prefix="mfa-migrate-ro-"))
    try:
        base.chmod(0o755)
        datafile = shutil.copy(pfdata, base / "PhoneFactor.pfdata")
        snapshot = shutil.copytree(tenant, base / "tenant")
        folder = base / "readonly"
        folder.mkdir()
        ws = folder / "w.duckdb"
        assert _load(Path(datafile), Path(snapshot), ws) == 0
        for p in [Path(datafile), *Path(snapshot).iterdir(), ws]:
            p.chmod(0o666)
        Path(snapshot).chmod(0o755)
        folder.chmod(0o555)  # the other user may read and write the file, but not write in its folder
        before = _digest(ws)
        load = ["load", "--datafile", str(datafile), "--tenant", str(snapshot), "--workspace"]
        for argv in (
            [*load, str(ws)],
            [*load, str(folder / "n.duckdb")],
            ["simulate", "--workspace", str(ws)],
        ):
            done = subprocess.run(
                [*_as_other_user(), sys.executable, "-m", "analysis", *argv],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "HOME": str(base)},
            )
            assert done.returncode == 2, done.stdout + done.stderr
            assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
            assert f"The folder {folder} is read-only for you" in done.stderr
        assert _digest(ws) == before and not (folder / "n.duckdb").exists()
    finally:
        (base / "readonly").chmod(0o755)
        shutil.rmtree(base)
