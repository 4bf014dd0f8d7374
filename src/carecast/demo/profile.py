"""DemoProfile: every number that shapes the simulated council, with case-study defaults.

Vary the fields (and `seed`) to make other councils: faster or slower growth, another placement
mix, other prices, more or fewer finance-system frictions, another budget. Year-keyed mappings take
financial-year labels ("2017-18"); a year not listed falls back to the `default_…` field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from carecast.demo import defaults
from carecast.demo.codes import CHOSEN_CATEGORIES, SERVICE_LINES
from carecast.demo.dates import parse_financial_year, parse_period
from carecast.demo.specs import (
    ActionSpec,
    CategoryCost,
    Frictions,
    OtherLineSpec,
    RoleSpec,
    TeamSpec,
)

AGE_BANDS: tuple[str, ...] = ("0", "1-4", "5-9", "10-15", "16-17")


def age_band(age: int) -> int:
    """Index into AGE_BANDS for an age in whole years."""
    if age < 1:
        return 0
    if age < 5:
        return 1
    if age < 10:
        return 2
    if age < 16:
        return 3
    return 4


@dataclass(frozen=True)
class StaffingProfile:
    establishment_fte_by_year: Mapping[str, float] = field(
        default_factory=lambda: {
            "2012-13": 318.0,
            "2013-14": 322.0,
            "2014-15": 326.0,
            "2015-16": 326.0,
            "2016-17": 332.0,
            "2017-18": 348.0,
            "2018-19": 366.0,
        }
    )
    default_establishment_fte: float = 366.0
    agency_share: float = 0.317  # target share of filled FTE that is agency
    agency_share_by_year: Mapping[str, float] = field(default_factory=dict)
    permanent_turnover: float = 0.15  # leavers a year per permanent post
    agency_turnover: float = 0.35  # agency assignments ending a year
    agency_replaced_share: float = 0.6  # an ending agency worker is replaced straight away
    agency_conversion: float = 0.05  # agency workers taking a permanent post, a year
    vacancy_fill_rate: float = 3.0  # vacancies filled a year (monthly chance = rate / 12)
    agency_steering: float = 10.0  # how hard vacancy filling steers towards the agency share
    secondee_share: float = 0.01
    part_time_share: float = 0.1
    cost_spread: float = 0.05
    price_base_year: str = "2018-19"
    pay_award_by_year: Mapping[str, float] = field(default_factory=lambda: {"2018-19": 0.02})
    default_pay_award: float = 0.01
    notice_days_permanent: int = 31  # a leaver's END_DATE shows this long before they go
    notice_days_agency: int = 7
    roles: tuple[RoleSpec, ...] = field(default_factory=defaults.default_roles)
    teams: tuple[TeamSpec, ...] = field(default_factory=defaults.default_teams)


@dataclass(frozen=True)
class AllowanceProfile:
    sgo_share: float = 0.85  # share of special guardianship orders that carry an allowance
    cao_share: float = 0.5
    adoption_share: float = 0.25
    weekly: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "sgo": (205.0, 0.15),
            "cao": (160.0, 0.2),
            "adoption": (150.0, 0.25),
        }
    )  # (mean at price_base_year prices, lognormal sigma)
    early_end_rate: float = 0.04  # allowances stopping before the 18th birthday, a year
    sgo_available_from: str = "2005-12-30"  # special guardianship orders began on this date
    inter_agency_fee: float = 27_000.0  # per adoption placement with a voluntary/other agency
    external_sgo_per_year: float = 8.0  # SGO allowances for children who were not looked after


@dataclass(frozen=True)
class DemoProfile:
    """The demo council. Defaults reproduce the shape of the 2018 case study (DOMAIN.md)."""

    seed: int = 2018
    council_name: str = "Demo Borough (fictional)"
    la_code: str = "209"
    current_period: str = "2018-09"
    first_financial_year: str = "2012-13"
    burn_in_years: int = 18  # simulated before the first year so the opening stock is realistic
    # Monthly extracts start in April this many years before the current financial year; 2 gives
    # a backtest of last year a complete year of ledger before it to profile from.
    extract_years: int = 1

    # Demand: the stock of children looked after follows a target path with noise.
    start_children: int = 500  # looked after on 1 April of the first financial year
    growth_by_year: Mapping[str, float] = field(
        default_factory=lambda: {
            "2012-13": 0.012,
            "2013-14": 0.0198,
            "2014-15": -0.0523,
            "2015-16": -0.1002,
            "2016-17": 0.0614,
            "2017-18": 0.0578,
            "2018-19": 0.04,
        }
    )  # net change of the number looked after over the year
    default_growth: float = 0.0
    stock_correction: float = 0.5  # share of the gap to the target path closed each month
    # fmt: off
    arrival_seasonality: tuple[float, ...] = (
        1.0, 1.05, 1.0, 1.05, 0.85, 1.05, 1.1, 1.05, 0.9, 1.0, 1.0, 0.95,
    )  # April … March
    entry_age_weights: tuple[float, ...] = (
        0.17, 0.05, 0.045, 0.04, 0.04, 0.04, 0.035, 0.035, 0.03, 0.03,
        0.035, 0.04, 0.05, 0.06, 0.08, 0.09, 0.095, 0.085,
    )  # ages 0 … 17 at entry
    # fmt: on
    male_share: float = 0.53
    uasc_share_by_age: tuple[float, ...] = (0.0,) * 14 + (0.06, 0.1, 0.22, 0.25)
    uasc_male_share: float = 0.92
    exit_routes: Mapping[str, Mapping[str, float]] = field(default_factory=defaults.default_routes)
    route_duration_days: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "adoption": (640.0, 0.25),
            "sgo": (520.0, 0.4),
            "cao": (420.0, 0.5),
            "home": (130.0, 1.1),
            "other": (220.0, 1.0),
        }
    )  # (median, lognormal sigma); `age_out` runs to 18, `independent` to a 17th-year date
    care_order_share: tuple[float, ...] = (0.75, 0.7, 0.6, 0.35, 0.15)  # by age band
    emergency_start_share: float = 0.06  # police protection or EPO for the first days
    move_at_16_share: float = 0.35  # a placement review around the 16th birthday moves the child

    # Placement mix (shares of children looked after) and how strongly choices steer towards it.
    placement_mix: Mapping[str, float] = field(default_factory=defaults.default_mix)
    placement_mix_by_year: Mapping[str, Mapping[str, float]] = field(
        default_factory=dict
    )  # a year's overrides of placement_mix, e.g. {"2018-19": {"residential": 0.08}}
    mix_feedback: float = 4.0
    age_propensity: Mapping[str, tuple[float, ...]] = field(
        default_factory=defaults.default_propensity
    )
    parents_before_home_share: float = 0.25  # placed with parents before going home (P1)

    # Prices.
    price_base_year: str = "2017-18"
    categories: Mapping[str, CategoryCost] = field(default_factory=defaults.default_categories)
    price_uplift_by_year: Mapping[str, float] = field(
        default_factory=lambda: {"2017-18": 0.02, "2018-19": 0.035}
    )
    default_price_uplift: float = 0.015
    uplift_month: int = 4  # prices and allowances rise on the 1st of this month
    uasc_daily_grant: tuple[float, float] = (114.0, 91.0)  # under 16, aged 16-17, £ a night
    contributions_in_placement_lines: bool = True  # False: post contributions to the income line

    frictions: Frictions = field(default_factory=Frictions)
    staffing: StaffingProfile = field(default_factory=StaffingProfile)
    allowances: AllowanceProfile = field(default_factory=AllowanceProfile)
    other_lines: Mapping[str, OtherLineSpec] = field(default_factory=defaults.default_other_lines)

    # Budget of the current financial year by service line (£); other years scale by the index.
    budget: Mapping[str, float] = field(
        default_factory=lambda: {
            "staffing": 10_500_000,
            "placements_in_house": 3_600_000,
            "placements_kinship": 250_000,
            "placements_ifa": 8_000_000,
            "placements_residential": 5_350_000,
            "placements_supported": 3_300_000,
            "placements_secure": 350_000,
            "placements_parent_child": 300_000,
            "placements_other": 50_000,
            "special_guardianship": 1_700_000,
            "adoption_allowances": 500_000,
            "specialist_support": 1_300_000,
            "other_support": 3_000_000,
            "other_costs": 4_000_000,
            "income": -600_000,
        }
    )  # £41.6m, as in the case study; the placement lines with allowances and income are £22.8m
    budget_index_by_year: Mapping[str, float] = field(
        default_factory=lambda: {
            "2012-13": 1.035,
            "2013-14": 1.04,
            "2014-15": 1.04,
            "2015-16": 0.965,
            "2016-17": 0.975,
            "2017-18": 0.906,
        }
    )  # each year's budget as a multiple of the current year's, line by line
    default_budget_growth: float = 0.01  # for years not in the index, a year
    actions: tuple[ActionSpec, ...] = field(default_factory=defaults.default_actions)

    def __post_init__(self) -> None:
        first = parse_financial_year(self.first_financial_year)
        year, month = parse_period(self.current_period)
        current = year if month >= 4 else year - 1
        if current - 1 < first:
            raise ValueError(
                "current_period must fall at least one year after first_financial_year"
            )
        if not 1 <= self.extract_years <= current - first:
            raise ValueError(
                "extract_years must be at least 1 and reach no earlier than first year"
            )
        for key in (*self.placement_mix, *self.age_propensity, *self.categories):
            if key not in CHOSEN_CATEGORIES:
                raise ValueError(f"unknown placement category '{key}'")
        for line in self.budget:
            if line not in SERVICE_LINES:
                raise ValueError(f"unknown service line '{line}' in budget")
        if len(self.arrival_seasonality) != 12 or len(self.entry_age_weights) != 18:
            raise ValueError("arrival_seasonality needs 12 values and entry_age_weights 18")
        if not 1 <= self.uplift_month <= 12:
            raise ValueError("uplift_month must be 1..12")

    @property
    def first_year(self) -> int:
        return parse_financial_year(self.first_financial_year)

    @property
    def current_year(self) -> int:
        year, month = parse_period(self.current_period)
        return year if month >= 4 else year - 1
