"""Notice rendering, settings and forecast, without a workspace: the shipped templates, language
variants, the sandbox, and template errors as one line naming the file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from analysis import settingsfile
from analysis.errors import UserError
from analysis.notices.build import forecast
from analysis.notices.settings import NoticeSettings
from analysis.notices.templates import PHASES, SHIPPED, Templates

VALUES = {
    "upn": "ada@contoso.com", "username": "CONTOSO\\ada", "language": "en", "tier": "P1", "wave": "w1",
    "phones": ["mobile phone +49 30•••••89"], "hardware_token": False, "devices_to_register": [],
    "default_change": "", "methods_now": "mobile phone", "methods_after_date": "none",
    "must_register": True, "changes": ["your mobile phone +49 30•••••89 is registered"],
    "actions": ["register Microsoft Authenticator or a passkey"], "campaign": True, "phones_stop": True,
    "retirement_date": "2027-02-01", "deadline": "2027-01-18", "awareness_date": "2026-12-07",
    "action_date": "2026-12-28", "reminder_date": "2027-01-11",
}  # fmt: skip


def _folder(tmp_path: Path, **texts: str) -> Path:
    """A template folder: the shipped templates, with the given files replaced or added."""
    folder = tmp_path / "templates"
    folder.mkdir()
    for phase in PHASES:
        (folder / f"{phase}.txt").write_text((SHIPPED / f"{phase}.txt").read_text())
    for name, text in texts.items():
        (folder / name.replace("_", ".")).write_text(text)
    return folder


def test_the_shipped_templates_render_every_phase() -> None:
    templates = Templates()
    templates.check()
    action = templates.render("action", "en", VALUES)
    assert action.subject == "Action needed by 2027-01-18: set up your sign-in verification"
    assert "- register Microsoft Authenticator or a passkey" in action.body
    assert "Temporary Access Pass" in action.body  # a campaign says a pass is handed out
    done = templates.render("reminder", "en", {**VALUES, "actions": [], "methods_after_date": "passkey"})
    assert done.subject == "Your sign-in is ready" and "No action needed" in done.body
    aware = templates.render("awareness", "en", VALUES)
    assert "+49 30•••••89" in aware.body and "2026-12-28" in aware.body


def test_a_language_variant_is_used_for_users_of_that_language(tmp_path: Path) -> None:
    folder = _folder(tmp_path, action_de_txt="Subject: Bitte bis {{ deadline }}\nHallo {{ upn }}\n")
    templates = Templates(folder)
    assert templates.render("action", "de", VALUES).subject == "Bitte bis 2027-01-18"
    assert templates.render("action", "DE ", VALUES).body == "Hallo ada@contoso.com"
    assert templates.render("action", "fr", VALUES).subject.startswith("Action needed")


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("Subject: x\nHello\n{% if upn %}\nno end\n", 4, "Unexpected end of template"),
        ("Subject: x\n\nHello {{ upn }}\n{{ pin_hash }}\n", 4, "'pin_hash' is undefined"),
        ("Subject: x\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n", 2, "unsafe"),
    ],
)
def test_a_template_error_is_one_line_naming_the_file_and_line(
    tmp_path: Path, text: str, line: int, what: str
) -> None:
    folder = _folder(tmp_path, reminder_txt=text)
    with pytest.raises(UserError) as caught:
        templates = Templates(folder)
        templates.check()
        templates.render("reminder", "en", VALUES)
    message = str(caught.value)
    assert f"{folder / 'reminder.txt'}, line {line}: " in message and what in message
    assert "\n" not in message and "Traceback" not in message


def test_a_template_without_a_subject_line_or_a_missing_phase_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, awareness_txt="Hello {{ upn }}\n")
    with pytest.raises(UserError, match=r"awareness.txt, line 1: the first line must be 'Subject: \.\.\.'"):
        Templates(folder).render("awareness", "en", VALUES)
    (folder / "action.txt").unlink()
    with pytest.raises(UserError, match=r"lacks action\.txt"):
        Templates(folder)
    with pytest.raises(UserError, match="is not a folder"):
        Templates(tmp_path / "nowhere")


def test_notice_settings_round_trip_and_bad_values_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[notices]\naction_days = 10\nreminder_days = 2\nhelpdesk_contact_rate = 0.5\n")
    loaded = settingsfile.read(path)
    assert loaded.notices == NoticeSettings(action_days=10, reminder_days=2, helpdesk_contact_rate=0.5)
    path.write_text(settingsfile.to_toml(loaded))
    assert settingsfile.read(path).notices == loaded.notices
    dates = loaded.notices.send_dates(dt.date(2027, 2, 1))
    assert loaded.notices.deadline(dt.date(2027, 2, 1)) == dt.date(2027, 1, 18)
    assert dates == {
        "awareness": dt.date(2026, 12, 7),
        "action": dt.date(2027, 1, 8),
        "reminder": dt.date(2027, 1, 16),
    }
    for text, key in (
        ("helpdesk_contact_rate = 1.5", "'notices.helpdesk_contact_rate'"),
        ('helpdesk_contact_rate = "lots"', "'notices.helpdesk_contact_rate'"),
        ("action_days = 50", "'notices.awareness_days' > 'notices.action_days'"),
        ("reminder_days = -1", "'notices.reminder_days'"),
        ("colour = 1", "unknown settings key 'notices.colour'"),
    ):
        path.write_text(f"[notices]\n{text}\n")
        with pytest.raises(UserError, match=key):
            settingsfile.read(path)


def test_the_forecast_spreads_the_expected_contacts_over_the_action_window() -> None:
    rows = pd.DataFrame(
        {
            "wave": ["a", "a", "a", "b", "b"],
            "upn": ["1", "2", "3", "4", "5"],
            "must_register": [True, True, False, True, False],
        }
    )
    settings = NoticeSettings(helpdesk_contact_rate=0.5)
    out = forecast(rows, settings, dt.date(2027, 1, 1), dt.date(2027, 1, 11)).set_index("wave")
    assert out.loc["a", "users"] == 3 and out.loc["a", "must_register"] == 2
    assert out.loc["a", "contacts_expected"] == 1.0 and out.loc["a", "contacts_per_day"] == 0.1
    assert out.loc["b", "must_register"] == 1 and out.loc["b", "days"] == 10
