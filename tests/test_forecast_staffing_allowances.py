"""Posts cost their annual cost pro rata to contract end or year end; allowances their weekly amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Allowance, Post
from carecast.forecast.allowances import allowance_costs
from carecast.forecast.staffing import post_cost, staffing_cost

OCT_1, YEAR_END = date(2018, 10, 1), date(2019, 3, 31)


def post(status: str, cost: str, end: date | None = None, start: date | None = None) -> Post:
    return Post("P1", "Team", "Social worker", Decimal(1), status, Decimal(cost), start, end)


def test_a_permanent_post_costs_the_rest_of_the_year_pro_rata() -> None:
    # 1 October – 31 March is 182 days of 365.
    assert post_cost(post("permanent", "54750"), OCT_1, YEAR_END, 365) == Decimal(54750) * 182 / 365


def test_an_agency_contract_stops_at_its_end_date() -> None:
    cost = post_cost(post("agency", "73000", end=date(2018, 12, 31)), OCT_1, YEAR_END, 365)
    assert cost == Decimal(73000) * 92 / 365


def test_a_post_starting_later_is_paid_from_its_start() -> None:
    cost = post_cost(post("permanent", "36500", start=date(2019, 3, 1)), OCT_1, YEAR_END, 365)
    assert cost == Decimal(3100)


def test_a_vacant_post_costs_nothing_until_it_is_filled() -> None:
    assert post_cost(post("vacant", "50000"), OCT_1, YEAR_END, 365) == 0


def test_staffing_adds_posts_up() -> None:
    posts = [post("permanent", "36500"), post("agency", "73000"), post("vacant", "40000")]
    assert staffing_cost(posts, date(2019, 3, 1), YEAR_END, 365) == Decimal(3100 + 6200)


def test_allowances_run_to_their_end_or_year_end_by_line() -> None:
    allowances = [
        Allowance("S1", "sgo", date(2016, 5, 1), None, Decimal(200)),
        Allowance("S2", "cao", date(2017, 5, 1), date(2018, 10, 14), Decimal(140)),
        Allowance("A1", "adoption", date(2018, 12, 1), None, Decimal(100)),
    ]
    costs = allowance_costs(allowances, OCT_1, YEAR_END)
    sgo_cost, sgo_cases = costs[ServiceLine.SPECIAL_GUARDIANSHIP]
    assert sgo_cost == Decimal(200) * 182 / 7 + Decimal(140) * 14 / 7
    assert sgo_cases == 2
    adoption_cost, adoption_cases = costs[ServiceLine.ADOPTION_ALLOWANCES]
    assert adoption_cost == Decimal(100) * 121 / 7
    assert adoption_cases == 0  # it starts after the close
