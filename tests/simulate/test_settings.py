"""Settings (DESIGN §4.1, §4.7 signature, §4.9 partial files): defaults, validation, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import settingsfile
from analysis.errors import UserError
from analysis.simulate.settings import Settings


def test_defaults_are_design_4_1() -> None:
    s = Settings.default()
    assert s.to_dict() == {
        "migrate": {
            "methods": ["phone", "backup_phone", "mobile_app", "oath_token"],
            "default_method": "always",
        },
        "match": {"order": ["upn", "sid", "attribute"], "attribute": {"mfa": "email", "entra": "mail"}},
        "scope": {"group": "", "only_changed": True, "skip_disabled": True},
        "limits": {"device_limit": 5},
    }
    assert Settings.from_dict({}) == s


@pytest.mark.parametrize(
    ("methods", "mode", "signature"),
    [
        (
            ["phone", "backup_phone", "mobile_app", "oath_token"],
            "always",
            "phone,backup_phone,mobile_app,oath_token,default_method;always",
        ),
        (["oath_token", "phone"], "if_unset", "phone,oath_token,default_method;if_unset"),
        (["mobile_app"], "most_secure_if_unset", "mobile_app,default_method;most_secure_if_unset"),
        (["backup_phone", "phone"], "never", "phone,backup_phone;never"),
        ([], "never", ";never"),
        ([], "always", "default_method;always"),
    ],
)
def test_signature(methods: list[str], mode: str, signature: str) -> None:
    s = Settings.from_dict({"migrate": {"methods": methods, "default_method": mode}})
    assert s.signature() == signature


def test_partial_file_takes_defaults(tmp_path: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_text(
        '[limits]\ndevice_limit = 3\n[match]\nattribute = { entra = "employeeId" }\n', encoding="utf-8"
    )
    s = settingsfile.read(f).whatif
    assert s.device_limit == 3
    assert (s.attribute_mfa, s.attribute_entra) == ("email", "employeeId")
    assert s.methods == Settings.default().methods and s.match_order == ("upn", "sid", "attribute")
    assert s.source == str(f)


def test_round_trips(tmp_path: Path) -> None:
    s = Settings.from_dict(
        {
            "migrate": {"methods": ["phone"], "default_method": "never"},
            "match": {"order": ["sid"], "attribute": {"mfa": "account", "entra": "onPremisesSamAccountName"}},
            "scope": {"group": 'Wave "1" \\ pilot', "only_changed": False, "skip_disabled": False},
            "limits": {"device_limit": 0},
        }
    )
    assert Settings.from_dict(s.to_dict()) == s
    f = tmp_path / "s.toml"
    f.write_text(s.to_toml(), encoding="utf-8")
    assert settingsfile.read(f).whatif == s


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"migrat": {}}, "'migrat'"),
        ({"migrate": {"method": ["phone"]}}, "'migrate.method'"),
        ({"migrate": {"methods": ["phone", "sms"]}}, "'migrate.methods'"),
        ({"migrate": {"methods": ["phone", "phone"]}}, "'migrate.methods'"),
        ({"migrate": {"methods": "phone"}}, "'migrate.methods'"),
        ({"migrate": {"default_method": "sometimes"}}, "'migrate.default_method'"),
        ({"migrate": "phone"}, "'migrate'"),
        ({"match": {"order": ["upn", "email"]}}, "'match.order'"),
        ({"match": {"order": ["upn", "upn"]}}, "'match.order'"),
        ({"match": {"attribute": {"mfa": "phone"}}}, "'match.attribute.mfa'"),
        ({"match": {"attribute": {"entra": "displayName"}}}, "'match.attribute.entra'"),
        ({"match": {"attribute": {"mfa": "email", "other": "x"}}}, "'match.attribute.other'"),
        ({"match": {"attribute": "email"}}, "'match.attribute'"),
        ({"scope": {"group": 5}}, "'scope.group'"),
        ({"scope": {"group": "   "}}, "'scope.group'"),
        ({"scope": {"only_changed": "yes"}}, "'scope.only_changed'"),
        ({"scope": {"skip_disabled": 1}}, "'scope.skip_disabled'"),
        ({"scope": {"members": []}}, "'scope.members'"),
        ({"limits": {"device_limit": -1}}, "'limits.device_limit'"),
        ({"limits": {"device_limit": 101}}, "'limits.device_limit'"),
        ({"limits": {"device_limit": 4.5}}, "'limits.device_limit'"),
        ({"limits": {"device_limit": "5"}}, "'limits.device_limit'"),
        ({"limits": {"device_limit": True}}, "'limits.device_limit'"),
        ({"limits": {"max_devices": 5}}, "'limits.max_devices'"),
    ],
)
def test_bad_settings_name_the_key(data: dict[str, object], needle: str) -> None:
    with pytest.raises(UserError) as err:
        Settings.from_dict(data, source="wave1.toml")
    assert needle in str(err.value)
    assert "wave1.toml" in str(err.value)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        settingsfile.read(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[migrate\nmethods = [", encoding="utf-8")
    with pytest.raises(UserError, match="not valid TOML") as err:
        settingsfile.read(bad)
    assert str(bad) in str(err.value)


def test_limits_edges_accepted() -> None:
    assert Settings.from_dict({"limits": {"device_limit": 0}}).device_limit == 0
    assert Settings.from_dict({"limits": {"device_limit": 100}}).device_limit == 100
    assert Settings.from_dict({"match": {"order": []}}).match_order == ()
    assert Settings.from_dict({"migrate": {"methods": []}}).methods == ()
