"""The reports page (/reports) on the small council forecast at 2018-09: a report is generated in
the background by the service behind `carecast report`, its progress shown, and each format is
downloaded by the user who asked for it (or an administrator) and by no one else. A viewer's
report is always the publishable one.

Writing a report takes seconds (the PDF most), so one module-scoped store has the two reports
made once, on SQLite (the report service itself is tested on both databases in
tests/test_cli_report.py): finance's full report and a viewer's.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services import init_store
from carecast.web import create_app
from tests.webhelp import add_role_users, csrf_of, forecast_small_council, sign_in

PERIOD = "2018-09"
TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Site:
    settings: Settings
    browsers: dict[Role, TestClient]
    full: str  # finance's report's address
    public: str  # the viewer's
    early: str  # finance's report's panel just after it was asked for
    queued: str  # the viewer's, asked for while finance's was being written


def ask(browser: TestClient, form: dict[str, str]) -> str:
    """Send the reports form as the page does; the address of the report's page."""
    token = csrf_of(browser.get("/reports").text)
    answer = browser.post("/reports", data={**form, "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def finished(browser: TestClient, address: str, seconds: float = 300) -> str:
    """Poll the report's panel as the page does until it is done; the last panel."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        panel = browser.get(f"{address}/state")
        assert panel.status_code == 200
        if 'data-state="done"' in panel.text or 'data-state="failed"' in panel.text:
            return panel.text
        time.sleep(0.2)
    raise AssertionError(f"{address} was still being written after {seconds} s")


def started(browser: TestClient, address: str, seconds: float = 30) -> str:
    """The report's panel once its work has begun (and reported its first step)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        panel = browser.get(f"{address}/state").text
        if "(step " in panel or 'data-state="done"' in panel or 'data-state="failed"' in panel:
            return panel
        time.sleep(0.02)
    raise AssertionError(f"{address} had not started after {seconds} s")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("reports")
    settings = Settings(database_url=f"sqlite:///{folder / 'carecast.db'}")
    init_store(settings, "Test Borough", "999")
    forecast_small_council(settings, folder)
    add_role_users(settings)
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as first:
        browsers = {Role.FINANCE: first}
        for role in (Role.VIEWER, Role.ANALYST, Role.ADMIN):
            browsers[role] = TestClient(app, base_url="https://testserver")
            assert sign_in(browsers[role], role.value).status_code == 303
        assert sign_in(first, Role.FINANCE.value).status_code == 303
        full = ask(first, {"period": PERIOD})
        early = started(first, full)
        # The viewer asks for the full report; a viewer's is the publishable one all the same.
        public = ask(browsers[Role.VIEWER], {"period": PERIOD, "public": "off"})
        queued = browsers[Role.VIEWER].get(f"{public}/state").text
        yield Site(settings, browsers, full, public, early, queued)


def test_the_page_offers_the_periods_with_a_forecast_and_a_viewer_only_the_public_report(
    site: Site,
) -> None:
    finance = html.fromstring(site.browsers[Role.FINANCE].get("/reports").text)
    assert finance.xpath('//select[@name="period"]/option/@value') == ["2018-09", "2018-08"]
    assert finance.xpath('//input[@name="public"]')
    viewer = site.browsers[Role.VIEWER].get("/reports").text
    assert not html.fromstring(viewer).xpath('//input[@name="public"]')
    assert "your report is the publishable version" in viewer


def test_a_report_shows_its_progress_while_it_is_written_then_offers_each_format(
    site: Site,
) -> None:
    """make_report's five steps (gather, then HTML, PDF, Word and Excel), as it reports them."""
    early = html.fromstring(site.early)
    assert early.get_element_by_id("run").get("hx-trigger") == "every 1s"
    running = " ".join(early.find_class("running")[0].text_content().split())
    assert running == "Gathering the snapshot, activity and benchmarks (step 1 of 5)."
    bar = early.get_element_by_id("report-progress")
    assert (bar.get("value"), bar.get("max")) == ("0", "5")
    queued = html.fromstring(site.queued).find_class("running")[0].text_content()
    assert "Waiting for 1 piece of work started before it." in queued
    finance = site.browsers[Role.FINANCE]
    page = finance.get(site.full)
    assert page.status_code == 200
    assert f"the full report for {PERIOD}" in page.text
    panel = finished(finance, site.full)
    assert "Test Borough, 2018-09" in panel
    links = html.fromstring(panel).xpath('//ul[@class="downloads"]//a')
    assert [(a.get("href"), a.get("download")) for a in links] == [
        (f"{site.full}/{kind}", f"carecast-report-2018-09.{kind}") for kind in TYPES
    ]


def test_each_format_downloads_with_its_content_type_and_file_name(site: Site) -> None:
    finance = site.browsers[Role.FINANCE]
    finished(finance, site.full)
    files = {kind: finance.get(f"{site.full}/{kind}") for kind in TYPES}
    for kind, answer in files.items():
        assert answer.status_code == 200
        assert answer.headers["content-type"] == TYPES[kind]
        disposition = answer.headers["content-disposition"]
        assert disposition == f'attachment; filename="carecast-report-2018-09.{kind}"'
    assert files["pdf"].content.startswith(b"%PDF")
    for kind in ("docx", "xlsx"):
        assert zipfile.is_zipfile(io.BytesIO(files[kind].content))
    assert "Test Borough" in files["html"].text
    assert finance.get(f"{site.full}/csv").status_code == 404


def test_another_user_cannot_see_or_download_a_report_and_an_administrator_can(
    site: Site,
) -> None:
    finished(site.browsers[Role.FINANCE], site.full)
    analyst = site.browsers[Role.ANALYST]
    for address in (site.full, f"{site.full}/state", f"{site.full}/pdf"):
        refused = analyst.get(address)
        assert refused.status_code == 403
        assert "generated by another user" in refused.text
    assert site.browsers[Role.ADMIN].get(f"{site.full}/pdf").content.startswith(b"%PDF")
    anonymous = TestClient(create_app(site.settings), base_url="https://testserver")
    assert anonymous.get(f"{site.full}/pdf").status_code == 401


def test_a_viewers_report_is_the_publishable_version(site: Site) -> None:
    viewer = site.browsers[Role.VIEWER]
    panel = finished(viewer, site.public, seconds=600)
    assert "publishable version" in panel
    answer = viewer.get(f"{site.public}/html")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="carecast-report-2018-09-public.html"'
    )
    assert "Test Borough" in answer.text
    assert site.browsers[Role.FINANCE].get(f"{site.public}/html").status_code == 403


def test_a_period_without_a_forecast_returns_the_form_with_the_message(site: Site) -> None:
    finance = site.browsers[Role.FINANCE]
    token = csrf_of(finance.get("/reports").text)
    answer = finance.post("/reports", data={"period": "2017-03", "csrf_token": token})
    assert answer.status_code == 422
    problem = html.fromstring(answer.text).get_element_by_id("period-problem")
    assert problem.text_content() == "choose a period with a forecast (2018-09, 2018-08)"


def test_a_report_asked_for_without_the_csrf_token_is_refused(site: Site) -> None:
    refused = site.browsers[Role.FINANCE].post("/reports", data={"period": PERIOD})
    assert refused.status_code == 403
    assert "security token is missing" in refused.text
    assert site.browsers[Role.FINANCE].get("/reports/runs/no-such-run").status_code == 404


def test_another_worker_shows_the_report_and_serves_its_files(site: Site) -> None:
    """With several worker processes the report's page, its progress and its files may be asked
    of another worker than the one that wrote it: the run is kept in the store and the files in
    the store's shared directory, which outlives any one worker."""
    finance = site.browsers[Role.FINANCE]
    finished(finance, site.full)  # not left to the tests before it: they may run elsewhere
    other = TestClient(
        create_app(site.settings), base_url="https://testserver", cookies=dict(finance.cookies)
    )
    with other:
        assert other.get(site.full).status_code == 200
        pdf = other.get(f"{site.full}/pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
    shelf = finance.app.state.report_shelf  # type: ignore[attr-defined]
    assert shelf.root.is_dir()  # the other worker stopping left it for the rest
