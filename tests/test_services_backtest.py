"""Backtesting replays each close of a finished year from what was known then (SQLite and PostgreSQL).

The council of these tests, 2018-19, imported as monthly extracts dated at each month end:
- child C1 in an IFA placement all year at £700 a week (£100 a day);
- child C2 arrives on 1 October 2018 in an IFA placement at £1,400 a week (£200 a day) — the new
  demand that commitments cannot see before it happens;
- one permanent post at £36,500 a year (£100 a day).
The ledger posts each month's days at those rates. Outturn: IFA 365 × 100 + 182 × 200 = £72,900;
staffing £36,500; total £109,400. Budget: £40,000 + £40,000.

At P6 (close 15 October; C2 not yet known), commitments only: IFA 18,300 + 182 days × 100 = 36,500;
staffing 18,300 + 18,200 = 36,500; total £73,000 (−33.27%). Straight line: 36,600 ÷ 6 × 12 = 73,200.
At P7 (close 15 November; C2's commitment is known): IFA 27,600 + 151 × 300 = 72,900, staffing
21,400 + 15,100 = 36,500; total £109,400: exact.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from carecast.config import Settings
from carecast.domain.periods import FinancialYear, Period
from carecast.errors import NotFound
from carecast.forecast.backtest import BUDGET, COMMITMENTS_ONLY, STRAIGHT_LINE, Backtest
from carecast.forecast.outturn import forecast_outturn
from carecast.services import import_paths
from carecast.services.backtest import run_backtest
from carecast.services.forecasting import close_date
from carecast.services.setup import council_transaction
from carecast.store.state import load_state
from tests.storehelp import dump

YEAR = FinancialYear(2018)
C2_ARRIVES = date(2018, 10, 1)
EPISODE_COLUMNS = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
REFERENCE = {
    "cost_centres.csv": "COST_CENTRE,SERVICE_LINE\nIFA1,placements_ifa\nSW1,staffing\n",
    "budget.csv": "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,placements_ifa,40000\n"
    "2018-19,staffing,40000\n",
}


def write_files(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def extract(period: Period) -> dict[str, str]:
    """The monthly extract as known at `period`'s last day: activity, commitments and its ledger."""
    c2 = period.last_day >= C2_ARRIVES
    days = period.last_day.day
    ifa = 100 * days + (200 * days if c2 else 0)
    return {
        "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,2010-01-01,WBRI,,,\n"
        + ("C2,2,2012-06-01,WBRI,,,\n" if c2 else ""),
        "episodes.csv": f"{EPISODE_COLUMNS}\nC1,2018-04-01,S,C2,N1,U4,PR4,,,,,,\n"
        + ("C2,2018-10-01,S,C2,N1,U4,PR4,,,,,,\n" if c2 else ""),
        "placement_costs.csv": "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,"
        "CONTRIBUTION_PCT,COST_CENTRE\nC1,placements_ifa,Agency A,2018-04-01,,700,,IFA1\n"
        + ("C2,placements_ifa,Agency B,2018-10-01,,1400,,IFA1\n" if c2 else ""),
        "gl_actuals.csv": "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n"
        f"{period},IFA1,5000,{ifa}\n{period},SW1,1000,{100 * days}\n",
        "establishment.csv": "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST\n"
        "P1,Safeguarding,Social Worker,1,permanent,36500\n",
    }


def import_year(
    settings: Settings, folder: Path, numbers: range = range(1, 13), late_days: int = 0
) -> None:
    """Reference data, then one extract a month dated at month end (+ `late_days`)."""
    import_paths(settings, [write_files(folder / "reference", REFERENCE)], date(2018, 4, 1))
    for number in numbers:
        period = Period.of(YEAR, number)
        files = write_files(folder / period.label, extract(period))
        import_paths(settings, [files], period.last_day + timedelta(days=late_days))


def forecasts(result: Backtest) -> dict[str, Decimal]:
    return {score.period.label: score.total.forecast for score in result.periods}


def test_every_period_is_scored_against_the_outturn_beside_the_baselines(
    settings: Settings, tmp_path: Path
) -> None:
    import_year(settings, tmp_path)
    before = dump(settings.database_url)

    council, result = run_backtest(settings, YEAR)

    assert council.name == "Test Borough"
    assert result.actual_outturn == Decimal(109_400)
    assert result.budget == Decimal(80_000)
    assert [s.period.number for s in result.periods] == list(range(1, 13))
    p6, p7 = result.at(6), result.at(7)
    assert p6 is not None
    assert p7 is not None
    assert p6.knowledge_date == date(2018, 10, 15)
    assert p6.total.baselines[COMMITMENTS_ONLY] == Decimal(73_000)
    assert p6.total.error(COMMITMENTS_ONLY) == Decimal(-36_400)
    assert f"{p6.total.error_pct(COMMITMENTS_ONLY):.2f}" == "-33.27"
    assert p6.total.baselines[STRAIGHT_LINE] == Decimal(73_200)
    assert p6.total.baselines[BUDGET] == Decimal(80_000)
    assert p7.total.baselines[COMMITMENTS_ONLY] == Decimal(109_400)
    assert {line.value: s.actual for line, s in p7.lines.items()} == {
        "staffing": Decimal(36_500),
        "placements_ifa": Decimal(72_900),
    }
    # carecast's own figure is the engine run on exactly what the store knew at each close.
    with council_transaction(settings) as (connection, council_):
        for score in result.periods:
            state = load_state(connection, council_, close_date(score.period))
            expected = forecast_outturn(state, score.period).forecast_outturn
            assert score.total.forecast == expected
    # A backtest stores nothing: no snapshot, no change of any kind.
    assert dump(settings.database_url) == before


def test_a_later_import_does_not_change_what_earlier_closes_forecast(
    settings: Settings, tmp_path: Path
) -> None:
    """No look-ahead: a correction dated 20 December reaches P9 onwards and the outturn only."""
    import_year(settings, tmp_path)
    _, before = run_backtest(settings, YEAR)

    # November's staffing is restated with £2,000 of back pay, as known on 20 December.
    correction = (
        "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT\n2018-11,IFA1,5000,9000\n2018-11,SW1,1000,5000\n"
    )
    folder = write_files(tmp_path / "correction", {"gl_actuals.csv": correction})
    import_paths(settings, [folder], date(2018, 12, 20))
    _, after = run_backtest(settings, YEAR)

    assert after.actual_outturn == before.actual_outturn + 2_000
    old, new = forecasts(before), forecasts(after)
    unchanged = [p.label for p in YEAR.periods()[:8]]  # closes on or before 15 December
    assert {p: new[p] for p in unchanged} == {p: old[p] for p in unchanged}
    assert all(new[p.label] == old[p.label] + 2_000 for p in YEAR.periods()[8:])
    # Same forecasts, new outturn: the earlier periods' errors move, their forecasts do not.
    p6_before, p6_after = before.at(6), after.at(6)
    assert p6_before is not None
    assert p6_after is not None
    assert p6_after.total.error(COMMITMENTS_ONLY) == p6_before.total.error(COMMITMENTS_ONLY) - 2_000


def test_an_unfinished_year_cannot_be_backtested(settings: Settings, tmp_path: Path) -> None:
    import_year(settings, tmp_path, range(1, 7))
    with pytest.raises(NotFound, match=r"2018-19 is not complete.* 6 of its 12 periods"):
        run_backtest(settings, YEAR)
    with pytest.raises(NotFound, match="not complete"):
        run_backtest(settings, FinancialYear(2017))


def test_a_period_whose_ledger_arrived_after_its_close_is_skipped(
    settings: Settings, tmp_path: Path
) -> None:
    """Every extract lands 20 days after month end: later than the 15-day close window."""
    import_year(settings, tmp_path, late_days=20)
    _, result = run_backtest(settings, YEAR, period_numbers=[1, 6])
    assert result.periods == ()
    assert [(p.label, reason) for p, reason in result.skipped] == [
        ("2018-04", "no ledger actuals for 2018-04 had been imported by its close"),
        ("2018-09", "no ledger actuals for 2018-09 had been imported by its close"),
    ]
    assert result.actual_outturn == Decimal(109_400)


def test_a_store_with_nothing_imported_has_nothing_to_backtest(settings: Settings) -> None:
    with pytest.raises(NotFound, match="nothing has been imported"):
        run_backtest(settings, YEAR)
