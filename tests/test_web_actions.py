"""Savings, actions, risks and commentary edited in place (/actions), on the small council
forecast at 2018-09 with a register of two rows (SQLite and PostgreSQL):

    S1  saving  Step down two residential placements  Head of Placements  £12,000  60%  in progress
    R1  risk    Court-ordered residential placement   Head of Safeguarding £50,000  low  proposed

Everyone signed in reads them; finance and admin change them, each change in the audit log with
its before and after; a refused form comes back with the problem beside its field; a form without
its CSRF token changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.periods import Period
from carecast.services import import_paths
from carecast.services.accounts import audit_entries
from carecast.services.action_register import action_register
from carecast.services.commentary import show_commentary
from tests.webhelp import add_role_users, client, csrf_of, forecast_small_council, signed_in

PERIOD = "2018-09"
REGISTER = (
    "ACTION_ID,KIND,TITLE,SERVICE_LINE,OWNER,FINANCIAL_YEAR,VALUE,CONFIDENCE,STATUS,DUE_DATE,NOTES\n"
    "S1,saving,Step down two residential placements,placements_residential,Head of Placements,"
    "2018-19,12000,60%,in_progress,2019-01-31,\n"
    "R1,risk,Court-ordered residential placement,placements_residential,Head of Safeguarding,"
    "2018-19,50000,low,proposed,,\n"
)
S1_FORM = {
    "period": PERIOD,
    "mode": "change",
    "action_id": "S1",
    "kind": "saving",
    "service_line": "placements_residential",
    "title": "Step down two residential placements",
    "owner": "Head of Placements",
    "value": "12000.00",
    "confidence": "60%",
    "status": "in_progress",
    "due_date": "2019-01-31",
    "notes": "",
}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    forecast_small_council(settings, tmp_path)
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "actions.csv").write_text(REGISTER, encoding="utf-8")
    import_paths(settings, [folder], date(2018, 9, 30))
    add_role_users(settings)
    return settings


def cells(page: str, row_id: str) -> list[str]:
    row = html.fromstring(page).get_element_by_id(row_id)
    return [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]


def send(browser: TestClient, address: str, form: dict[str, str], htmx: bool = True) -> str:
    """The form posted as the page sends it, with the page's CSRF token."""
    token = csrf_of(browser.get(f"/actions?period={PERIOD}").text)
    answer = browser.post(address, data={**form, "csrf_token": token}, headers=HTMX if htmx else {})
    return f"{answer.status_code}\n{answer.text}"


def test_everyone_reads_the_register_with_its_rag_and_finance_and_admin_may_change_it(
    site: Settings,
) -> None:
    """As the report rates them, with the forecast's confidence weights (high 90%, medium 60%,
    low 30%): S1's 60% is amber (40% and over, under 75%), weighted £12,000 × 0.6 = £7,200; R1,
    a low risk, is amber (25% and over, under 50%), weighted £50,000 × 0.3 = £15,000."""
    assert client(site).get("/actions").status_code == 401
    for role in Role:
        browser = signed_in(site, role)
        page = browser.get(f"/actions?period={PERIOD}")
        assert page.status_code == 200
        s1 = cells(page.text, "action-S1")
        assert s1[:11] == [
            "S1",
            "Saving",
            "Step down two residential placements",
            "Residential care",
            "Head of Placements",
            "£12,000.00",
            "60%",
            "£7,200.00",
            "in progress (changed since the forecast)",
            "31 Jan 2019",
            "Amber",
        ]
        assert cells(page.text, "action-R1")[5:11] == [
            "£50,000.00",
            "low",
            "£15,000.00",
            "proposed (changed since the forecast)",
            "—",
            "Amber",
        ]
        may_edit = role.includes(Role.FINANCE)
        assert ("Add a saving, action or risk" in page.text) is may_edit
        form = browser.get(f"/actions/edit?period={PERIOD}&id=S1")
        assert form.status_code == (200 if may_edit else 403)


def test_changing_an_action_in_place_stores_it_and_audits_who_when_before_and_after(
    site: Settings,
) -> None:
    finance = signed_in(site, Role.FINANCE)
    form = finance.get(f"/actions/edit?period={PERIOD}&id=S1", headers=HTMX)
    field = html.fromstring(form.text).get_element_by_id("action-S1-owner")
    assert field.get("value") == "Head of Placements"
    changed = {**S1_FORM, "owner": "Service Manager, Placements", "due_date": "28/02/2019"}
    changed |= {"status": "delivered", "value": "£15,500.50"}
    answer = send(finance, "/actions/save", changed)
    assert answer.startswith("200\n")
    row = cells(answer.split("\n", 1)[1], "action-S1")
    # Delivered is green whatever the confidence; weighted £15,500.50 × 0.6 = £9,300.30.
    assert row[4:11] == [
        "Service Manager, Placements",
        "£15,500.50",
        "60%",
        "£9,300.30",
        "delivered (changed since the forecast)",
        "28 Feb 2019",
        "Green",
    ]
    stored = action_register(site, Period.parse(PERIOD)).find("S1")
    assert stored is not None
    assert (stored.owner, stored.due_date, stored.status) == (
        "Service Manager, Placements",
        date(2019, 2, 28),
        "delivered",
    )
    entry = audit_entries(site, 1)[0]
    assert (entry.actor, entry.action, entry.subject) == ("finance", "action_changed", "2018-19 S1")
    assert entry.source.startswith("web from ")
    assert entry.before is not None
    assert entry.after is not None
    assert {k: entry.before[k] for k in ("owner", "value", "status", "due_date")} == {
        "owner": "Head of Placements",
        "value": "12000.00",
        "status": "in_progress",
        "due_date": "2019-01-31",
    }
    assert {k: entry.after[k] for k in ("owner", "value", "status", "due_date", "known_on")} == {
        "owner": "Service Manager, Placements",
        "value": "15500.50",
        "status": "delivered",
        "due_date": "2019-02-28",
        "known_on": "2018-10-15",  # the close of 2018-09: 15 days after the month's end
    }


def test_a_bad_due_date_comes_back_as_the_form_with_the_message_beside_it_and_nothing_stored(
    site: Settings,
) -> None:
    finance = signed_in(site, Role.FINANCE)
    audited = len(audit_entries(site))
    bad = {**S1_FORM, "due_date": "31/02/2019", "owner": "Someone else"}
    answer = send(finance, "/actions/save", bad)
    status, page = answer.split("\n", 1)
    assert status == "200"  # htmx swaps only a success: the form comes back in place
    problem = html.fromstring(page).get_element_by_id("action-S1-due_date-problem")
    assert problem.text_content() == "'31/02/2019' is not a real calendar date"
    due = html.fromstring(page).get_element_by_id("action-S1-due_date")
    assert (due.get("value"), due.get("aria-invalid")) == ("31/02/2019", "true")
    # Without htmx, the whole page with the form open and the problems listed above it.
    status, page = send(finance, "/actions/save", bad, htmx=False).split("\n", 1)
    assert status == "422"
    assert "There is a problem; nothing was saved" in page
    assert "Due date</a>: &#39;31/02/2019&#39; is not a real calendar date" in page
    # Longer than the store keeps (PostgreSQL would refuse it): refused beside its field.
    status, page = send(finance, "/actions/save", {**S1_FORM, "owner": "x" * 201}).split("\n", 1)
    problem = html.fromstring(page).get_element_by_id("action-S1-owner-problem")
    assert problem.text_content() == "OWNER is longer than the 200 characters carecast keeps"
    stored = action_register(site, Period.parse(PERIOD)).find("S1")
    assert stored is not None
    assert stored.owner == "Head of Placements"
    assert len(audit_entries(site)) == audited


def test_a_new_action_is_added_and_its_reference_may_not_be_taken_twice(site: Settings) -> None:
    admin = signed_in(site, Role.ADMIN)
    new = {**S1_FORM, "mode": "new", "action_id": "A1", "kind": "action"}
    new |= {"title": "Recruit in-house foster carers", "service_line": "placements_ifa"}
    new |= {"value": "30000", "confidence": "medium", "status": "proposed", "due_date": ""}
    status, page = send(admin, "/actions/save", new).split("\n", 1)
    assert status == "200"
    # Medium is 60%: amber; weighted £30,000 × 0.6 = £18,000.
    assert cells(page, "action-A1")[5:11] == [
        "£30,000.00",
        "medium",
        "£18,000.00",
        "proposed (changed since the forecast)",
        "—",
        "Amber",
    ]
    assert "Add a saving, action or risk" in page  # the row that offers another
    assert audit_entries(site, 1)[0].before is None
    status, page = send(admin, "/actions/save", new).split("\n", 1)
    problem = html.fromstring(page).get_element_by_id("action-new-action_id-problem")
    assert problem.text_content() == "A1 is already in the register"
    register = action_register(site, Period.parse(PERIOD))
    assert [a.action_id for a in register.actions] == ["S1", "A1", "R1"]


def test_commentary_is_edited_in_place_and_each_change_audited(site: Settings) -> None:
    finance = signed_in(site, Role.FINANCE)
    form = finance.get(f"/actions/commentary/edit?period={PERIOD}&section=placements")
    assert form.status_code == 200
    assert 'id="commentary-placements-text"' in form.text
    first = {"period": PERIOD, "section": "placements", "text": "Two step-downs in November."}
    status, page = send(finance, "/actions/commentary", first).split("\n", 1)
    assert status == "200"
    assert "<p>Two step-downs in November.</p>" in page
    second = {**first, "text": "Two step-downs in November.\n\nOne more in January."}
    send(finance, "/actions/commentary", second)
    _snapshot, stored = show_commentary(site, Period.parse(PERIOD))
    assert stored["placements"].text == "Two step-downs in November.\n\nOne more in January."
    latest, earlier = audit_entries(site, 2)
    assert (latest.action, latest.actor) == ("commentary_set", "finance")
    assert latest.before == {"text": "Two step-downs in November."}
    assert latest.after == {"text": "Two step-downs in November.\n\nOne more in January."}
    assert earlier.before is None
    too_long = {**first, "text": "x" * 5001}
    status, page = send(finance, "/actions/commentary", too_long, htmx=False).split("\n", 1)
    assert status == "422"
    assert "write at most 5,000 characters (this has 5,001)" in page


def test_a_change_without_its_csrf_token_or_by_an_analyst_is_refused_and_stores_nothing(
    site: Settings,
) -> None:
    finance = signed_in(site, Role.FINANCE)
    changed = {**S1_FORM, "owner": "Nobody"}
    refused = finance.post("/actions/save", data=changed)
    assert refused.status_code == 403
    refused = finance.post("/actions/save", data={**changed, "csrf_token": "forged"})
    assert refused.status_code == 403
    analyst = signed_in(site, Role.ANALYST)
    assert send(analyst, "/actions/save", changed).startswith("403\n")
    comment = {"period": PERIOD, "section": "summary", "text": "Unauthorised"}
    assert finance.post("/actions/commentary", data=comment).status_code == 403
    stored = action_register(site, Period.parse(PERIOD)).find("S1")
    assert stored is not None
    assert stored.owner == "Head of Placements"
    assert show_commentary(site, Period.parse(PERIOD))[1] == {}
    assert not [e for e in audit_entries(site) if e.action.startswith(("action", "commentary"))]


def test_without_scripts_the_page_opens_the_form_in_place_and_a_save_leads_back_to_the_row(
    site: Settings,
) -> None:
    finance = signed_in(site, Role.FINANCE)
    page = finance.get(f"/actions?period={PERIOD}&edit=S1")
    owner = html.fromstring(page.text).get_element_by_id("action-S1-owner")
    assert owner.get("value") == "Head of Placements"
    token = csrf_of(page.text)
    moved = {**S1_FORM, "owner": "Head of Service", "csrf_token": token}
    answer = finance.post("/actions/save", data=moved, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/actions?period={PERIOD}#action-S1"
    shown = finance.get(answer.headers["location"]).text
    assert cells(shown, "action-S1")[4] == "Head of Service"
    page = finance.get(f"/actions?period={PERIOD}&section=staffing")
    assert 'id="commentary-staffing-text"' in page.text
    words = {"period": PERIOD, "section": "staffing", "text": "Four agency posts end in March."}
    answer = finance.post(
        "/actions/commentary", data={**words, "csrf_token": token}, follow_redirects=False
    )
    assert answer.headers["location"] == f"/actions?period={PERIOD}#commentary-staffing"
    assert "<p>Four agency posts end in March.</p>" in finance.get(answer.headers["location"]).text
