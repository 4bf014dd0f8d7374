"""Closing a period from the browser (SQLite and PostgreSQL): finance forecasts a period in the
background and the snapshot is stored and audited, as `carecast forecast --period` stores it; a
close the data cannot stand on is refused with its reasons and stores nothing; viewers and
analysts read the page but may not close."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services.accounts import audit_entries
from carecast.services.forecasting import list_forecasts
from tests.webhelp import add_role_users, csrf_of, forecast_small_council, signed_in


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    forecast_small_council(settings, tmp_path)  # closes 2018-08 and 2018-09: snapshots 1 and 2
    add_role_users(settings)
    return settings


def close(browser: TestClient, **form: str) -> str:
    """Post the close form; the address of the run it started."""
    token = csrf_of(browser.get("/close").text)
    answer = browser.post("/close", data={"csrf_token": token, **form}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def finished(browser: TestClient, address: str) -> str:
    """The run's outcome once the background close has finished (as the page's poll asks)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = browser.get(f"{address}/result")
        if answer.status_code == 200:
            return answer.text
        time.sleep(0.2)
    raise AssertionError("the close did not finish within two minutes")


def test_finance_closes_a_period_and_the_snapshot_is_stored_and_audited(site: Settings) -> None:
    finance = signed_in(site, Role.FINANCE)
    outcome = finished(finance, close(finance, period="2018-09"))
    assert 'data-state="done"' in outcome
    _, snapshots = list_forecasts(site)
    assert [s.snapshot_id for s in snapshots] == [1, 2, 3]
    assert "Snapshot 3 stored for 2018-09" in outcome
    assert 'href="/dashboard?period=2018-09"' in outcome
    ran = next(e for e in audit_entries(site) if e.action == "forecast_run")
    assert (ran.actor, ran.subject) == ("finance", "2018-09")
    assert ran.after is not None
    assert ran.after["snapshot_id"] == 3
    # the dashboard now reads the new snapshot for that period
    assert "snapshot 3" in finance.get("/dashboard?period=2018-09").text


def test_a_period_beyond_the_data_is_refused_with_its_reason_and_nothing_is_stored(
    site: Settings,
) -> None:
    finance = signed_in(site, Role.FINANCE)
    outcome = finished(finance, close(finance, period="2019-01"))
    assert 'data-state="failed"' in outcome
    assert "2019-01" in outcome
    _, snapshots = list_forecasts(site)
    assert len(snapshots) == 2
    assert not [e for e in audit_entries(site) if e.action == "forecast_run"]


def test_a_period_that_is_no_month_comes_back_as_the_form(site: Settings) -> None:
    finance = signed_in(site, Role.FINANCE)
    token = csrf_of(finance.get("/close").text)
    answer = finance.post("/close", data={"csrf_token": token, "period": "2018-13"})
    assert answer.status_code == 422
    assert re.search(r'id="period-problem">[^<]*not a period', answer.text)
    assert 'aria-invalid="true"' in answer.text


def test_only_finance_and_admin_may_close(site: Settings) -> None:
    for role in (Role.VIEWER, Role.ANALYST):
        browser = signed_in(site, role)
        page = browser.get("/close")
        assert page.status_code == 200
        assert 'action="/close"' not in page.text
        token = csrf_of(page.text)  # the sign-out form's: the session's own token
        refused = browser.post("/close", data={"csrf_token": token, "period": "2018-09"})
        assert refused.status_code == 403
    admin = signed_in(site, Role.ADMIN)
    assert 'action="/close"' in admin.get("/close").text
    refused = admin.post("/close", data={"period": "2018-09"})  # no CSRF token
    assert refused.status_code == 403
    assert "security token" in refused.text
    _, snapshots = list_forecasts(site)
    assert len(snapshots) == 2
