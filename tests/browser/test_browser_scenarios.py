"""A scenario built in the form, run in the background while the page polls for it, and its
comparison with the baseline shown in place when it is done."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from carecast.domain.accounts import Role
from tests.browser.browserhelp import axe_violations, blocking, screenshot
from tests.browser.conftest import NewPage

SCENARIO_SECONDS = 90  # one year of 100 paths, twice (baseline and scenario), on a busy machine


def pounds(text: str) -> int:
    """'£1,234' or '−£1,234' as whole pounds."""
    found = re.fullmatch(r"([−-])?£([\d,]+)", text.strip())
    assert found, text
    value = int(found.group(2).replace(",", ""))
    return -value if found.group(1) else value


def test_a_scenario_runs_in_the_background_and_its_comparison_appears(
    new_page: NewPage, screenshots: Path
) -> None:
    page = new_page(Role.FINANCE)
    page.goto("/scenarios")
    form = page.locator("form.run-form")
    form.get_by_label("Name", exact=True).fill("cheaper-fostering-agencies")
    form.get_by_label("Years ahead").select_option("1")
    form.get_by_label("Simulated paths").fill("100")
    form.get_by_label("Seed").fill("7")
    form.get_by_label("Weekly price of a placement line changes").check()
    form.locator("#unit_cost-service_line").select_option("placements_ifa")
    form.locator("#unit_cost-change").fill("-0.1")
    form.get_by_role("button", name="Run the scenario").click()

    run = page.locator("#run")
    expect(run).to_be_visible()
    expect(page).to_have_url(re.compile(r"/scenarios/runs/[\w-]+$"))
    page.evaluate("window.stillThisPage = true")  # gone if the page were loaded again
    expect(run).to_have_attribute("data-state", "done", timeout=SCENARIO_SECONDS * 1000)
    expect(page.locator("#run-announce")).to_have_text("The scenario run is done.")
    rows = page.locator("#saving tbody tr")
    # A year ahead of September 2018 reaches into two financial years: 2018-19's last months
    # and 2019-20's first.
    expect(rows).to_have_count(2)
    for row in rows.all():
        baseline, scenario, saving, low, high = (
            pounds(row.locator("td").nth(i).inner_text()) for i in range(5)
        )
        # A tenth off the agency price: the scenario costs less, the saving is at most a tenth
        # of the whole, and it sits in its 80% band. Paired path by path, the central saving is
        # the middle of the paths' savings, near (not equal to) the difference of the central
        # costs, which lies in the band too.
        assert scenario < baseline
        assert 0 < low <= saving <= high < baseline / 10
        assert low <= baseline - scenario <= high
    expect(run.get_by_role("link", name="cheaper-fostering-agencies")).to_be_visible()
    # … and the saved runs below list it, without the page being loaded again.
    expect(
        page.locator("#saved").get_by_role("link", name="cheaper-fostering-agencies")
    ).to_be_visible()
    # The result came by htmx's poll into the page, not by loading it again.
    assert page.evaluate("window.stillThisPage === true")
    assert blocking(axe_violations(page)) == []  # the comparison as it arrived
    screenshot(page, screenshots, "scenario-result-desktop")
