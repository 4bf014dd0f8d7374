"""From the total to the children behind it, by clicking: the dashboard's service line, that
line's placements, one child's timeline. A viewer sees the totals but reaches no child, neither
by a link (there is none) nor by typing the address."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from carecast.domain.accounts import Role
from tests.browser.conftest import NewPage

CHILD_ID = re.compile(r"DB\d{6}")  # the demo's synthetic identifiers
REFUSED = "Your role (viewer) does not allow this page; it needs analyst"


def first_line_link(page: Page) -> tuple[str, str]:
    """The first placement line the dashboard links to: its heading and its address."""
    link = page.locator("#lines tbody th a").first
    return link.inner_text(), str(link.get_attribute("href"))


def test_an_analyst_clicks_from_a_service_line_to_a_childs_timeline(new_page: NewPage) -> None:
    page = new_page(Role.ANALYST)
    page.goto("/dashboard")
    heading, _address = first_line_link(page)
    page.locator("#lines tbody th a").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{heading}: placements at")
    placement = page.locator("#placements tbody tr").first
    child = placement.locator("th a").inner_text()
    provider = placement.locator("td").nth(1).inner_text()
    assert CHILD_ID.fullmatch(child), child
    placement.get_by_role("link", name=child).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Child {child}")
    expect(page).to_have_url(re.compile(rf"/children/{child}$"))
    # The placement clicked is among the child's commitments, with its provider.
    expect(page.locator("#commitments tbody")).to_contain_text(provider)
    expect(page.locator("#episodes tbody tr").first).to_be_visible()


def test_a_viewer_sees_the_totals_but_no_link_to_children_and_is_refused_by_address(
    new_page: NewPage,
) -> None:
    analyst = new_page(Role.ANALYST)
    analyst.goto("/dashboard")
    _heading, line_address = first_line_link(analyst)
    analyst.goto(line_address)
    child_address = str(analyst.locator("#placements tbody th a").first.get_attribute("href"))

    viewer = new_page(Role.VIEWER)
    viewer.goto("/dashboard")
    expect(viewer.locator("#total-forecast")).to_have_text(re.compile(r"£[\d,.]+m?"))
    expect(viewer.locator("#lines tbody th").first).to_be_visible()
    expect(viewer.locator("#lines a")).to_have_count(0)
    for address in (line_address, child_address):
        answer = viewer.goto(address)
        assert answer is not None
        assert answer.status == 403
        expect(viewer.get_by_role("heading", level=1)).to_have_text("Not allowed")
        expect(viewer.get_by_role("alert")).to_contain_text(REFUSED)
        expect(viewer.locator("body")).not_to_contain_text(CHILD_ID)
