"""The track record on the small council closed at 2018-08 and 2018-09 (SQLite and PostgreSQL):
each stored forecast of the year against the latest, to the penny; a withdrawn one kept and
marked, and never the yardstick."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.money import to_pence
from carecast.services.forecasting import list_forecasts, withdraw_forecast
from tests.webhelp import add_role_users, client, forecast_small_council, signed_in


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> tuple[Settings, int]:
    snapshot_id = forecast_small_council(settings, tmp_path)
    add_role_users(settings)
    return settings, snapshot_id


def _row(page: html.HtmlElement, snapshot_id: int) -> list[str]:
    (row,) = page.xpath(f'//table[@id="track"]//tr[@data-snapshot="{snapshot_id}"]')
    return [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]


def test_each_forecast_of_the_year_against_the_latest(site: tuple[Settings, int]) -> None:
    settings, september = site
    page = html.fromstring(signed_in(settings, Role.VIEWER).get("/track-record").text)
    _, snapshots = list_forecasts(settings)
    august = next(s for s in snapshots if s.period.label == "2018-08")
    latest = next(s for s in snapshots if s.snapshot_id == september)
    caption = " ".join(page.get_element_by_id("track-caption").text_content().split())
    assert caption.startswith(
        "Every stored forecast of 2018-19, oldest first, against the latest forecast, at "
        f"2018-09 (the year is not closed yet): snapshot {september},"
    )
    assert _row(page, september)[5:7] == ["£0.00", "+0.0%"]
    gap = august.forecast_outturn - latest.forecast_outturn
    (cell,) = page.xpath(f'//tr[@data-snapshot="{august.snapshot_id}"]/td[5]//data/@value')
    assert int(cell) == to_pence(gap)
    # September's forecast is £652,950.00, the hand-computed outturn of tests/fixtures_small.py
    assert to_pence(latest.forecast_outturn) == 65_295_000


def test_a_withdrawn_forecast_is_kept_and_never_the_yardstick(site: tuple[Settings, int]) -> None:
    settings, september = site
    withdraw_forecast(settings, september, "ledger for 2018-09 was incomplete")
    page = html.fromstring(signed_in(settings, Role.VIEWER).get("/track-record?year=2018-19").text)
    assert _row(page, september)[-1].endswith(": ledger for 2018-09 was incomplete")
    caption = " ".join(page.get_element_by_id("track-caption").text_content().split())
    assert "against the latest forecast, at 2018-08" in caption
    browser = signed_in(settings, Role.VIEWER)
    assert browser.get("/track-record?year=2017-18").status_code == 404
    assert browser.get("/track-record?year=2018-20").status_code == 400
    assert client(settings).get("/track-record").status_code == 401
