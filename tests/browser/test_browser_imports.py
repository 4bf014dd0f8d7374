"""Imports from the browser, on the demo council's September 2018 placement costs: a file with
an amount that is not a number is shown with its error where it is (file, row, column) and
stores nothing; the file with one placement's weekly cost doubled is confirmed, stored, and the
forecast of September's close, run again from the browser, rises by what that placement costs
to the year end.

Hand-checked: the dearest open placement (DB120608, residential) costs £9,674.87 a week; doubled
from the last month closed (2018-09) to 31 March 2019, 182 days, it can add at most
£9,674.87 × 182 / 7 = £251,546.62 (less where the engine expects the placement to end early).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

from carecast.domain.accounts import Role
from carecast.services import list_imports
from tests.browser.browserhelp import axe_violations, blocking, screenshot
from tests.browser.conftest import NewPage, Site

AS_OF = "2018-09-30"  # the September extract's own date: the files describe that day
WEEKS_LEFT = Decimal(182) / 7  # 1 October 2018 to 31 March 2019
CLOSE_MS = 60_000  # a close of the demo takes about a second on an idle machine


def placement_costs(site: Site) -> list[list[str]]:
    source = site.folder / "demo" / "extracts" / "2018-09" / "placement_costs.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def written(rows: list[list[str]], folder: Path) -> Path:
    folder.mkdir()
    path = folder / "placement_costs.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def upload(page: Page, path: Path) -> None:
    page.goto("/imports")
    page.get_by_label("Files", exact=True).set_input_files(path)
    page.get_by_label("As of").fill(AS_OF)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the upload")


def pounds(text: str) -> Decimal:
    return Decimal(re.sub(r"[£,\s]", "", text))


def batches(site: Site) -> int:
    return len(list_imports(site.settings)[1])


def test_an_error_is_shown_where_it_is_and_nothing_is_stored(
    site: Site, new_page: NewPage, tmp_path: Path, screenshots: Path
) -> None:
    rows = placement_costs(site)
    weekly = rows[0].index("WEEKLY_COST")
    rows[3][weekly] = "lots"  # the file's fourth line: the header is row 1
    bad = written(rows, tmp_path / "bad")
    stored_before = batches(site)

    page = new_page(Role.FINANCE)
    upload(page, bad)
    expect(page.locator("#verdict")).to_contain_text("1 error(s)")
    expect(page.locator("#verdict")).to_contain_text("these files cannot be imported")
    # Errors first: the one error, located.
    first = page.locator("#problems tbody tr").first.locator("td")
    expect(first).to_have_text(
        [
            "placement_costs.csv",
            "4",
            "WEEKLY_COST",
            "bad-number",
            re.compile(r"^'lots' is not an amount in pounds"),
            "error",
        ]
    )
    expect(page.get_by_role("button", name=re.compile("Confirm"))).to_have_count(0)
    assert blocking(axe_violations(page)) == []  # the sortable problem table included
    screenshot(page, screenshots, "imports-problems-desktop")
    assert batches(site) == stored_before

    page.get_by_role("button", name="Discard").click()
    expect(page.get_by_role("status")).to_have_text("The upload was discarded; nothing was stored.")
    assert batches(site) == stored_before


def test_a_valid_file_is_confirmed_and_the_next_forecast_moves_by_it(
    site: Site, new_page: NewPage, tmp_path: Path
) -> None:
    rows = placement_costs(site)
    header = rows[0]
    weekly, end = header.index("WEEKLY_COST"), header.index("END_DATE")
    dearest = max((r for r in rows[1:] if not r[end]), key=lambda r: Decimal(r[weekly]))
    assert dearest[0] == "DB120608"
    extra = Decimal(dearest[weekly])
    assert extra == Decimal("9674.87")
    dearest[weekly] = str(extra * 2)
    good = written(rows, tmp_path / "good")
    stored_before = batches(site)

    page = new_page(Role.FINANCE)
    page.goto("/dashboard")
    forecast_before = pounds(page.locator("#total-forecast").inner_text())

    upload(page, good)
    expect(page.locator("#verdict")).to_contain_text("No errors")
    page.get_by_role("button", name="Confirm: import these files").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported")
    stored = page.locator("#stored tbody tr")
    expect(stored).to_have_count(1)
    expect(stored.locator("th, td")).to_have_text(["placement_costs", "654"])
    assert batches(site) == stored_before + 1

    # Finance closes September again, from the browser, and opens the new snapshot's dashboard.
    page.get_by_role("link", name="Close a period").click()
    page.get_by_label("Period (YYYY-MM)").fill("2018-09")
    page.get_by_role("button", name="Forecast and store the snapshot").click()
    expect(page.locator("#run")).to_have_attribute("data-state", "done", timeout=CLOSE_MS)
    page.get_by_role("link", name="Open its dashboard").click()
    rise = pounds(page.locator("#total-forecast").inner_text()) - forecast_before
    most = extra * WEEKS_LEFT
    assert most.quantize(Decimal("0.01")) == Decimal("251546.62")
    assert most / 2 < rise <= most
