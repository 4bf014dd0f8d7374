"""Backtest scoring: each period's forecast against the actual outturn, beside the baselines.

The worked example at P6 (30 September 2018), in £:

| line          | budget  | actual to date | carecast (p10–p90)        | commitments only | outturn |
|---------------|---------|----------------|---------------------------|------------------|---------|
| IFA           | 100,000 | 60,000         | 125,000 (110,000–130,000) | 115,000          | 120,000 |
| staffing      | 200,000 | 90,000         | 185,000                   | 185,000          | 190,000 |
| other costs   | —       | —              | —                         | —                | 5,000   |

Straight line: IFA 60,000 ÷ 6 × 12 = 120,000; staffing 90,000 ÷ 6 × 12 = 180,000.
Totals: outturn 315,000; carecast 310,000 (−1.5873%); commitments only 300,000 (−4.7619%);
straight line 300,000; budget 300,000.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import CostCentre, LedgerEntry
from carecast.domain.periods import FinancialYear, Period
from carecast.domain.provenance import Forecast, ForecastLine
from carecast.domain.state import ActivityState
from carecast.forecast.backtest import (
    BASELINES,
    BUDGET,
    CARECAST,
    COMMITMENTS_ONLY,
    STRAIGHT_LINE,
    Backtest,
    PeriodScore,
    Score,
    actual_outturn,
    error_pct,
    interval_coverage,
    median_abs_error,
    missing_ledger_periods,
    score_period,
    straight_line,
)

IFA, STAFFING, OTHER = (
    ServiceLine.PLACEMENTS_IFA,
    ServiceLine.STAFFING,
    ServiceLine.OTHER_COSTS,
)
YEAR = FinancialYear(2018)
P6 = Period.parse("2018-09")
D = Decimal


def line(
    service_line: ServiceLine,
    budget: int,
    actual: int,
    outturn: int,
    p10: int | None = None,
    p90: int | None = None,
) -> ForecastLine:
    return ForecastLine(
        service_line=service_line,
        budget=D(budget),
        actual_to_date=D(actual),
        committed=D(outturn - actual),
        demand_allowance=D(0),
        forecast_outturn=D(outturn),
        method="test",
        p10=None if p10 is None else D(p10),
        p90=None if p90 is None else D(p90),
    )


CARECAST_P6 = Forecast(
    P6,
    date(2018, 10, 15),
    (
        line(IFA, 100_000, 60_000, 125_000, 110_000, 130_000),
        line(STAFFING, 200_000, 90_000, 185_000),
    ),
)
COMMITMENTS_P6 = Forecast(
    P6,
    date(2018, 10, 15),
    (line(IFA, 100_000, 60_000, 115_000), line(STAFFING, 200_000, 90_000, 185_000)),
)
OUTTURN = {IFA: D(120_000), STAFFING: D(190_000), OTHER: D(5_000)}


def pct(score: Score, method: str = CARECAST) -> Decimal:
    """The error % of `method`, to four decimal places."""
    value = score.error_pct(method)
    assert value is not None
    return round(value, 4)


def test_error_pct_is_forecast_minus_outturn_as_a_share_of_the_outturn() -> None:
    assert error_pct(D(97), D(100)) == D(-3)
    assert error_pct(D(125_000), D(120_000)) == D(5_000) / D(120_000) * 100
    # Income is negative: forecasting −90 against −100 over-forecasts net spend by 10%.
    assert error_pct(D(-90), D(-100)) == D(10)
    assert error_pct(D(5), D(0)) is None


def test_straight_line_runs_the_actuals_to_date_on_at_the_same_monthly_rate() -> None:
    assert straight_line(CARECAST_P6) == {IFA: D(120_000), STAFFING: D(180_000)}


def test_each_line_is_scored_against_its_outturn_beside_every_baseline() -> None:
    score = score_period(CARECAST_P6, COMMITMENTS_P6, OUTTURN)

    assert list(score.lines) == [STAFFING, IFA, OTHER]  # the order of ServiceLine
    ifa = score.lines[IFA]
    assert ifa.forecast == D(125_000)
    assert dict(ifa.baselines) == {
        COMMITMENTS_ONLY: D(115_000),
        STRAIGHT_LINE: D(120_000),
        BUDGET: D(100_000),
    }
    assert pct(ifa) == D("4.1667")
    assert pct(ifa, COMMITMENTS_ONLY) == D("-4.1667")
    assert ifa.error_pct(STRAIGHT_LINE) == 0
    assert pct(ifa, BUDGET) == D("-16.6667")
    assert ifa.within_interval is True

    staffing = score.lines[STAFFING]
    assert staffing.error(STRAIGHT_LINE) == D(-10_000)
    assert staffing.within_interval is None  # no interval given for the line

    # A line nobody forecast still counts against every method: 100% missed.
    other = score.lines[OTHER]
    assert other.forecast == 0
    assert other.error_pct() == D(-100)
    assert {name: other.value(name) for name in BASELINES} == dict.fromkeys(BASELINES, D(0))


def test_the_total_is_the_sum_of_the_lines() -> None:
    total = score_period(CARECAST_P6, COMMITMENTS_P6, OUTTURN).total
    assert total.actual == D(315_000)
    assert total.forecast == D(310_000)
    assert dict(total.baselines) == {
        COMMITMENTS_ONLY: D(300_000),
        STRAIGHT_LINE: D(300_000),
        BUDGET: D(300_000),
    }
    assert pct(total) == D("-1.5873")
    assert pct(total, COMMITMENTS_ONLY) == D("-4.7619")
    # Line intervals are not added up into a total interval.
    assert total.p10 is None
    assert total.within_interval is None


def test_the_total_interval_comes_from_the_forecast_itself() -> None:
    lines = CARECAST_P6.lines
    held = Forecast(P6, date(2018, 10, 15), lines, p10=D(300_000), p90=D(320_000))
    missed = Forecast(P6, date(2018, 10, 15), lines, p10=D(300_000), p90=D(310_000))
    assert score_period(held, COMMITMENTS_P6, OUTTURN).total.within_interval is True
    assert score_period(missed, COMMITMENTS_P6, OUTTURN).total.within_interval is False
    assert Score(D(10), D(10), {}, D(10), D(10)).within_interval is True  # bounds are inclusive


def test_the_outturn_is_the_years_ledger_with_unmapped_spend_in_other_costs() -> None:
    ledger = (
        LedgerEntry(Period.parse("2018-03"), "IFA1", "5000", D(999)),  # the year before
        LedgerEntry(Period.parse("2018-04"), "IFA1", "5000", D(100)),
        LedgerEntry(Period.parse("2019-03"), "IFA1", "5000", D(50)),
        LedgerEntry(Period.parse("2018-06"), "XX9", "5000", D(7)),  # no service line
        LedgerEntry(Period.parse("2018-06"), "RUN1", "4000", D(20)),
        LedgerEntry(Period.parse("2019-04"), "RUN1", "4000", D(999)),  # the year after
    )
    state = ActivityState(
        known_on=date(2019, 5, 15),
        ledger=ledger,
        cost_centres=(CostCentre("IFA1", IFA), CostCentre("RUN1", OTHER)),
    )
    assert actual_outturn(state, YEAR) == {IFA: D(150), OTHER: D(27)}
    missing = [p.number for p in missing_ledger_periods(ledger, YEAR)]
    assert missing == [2, *range(4, 12)]  # posted: P1 April, P3 June, P12 March


def period_score(
    number: int, forecast: int, p10: int | None = None, p90: int | None = None
) -> PeriodScore:
    total = Score(
        D(100),
        D(forecast),
        {COMMITMENTS_ONLY: D(90), STRAIGHT_LINE: D(100), BUDGET: D(80)},
        None if p10 is None else D(p10),
        None if p90 is None else D(p90),
    )
    return PeriodScore(Period.of(YEAR, number), date(2019, 1, 1), total, {})


def backtest(*scores: PeriodScore) -> Backtest:
    return Backtest(YEAR, {IFA: D(100)}, {IFA: D(80)}, scores)


def test_median_absolute_error_across_councils_at_one_period() -> None:
    councils = [
        backtest(period_score(6, 97)),
        backtest(period_score(6, 101)),
        backtest(period_score(6, 102), period_score(3, 150)),
        backtest(period_score(3, 90)),  # P6 not replayed: not counted
    ]
    six = median_abs_error(councils, 6, CARECAST)
    assert (six.median_abs_error_pct, six.scored) == (D(2), 3)
    assert median_abs_error(councils, 6, COMMITMENTS_ONLY).median_abs_error_pct == D(10)
    assert median_abs_error(councils, 3, CARECAST).median_abs_error_pct == D(30)
    assert median_abs_error(councils, 9, CARECAST).median_abs_error_pct is None


def test_interval_coverage_counts_council_periods_that_held_the_outturn() -> None:
    councils = [
        backtest(period_score(1, 100, 90, 110), period_score(2, 100, 101, 110)),
        backtest(period_score(3, 100), period_score(4, 95, 80, 100)),
        backtest(period_score(12, 100, 100, 100)),  # the complete year: left out
    ]
    assert interval_coverage(councils) == (2, 3)
    assert interval_coverage(councils, [12]) == (1, 1)


amounts = st.integers(min_value=-10_000_000, max_value=10_000_000).map(D)
# (line, budget, actual to date, carecast forecast, commitments-only forecast, outturn)
Row = tuple[ServiceLine, Decimal, Decimal, Decimal, Decimal, Decimal]


@given(
    st.lists(
        st.tuples(st.sampled_from(list(ServiceLine)), amounts, amounts, amounts, amounts, amounts),
        min_size=1,
        max_size=15,
        unique_by=lambda row: row[0],
    ),
    st.integers(min_value=1, max_value=12),
)
def test_total_errors_are_the_sum_of_line_errors_for_every_method(
    rows: list[Row], number: int
) -> None:
    period = Period.of(YEAR, number)

    def forecast(outturns: list[Decimal]) -> Forecast:
        lines = tuple(
            ForecastLine(r[0], r[1], r[2], D(0), D(0), mine, "test")
            for r, mine in zip(rows, outturns, strict=True)
        )
        return Forecast(period, date(2019, 1, 1), lines)

    ours, theirs = forecast([r[3] for r in rows]), forecast([r[4] for r in rows])
    score = score_period(ours, theirs, {r[0]: r[5] for r in rows})
    total = score.total
    for method in (CARECAST, *BASELINES):
        assert total.error(method) == sum((s.error(method) for s in score.lines.values()), D(0))
        pct = total.error_pct(method)
        if total.actual == 0:
            assert pct is None
        else:
            assert pct is not None
            assert (pct < 0) == (total.error(method) < 0)
            assert abs(pct * abs(total.actual) / 100 - total.error(method)) <= D("1e-9")
