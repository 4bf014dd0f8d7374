"""Scenarios applied to projected paths and priced: the case study's two savings from its own
arithmetic, conservation, a scenario that changes nothing, and savings that add up."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.periods import Period
from carecast.projection.cost_fit import CostAssumptions, CostModel, PlacementPrice, RoleStaffing
from carecast.projection.cost_paths import Activity, path_costs
from carecast.projection.mtfp import financial_plan
from carecast.projection.scenario_file import (
    AgencyShare,
    CapResidential,
    ClaRate,
    IfaToInHouse,
    Lever,
    Scenario,
    StepDownResidential,
    UnitCost,
)
from carecast.projection.scenario_result import savings, scenario_plan
from carecast.projection.scenarios import Rates, agency_path, change_paths, ramp
from tests.test_projection_costs import cost_model, month_ends

IFA = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_IFA)
IN_HOUSE = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_IN_HOUSE)
RESIDENTIAL = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_RESIDENTIAL)
CATEGORIES = len(PLACEMENT_LINES) + 1
START = date(2018, 3, 31)
YEAR = month_ends(date(2018, 4, 1), 12)  # 2018-19, 365 days
# A change reached in the first month (over_months 1) happens during April: half of its 30 days
WEEKS_CHANGED = (365 - 15) / 7
NO_RISE = CostAssumptions(placement_price_rise=0, pay_award=0, inflation=0)


def priced(weekly: dict[int, float]) -> tuple[PlacementPrice, ...]:
    return tuple(
        PlacementPrice(line, weekly.get(i, 0.0), weekly.get(i, 0.0), 1, 1)
        for i, line in enumerate(PLACEMENT_LINES)
    )


def steady(children: dict[int, float], months: int = 12, paths: int = 1) -> Activity:
    stock = np.zeros((months + 1, paths, CATEGORIES))
    for category, count in children.items():
        stock[:, :, category] = count
    return Activity(stock, np.zeros_like(stock), np.zeros((months, paths)))


def saving(
    cost: CostModel, activity: Activity, *levers: object, rates: Rates | None = None
) -> float:
    baseline = financial_plan(cost, YEAR, activity)
    scenario = scenario_plan(cost, YEAR, activity, list(levers), rates)  # type: ignore[arg-type]
    ((_, band),) = savings(baseline, scenario)
    return band.mean


def test_at_the_neighbours_rate_the_case_study_council_spends_about_3_4m_less() -> None:
    # 71.8 per 10,000 of 68,272 children is 490.2 looked after; at 63.8 it would be 435.6: 54.6
    # fewer, at about £1,194 a week for 365/7 weeks = £3.4m a year. Reached during the first
    # month (over_months 1), April counts half its 30 days of them.
    cost = cost_model(date(2017, 3, 31), prices=priced({IFA: 1194.0}), assumptions=NO_RISE)
    two_years = month_ends(date(2017, 4, 1), 24)
    activity = steady({IFA: 71.8 * 68_272 / 10_000}, months=24)
    rates = Rates(63.8, 62.0, {2016: 68_272})
    lever = ClaRate(target="statistical_neighbours", over_months=1)
    baseline = financial_plan(cost, two_years, activity)
    scenario = scenario_plan(cost, two_years, activity, [lever], rates)
    first, second = (band.mean for _, band in savings(baseline, scenario))
    fewer = (71.8 - 63.8) * 68_272 / 10_000
    assert first == pytest.approx(fewer * 1194 * (365 - 15) / 7)
    assert second == pytest.approx(fewer * 1194 * 365 / 7)
    assert round(second / 1e6, 1) == 3.4


def test_agency_staff_down_to_11_percent_saves_the_case_study_just_over_half_a_million() -> None:
    # 353 FTE, 31.7% agency: 73.1 FTE made permanent at a premium of £7,000 a year each
    # (agency £52,000 against £45,000: 15.6%, inside the case study's 5–16%)
    workers = RoleStaffing("Social Worker", True, 353 * 0.683, 353 * 0.317, 0, 45_000, 52_000, 15)
    cost = cost_model(START, roles=(workers,), children_at_start=490, assumptions=NO_RISE)
    lever = AgencyShare(target=0.11, by=Period.parse("2018-04"))
    saved = saving(cost, steady({IFA: 490}), lever)
    assert saved == pytest.approx(353 * (0.317 - 0.11) * 7_000)
    assert 500_000 < saved < 520_000


def test_agency_share_runs_in_a_straight_line_to_its_target_by_the_month_given() -> None:
    lever = AgencyShare(target=0.1, by=Period.parse("2018-06"))
    path = agency_path(0.4, lever, YEAR)
    assert path[:4] == pytest.approx([0.3, 0.2, 0.1, 0.1])


def test_a_change_ramps_in_over_its_months_from_its_start() -> None:
    assert ramp(YEAR, Period.parse("2018-06"), 4)[:7] == pytest.approx(
        [0, 0, 0.25, 0.5, 0.75, 1, 1]
    )


def test_moving_children_between_placements_keeps_every_child_and_prices_the_difference() -> None:
    cost = cost_model(START, prices=priced({IFA: 911.0, IN_HOUSE: 426.0}), assumptions=NO_RISE)
    activity = steady({IFA: 198, IN_HOUSE: 168})
    lever = IfaToInHouse(share=0.25, over_months=1)
    moved = change_paths(activity, [lever], YEAR, None)
    assert moved.children.sum(axis=2) == pytest.approx(activity.children.sum(axis=2))
    # the case study's 198 IFA placements: a quarter (49.5) at £911 − £426 = £485 a week less
    assert saving(cost, activity, lever) == pytest.approx(49.5 * 485 * WEEKS_CHANGED)


def test_a_residential_cap_moves_only_the_children_above_it() -> None:
    cost = cost_model(START, prices=priced({RESIDENTIAL: 3741.0, IFA: 911.0}), assumptions=NO_RISE)
    lever = CapResidential(children=30, over_months=1)
    assert saving(cost, steady({RESIDENTIAL: 35}), lever) == pytest.approx(
        5 * (3741 - 911) * WEEKS_CHANGED
    )
    assert saving(cost, steady({RESIDENTIAL: 25}), lever) == 0


activities = st.builds(
    lambda ifa, home, res, paths: steady({IFA: ifa, IN_HOUSE: home, RESIDENTIAL: res}, 12, paths),
    st.integers(0, 300),
    st.integers(0, 300),
    st.integers(0, 60),
    st.integers(1, 3),
)


@settings(max_examples=40, deadline=None)
@given(activity=activities, cap=st.integers(0, 100))
def test_a_scenario_that_changes_nothing_changes_nothing(activity: Activity, cap: int) -> None:
    cost = cost_model(START, prices=priced({IFA: 900.0, IN_HOUSE: 400.0, RESIDENTIAL: 4000.0}))
    most = int(activity.children[:, :, RESIDENTIAL].max())
    levers: list[Lever] = [
        CapResidential(children=max(cap, most)),  # a cap above every path's residential children
        UnitCost(service_line=ServiceLine.PLACEMENTS_SECURE, change=0.5),  # nobody is there
        ClaRate(target=999.0),  # a rate per 10,000 above any council's
    ]
    rates = Rates(None, None, {2017: 60_000})
    baseline = path_costs(cost, YEAR, activity)
    changed = change_paths(activity, levers, YEAR, rates)
    assert np.array_equal(changed.children, activity.children)
    assert saving(cost, activity, *levers, rates=rates) == 0
    assert baseline  # priced at all


@settings(max_examples=40, deadline=None)
@given(
    activity=activities,
    share=st.floats(0.01, 1.0),
    target=st.floats(0.0, 0.3),
    change=st.floats(-0.5, 0.5).filter(lambda v: abs(v) > 1e-3),
)
def test_savings_of_levers_on_different_things_add_up_when_composed(
    activity: Activity, share: float, target: float, change: float
) -> None:
    workers = RoleStaffing("Social Worker", True, 60, 40, 0, 45_000, 52_000, 15)
    cost = cost_model(
        START,
        prices=priced({IFA: 900.0, IN_HOUSE: 400.0, RESIDENTIAL: 4000.0}),
        roles=(workers,),
        children_at_start=500,
    )
    mix = IfaToInHouse(share=share, over_months=6)
    agency = AgencyShare(target=target, by=Period.parse("2018-09"))
    price = UnitCost(service_line=ServiceLine.PLACEMENTS_RESIDENTIAL, change=change)
    alone = sum(saving(cost, activity, lever) for lever in (mix, agency, price))
    assert saving(cost, activity, mix, agency, price) == pytest.approx(alone, rel=1e-9, abs=1e-6)


def test_step_downs_to_two_places_each_take_their_share_of_the_same_children() -> None:
    activity = steady({RESIDENTIAL: 40})
    levers = [
        StepDownResidential(share=0.25, to=ServiceLine.PLACEMENTS_IFA, over_months=1),
        StepDownResidential(share=0.25, to=ServiceLine.PLACEMENTS_SUPPORTED, over_months=1),
    ]
    assert Scenario(name="two", levers=tuple(levers))  # the file format allows it
    changed = change_paths(activity, levers, YEAR, None)
    supported = PLACEMENT_LINES.index(ServiceLine.PLACEMENTS_SUPPORTED)
    assert changed.children[-1, 0, RESIDENTIAL] == pytest.approx(20)
    assert changed.children[-1, 0, IFA] == pytest.approx(10)
    assert changed.children[-1, 0, supported] == pytest.approx(10)


def test_children_moved_are_new_placements_where_they_go() -> None:
    prices = tuple(
        replace(p, new_weekly=500.0) if i == IN_HOUSE else p
        for i, p in enumerate(priced({IFA: 900.0, IN_HOUSE: 400.0}))
    )
    cost = cost_model(START, prices=prices, assumptions=NO_RISE)
    lever = IfaToInHouse(share=1.0, over_months=1)
    assert saving(cost, steady({IFA: 10}), lever) == pytest.approx(10 * (900 - 500) * WEEKS_CHANGED)
