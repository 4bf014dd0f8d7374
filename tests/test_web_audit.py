"""The audit log gets a row for every change, sign-in failure and lock-out; nothing in the
application changes or removes one (the database refuses it too); the application log never holds
a child's identifier."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services.accounts import audit_entries, change_password, disable_user
from carecast.store.schema_accounts import audit_log
from tests.webhelp import (
    CHILDREN,
    add_role_users,
    client,
    forecast_small_council,
    sign_in,
    signed_in,
)


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> tuple[Settings, int]:
    snapshot_id = forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings, snapshot_id


def test_changes_failures_and_lock_outs_are_audited(site: tuple[Settings, int]) -> None:
    settings, _ = site
    browser = client(settings)
    sign_in(browser, "nobody", "whatever it is")
    for _ in range(settings.login_attempts):
        sign_in(browser, "finance", "wrong password!")
    sign_in(browser, "viewer")
    change_password(settings, "finance", "another long passphrase", actor="ops", source="test")
    disable_user(settings, "analyst", actor="ops", source="test")
    entries = list(reversed(audit_entries(settings)))
    actions = [(e.action, e.subject) for e in entries]
    assert actions[:4] == [("user_added", r.value) for r in Role]
    assert actions[4:] == [
        ("sign_in_failed", "nobody"),
        *[("sign_in_failed", "finance")] * settings.login_attempts,
        ("locked_out", "finance"),
        ("signed_in", "viewer"),
        ("password_changed", "finance"),
        ("user_disabled", "analyst"),
    ]
    added = entries[0]
    assert (added.actor, added.source, added.before) == ("test", "test", None)
    assert added.after == {"role": "viewer", "disabled": False}
    fifth = entries[4 + settings.login_attempts]
    assert fifth.before == {"failed_logins": 4}
    assert fifth.after == {"failed_logins": 5, "reason": "wrong password"}
    assert fifth.source == "web from testclient"
    locked = entries[5 + settings.login_attempts]
    assert locked.before == {"locked_until": None}
    assert set(locked.after or {}) == {"locked_until"}
    assert entries[-1].before == {"disabled": False}
    assert entries[-1].after == {"disabled": True}
    assert all("password_hash" not in str(e.before) + str(e.after) for e in entries)
    # a new password unlocks the account; disabling one refuses its sign-in with the same message
    assert sign_in(client(settings), "finance", "another long passphrase").status_code == 303
    refused = sign_in(client(settings), "analyst")
    assert refused.status_code == 401
    assert "The name or password is not right." in refused.text


def test_no_route_changes_the_audit_log(site: tuple[Settings, int]) -> None:
    settings, _ = site
    admin = signed_in(settings, Role.ADMIN)
    before = audit_entries(settings)
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    assert "user_added" in page.text
    for method in ("post", "put", "patch", "delete"):
        assert getattr(admin, method)("/admin/audit").status_code == 405
    paths = admin.app.openapi()["paths"]  # type: ignore[attr-defined]
    writes = {p for p, methods in paths.items() if set(methods) - {"get"}}
    assert writes == {
        "/login",
        "/logout",
        "/projection",
        "/scenarios",
        "/track-record/backtests",
        "/reports",
        "/actions/save",
        "/actions/commentary",
        "/imports",
        "/imports/{upload_id}/confirm",
        "/imports/{upload_id}/discard",
        "/close",
    }
    assert audit_entries(settings) == before


def test_the_database_refuses_to_change_or_remove_an_audit_row(settings: Settings) -> None:
    add_role_users(settings)
    engine = sa.create_engine(settings.database_url)
    try:
        for statement in (
            audit_log.update().values(actor="someone else"),
            audit_log.delete(),
        ):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as c:
                c.execute(statement)
    finally:
        engine.dispose()
    assert [e.actor for e in audit_entries(settings)] == ["test"] * len(Role)


def test_the_application_log_holds_no_child_identifier(
    site: tuple[Settings, int], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, snapshot_id = site
    caplog.set_level(logging.DEBUG)
    analyst = signed_in(settings, Role.ANALYST)
    page = analyst.get(f"/snapshots/{snapshot_id}/lines/placements_ifa")
    assert CHILDREN["C1"] in page.text  # the page shows it to an analyst …
    analyst.get(f"/snapshots/{snapshot_id}/lines/placements_residential")
    analyst.get("/dashboard")
    analyst.get(f"/snapshots/{snapshot_id}/lines/{CHILDREN['C2']}")  # an identifier in a URL
    client(settings).get(f"/snapshots/{snapshot_id}/lines/placements_ifa")
    sign_in(client(settings), CHILDREN["C2"], "a guess of a password")  # … or as a name

    import carecast.web.routes.forecasts as routes

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError(f"placement of {CHILDREN['C1']} carries no cost")

    monkeypatch.setattr(routes, "dashboard", broken)
    failed = analyst.get("/dashboard")
    assert failed.status_code == 500
    assert CHILDREN["C1"] not in failed.text
    # the exception stops at the app: the server (here the test client) never sees it to log it
    strict = TestClient(analyst.app, base_url="https://testserver", cookies=analyst.cookies)
    assert strict.get("/dashboard").status_code == 500
    logged = "\n".join(
        r.getMessage() + (r.exc_text or "")
        for r in caplog.records
        if r.name.startswith(("carecast", "uvicorn", "fastapi", "starlette"))
    )
    assert "ValueError" in logged  # the failure is logged …
    assert "/snapshots/{snapshot_id}/lines/{line}" in logged  # … and pages by route
    for child in CHILDREN.values():
        assert child not in logged  # … but never a child's identifier
