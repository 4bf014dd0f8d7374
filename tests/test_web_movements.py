"""The movements page on the small council closed at 2018-08 and 2018-09 (SQLite and
PostgreSQL): the drivers of the change add up to it to the penny and are the service's; everyone
signed in sees them, analysts and above also the items behind each."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.money import to_pence
from carecast.services.movements import explain
from tests.test_web_projection import assert_accessible
from tests.webhelp import CHILDREN, add_role_users, client, forecast_small_council, signed_in


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Settings:
    forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings


def _pence(element: html.HtmlElement) -> list[int]:
    return [int(v) for v in element.xpath(".//data/@value")]


def test_the_drivers_add_up_to_the_change_and_are_the_services(site: Settings) -> None:
    text = signed_in(site, Role.VIEWER).get("/movements").text
    assert_accessible(text)
    page = html.fromstring(text)
    previous, current, result = explain(site)
    assert (previous.forecast.period.label, current.forecast.period.label) == (
        "2018-08",
        "2018-09",
    )
    drivers = result.by_driver()
    rows = page.xpath('//table[@id="drivers"]/tbody/tr')
    assert [r.get("data-driver") for r in rows] == list(drivers)
    assert [_pence(r)[0] for r in rows] == [to_pence(v) for v in drivers.values()]
    (total,) = _pence(page.xpath('//table[@id="drivers"]/tfoot')[0])
    assert total == sum(_pence(r)[0] for r in rows) == to_pence(result.change)
    assert to_pence(result.change) == to_pence(
        current.forecast.forecast_outturn - previous.forecast.forecast_outturn
    )
    assert len(page.xpath('//table[@id="by-line"]/tbody/tr')) == len(result.movements)
    # a viewer sees aggregates only: no column of what is behind each movement
    assert not page.xpath('//table[@id="by-line"]//th[text()="Behind it"]')


def test_analysts_see_the_items_behind_each_movement(site: Settings) -> None:
    page = signed_in(site, Role.ANALYST).get("/movements?since=2018-08&period=2018-09")
    assert page.status_code == 200
    tree = html.fromstring(page.text)
    assert tree.xpath('//table[@id="by-line"]//th[text()="Behind it"]')
    _, _, result = explain(site)
    behind = [" ".join(c.text_content().split()) for c in tree.xpath('//td[@class="wrap"]')]
    assert behind == [", ".join(m.keys) for m in result.movements]
    assert any(child in page.text for child in CHILDREN.values()) == any(
        child in key for m in result.movements for key in m.keys for child in CHILDREN.values()
    )


def test_a_pair_that_cannot_be_compared_is_refused_on_the_page(site: Settings) -> None:
    viewer = signed_in(site, Role.VIEWER)
    later_first = viewer.get("/movements?since=2018-09&period=2018-08")
    assert later_first.status_code == 400
    tree = html.fromstring(later_first.text)
    assert "must be a period of 2018-19 up to 2018-08" in tree.get_element_by_id("refusal").text
    assert tree.xpath('//select[@id="period"]/option[@selected]/@value') == ["2018-08"]
    only_once = viewer.get("/movements?period=2018-08")
    assert only_once.status_code == 404
    assert "there is no forecast for a period of 2018-19 before 2018-08" in only_once.text
    month_13 = viewer.get("/movements?period=2018-13")
    assert month_13.status_code == 400
    assert (
        "'2018-13' is not a period"
        in html.fromstring(month_13.text).get_element_by_id("refusal").text
    )
    assert client(site).get("/movements").status_code == 401
