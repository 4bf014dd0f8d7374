"""Accounts as the services keep them: names and passwords checked, lock-outs that expire, sessions
that end with a new password or a disabled account."""

from __future__ import annotations

from datetime import timedelta

import pytest

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.errors import NotFound, NotSignedIn, SignInRefused, UsageError
from carecast.services import accounts
from carecast.services.accounts import (
    add_user,
    change_password,
    current_session,
    disable_user,
    list_accounts,
    sign_in,
    sign_out,
)

GOOD = "twelve chars!"
WHO = {"actor": "test", "source": "test"}


@pytest.mark.parametrize("name", ["", " jo", "jo smith", "-jo", "jo/x", "a" * 101, "jö"])
def test_names_that_cannot_be_typed_reliably_are_refused(name: str) -> None:
    with pytest.raises(UsageError, match="a user name is 1 to 100 letters"):
        accounts.check_name(name)


def test_roles_include_the_ones_below() -> None:
    assert [r.value for r in Role] == ["viewer", "analyst", "finance", "admin"]
    assert Role.ADMIN.includes(Role.ANALYST)
    assert not Role.VIEWER.includes(Role.ANALYST)
    assert [r.sees_children for r in Role] == [False, True, True, True]


def test_a_lock_out_expires_and_a_success_clears_the_count(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(settings, "jo", Role.VIEWER, GOOD, **WHO)
    for _ in range(settings.login_attempts - 1):
        with pytest.raises(SignInRefused):
            sign_in(settings, "jo", "wrong one!", source="t")
    sign_in(settings, "jo", GOOD, source="t")  # the count starts again
    (jo,) = list_accounts(settings)
    assert (jo.failed_logins, jo.locked_until) == (0, None)
    for _ in range(settings.login_attempts):
        with pytest.raises(SignInRefused):
            sign_in(settings, "jo", "wrong one!", source="t")
    with pytest.raises(SignInRefused, match="locked"):
        sign_in(settings, "jo", GOOD, source="t")
    real_now = accounts._now()
    monkeypatch.setattr(
        accounts, "_now", lambda: real_now + timedelta(minutes=settings.lockout_minutes + 1)
    )
    assert sign_in(settings, "jo", GOOD, source="t").session.user.name == "jo"


def test_a_new_password_or_disabling_ends_every_session(settings: Settings) -> None:
    add_user(settings, "jo", Role.ANALYST, GOOD, **WHO)
    first = sign_in(settings, "jo", GOOD, source="t")
    session = current_session(settings, first.token)
    assert session is not None
    assert session.csrf_token == first.session.csrf_token
    change_password(settings, "jo", "another good one", **WHO)
    assert current_session(settings, first.token) is None
    second = sign_in(settings, "jo", "another good one", source="t")
    disable_user(settings, "jo", **WHO)
    assert current_session(settings, second.token) is None
    with pytest.raises(SignInRefused, match="The name or password is not right"):
        sign_in(settings, "jo", "another good one", source="t")


def test_signing_out_and_an_idle_session(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(settings, "jo", Role.VIEWER, GOOD, **WHO)
    token = sign_in(settings, "jo", GOOD, source="t").token
    sign_out(settings, token, source="t")
    assert current_session(settings, token) is None
    token = sign_in(settings, "jo", GOOD, source="t").token
    real_now = accounts._now()
    monkeypatch.setattr(
        accounts, "_now", lambda: real_now + timedelta(minutes=settings.session_idle_minutes - 1)
    )
    assert current_session(settings, token) is not None  # used again in time: kept alive
    monkeypatch.setattr(
        accounts,
        "_now",
        lambda: real_now + timedelta(minutes=2 * settings.session_idle_minutes - 2),
    )
    assert current_session(settings, token) is not None
    monkeypatch.setattr(
        accounts, "_now", lambda: real_now + timedelta(minutes=3 * settings.session_idle_minutes)
    )
    with pytest.raises(NotSignedIn, match="ended after 30 minutes without activity"):
        current_session(settings, token)


def test_unknown_users_and_repeated_changes_are_refused(settings: Settings) -> None:
    with pytest.raises(NotFound, match="no user called 'jo'"):
        change_password(settings, "jo", GOOD, **WHO)
    with pytest.raises(NotFound):
        disable_user(settings, "jo", **WHO)
    with pytest.raises(UsageError, match="at least 12 characters"):
        add_user(settings, "jo", Role.VIEWER, "eleven char", **WHO)
    assert list_accounts(settings) == []
