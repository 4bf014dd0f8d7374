"""The projection page on a small store (SQLite and PostgreSQL): everyone signed in reads it,
analysts and above start a run, which goes on in the background while the page polls for it; the
result is the service's, figure for figure; a form with problems shows each beside its field."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services import import_paths
from carecast.services.projection import run_financial_plan
from tests.test_cli_project import AS_OF, PLACES, _small_council
from tests.webhelp import add_role_users, client, csrf_of, sign_in, signed_in

IFA_WEEKLY = 800
RUN = {"years": "2", "paths": "200", "from": "", "seed": "7"}
YEARS = ("2018-19", "2019-20")


def projected_council(settings: Settings, folder: Path) -> None:
    """The projection tests' council (tests/test_cli_project.py): 90 children entering care
    from April 2015, 45 looked after on 31 March 2018; here the 9 of them placed with an agency
    (IFA) are costed at £800 a week, and the IFA line has a budget of £300,000 in 2018-19 and
    £320,000 in 2019-20. Nothing else is priced."""
    extract = _small_council(folder)
    costs = ["CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,CONTRIBUTION_PCT,"]
    costs[0] += "COST_CENTRE\n"
    for i in range(90):
        start = date(2015, 4, 1) + timedelta(days=12 * i)
        end = start + timedelta(days=200 + 7 * (i % 30)) if i % 3 else None
        if PLACES[i % len(PLACES)] == ("U4", "PR4") and (end is None or end > AS_OF):
            costs.append(f"C{i},placements_ifa,Agency,{start},,{IFA_WEEKLY},,IFA1\n")
    assert len(costs) == 1 + 9
    (extract / "placement_costs.csv").write_text("".join(costs), encoding="utf-8")
    (extract / "cost_centres.csv").write_text(
        "COST_CENTRE,SERVICE_LINE\nIFA1,placements_ifa\n", encoding="utf-8"
    )
    (extract / "budget.csv").write_text(
        "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n"
        "2018-19,placements_ifa,300000\n2019-20,placements_ifa,320000\n",
        encoding="utf-8",
    )
    import_paths(settings, [extract], AS_OF)


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    projected_council(settings, tmp_path / "extract")
    add_role_users(settings)
    return settings


def finished(browser: TestClient, address: str, seconds: float = 120) -> Response:
    """Poll a run as the page does until it is done; its result."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = browser.get(f"{address}/result")
        if answer.status_code != 204:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"{address} was still running after {seconds} s")


def start(
    browser: TestClient, path: str, form: dict[str, str], action: str | None = None
) -> Response:
    """Open the page at `path` and send its form (to `action`, by default the same path)."""
    page = browser.get(path)
    return browser.post(
        action or path, data={**form, "csrf_token": csrf_of(page.text)}, follow_redirects=False
    )


def beside(browser: TestClient, role: Role) -> TestClient:
    """Another browser on the same application (the runs live in the application that started
    them), signed in with `role`."""
    other = TestClient(browser.app, base_url="https://testserver", raise_server_exceptions=False)
    assert sign_in(other, role.value).status_code == 303
    return other


def assert_accessible(text: str) -> None:
    """What assistive technology leans on: no id twice; every label, description and in-page
    link pointing at an element that exists; every field labelled; no heading level skipped."""
    page = html.fromstring(text)
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    pointed = [
        *(r for v in page.xpath("//@aria-describedby|//@aria-labelledby") for r in v.split()),
        *page.xpath("//label/@for"),
        *(h[1:] for h in page.xpath("//a/@href") if h.startswith("#")),
    ]
    assert set(pointed) <= set(ids), set(pointed) - set(ids)
    fields = page.xpath("//input[not(@type='hidden')]|//select|//textarea")
    assert {f.get("id") for f in fields} <= set(page.xpath("//label/@for"))
    levels = [int(h.tag[1]) for h in page.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    assert levels[:1] == [1]
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels


def cells(page: html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(c.text_content().split()) for c in page.xpath(xpath)]


def test_everyone_reads_the_page_and_analysts_and_above_run_it(site: Settings) -> None:
    assert client(site).get("/projection").status_code == 401
    for role in Role:
        browser = signed_in(site, role)
        page = browser.get("/projection")
        assert page.status_code == 200
        form = html.fromstring(page.text).xpath('//form[@action="/projection"]')
        assert bool(form) == role.includes(Role.ANALYST)
    viewer = signed_in(site, Role.VIEWER)
    token = csrf_of(viewer.get("/projection").text)  # the sign-out form's
    refused = viewer.post("/projection", data={**RUN, "csrf_token": token})
    assert refused.status_code == 403
    assert "needs analyst or above" in refused.text
    assert "No projection has been run" in viewer.get("/projection").text


def test_a_run_goes_on_in_the_background_and_shows_the_services_figures(
    site: Settings,
) -> None:
    analyst = signed_in(site, Role.ANALYST)
    started = start(analyst, "/projection", RUN)
    assert started.status_code == 303
    address = started.headers["location"]
    assert address.startswith("/projection/runs/")
    result = html.fromstring(finished(analyst, address).text)
    (panel,) = result.xpath('//div[@id="run"]')
    assert panel.get("data-state") == "done"
    assert panel.get("hx-trigger") is None  # done: the page stops asking
    assert result.xpath('//*[@id="run-announce"][@hx-swap-oob]')[0].text == (
        "The projection is done."
    )
    # The same seed and paths through the service: the page shows its figures.
    run, plan = run_financial_plan(site, 2, paths=200, seed=7)
    assert run.projection.start_children == 45
    assert "45 children looked after on 2018-03-31" in " ".join(panel.text_content().split())
    for year in run.projection.years:
        row = cells(result, f'//table[@id="children"]//tr[@data-year="{year.financial_year}"]/*')
        band = (year.children.p10, year.children.p50, year.children.p90)
        assert row[2:5] == [f"{v:,.0f}" if v == int(v) else f"{v:,.1f}" for v in band]
    for planned in plan.years:
        row = cells(result, f'//table[@id="plan"]//tr[@data-year="{planned.financial_year}"]/*')
        assert row[1] == f"£{planned.cost.p50:,.0f}"
        assert row[4] == f"£{planned.budget:,.0f}"
        variance = planned.cost.p50 - float(planned.budget or 0)
        assert row[5] == ("+" if variance > 0 else "−") + f"£{abs(variance):,.0f}"
        ifa = cells(
            result,
            f'//table[@id="lines-{planned.financial_year}"]//tr[@data-line="placements_ifa"]/*',
        )
        assert ifa[0] == "Independent fostering agencies"
    # only the IFA line is priced, and its budget is the year's (hand-set above)
    assert [cells(result, f'//table[@id="plan"]//tr[@data-year="{y}"]/td[4]') for y in YEARS] == [
        ["£300,000"],
        ["£320,000"],
    ]
    # the run's own page shows the same result to a viewer (aggregates only)
    viewer = beside(analyst, Role.VIEWER)
    shown = viewer.get(address).text
    assert_accessible(shown)
    again = html.fromstring(shown)
    assert cells(again, '//table[@id="plan"]//td') == cells(result, '//table[@id="plan"]//td')
    assert not again.xpath('//form[@action="/projection"]')
    latest = html.fromstring(viewer.get("/projection").text)  # and the latest run on the page
    assert cells(latest, '//table[@id="plan"]//td') == cells(result, '//table[@id="plan"]//td')


def test_the_page_stays_usable_while_a_run_is_going(
    site: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import carecast.web.routes.projection as routes

    release = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(60)
        return run_financial_plan(*args, **kwargs)

    monkeypatch.setattr(routes, "run_financial_plan", slow)
    analyst = signed_in(site, Role.ANALYST)
    address = start(analyst, "/projection", RUN).headers["location"]
    running = html.fromstring(analyst.get(address).text)
    (panel,) = running.xpath('//div[@id="run"]')
    assert panel.get("data-state") in ("waiting", "running")
    assert panel.get("hx-get") == f"{address}/result"
    assert panel.get("hx-trigger") == "every 1s"
    assert analyst.get(f"{address}/result").status_code == 204  # nothing to swap yet
    assert analyst.get("/snapshots").status_code == 200  # other pages are served meanwhile
    release.set()
    assert "The projection is done." in finished(analyst, address).text


def test_a_form_with_problems_shows_each_beside_its_field_and_runs_nothing(
    site: Settings,
) -> None:
    analyst = signed_in(site, Role.ANALYST)
    bad = {"years": "9", "paths": "lots", "from": "2018-13", "seed": "7"}
    answer = start(analyst, "/projection", bad)
    assert answer.status_code == 422
    assert_accessible(answer.text)
    page = html.fromstring(answer.text)
    summary = cells(page, '//div[@id="problem-summary"]//li')
    assert summary == [
        "Years ahead: give a whole number of years from 1 to 5",
        "Simulated paths: give a whole number of paths from 100 to 5,000",
        "From the end of: give a month as YYYY-MM, like 2018-03, or leave it empty for the "
        "data's last month end",
    ]
    for field in ("years", "paths", "from"):
        (element,) = page.xpath(f'//*[@id="{field}"]')
        assert element.get("aria-invalid") == "true"
        assert f"{field}-problem" in element.get("aria-describedby", "")
    assert page.xpath('//input[@id="paths"]/@value') == ["lots"]  # what was typed is kept
    assert "No projection has been run" in analyst.get("/projection").text


def test_a_refused_run_says_why_on_its_panel(site: Settings) -> None:
    analyst = signed_in(site, Role.ANALYST)
    address = start(analyst, "/projection", {**RUN, "from": "2019-06"}).headers["location"]
    result = finished(analyst, address)
    panel = " ".join(
        html.fromstring(result.text).xpath('//div[@id="run"]')[0].text_content().split()
    )
    assert "The run could not be completed: --from 2019-06: the data ends on 31 March 2018" in panel
    assert "Traceback" not in result.text


def test_the_form_needs_its_csrf_token_and_a_run_its_address(site: Settings) -> None:
    analyst = signed_in(site, Role.ANALYST)
    refused = analyst.post("/projection", data=RUN)
    assert refused.status_code == 403
    assert "security token is missing or out of date" in refused.text
    assert "No projection has been run" in analyst.get("/projection").text
    assert analyst.get("/projection/runs/no-such-run").status_code == 404
    assert analyst.get("/projection/runs/no-such-run/result").status_code == 404
    assert client(site).get("/projection/runs/no-such-run").status_code == 401
