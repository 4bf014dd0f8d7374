"""The reconciliation page on the small council with two more rows (SQLite and PostgreSQL): a
commitment for a child with no placement (ZQX4419, £700 a week from 1 June 2018) and a placement
with no commitment (ZQX4420, in independent foster care from 1 September 2018). Counted by hand
at the close of 2018-09:
- over-commitment: £700 × 182 days (1 October to 31 March) ÷ 7 = £18,200 to year end;
- under-reported: costed at the foster care line's average, (£910 + £700) ÷ 2 = £805 a week;
- IFA1: ledger £130 × 153 days = £19,890; the activity implies £19,890 + £805 × 30 ÷ 7 = £23,340,
  a difference of −£3,450. RES1: £500 × 183 days = £91,500 both ways.
Everyone signed in sees the totals in pounds; viewers see the counts of children as `report
--public` publishes them (1 to 5 withheld, as "x"), analysts and above every count and the
children."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.periods import Period
from carecast.services import import_paths, run_forecast
from tests.fixtures_small import write_small_council
from tests.test_web_projection import assert_accessible, cells
from tests.webhelp import add_role_users, client, signed_in

# The small council's C1 and C2 renamed, as in tests/webhelp.py, and two children more.
CHILDREN = ("ZQX4417", "ZQX4418", "ZQX4419", "ZQX4420")
EXTRA_ROWS = {
    "placement_costs.csv": "ZQX4419,placements_ifa,Agency,2018-06-01,,700,,IFA1\n",
    "header.csv": "ZQX4420,1,01/01/2010,WBRI,,,\n",
    "episodes.csv": "ZQX4420,01/09/2018,S,C2,N1,U4,PR4,,,,,,\n",
}


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    folder = write_small_council(tmp_path / "inputs")
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8") + EXTRA_ROWS.get(path.name, "")
        text = text.replace("\nC1,", "\nZQX4417,").replace("\nC2,", "\nZQX4418,")
        path.write_text(text, encoding="utf-8")
    import_paths(settings, [folder], date(2018, 9, 30))
    run_forecast(settings, Period.parse("2018-09"))
    add_role_users(settings)
    return settings


def _pence(page: html.HtmlElement, xpath: str) -> list[int]:
    return [int(v) for v in page.xpath(f"{xpath}//data/@value")]


def test_viewers_see_counts_and_totals_counted_by_hand(site: Settings) -> None:
    text = signed_in(site, Role.VIEWER).get("/reconciliation").text
    assert_accessible(text)
    page = html.fromstring(text)
    summary = '//table[@id="summary"]/tbody/tr'
    assert [r.get("data-item") for r in page.xpath(summary)] == [
        "over_commitments", "under_reported", "line_mismatches"
    ]  # fmt: skip
    # every count here is 1 or 2 children: withheld from viewers; zeros are shown
    assert cells(page, f"{summary}/td[1]") == ["x", "x", "0"]
    assert _pence(page, summary) == [1_820_000, 80_500]
    by_line = {
        r.get("data-line"): cells(r, "td") for r in page.xpath('//table[@id="by-line"]/tbody/tr')
    }
    # placed, no commitment, paid on another line; committed, no placement
    assert by_line == {
        "placements_ifa": ["x", "x", "0", "x", "x"],
        "placements_residential": ["x", "0", "0", "x", "0"],
    }
    centres = {
        r.get("data-cost-centre"): r for r in page.xpath('//table[@id="cost-centres"]/tbody/tr')
    }
    assert list(centres) == ["IFA1", "RES1"]
    assert _pence(centres["IFA1"], ".") == [1_989_000, 2_334_000, -345_000]
    assert _pence(centres["RES1"], ".") == [9_150_000, 9_150_000, 0]
    assert cells(centres["IFA1"], "td")[-1] == "x"  # two children behind it: withheld
    # aggregates only: no child's identifier, no child-level table
    assert not any(child in text for child in CHILDREN)
    assert not page.xpath('//table[@id="over-commitments"]')


def test_analysts_see_the_children_behind_each_figure(site: Settings) -> None:
    for role in (Role.ANALYST, Role.FINANCE, Role.ADMIN):
        response = signed_in(site, role).get("/reconciliation?period=2018-09")
        assert response.status_code == 200
        assert_accessible(response.text)
        page = html.fromstring(response.text)
        over = page.xpath('//table[@id="over-commitments"]/tbody/tr')
        assert [cells(r, "th|td") for r in over] == [
            [
                "ZQX4419", "Independent fostering agencies", "Agency", "01 Jun 2018", "£700.00", "IFA1",
                "£18,200.00",
            ]
        ]  # fmt: skip
        under = page.xpath('//table[@id="under-reported"]/tbody/tr')
        assert [cells(r, "th|td") for r in under] == [
            ["ZQX4420", "Independent fostering agencies", "U4", "PR4", "01 Sep 2018", "£805.00"]
        ]
        assert cells(page, '//table[@id="line-mismatches"]/tbody/tr/td') == ["None."]
        assert cells(page, '//table[@id="summary"]/tbody/tr/td[1]') == ["1", "1", "0"]
        ifa = page.xpath('//table[@id="by-line"]/tbody/tr[@data-line="placements_ifa"]')[0]
        assert cells(ifa, "td") == ["2", "1", "0", "2", "1"]
        assert cells(page, '//table[@id="cost-centres"]//td[@class="wrap"]') == [
            "ZQX4417, ZQX4420",
            "ZQX4418",
        ]


def test_a_close_that_cannot_be_reconciled_is_refused_on_the_page(site: Settings) -> None:
    viewer = signed_in(site, Role.VIEWER)
    # August's close is known on 31 August, before anything was imported (30 September)
    august = viewer.get("/reconciliation?period=2018-08")
    assert august.status_code == 422
    assert_accessible(august.text)
    refusal = html.fromstring(august.text).get_element_by_id("refusal").text_content()
    assert "nothing was stored" in refusal
    assert html.fromstring(august.text).xpath('//select[@id="period"]/option/@value') == [
        "",
        "2018-09",
    ]
    month_13 = viewer.get("/reconciliation?period=2018-13")
    assert month_13.status_code == 400
    assert (
        "'2018-13' is not a period"
        in html.fromstring(month_13.text).get_element_by_id("refusal").text
    )
    assert client(site).get("/reconciliation").status_code == 401
