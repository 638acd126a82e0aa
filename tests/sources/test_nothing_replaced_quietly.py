"""Nothing is replaced quietly (issue #14, item 4), through the real ``mfa-migrate`` commands.

A load that would leave no MFA Server or Entra users, or fewer than half of the previous load's, stops
before COMMIT and the previous load stays exactly as it was, unless ``--allow-shrink`` says it is meant.
A scope group that matches no group of the snapshot is an error naming the setting, its file and the
closest group names, instead of a plan with every user out of scope.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import main

from .builders import entra_user, make_pfdata, make_tenant, rows, user, write_csv

KEPT = ("loads", "load_sources", "mfa_users", "entra_users", "rejects", "mfa_devices", "entra_groups")


def _load(datafile: Path, tenant: Path, ws: Path, *extra: str) -> int:
    return main(
        ["load", "--datafile", str(datafile), "--tenant", str(tenant), "--workspace", str(ws), *extra]
    )


def _held(ws: Path) -> dict[str, object]:
    held: dict[str, object] = {t: rows(ws, f"SELECT count(*) FROM {t}") for t in KEPT}
    held["users"] = rows(ws, "SELECT username FROM mfa_users ORDER BY username")
    held["load"] = rows(ws, "SELECT load_id FROM loads ORDER BY loaded_at")
    return held


def _users(n: int, start: int = 1) -> list[dict[str, object]]:
    return [user(i, f"user{i}@contoso.com", method="sms") for i in range(start, start + n)]


def _refused(capfd: pytest.CaptureFixture[str]) -> str:
    out, err = capfd.readouterr()
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in out + err, out + err
    assert "--allow-shrink" in err and "keeps its previous load" in err
    return err


@pytest.fixture
def loaded(tmp_path: Path, tenant: Path) -> Path:
    """A workspace whose load has 4 MFA Server users and the fixture tenant's 2 Entra users."""
    ws = tmp_path / "ws.duckdb"
    assert _load(make_pfdata(tmp_path / "four.pfdata", _users(4)), tenant, ws) == 0
    return ws


def test_fewer_than_half_the_users_is_refused_unless_allowed(
    loaded: Path, tenant: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    before = _held(loaded)
    one = make_pfdata(tmp_path / "one.pfdata", _users(1))
    capfd.readouterr()
    assert _load(one, tenant, loaded) == 2
    err = _refused(capfd)
    assert (
        "1 MFA Server users (from" in err and "one.pfdata" in err and "the 4 the workspace holds now" in err
    )
    assert _held(loaded) == before
    # half is not "more than half lost": two of four load without a word
    assert _load(make_pfdata(tmp_path / "two.pfdata", _users(2)), tenant, loaded) == 0
    assert rows(loaded, "SELECT count(*) FROM mfa_users") == [(2,)]
    # and a shrink that is meant goes through
    assert _load(one, tenant, loaded, "--allow-shrink") == 0
    assert rows(loaded, "SELECT count(*) FROM mfa_users") == [(1,)]
    assert rows(loaded, "SELECT count(*) FROM loads") == [(3,)]


def test_a_header_only_export_never_replaces_a_load(
    loaded: Path, tenant: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    before = _held(loaded)
    header_only = write_csv(tmp_path / "export.csv", ["Username", "Method"], [])
    capfd.readouterr()
    assert _load(header_only, tenant, loaded) == 2
    assert "0 MFA Server users (from" in _refused(capfd)
    assert _held(loaded) == before


def test_losing_the_entra_users_is_refused(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    datafile = make_pfdata(tmp_path / "p.pfdata", _users(3))
    three = make_tenant(tmp_path / "t3", [entra_user(f"e{i}", f"user{i}@contoso.com") for i in (1, 2, 3)])
    ws = tmp_path / "ws.duckdb"
    assert _load(datafile, three, ws) == 0
    before = _held(ws)
    capfd.readouterr()
    one = make_tenant(tmp_path / "t1", [entra_user("e1", "user1@contoso.com")])
    assert _load(datafile, one, ws) == 2
    assert "1 Entra users (from" in _refused(capfd)
    empty = make_tenant(tmp_path / "t0", [])
    assert _load(datafile, empty, ws) == 2
    err = _refused(capfd)
    assert "0 Entra users (from" in err and str(empty / "users.jsonl") in err
    assert _held(ws) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--workspace", "{ws}", "--settings", "{settings}"],
        ["readiness", "--workspace", "{ws}", "--settings", "{settings}", "--out", "{tmp}/r.json"],
        ["whatif", "--workspace", "{ws}", "--settings", "{settings}", "--settings", "{settings}"],
    ],
)
def test_a_scope_group_that_matches_nothing_names_the_closest(
    argv: list[str], loaded: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "wave1.toml"
    settings.write_text('[scope]\ngroup = "Pilots"\n', encoding="utf-8")  # the snapshot's group is "Pilot"
    capfd.readouterr()
    filled = [a.format(ws=loaded, settings=settings, tmp=tmp_path) for a in argv]
    assert main(filled) == 2
    out, err = capfd.readouterr()
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in out + err, out + err
    assert "settings key 'scope.group'" in err and str(settings) in err and "'Pilots'" in err
    assert "closest names: 'Pilot'" in err
