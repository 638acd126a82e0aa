"""Workspace-level behaviour of a load: atomic replacement, kept tables, load records, ensure_schema,
and the shared --workspace / --datafile --tenant arguments."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import duckdb
import pytest

from analysis.cli.common import add_source_args, open_workspace
from analysis.console import CaptureConsole
from analysis.errors import UserError
from analysis.sources import workspace_file
from analysis.sources.workspace import connect, ensure_schema, load

from .builders import make_pfdata, rows, user


def test_reload_replaces_sources_and_keeps_product_tables(
    pfdata: Path, tenant: Path, ws: Path, tmp_path: Path
) -> None:
    first = load(ws, pfdata, tenant, CaptureConsole())
    con = connect(ws)
    con.execute(
        "INSERT INTO migration_marks VALUES "
        "('alice@contoso.com', '2024-01-01T00:00:00Z', 'phone;always', 'b1')"
    )
    con.execute("CREATE TABLE IF NOT EXISTS batches_of_someone_else (id INTEGER)")
    con.execute("INSERT INTO batches_of_someone_else VALUES (42)")
    con.close()
    smaller = make_pfdata(tmp_path / "second.pfdata", users=[user(9, "zed@contoso.com")])
    second = load(ws, smaller, tenant, CaptureConsole(), allow_shrink=True)
    assert second.load_id != first.load_id
    assert rows(ws, "SELECT username FROM mfa_users") == [("zed@contoso.com",)]
    assert rows(ws, "SELECT count(*) FROM mfa_devices") == [(0,)]
    assert rows(ws, "SELECT username, batch_name FROM migration_marks") == [("alice@contoso.com", "b1")]
    assert rows(ws, "SELECT id FROM batches_of_someone_else") == [(42,)]
    assert sorted(rows(ws, "SELECT load_id, datafile_kind FROM loads")) == sorted(
        [(first.load_id, "pfdata"), (second.load_id, "pfdata")]
    )


def test_load_sources_record_sha256_of_every_file(pfdata: Path, tenant: Path, ws: Path) -> None:
    summary = load(ws, pfdata, tenant, CaptureConsole())
    got = {s: (p, h, n) for s, p, h, n in rows(ws, "SELECT source, path, sha256, rows FROM load_sources")}
    expected_files = {"datafile": pfdata, **{f"tenant/{p.name}": p for p in tenant.iterdir()}}
    assert set(got) == set(expected_files)
    for source, path in expected_files.items():
        assert got[source][0] == str(path.absolute())
        assert got[source][1] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (
        got["datafile"][2] == 3
        and got["tenant/users.jsonl"][2] == 2
        and got["tenant/policies.json"][2] is None
    )
    assert rows(ws, "SELECT DISTINCT load_id FROM load_sources") == [(summary.load_id,)]


def test_failed_load_leaves_previous_workspace_intact(
    pfdata: Path, tenant: Path, ws: Path, tmp_path: Path
) -> None:
    first = load(ws, pfdata, tenant, CaptureConsole())
    before = {
        t: rows(ws, f"SELECT count(*) FROM {t}") for t in ("mfa_users", "mfa_devices", "entra_users", "loads")
    }
    broken = make_pfdata(
        tmp_path / "dup.pfdata", users=[user(1, "same@contoso.com"), user(2, "same@contoso.com")]
    )
    with pytest.raises(UserError, match=r"same@contoso\.com"):
        load(ws, broken, tenant, CaptureConsole())
    after = {t: rows(ws, f"SELECT count(*) FROM {t}") for t in before}
    assert after == before
    assert rows(ws, "SELECT load_id FROM loads") == [(first.load_id,)]
    assert rows(ws, "SELECT count(*) FROM mfa_users WHERE username = 'same@contoso.com'") == [(0,)]


def test_failed_first_load_leaves_no_workspace(tenant: Path, ws: Path, tmp_path: Path) -> None:
    broken = make_pfdata(tmp_path / "dup.pfdata", users=[user(1, "x@contoso.com"), user(2, "x@contoso.com")])
    with pytest.raises(UserError):
        load(ws, broken, tenant, CaptureConsole())
    assert not ws.exists()


def test_ensure_schema_creates_missing_tables_and_never_replaces(
    pfdata: Path, tenant: Path, ws: Path
) -> None:
    load(ws, pfdata, tenant, CaptureConsole())
    con = connect(ws)
    con.execute("DROP TABLE mfa_user_extra")
    ensure_schema(con)
    ensure_schema(con)
    con.close()
    assert rows(ws, "SELECT count(*) FROM mfa_users") == [(3,)]
    assert rows(ws, "SELECT count(*) FROM mfa_user_extra") == [(0,)]
    # a new workspace, as a load makes it
    fresh = workspace_file.open_workspace(ws.with_name("fresh.duckdb"), new_ok=True)
    ensure_schema(fresh)
    assert fresh.execute("SELECT count(*) FROM rejects").fetchall() == [(0,)]
    fresh.close()


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_source_args(parser)
    return parser.parse_args(list(argv))


def test_open_workspace_choices(pfdata: Path, tenant: Path, ws: Path) -> None:
    console = CaptureConsole()
    with pytest.raises(UserError, match="Say what to read"):
        open_workspace(_args(), console)
    with pytest.raises(UserError, match="not both"):
        open_workspace(
            _args("--workspace", str(ws), "--datafile", str(pfdata), "--tenant", str(tenant)), console
        )
    with pytest.raises(UserError, match="--tenant DIR is missing"):
        open_workspace(_args("--datafile", str(pfdata)), console)
    with pytest.raises(UserError, match="does not exist"):
        open_workspace(_args("--workspace", str(ws)), console)
    temporary = open_workspace(_args("--datafile", str(pfdata), "--tenant", str(tenant)), console)
    assert temporary.is_file() and temporary != ws
    assert rows(temporary, "SELECT count(*) FROM mfa_users") == [(3,)]
    assert "3 MFA Server user(s) and 2 Entra user(s)" in console.text
    load(ws, pfdata, tenant, CaptureConsole())
    assert open_workspace(_args("--workspace", str(ws)), console) == ws


def test_failure_after_every_table_was_filled_rolls_back(
    pfdata: Path, tenant: Path, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure at the very end of the transaction (here: in phone parsing) keeps the previous load."""
    first = load(ws, pfdata, tenant, CaptureConsole())
    import analysis.sources.phones

    def broken(con: duckdb.DuckDBPyConnection) -> None:
        assert con.execute("SELECT count(*) FROM mfa_users").fetchall() == [(1,)]  # the new data is in place
        raise RuntimeError("boom")

    monkeypatch.setattr(analysis.sources.phones, "fill_phone_tables", broken)
    other = make_pfdata(tmp_path / "other.pfdata", users=[user(5, "eve@contoso.com")])
    with pytest.raises(RuntimeError, match="boom"):
        load(ws, other, tenant, CaptureConsole())
    assert rows(ws, "SELECT count(*) FROM mfa_users") == [(3,)]
    assert rows(ws, "SELECT count(*) FROM mfa_phones") != [(0,)]
    assert rows(ws, "SELECT load_id FROM loads") == [(first.load_id,)]
