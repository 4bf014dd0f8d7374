"""The web application on a real store (SQLite and PostgreSQL): signing in, the role matrix over
every route, CSRF, the dashboard's figures against the snapshot's, and the one error shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.codes import ServiceLine
from carecast.domain.money import to_pence
from carecast.services.dashboard import dashboard, line_placements
from carecast.web import create_app
from tests.webhelp import (
    CHILDREN,
    PASSWORD,
    add_role_users,
    client,
    csrf_of,
    forecast_small_council,
    sign_in,
    signed_in,
)


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> tuple[Settings, int]:
    """A store with two closes of the small council and a user of every role (named after it)."""
    snapshot_id = forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings, snapshot_id


def matrix(snapshot_id: int) -> list[tuple[str, Role | None]]:
    """Every GET route with the least role that may use it (None: anyone)."""
    return [
        ("/login", None),
        ("/", Role.VIEWER),
        ("/dashboard", Role.VIEWER),
        ("/dashboard?period=2018-08", Role.VIEWER),
        ("/snapshots", Role.VIEWER),
        (f"/snapshots/{snapshot_id}", Role.VIEWER),
        (f"/snapshots/{snapshot_id}/lines/placements_ifa", Role.ANALYST),
        ("/children/ZQX4417", Role.ANALYST),  # a child's timeline: never for viewers
        ("/movements", Role.VIEWER),
        ("/movements?since=2018-08&period=2018-09", Role.VIEWER),
        ("/reconciliation", Role.VIEWER),
        ("/reconciliation?period=2018-09", Role.VIEWER),
        ("/benchmarking?la_code=209", Role.VIEWER),  # the store's council (999) is no real one
        ("/track-record", Role.VIEWER),
        ("/track-record?year=2018-19", Role.VIEWER),
        ("/projection", Role.VIEWER),
        ("/scenarios", Role.VIEWER),
        ("/admin/users", Role.ADMIN),
        ("/admin/audit", Role.ADMIN),
        ("/admin/audit.csv", Role.ADMIN),
        ("/actions?period=2018-09", Role.VIEWER),
        ("/actions/row?period=2018-09&id=", Role.VIEWER),
        ("/actions/edit?period=2018-09", Role.FINANCE),
        ("/actions/commentary?period=2018-09&section=summary", Role.VIEWER),
        ("/actions/commentary/edit?period=2018-09&section=summary", Role.FINANCE),
        ("/reports", Role.VIEWER),
        ("/imports", Role.FINANCE),
        ("/close", Role.VIEWER),
    ]


# Routes whose roles are tested where their runs are made (tests/test_web_projection.py,
# test_web_scenarios.py, test_web_track_record.py, test_web_reports.py, test_web_actions.py,
# test_web_imports.py, test_web_close.py): a run's or an upload's address exists only once it has
# started.
RUN_ROUTES = {
    ("POST", "/track-record/backtests"),
    ("GET", "/track-record/backtests/{job_id}"),
    ("GET", "/track-record/backtests/{job_id}/result"),
    ("POST", "/projection"),
    ("GET", "/projection/runs/{job_id}"),
    ("GET", "/projection/runs/{job_id}/result"),
    ("POST", "/scenarios"),
    ("GET", "/scenarios/runs/{job_id}"),
    ("GET", "/scenarios/runs/{job_id}/result"),
    ("GET", "/scenarios/saved/{name}"),
    ("POST", "/reports"),
    ("GET", "/reports/runs/{job_id}"),
    ("GET", "/reports/runs/{job_id}/state"),
    ("GET", "/reports/runs/{job_id}/{kind}"),
    ("POST", "/actions/save"),
    ("POST", "/actions/commentary"),
    ("POST", "/imports"),
    ("GET", "/imports/{upload_id}"),
    ("GET", "/imports/{upload_id}/problems.{suffix}"),
    ("POST", "/imports/{upload_id}/confirm"),
    ("POST", "/imports/{upload_id}/discard"),
    ("POST", "/close"),
    ("GET", "/close/runs/{job_id}"),
    ("GET", "/close/runs/{job_id}/result"),
}


def test_every_route_is_in_the_role_matrix(settings: Settings) -> None:
    paths = create_app(settings).openapi()["paths"]
    routes = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    covered = {("GET", re.sub(r"\d+", "{snapshot_id}", p.split("?")[0])) for p, _ in matrix(1)}
    covered = {(m, p.replace("/lines/placements_ifa", "/lines/{line}")) for m, p in covered}
    covered = {(m, re.sub(r"^/children/.*", "/children/{child_id}", p)) for m, p in covered} | {
        ("POST", "/login"),
        ("POST", "/logout"),
    }
    assert routes == covered | RUN_ROUTES


def test_each_page_as_each_role_and_anonymously(site: tuple[Settings, int]) -> None:
    settings, snapshot_id = site
    outcomes: dict[tuple[str, str], int] = {}
    expected: dict[tuple[str, str], int] = {}
    browsers = {"anonymous": client(settings)} | {r.value: signed_in(settings, r) for r in Role}
    for who, browser in browsers.items():
        role = None if who == "anonymous" else Role(who)
        for path, least in matrix(snapshot_id):
            response = browser.get(path, follow_redirects=False)
            outcomes[who, path] = response.status_code
            if least is None:
                expected[who, path] = 200 if role is None else 303  # signed in: on to the dashboard
            elif role is None:
                expected[who, path] = 401
            elif role.includes(least):
                expected[who, path] = 303 if path == "/" else 200
            else:
                expected[who, path] = 403
    assert outcomes == expected


def test_signing_in_and_the_messages_of_a_refusal(site: tuple[Settings, int]) -> None:
    settings, _ = site
    browser = client(settings)
    first = browser.get("/dashboard")
    assert first.status_code == 401
    assert "Sign in to see this page." in first.text
    wrong = sign_in(browser, "viewer", "not the password")
    assert wrong.status_code == 401
    assert "The name or password is not right." in wrong.text
    assert 'value="viewer"' in wrong.text  # the name typed is kept, never the password
    assert "not the password" not in wrong.text
    unknown = sign_in(browser, "nobody", PASSWORD)
    assert unknown.status_code == 401
    assert "The name or password is not right." in unknown.text
    good = sign_in(browser, "viewer")
    assert good.status_code == 303
    cookie = next(
        h for h in good.headers.get_list("set-cookie") if h.startswith("carecast_session=")
    )
    assert {"HttpOnly", "Secure", "SameSite=strict"} <= {p.strip() for p in cookie.split(";")}
    page = browser.get("/dashboard")
    assert page.status_code == 200
    assert "viewer (viewer)" in page.text
    out = browser.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert browser.get("/dashboard").status_code == 401


def test_signing_in_leads_back_to_the_page_asked_for(site: tuple[Settings, int]) -> None:
    settings, _ = site
    browser = client(settings)
    asked = browser.get("/dashboard?period=2018-08")
    assert asked.status_code == 401
    assert 'name="next" value="/dashboard?period=2018-08"' in asked.text
    form = {"name": "viewer", "password": "wrong password!", "next": "/dashboard?period=2018-08"}
    refused = browser.post("/login", data={**form, "csrf_token": csrf_of(asked.text)})
    assert 'name="next" value="/dashboard?period=2018-08"' in refused.text
    form["password"] = PASSWORD
    done = browser.post(
        "/login", data={**form, "csrf_token": csrf_of(refused.text)}, follow_redirects=False
    )
    assert done.headers["location"] == "/dashboard?period=2018-08"
    elsewhere = sign_in(client(settings), "viewer")
    assert elsewhere.headers["location"] == "/"
    away = client(settings)
    page = away.get("/login?next=//elsewhere.example/")
    landed = away.post(
        "/login",
        data={
            "name": "viewer",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//elsewhere.example/",
        },
        follow_redirects=False,
    )
    assert landed.headers["location"] == "/"  # never to another site


def test_an_htmx_request_that_fails_loads_the_whole_page(site: tuple[Settings, int]) -> None:
    settings, _ = site
    swap = client(settings).get("/dashboard?period=2018-08", headers={"HX-Request": "true"})
    assert swap.status_code == 401
    assert swap.headers["hx-redirect"] == "https://testserver/dashboard?period=2018-08"


def test_an_account_locks_after_repeated_failures(site: tuple[Settings, int]) -> None:
    settings, _ = site
    browser = client(settings)
    for _ in range(settings.login_attempts):
        assert "not right" in sign_in(browser, "analyst", "wrong password!").text
    locked = sign_in(browser, "analyst")  # the right password, too late
    assert locked.status_code == 401
    assert "This account is locked after 5 failed sign-ins until" in locked.text
    assert sign_in(client(settings), "viewer").status_code == 303  # others are not affected


def test_forms_without_their_csrf_token_are_refused(site: tuple[Settings, int]) -> None:
    settings, _ = site
    browser = client(settings)
    browser.get("/login")
    refused = browser.post("/login", data={"name": "viewer", "password": PASSWORD})
    assert refused.status_code == 403
    assert "security token is missing or out of date" in refused.text
    forged = browser.post(
        "/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    other = signed_in(settings, Role.ADMIN)
    assert other.post("/logout", data={}).status_code == 403
    stranger_token = csrf_of(client(settings).get("/login").text)
    assert other.post("/logout", data={"csrf_token": stranger_token}).status_code == 403
    assert other.get("/dashboard").status_code == 200  # still signed in


def _pence(row: html.HtmlElement) -> list[int]:
    return [int(v) for v in row.xpath(".//data/@value")]


def test_the_dashboard_shows_the_snapshots_figures_to_the_penny(
    site: tuple[Settings, int],
) -> None:
    settings, snapshot_id = site
    page = html.fromstring(signed_in(settings, Role.VIEWER).get("/dashboard").text)
    board = dashboard(settings)
    forecast = board.snapshot.forecast
    assert board.snapshot.snapshot_id == snapshot_id
    assert [p.label for p in board.periods] == ["2018-08", "2018-09"]
    for line in forecast.lines:
        (row,) = page.xpath(f'//tr[@data-line="{line.service_line.value}"]')
        figures = (
            line.budget,
            line.actual_to_date,
            line.committed,
            line.demand_allowance,
            line.forecast_outturn,
            line.p10,
            line.p90,
            line.variance,
        )
        assert _pence(row) == [to_pence(v) for v in figures if v is not None]
    assert _pence(page.get_element_by_id("total-budget")) == [to_pence(forecast.budget)]
    assert _pence(page.get_element_by_id("total-forecast")) == [to_pence(forecast.forecast_outturn)]
    assert _pence(page.get_element_by_id("total-variance")) == [to_pence(forecast.variance)]
    interval = board.variance_interval
    assert interval is not None
    assert _pence(page.get_element_by_id("total-variance-interval")) == [
        to_pence(interval[0]),
        to_pence(interval[1]),
    ]
    # the hand-computed outturn of the small council (tests/fixtures_small.py): £652,950.00
    assert to_pence(forecast.forecast_outturn) == 65_295_000
    # a viewer is not offered the placements behind a line
    assert not page.xpath('//a[contains(@href, "/lines/")]')


def test_an_earlier_period_is_picked_by_its_label(site: tuple[Settings, int]) -> None:
    settings, _ = site
    page = signed_in(settings, Role.VIEWER).get("/dashboard?period=2018-08")
    caption = html.fromstring(page.text).get_element_by_id("snapshot-caption").text_content()
    assert " ".join(caption.split()).startswith(
        "Period 2018-08 (financial year 2018-19): snapshot "
    )
    assert signed_in(settings, Role.VIEWER).get("/dashboard?period=2019-01").status_code == 404
    assert signed_in(settings, Role.VIEWER).get("/dashboard?period=2018-13").status_code == 400


def test_an_analyst_sees_the_placements_behind_a_line(site: tuple[Settings, int]) -> None:
    settings, snapshot_id = site
    browser = signed_in(settings, Role.ANALYST)
    board = html.fromstring(browser.get("/dashboard").text)
    assert board.xpath(f'//a[@href="/snapshots/{snapshot_id}/lines/placements_ifa"]')
    page = browser.get(f"/snapshots/{snapshot_id}/lines/placements_ifa")
    (row,) = html.fromstring(page.text).xpath('//table[@id="placements"]/tbody/tr')
    cells = [c.text_content().strip() for c in row.xpath("./th|./td")]
    assert cells[:5] == [CHILDREN["C1"], "U4", "Agency", "01 May 2018", "£910.00"]
    found = line_placements(settings, snapshot_id, ServiceLine.PLACEMENTS_IFA)
    assert _pence(row) == [to_pence(found.rows[0].weekly_cost), to_pence(found.rows[0].committed)]
    assert browser.get(f"/snapshots/{snapshot_id}/lines/staffing").status_code == 404


def test_failures_have_one_shape_html_for_browsers_json_under_api(
    site: tuple[Settings, int],
) -> None:
    settings, _ = site
    browser = signed_in(settings, Role.VIEWER)
    assert browser.get("/api/anything").json() == {
        "error": {"status": 404, "code": "http_404", "message": "There is no such page."}
    }
    anonymous = client(settings).get("/dashboard", headers={"accept": "application/json"})
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_signed_in"
    page = browser.get("/snapshots/999")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "there is no forecast snapshot 999" in page.text
    assert browser.get("/admin/audit").status_code == 403


def test_pages_are_not_cached_or_framed(site: tuple[Settings, int]) -> None:
    settings, _ = site
    page = signed_in(settings, Role.VIEWER).get("/dashboard")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    script = client(settings).get("/static/htmx-2.0.11.min.js")
    assert script.status_code == 200
    assert script.text.startswith("var htmx=")


def test_a_session_ends_after_the_idle_time(
    site: tuple[Settings, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = site
    browser = signed_in(settings, Role.VIEWER)
    assert browser.get("/dashboard").status_code == 200
    from datetime import timedelta

    from carecast.services import accounts

    now = accounts._now()
    later = now + timedelta(minutes=settings.session_idle_minutes + 1)
    monkeypatch.setattr(accounts, "_now", lambda: later)
    ended = browser.get("/dashboard")
    assert ended.status_code == 401
    assert "Your session ended after 30 minutes without activity" in ended.text
    assert browser.get("/dashboard").status_code == 401  # and it stays ended
