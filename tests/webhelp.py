"""Helpers for the web application's tests: a store with a forecast, users of every role, and a
client that signs in as a browser does (the sign-in form's CSRF token, then the session cookie)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from httpx2 import Response

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.periods import Period
from carecast.services import import_paths, run_forecast
from carecast.services.accounts import add_user
from carecast.web import create_app
from tests.fixtures_small import write_small_council

PASSWORD = "a long enough passphrase"
ROLES = tuple(Role)


# The small council's children, renamed to identifiers that cannot turn up in a log by chance.
CHILDREN = {"C1": "ZQX4417", "C2": "ZQX4418"}


def forecast_small_council(settings: Settings, tmp_path: Path) -> int:
    """The small council imported as of 30 September 2018 and closed at 2018-08 and 2018-09;
    returns the September snapshot's id."""
    folder = write_small_council(tmp_path / "inputs")
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        for old, new in CHILDREN.items():
            text = re.sub(rf"(?m)^{old},", f"{new},", text)
        path.write_text(text, encoding="utf-8")
    import_paths(settings, [folder], date(2018, 9, 30))
    run_forecast(settings, Period.parse("2018-08"), date(2018, 9, 30))
    return run_forecast(settings, Period.parse("2018-09")).snapshot_id


def add_role_users(settings: Settings) -> None:
    for role in ROLES:
        add_user(settings, role.value, role, PASSWORD, actor="test", source="test")


def client(settings: Settings) -> TestClient:
    """A browser over HTTPS (the session cookie is Secure by default)."""
    return TestClient(
        create_app(settings), base_url="https://testserver", raise_server_exceptions=False
    )


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(browser: TestClient, name: str, password: str = PASSWORD) -> Response:
    form = browser.get("/login")
    return browser.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )


def signed_in(settings: Settings, role: Role) -> TestClient:
    browser = client(settings)
    assert sign_in(browser, role.value).status_code == 303
    return browser
