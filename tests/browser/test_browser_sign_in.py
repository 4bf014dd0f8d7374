"""Signing in through the real form in Chromium: the right password opens the dashboard, a wrong
one says so and keeps the name typed, and the whole form works from the keyboard alone."""

from __future__ import annotations

from playwright.sync_api import expect

from carecast.domain.accounts import Role
from tests.browser.conftest import NewPage, Site
from tests.webhelp import PASSWORD

WRONG = "The name or password is not right. Check them and try again."


def test_signing_in_opens_the_page_asked_for_and_names_the_user(
    site: Site, new_page: NewPage
) -> None:
    page = new_page()
    page.goto("/dashboard")
    # The page asked for answers with the sign-in form, which returns to it afterwards.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("alert")).to_have_text("Sign in to see this page.")
    page.get_by_label("Name").fill("finance")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demo Borough (fictional): forecast outturn"
    )
    expect(page.locator(".signout")).to_contain_text("finance (finance)")
    assert page.url == f"{site.url}/dashboard"


def test_a_wrong_password_is_refused_with_the_message_and_the_name_kept(
    new_page: NewPage,
) -> None:
    page = new_page()
    page.goto("/login")
    page.get_by_label("Name").fill("viewer")
    page.get_by_label("Password").fill("not the passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(WRONG)
    expect(page.get_by_label("Name")).to_have_value("viewer")
    expect(page.get_by_label("Password")).to_have_value("")
    assert page.url.endswith("/login")


def test_the_form_is_completed_with_tab_and_enter_alone(new_page: NewPage) -> None:
    page = new_page()
    page.goto("/login")
    # The name field has the focus on arrival (autofocus); Tab moves on to the password.
    expect(page.get_by_label("Name")).to_be_focused()
    page.keyboard.type(Role.ANALYST.value)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".signout")).to_contain_text("analyst (analyst)")


def test_the_skip_link_is_the_first_stop_and_takes_the_focus_to_the_content(
    new_page: NewPage,
) -> None:
    page = new_page(Role.ANALYST)
    page.goto("/dashboard")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown while it has the focus
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
