"""Placement commitments cost their weekly price × days / 7 to their end, 18th birthday or year end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Commitment
from carecast.forecast.placements import commitment_cost, committed_costs

YEAR_START, YEAR_END = date(2018, 4, 1), date(2019, 3, 31)


def commitment(
    weekly: str,
    start: date = date(2017, 1, 1),
    end: date | None = None,
    child: str = "C1",
    contribution: str = "0",
    line: ServiceLine = ServiceLine.PLACEMENTS_IN_HOUSE,
) -> Commitment:
    return Commitment(
        child, line, "Provider", start, end, Decimal(weekly), "CC1", Decimal(contribution)
    )


def test_168_in_house_placements_at_426_a_week_cost_about_3_7m_a_year() -> None:
    # The case study: 168 in-house placements × £426 × 52.14 weeks ≈ £3.7m.
    commitments = [commitment("426", child=f"C{n}") for n in range(168)]
    [(line, cost)] = committed_costs(commitments, YEAR_START, YEAR_END, {}).items()
    assert line is ServiceLine.PLACEMENTS_IN_HOUSE
    # 168 × 426 × 365 / 7 = £3,731,760.00 exactly, to the penny.
    assert cost.cost.quantize(Decimal("0.01")) == Decimal("3731760.00")
    assert cost.average_weekly_cost == Decimal(426)


def test_an_ifa_placement_from_1_september_to_year_end_costs_212_days() -> None:
    placement = commitment("911", start=date(2018, 9, 1), line=ServiceLine.PLACEMENTS_IFA)
    cost = commitment_cost(placement, YEAR_START, YEAR_END)
    assert cost.quantize(Decimal("0.01")) == Decimal("27590.29")  # 911 × 212 / 7 = 193,132 / 7


def test_a_placement_stops_the_day_before_the_18th_birthday() -> None:
    # Born 15 November 2000: 18 on 15 November 2018, so paid 1 October – 14 November = 45 days.
    placement = commitment("3741", line=ServiceLine.PLACEMENTS_RESIDENTIAL)
    cost = commitment_cost(placement, date(2018, 10, 1), YEAR_END, dob=date(2000, 11, 15))
    assert cost == Decimal(3741) * 45 / 7


def test_a_planned_end_date_is_the_last_day_paid() -> None:
    placement = commitment("700", end=date(2018, 10, 31))
    assert commitment_cost(placement, date(2018, 10, 1), YEAR_END) == Decimal(700) * 31 / 7


def test_a_commitment_that_ended_before_the_window_costs_nothing() -> None:
    placement = commitment("700", end=date(2018, 8, 31))
    assert commitment_cost(placement, date(2018, 10, 1), YEAR_END) == 0


def test_health_contributions_reduce_the_councils_share() -> None:
    placement = commitment("4000", contribution="25", line=ServiceLine.PLACEMENTS_RESIDENTIAL)
    assert commitment_cost(placement, date(2019, 3, 25), YEAR_END) == Decimal(3000)


def test_average_weekly_cost_counts_only_placements_open_at_period_end() -> None:
    commitments = [
        commitment("400", child="A"),
        commitment("600", child="B"),
        commitment("5000", child="C", end=date(2018, 9, 1)),  # ended before the close
    ]
    [cost] = committed_costs(commitments, date(2018, 10, 1), YEAR_END, {}).values()
    assert cost.average_weekly_cost == Decimal(500)
