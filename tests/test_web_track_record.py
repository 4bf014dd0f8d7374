"""The track record on the small council closed at 2018-08 and 2018-09 (SQLite and PostgreSQL):
each stored forecast of the year against the latest, to the penny; a withdrawn one kept and
marked, and never the yardstick. And the backtest of a finished year, run in the background."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from carecast.config import Settings
from carecast.domain.accounts import Role
from carecast.domain.money import to_pence
from carecast.domain.periods import FinancialYear
from carecast.services import import_paths
from carecast.services.forecasting import close_date, list_forecasts, withdraw_forecast
from tests.storehelp import dump
from tests.test_web_projection import assert_accessible, finished, start
from tests.webhelp import add_role_users, client, csrf_of, forecast_small_council, signed_in


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
    earlier = browser.get("/track-record?year=2017-18")
    assert earlier.status_code == 200
    assert "No forecast of 2017-18 is stored." in earlier.text
    assert browser.get("/track-record?year=2018-20").status_code == 400
    assert client(settings).get("/track-record").status_code == 401


def closed_year(settings: Settings, folder: Path) -> None:
    """A council whose only spend is running costs: £10,500 in April 2018, £500 more each
    month, £16,000 in March 2019 (an outturn of 12 × £10,000 + £500 × 78 = £159,000, against a
    budget of £120,000), each month's ledger imported by its close."""
    folder.mkdir()
    (folder / "cost_centres.csv").write_text("COST_CENTRE,SERVICE_LINE\nRUN1,other_costs\n")
    (folder / "budget.csv").write_text(
        "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,other_costs,120000\n"
    )
    rows = "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT,DESCRIPTION\n"
    for number, period in enumerate(FinancialYear.parse("2018-19").periods(), start=1):
        rows += f"{period},RUN1,4000,{10000 + 500 * number},Running\n"
        (folder / "gl_actuals.csv").write_text(rows)
        import_paths(settings, [folder], close_date(period))


def test_a_backtest_runs_in_the_background_and_scores_each_close(
    settings: Settings, tmp_path: Path
) -> None:
    closed_year(settings, tmp_path / "ledger")
    add_role_users(settings)
    viewer = signed_in(settings, Role.VIEWER)
    page = html.fromstring(viewer.get("/track-record?year=2018-19").text)
    assert not page.xpath('//form[@action="/track-record/backtests"]')
    token = csrf_of(viewer.get("/track-record").text)  # the sign-out form's
    refused = viewer.post("/track-record/backtests", data={"year": "2018-19", "csrf_token": token})
    assert refused.status_code == 403
    analyst = signed_in(settings, Role.ANALYST)
    assert analyst.post("/track-record/backtests", data={"year": "2018-19"}).status_code == 403
    before = _stored(settings)
    started = start(analyst, "/track-record", {"year": "2018-19"}, action="/track-record/backtests")
    assert started.status_code == 303
    result = html.fromstring(finished(analyst, started.headers["location"]).text)
    assert_accessible(analyst.get(started.headers["location"]).text)
    caption = " ".join(result.get_element_by_id("backtest-caption").text_content().split())
    assert caption.startswith(
        "Test Borough, 2018-19: outturn £159,000.00 against a budget of £120,000.00."
    )
    rows = result.xpath('//table[@id="backtest"]/tbody/tr')
    assert len(rows) == 12
    # At April's close £10,500 is posted: the line runs on at that rate, 12 × £10,500 =
    # £126,000, 20.8% below the outturn; at March's close the year is all posted.
    first = [" ".join(c.text_content().split()) for c in rows[0].xpath("./th|./td")]
    assert first[:4] == ["P1 2018-04", "15 May 2018", "£126,000.00", "−20.8%"]
    last = [" ".join(c.text_content().split()) for c in rows[-1].xpath("./th|./td")]
    assert last[2:4] == ["£159,000.00", "+0.0%"]
    assert _stored(settings) == before  # a backtest stores nothing of the council's


def _stored(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the web application's own (a request touches its session; a run is kept
    for every worker to show)."""
    accounts = {"users", "web_sessions", "audit_log", "web_jobs"}
    return {k: v for k, v in dump(settings.database_url).items() if k not in accounts}
