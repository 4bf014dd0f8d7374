"""API tokens (SQLite and PostgreSQL): issued by the command line and shown once, stored as a hash,
reading /api with their user's role, opening no page and no form, refused once revoked or once
their user is disabled — each issue and revocation in the audit log, the token in none of it."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.errors import NotFound, UsageError
from carecast.services.accounts import audit_entries, disable_user
from carecast.services.api_tokens import issue_token, revoke_token, tokens_of
from carecast.store.schema_accounts import api_tokens
from tests.test_cli_users import carecast
from tests.webhelp import add_role_users, client, forecast_small_council


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_reads_the_api_with_its_users_role(site: Settings) -> None:
    token = issue_token(site, "viewer", "warehouse", actor="test", source="test")
    browser = client(site)
    snapshots = browser.get("/api/snapshots", headers=bearer(token))
    assert snapshots.status_code == 200
    assert [s["period"] for s in snapshots.json()["snapshots"]][-1] == "2018-09"
    # a viewer may not run a projection (analyst and above), with a token as with a session
    refused = browser.get("/api/projection?years=1&paths=100", headers=bearer(token))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "access_denied"


def test_a_token_opens_no_page_and_no_form(site: Settings) -> None:
    token = issue_token(site, "admin", "scripts", actor="test", source="test")
    browser = client(site)
    assert (
        browser.get("/dashboard", headers=bearer(token), follow_redirects=False).status_code == 401
    )
    logout = browser.post("/logout", headers=bearer(token), follow_redirects=False)
    assert logout.status_code in (400, 401, 403)


def test_an_unknown_revoked_or_disabled_token_is_refused_in_the_one_error_shape(
    site: Settings,
) -> None:
    browser = client(site)
    unknown = browser.get("/api/snapshots", headers=bearer("cc_not-a-token"))
    assert unknown.status_code == 401
    assert set(unknown.json()["error"]) == {"status", "code", "message"}
    assert "revoked" in unknown.json()["error"]["message"]

    token = issue_token(site, "analyst", "bi", actor="test", source="test")
    assert browser.get("/api/snapshots", headers=bearer(token)).status_code == 200
    revoke_token(site, "analyst", "bi", actor="test", source="test")
    assert browser.get("/api/snapshots", headers=bearer(token)).status_code == 401

    other = issue_token(site, "finance", "bi", actor="test", source="test")
    disable_user(site, "finance", actor="test", source="test")
    assert browser.get("/api/snapshots", headers=bearer(other)).status_code == 401


def test_labels_are_never_reused_and_revoking_twice_is_refused(site: Settings) -> None:
    issue_token(site, "viewer", "bi", actor="test", source="test")
    with pytest.raises(UsageError, match="already has a token labelled 'bi'"):
        issue_token(site, "viewer", "bi", actor="test", source="test")
    revoke_token(site, "viewer", "bi", actor="test", source="test")
    with pytest.raises(NotFound, match="no live token labelled 'bi'"):
        revoke_token(site, "viewer", "bi", actor="test", source="test")
    with pytest.raises(UsageError, match="already has a token labelled 'bi'"):
        issue_token(site, "viewer", "bi", actor="test", source="test")
    with pytest.raises(UsageError, match="token label"):
        issue_token(site, "viewer", "no spaces please", actor="test", source="test")
    with pytest.raises(NotFound, match="no user called 'nobody'"):
        issue_token(site, "nobody", "bi", actor="test", source="test")
    (listed,) = tokens_of(site, "viewer")
    assert (listed.label, listed.revoked_at is not None) == ("bi", True)


def test_the_command_line_shows_a_token_once_and_the_store_keeps_only_its_hash(
    site: Settings,
) -> None:
    issued = carecast(site, "user", "token-add", "analyst", "--label", "warehouse")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("cc_")
    assert len(token) > 40
    assert client(site).get("/api/snapshots", headers=bearer(token)).status_code == 200

    engine = sa.create_engine(site.database_url)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(api_tokens.c.token_hash)).scalars().all()
    engine.dispose()
    assert len(stored) == 1
    assert token not in stored[0]
    assert len(stored[0]) == 64

    listed = carecast(site, "user", "tokens", "analyst")
    assert listed.returncode == 0
    assert "warehouse" in listed.stdout
    assert "live" in listed.stdout
    assert token not in listed.stdout
    revoked = carecast(site, "user", "token-revoke", "analyst", "--label", "warehouse")
    assert revoked.returncode == 0, revoked.stderr
    again = carecast(site, "user", "token-revoke", "analyst", "--label", "warehouse")
    assert again.returncode == 1
    assert "no live token" in again.stderr
    assert "Traceback" not in again.stderr

    actions = [(e.action, e.subject, (e.after or {}).get("label")) for e in audit_entries(site)]
    assert ("api_token_issued", "analyst", "warehouse") in actions
    assert ("api_token_revoked", "analyst", "warehouse") in actions
    assert all(token not in str(e) for e in audit_entries(site))


def test_the_openapi_document_describes_both_ways_in(site: Settings) -> None:
    schema = client(site).get("/api/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["token"] == {"type": "http", "scheme": "bearer"}
    assert schemes["session"]["in"] == "cookie"
    assert Role.VIEWER.value in schema["info"]["description"]
