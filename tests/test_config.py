"""Every setting is documented: in the Settings docstring and, by its variable, in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecast.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    variable = f"CARECAST_{name.upper()}"
    assert f"    {name}: " in (Settings.__doc__ or ""), f"{name} is not in Settings' docstring"
    assert variable in (Settings.__doc__ or "")
    assert variable in README, f"{variable} is not in the README"


def test_web_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECAST_COOKIE_SECURE", "false")
    monkeypatch.setenv("CARECAST_SESSION_IDLE_MINUTES", "10")
    settings = Settings()
    assert (settings.cookie_secure, settings.session_idle_minutes) == (False, 10)
    assert (settings.login_attempts, settings.lockout_minutes) == (5, 15)
