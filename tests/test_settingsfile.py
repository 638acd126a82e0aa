"""One settings file for every command: each section is read by the one loader, so a file with
``[execute]`` and ``[retirement]`` works for ``simulate``, ``whatif``, ``readiness`` and ``batch create``
alike, and every bad value is one error naming the file and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analysis import settingsfile
from analysis.cli import main
from analysis.console import CaptureConsole
from analysis.errors import UserError

FULL = """
[migrate]
default_method = "never"
[limits]
device_limit = 3
[execute]
handoff = "group"
migration_group = "MFA Migration"
[retirement]
date = 2027-03-01
phone_delivery = "own_provider"
warn_days = 30
[freshness]
warn_after_days = 3
"""


def test_every_section_is_read(tmp_path: Path) -> None:
    path = tmp_path / "all.toml"
    path.write_text(FULL, encoding="utf-8")
    loaded = settingsfile.read(path)
    assert (loaded.whatif.default_method, loaded.whatif.device_limit) == ("never", 3)
    assert (loaded.execute.handoff, loaded.execute.migration_group) == ("group", "MFA Migration")
    assert loaded.retirement.date == dt.date(2027, 3, 1) and not loaded.retirement.phones_stop
    assert loaded.retirement.warn_days == 30 and loaded.source == str(path)
    assert loaded.freshness.warn_after_days == 3 and settingsfile.read(None).freshness.warn_after_days == 7
    defaults = settingsfile.read(None)
    assert (
        defaults.retirement.date == dt.date(2027, 2, 1) and defaults.retirement.phone_delivery == "microsoft"
    )
    assert defaults.retirement.warn_days == 60 and defaults.execute.handoff == "none"


def test_every_command_accepts_every_section(
    tmp_path: Path, workspace: Path, console: CaptureConsole
) -> None:
    """Before the one loader, simulate and readiness refused a file that batch create accepted."""
    path = tmp_path / "all.toml"
    path.write_text(FULL, encoding="utf-8")
    ws = ["--workspace", str(workspace), "--settings", str(path)]
    assert main(["simulate", *ws]) == 0
    assert main(["readiness", *ws, "--out", str(tmp_path / "r.json")]) == 0
    assert main(["whatif", *ws, "--settings", str(path)]) == 0
    assert main(["batch", "create", *ws, "--name", "wave-1", "--where", "item = 'phone'"]) == 0
    assert "oath_token;never" in console.text and "device limit 3" in console.text


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[retirment]\n", "unknown settings section 'retirment'"),
        ("[retirement]\ndate = 2027-02-30\n", "not valid TOML"),
        ('[retirement]\ndate = "next year"\n', "'retirement.date'"),
        ("[retirement]\ndate = 2027-02-01T00:00:00\n", "'retirement.date'"),
        ('[retirement]\nphone_delivery = "telco"\n', "'retirement.phone_delivery'"),
        ("[retirement]\nwarn_days = -1\n", "'retirement.warn_days'"),
        ("[retirement]\nwarn_days = true\n", "'retirement.warn_days'"),
        ("[retirement]\nwarn = 5\n", "'retirement.warn'"),
        ('[execute]\nhandoff = "group"\n', "migration_group"),
        ("retirement = 5\n", "must be a table"),
        ("[freshness]\nwarn_after_days = 0\n", "'freshness.warn_after_days'"),
        ('[freshness]\nwarn_after_days = "7"\n', "'freshness.warn_after_days'"),
        ("[freshness]\nmax_age = 7\n", "'freshness.max_age'"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        settingsfile.read(path)
    assert needle in str(err.value) and str(path) in str(err.value)


def test_unknown_section_lists_every_known_one(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[exec]\n", encoding="utf-8")
    with pytest.raises(
        UserError, match="migrate, match, scope, limits, execute, retirement, notices, freshness"
    ):
        settingsfile.read(path)


def test_a_date_may_be_a_string() -> None:
    loaded = settingsfile.from_dict({"retirement": {"date": "2027-02-01"}}, "form")
    assert loaded.retirement.date == dt.date(2027, 2, 1)
    assert (
        settingsfile.from_dict({"retirement": loaded.retirement.to_dict()}, "x").retirement
        == loaded.retirement
    )
