"""The main pages as Chromium draws them, on a 1366×768 screen and on a phone (390×844): axe-core
finds nothing serious or critical, no page is wider than the screen (a wide table scrolls inside
its own box), and a screenshot of each is written to tests/browser/screenshots/ to look at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize

from carecast.domain.accounts import Role
from tests.browser.browserhelp import axe_violations, blocking, screenshot, wider_than_screen
from tests.browser.conftest import DESKTOP, PHONE, WAIT_MS, NewPage, Site

# The pages a finance team uses, by name; "line" and "child" are found by following links.
PAGES = (
    "login",
    "dashboard",
    "line",
    "child",
    "movements",
    "reconciliation",
    "track-record",
    "projection",
    "scenarios",
    "benchmarking",
    "reports",
    "imports",
    "actions",
    "close",
    "snapshots",
    "users",
    "audit",
)
ADMIN_PAGES = ("users", "audit")  # under /admin/
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def addresses(site: Site, browser: Browser, signed_in_states: dict[Role, str]) -> dict[str, str]:
    """Each page's address: the dashboard's first placement line, and its first child."""
    context = browser.new_context(base_url=site.url, storage_state=signed_in_states[Role.ADMIN])
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto("/dashboard")
    line = str(page.locator("#lines tbody th a").first.get_attribute("href"))
    page.goto(line)
    child = str(page.locator("#placements tbody th a").first.get_attribute("href"))
    context.close()
    found = {name: f"/admin/{name}" if name in ADMIN_PAGES else f"/{name}" for name in PAGES}
    return {**found, "line": line, "child": child}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_the_screen_and_axe_finds_nothing_serious(
    new_page: NewPage, addresses: dict[str, str], screenshots: Path, name: str, viewport: str
) -> None:
    size: ViewportSize = VIEWPORTS[viewport]
    page = new_page(None if name == "login" else Role.ADMIN, size)
    answer = page.goto(addresses[name])
    assert answer is not None
    assert answer.status == 200, f"{addresses[name]}: {answer.status}"
    page.wait_for_load_state("networkidle")  # htmx and charts settled before looking
    screenshot(page, screenshots, f"{name}-{viewport}")
    sticking_out = wider_than_screen(page)
    assert not sticking_out, "; ".join(sticking_out)
    if viewport == "desktop":  # axe's rules do not depend on the width
        violations = axe_violations(page)
        # Every finding, the moderate and minor ones too, kept beside the screenshot.
        (screenshots / f"{name}-axe.json").write_text(json.dumps(violations, indent=1))
        assert blocking(violations) == []


def test_the_check_finds_a_serious_violation_when_there_is_one(new_page: NewPage) -> None:
    """The check can fail: an image without alternative text and a button without a name."""
    page = new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>Broken</h1>'
        '<img src="data:,"><button></button></main></body></html>'
    )
    found = blocking(axe_violations(page))
    assert [line.split(" ")[0] for line in found] == ["button-name", "image-alt"]
