"""The committee report from the browser: generated in the background while the page shows its
progress, then the PDF downloaded by its link — a real PDF of the period asked for."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from carecast.domain.accounts import Role
from tests.browser.browserhelp import axe_violations, blocking, screenshot
from tests.browser.conftest import NewPage

REPORT_SECONDS = 180  # four formats, the PDF the slowest, on a busy two-core machine


def test_finance_generates_the_report_and_downloads_its_pdf(
    new_page: NewPage, tmp_path: Path, screenshots: Path
) -> None:
    page = new_page(Role.FINANCE)
    page.goto("/reports")
    page.get_by_label("Period").select_option("2018-09")
    page.get_by_role("button", name="Generate the report").click()

    run = page.locator("#run")
    expect(run).to_contain_text("the full report for 2018-09")
    expect(run).to_have_attribute("data-state", "done", timeout=REPORT_SECONDS * 1000)
    expect(page.locator("#run-announce")).to_have_text("The report is ready to download.")
    assert blocking(axe_violations(page)) == []  # the download links as they arrived
    screenshot(page, screenshots, "reports-done-desktop")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF report").click()
    download = download_info.value
    assert download.suggested_filename == "carecast-report-2018-09.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    assert saved.read_bytes().startswith(b"%PDF-")
    reader = PdfReader(saved)
    assert len(reader.pages) > 1
    first = reader.pages[0].extract_text()
    assert "Demo Borough (fictional)" in first
    assert "2018-09" in first or "September 2018" in first
