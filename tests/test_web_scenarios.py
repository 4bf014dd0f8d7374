"""The scenario builder on a small store (SQLite and PostgreSQL): a form of levers, each problem
beside its field and nothing stored; a good scenario run in the background, saved, and shown
beside the baseline with its saving; the saved runs for everyone to read, running for finance."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.services.accounts import audit_entries
from carecast.services.scenarios import stored_run, stored_runs
from tests.test_web_projection import (
    assert_accessible,
    beside,
    cells,
    finished,
    projected_council,
    start,
)
from tests.webhelp import add_role_users, client, csrf_of, signed_in

RUN = {"years": "2", "paths": "200", "from": "", "seed": "7"}
CHEAPER_IFA = {
    **RUN,
    "name": "cheaper-ifa",
    "description": "Renegotiate agency fostering",
    "use.unit_cost": "on",
    "unit_cost.service_line": "placements_ifa",
    "unit_cost.change": "-0.1",
}


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    projected_council(settings, tmp_path / "extract")
    add_role_users(settings)
    return settings


def test_everyone_reads_the_saved_runs_and_finance_and_above_run_one(site: Settings) -> None:
    assert client(site).get("/scenarios").status_code == 401
    for role in Role:
        page = signed_in(site, role).get("/scenarios")
        assert page.status_code == 200
        assert "No scenario has been run yet." in page.text
        form = html.fromstring(page.text).xpath('//form[@action="/scenarios"]')
        assert bool(form) == role.includes(Role.FINANCE)
    analyst = signed_in(site, Role.ANALYST)
    token = csrf_of(analyst.get("/scenarios").text)  # the sign-out form's
    refused = analyst.post("/scenarios", data={**CHEAPER_IFA, "csrf_token": token})
    assert refused.status_code == 403
    assert "needs finance or above" in refused.text
    assert stored_runs(site) == []


def test_a_scenario_with_problems_shows_each_beside_its_field_and_stores_nothing(
    site: Settings,
) -> None:
    finance = signed_in(site, Role.FINANCE)
    bad = {
        **RUN,
        "name": "bad name!",
        "use.ifa_to_in_house": "on",
        "ifa_to_in_house.share": "1.5",
        "use.cla_rate": "on",
        "cla_rate.target": "rate",  # … and no rate given
        "use.agency_share": "on",
        "agency_share.target": "a tenth",
        "agency_share.by": "2019-03",
        "unit_cost.change": "-0.1",  # not ticked: not used, not checked
    }
    answer = start(finance, "/scenarios", bad)
    assert answer.status_code == 422
    assert_accessible(answer.text)
    page = html.fromstring(answer.text)
    problems = {
        "name": "the text 'bad name!' is not a scenario name: use 1–60 letters, digits, '-', "
        "'_' or spaces, not starting or ending with a space, like neighbours-rate",
        "ifa_to_in_house-share": "1.5 is impossible here: it must be a fraction above 0 and at "
        "most 1, like 0.2",
        "cla_rate-target_rate": "this is needed: fill it in",
        "agency_share-target": "this must be a fraction from 0 up to (not including) 1, like "
        "0.11; got the text 'a tenth'",
    }
    for field, message in problems.items():
        (element,) = page.xpath(f'//*[@id="{field}"]')
        assert element.get("aria-invalid") == "true"
        assert f"{field}-problem" in element.get("aria-describedby", "")
        assert cells(page, f'//*[@id="{field}-problem"]') == [message]
        assert page.xpath(f'//div[@id="problem-summary"]//a[@href="#{field}"]')
    assert len(page.xpath('//div[@id="problem-summary"]//li')) == len(problems)
    assert page.xpath('//input[@id="use-ifa_to_in_house"]/@checked')  # the form as it was sent
    assert page.xpath('//input[@id="ifa_to_in_house-share"]/@value') == ["1.5"]
    assert "Traceback" not in answer.text
    nothing = start(finance, "/scenarios", {**RUN, "name": "empty"})
    assert nothing.status_code == 422
    assert cells(html.fromstring(nothing.text), '//*[@id="levers-problem"]') == [
        "choose at least one lever, and fill in its fields"
    ]
    assert stored_runs(site) == []


def test_a_scenario_runs_in_the_background_is_saved_and_shows_its_saving(
    site: Settings,
) -> None:
    finance = signed_in(site, Role.FINANCE)
    started = start(finance, "/scenarios", CHEAPER_IFA)
    assert started.status_code == 303
    address = started.headers["location"]
    running = html.fromstring(finance.get(address).text)
    assert running.xpath('//div[@id="run"]/@hx-get') in ([], [f"{address}/result"])
    result = html.fromstring(finished(finance, address).text)
    assert result.xpath('//div[@id="run"]/@data-state') == ["done"]
    assert result.xpath('//*[@id="run-announce"]')[0].text == "The scenario run is done."
    (saved,) = stored_runs(site)
    assert (saved.name, saved.files, saved.years, saved.paths, saved.seed) == (
        "cheaper-ifa",
        ["web form"],
        2,
        200,
        7,
    )
    assert saved.levers == [
        {"kind": "unit_cost", "service_line": "placements_ifa", "change": -0.1, "start": None}
    ]
    # the run is a change: in the audit log, who ran it and its levers
    (audited,) = [e for e in audit_entries(site) if e.action == "scenario_run"]
    assert audited.subject == "cheaper-ifa"
    assert audited.actor == "finance"
    assert audited.after is not None
    assert audited.after["levers"] == saved.levers
    # Only the agency fostering line is priced: a tenth off its weekly prices saves a tenth of
    # its baseline cost on every path, so each year's saving and its band are a tenth of the
    # baseline's (to the pound: the stored figures are rounded).
    years = zip(
        saved.result["baseline"], saved.result["years"], saved.result["saving"], strict=True
    )
    for base, own, saving in years:
        (ifa,) = [x for x in base["lines"] if x["service_line"] == "placements_ifa"]
        for key in ("central", "p10", "p90"):
            assert abs(saving[key] - ifa[key] / 10) <= 1
        row = cells(result, f'//table[@id="saving"]//tr[@data-year="{saving["financial_year"]}"]/*')
        assert row[1:] == [
            f"£{base['cost']['central']:,}",
            f"£{own['cost']['central']:,}",
            f"£{saving['central']:,}",
            f"£{saving['p10']:,}",
            f"£{saving['p90']:,}",
        ]
        assert saving["central"] > 40_000  # about £800 × 52 weeks × 9 children and more / 10
    arithmetic = cells(result, '//ol[@class="levers"]/li')
    assert arithmetic[0].startswith(
        "Lower the weekly price of placements in independent fostering agencies by 10% from "
        "the projection's first month. 2018-19: Independent fostering agencies at -10% of its "
        "weekly prices: £"
    )
    # the saved runs list it, and its page shows it as stored, to a viewer too
    viewer = beside(finance, Role.VIEWER)
    listed = html.fromstring(viewer.get("/scenarios").text)
    assert listed.xpath('//table[@id="saved"]//a/@href') == ["/scenarios/saved/cheaper-ifa"]
    assert_accessible(finance.get(address).text)
    saved_page = viewer.get("/scenarios/saved/cheaper-ifa").text
    assert_accessible(saved_page)
    stored = html.fromstring(saved_page)
    assert cells(stored, '//table[@id="saving"]//td') == cells(result, '//table[@id="saving"]//td')
    assert stored_run(site, "cheaper-ifa").result == saved.result
    assert viewer.get("/scenarios/saved/no-such-scenario").status_code == 404


def test_a_lever_outside_the_projection_is_placed_on_its_field_and_nothing_is_saved(
    site: Settings,
) -> None:
    finance = signed_in(site, Role.FINANCE)
    late = {**CHEAPER_IFA, "unit_cost.start": "2031-04"}
    address = start(finance, "/scenarios", late).headers["location"]
    result = html.fromstring(finished(finance, address).text)
    (problem,) = result.xpath('//div[@id="run"]//div[@role="alert"]//li')
    assert problem.xpath(".//a/@href") == ["#unit_cost-start"]
    assert " ".join(problem.text_content().split()) == (
        "Weekly price of a placement line changes: Starting in: 2031-04 is outside the "
        "projection, which runs from 2018-04 to 2020-03; move it to 2020-03 or earlier, or "
        "project over a horizon that holds it"
    )
    page = html.fromstring(finance.get(address).text)  # the form again, filled in as it was sent
    assert page.xpath('//input[@id="unit_cost-start"]/@value') == ["2031-04"]
    assert stored_runs(site) == []


def test_the_form_needs_its_csrf_token(site: Settings) -> None:
    finance = signed_in(site, Role.FINANCE)
    refused = finance.post("/scenarios", data=CHEAPER_IFA)
    assert refused.status_code == 403
    assert "security token is missing or out of date" in refused.text
    forged = finance.post("/scenarios", data={**CHEAPER_IFA, "csrf_token": "forged"})
    assert forged.status_code == 403
    assert stored_runs(site) == []
    assert finance.get("/scenarios/runs/no-such-run/result").status_code == 404
