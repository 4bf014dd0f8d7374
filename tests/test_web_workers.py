"""Several worker processes (SQLite and PostgreSQL): `carecast serve --workers N` runs one
application per process, and a page's next request may reach any of them. Two applications over
one store stand for two workers: a run started on one is shown, finished or refused, by the
other."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services.forecasting import list_forecasts
from tests.test_web_close import close
from tests.webhelp import PASSWORD, add_role_users, client, forecast_small_council, sign_in


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings


def worker(settings: Settings, cookies: dict[str, str] | None = None) -> TestClient:
    browser = client(settings)  # an application of its own: its own jobs, its own memory
    if cookies:
        browser.cookies.update(cookies)
    return browser


def shown_by(browser: TestClient, address: str) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = browser.get(f"{address}/result")
        assert answer.status_code in (200, 204), answer.text
        if answer.status_code == 200:
            return answer.text
        time.sleep(0.2)
    raise AssertionError("the run did not finish within two minutes")


def test_a_close_started_on_one_worker_is_shown_by_another(site: Settings) -> None:
    first = worker(site)
    assert sign_in(first, Role.FINANCE.value, PASSWORD).status_code == 303
    second = worker(site, dict(first.cookies))  # the same browser, answered by another process
    address = close(first, period="2018-09")
    assert second.get(address).status_code == 200  # known before it is done
    outcome = shown_by(second, address)
    assert 'data-state="done"' in outcome
    assert "Snapshot 3 stored for 2018-09" in outcome
    assert len(list_forecasts(site)[1]) == 3
    # the latest close, as each worker's page shows it
    assert "Snapshot 3 stored" in worker(site, dict(first.cookies)).get("/close").text


def test_a_refused_close_is_shown_with_its_reasons_by_another_worker(site: Settings) -> None:
    first = worker(site)
    assert sign_in(first, Role.FINANCE.value, PASSWORD).status_code == 303
    second = worker(site, dict(first.cookies))
    outcome = shown_by(second, close(first, period="2019-01"))
    assert 'data-state="failed"' in outcome
    assert "2019-01" in outcome


def test_a_run_no_worker_knows_is_not_found(site: Settings) -> None:
    browser = worker(site)
    assert sign_in(browser, Role.FINANCE.value, PASSWORD).status_code == 303
    answer = browser.get("/close/runs/not-a-run")
    assert answer.status_code == 404


def test_a_run_kept_by_another_version_that_cannot_be_read_back_is_forgotten(
    site: Settings,
) -> None:
    from datetime import UTC, datetime

    from carecast.services.setup import store_transaction
    from carecast.store.web_jobs import save_job

    with store_transaction(site) as connection:
        save_job(
            connection,
            "old-run",
            kind="close",
            owner="finance",
            state="done",
            started_at=datetime.now(UTC),
            payload=b"not a pickle",
        )
    browser = worker(site)
    assert sign_in(browser, Role.FINANCE.value, PASSWORD).status_code == 303
    assert browser.get("/close/runs/old-run").status_code == 404
    assert browser.get("/close").status_code == 200  # the latest run unreadable: none shown
