"""The general ledger, month by month, built from the simulated activity.

Each placement costs its weekly rate × days ÷ 7 in every month it is open (the rate in force that
month), posted to its cost centre; health and education contributions come off as a negative row
(in the placement's cost centre by default, so each placement line is net). With the posting-lag
friction a share of each month's placement payments posts in the next period, except that March's
share is accrued into March so a year's ledger always adds up to the year's true cost.
Staffing posts each filled post's annual cost × days ÷ days in the year.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from carecast.demo.children import age_on
from carecast.demo.codes import (
    ACCOUNTS,
    ALLOWANCE_COST_CENTRE,
    CONTRIBUTIONS_INCOME_COST_CENTRE,
    COST_CENTRES,
    SERVICE_LINES,
    UASC_GRANT_COST_CENTRE,
)
from carecast.demo.dates import (
    fy_days,
    fy_first_day,
    fy_label,
    fy_month_index,
    month_first_day,
    month_last_day,
    months_between,
    next_month_first_day,
    overlap_days,
)
from carecast.demo.profile import DemoProfile
from carecast.demo.records import AllowanceCase, LedgerRow, PostState
from carecast.demo.sampling import PriceIndex, Sampler
from carecast.demo.simulation import ChildWorld

Month = tuple[int, int]
# (month, cost centre, account key) -> amount in pence × a common divisor kept alongside
_Sums = dict[tuple[Month, str, str], int]


def _round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def _months(first: date, end_exclusive: date | None, horizon: date) -> Iterable[Month]:
    last = horizon if end_exclusive is None else min(end_exclusive - timedelta(days=1), horizon)
    if last < first:
        return ()
    return months_between((first.year, first.month), (last.year, last.month))


def _placements(world: ChildWorld, start: date, contributions_cc: str | None) -> _Sums:
    """Seven times the pence of each month's placement payments and contributions."""
    sums: _Sums = defaultdict(int)
    prices = world.prices
    for placement in world.placements:
        if placement.base_rate == 0 or (placement.end is not None and placement.end <= start):
            continue
        for year, month in _months(max(placement.start, start), placement.end, world.horizon):
            days = overlap_days(
                placement.start,
                placement.end,
                month_first_day(year, month),
                month_last_day(year, month),
            )
            rate = prices.rate(
                placement.base_rate,
                placement.start_epoch,
                prices.epoch(month_first_day(year, month)),
            )
            sums[((year, month), placement.cost_centre, "placements")] += rate * days
            if placement.contribution_pct:
                centre = contributions_cc or placement.cost_centre
                # stored ×100 so the percentage stays whole; divided by 700 later
                sums[((year, month), centre, "contributions")] -= (
                    rate * days * placement.contribution_pct
                )
    return sums


def _allowances(
    cases: Iterable[AllowanceCase], prices: PriceIndex, start: date, horizon: date
) -> _Sums:
    sums: _Sums = defaultdict(int)
    for case in cases:
        end_exclusive = case.end + timedelta(days=1)
        if end_exclusive <= start:
            continue
        for year, month in _months(max(case.start, start), end_exclusive, horizon):
            days = overlap_days(
                case.start, end_exclusive, month_first_day(year, month), month_last_day(year, month)
            )
            rate = prices.rate(
                case.base_rate, case.start_epoch, prices.epoch(month_first_day(year, month))
            )
            sums[((year, month), ALLOWANCE_COST_CENTRE[case.allowance_type], "allowances")] += (
                rate * days
            )
    return sums


def _one_offs(
    profile: DemoProfile, world: ChildWorld, start: date
) -> dict[tuple[Month, str, str], int]:
    """Inter-agency adoption fees and the UASC grant, in pence."""
    sums: dict[tuple[Month, str, str], int] = defaultdict(int)
    prices = world.prices
    fee = profile.allowances.inter_agency_fee
    for placement in world.placements:
        if (
            placement.category == "adoption"
            and placement.provider_code in ("PR4", "PR5")
            and start <= placement.start <= world.horizon
        ):
            level = prices.level(prices.epoch(placement.start))
            when = (placement.start.year, placement.start.month)
            key = (when, ALLOWANCE_COST_CENTRE["adoption"], "inter_agency")
            sums[key] += round(fee * level * 100)
    under_16, over_16 = profile.uasc_daily_grant
    for child, episodes in zip(world.children, world.episodes, strict=True):
        if not child.uasc or not episodes:
            continue
        for year, month in _months(max(child.entry, start), child.exit, world.horizon):
            first, last = month_first_day(year, month), month_last_day(year, month)
            days = overlap_days(child.entry, child.exit, first, last)
            rate = over_16 if age_on(child.dob, first) >= 16 else under_16
            sums[((year, month), UASC_GRANT_COST_CENTRE, "uasc_grant")] -= round(rate * days * 100)
    return sums


def _staffing(snapshots: Mapping[Month, list[PostState]]) -> dict[tuple[Month, str, str], int]:
    sums: dict[tuple[Month, str, str], int] = defaultdict(int)
    for (year, month), posts in snapshots.items():
        fy = year if month >= 4 else year - 1
        days = (next_month_first_day(year, month) - month_first_day(year, month)).days
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for post in posts:
            if post.status == "vacant":
                continue
            account = "agency" if post.status == "agency" else "salaries"
            totals[(post.cost_centre, account)] += post.annual_cost * days
        for (centre, account), total in totals.items():
            sums[((year, month), centre, account)] = _round_div(total, fy_days(fy))
    return sums


def _other_lines(profile: DemoProfile, months: list[Month]) -> dict[tuple[Month, str, str], int]:
    sums: dict[tuple[Month, str, str], int] = {}
    sampler = Sampler(profile.seed, 5)
    current = profile.current_year
    for line in sorted(profile.other_lines):
        spec = profile.other_lines[line]
        mean_season = sum(spec.seasonality) / 12
        for year, month in months:
            fy = year if month >= 4 else year - 1
            annual = spec.annual * (1 + spec.growth) ** (fy - current)
            season = spec.seasonality[fy_month_index(month)] / mean_season
            amount = annual / 12 * season * sampler.lognormal_mean(1.0, spec.noise)
            for centre, share in spec.cost_centres:
                sums[((year, month), centre, "supplies")] = round(amount * share * 100)
    return sums


def build_ledger(
    profile: DemoProfile,
    world: ChildWorld,
    cases: list[AllowanceCase],
    snapshots: Mapping[Month, list[PostState]],
) -> list[LedgerRow]:
    """Every ledger row from April of the first financial year to the simulation horizon."""
    start = fy_first_day(profile.first_year)
    horizon = world.horizon
    months = list(months_between((start.year, start.month), (horizon.year, horizon.month)))
    contributions_cc = (
        None if profile.contributions_in_placement_lines else CONTRIBUTIONS_INCOME_COST_CENTRE
    )
    sevenths = _placements(world, start, contributions_cc)
    for key, value in _allowances(cases, world.prices, start, horizon).items():
        sevenths[key] += value
    pence: dict[tuple[Month, str, str], int] = defaultdict(int)
    lag = profile.frictions.posting_lag_share
    for (month, centre, account), value in sorted(sevenths.items()):
        if account == "contributions":
            pence[(month, centre, account)] += _round_div(value, 700)
            continue
        cost = _round_div(value, 7)
        if account != "placements" or lag <= 0:
            pence[(month, centre, account)] += cost
            continue
        now = math.floor(cost * (1 - lag) + 0.5)
        pence[(month, centre, account)] += now
        year, mon = month
        later = (
            month
            if mon == 3
            else (next_month_first_day(year, mon).year, next_month_first_day(year, mon).month)
        )
        pence[(later, centre, "placements_arrears")] += cost - now
    for extra in (
        _one_offs(profile, world, start),
        _staffing(snapshots),
        _other_lines(profile, months),
    ):
        for key, value in extra.items():
            pence[key] += value
    rows = [
        LedgerRow(month, centre, ACCOUNTS[account][0], amount, ACCOUNTS[account][1])
        for (month, centre, account), amount in pence.items()
        if amount != 0 and month <= (horizon.year, horizon.month)
    ]
    rows.sort(key=lambda r: (r.period, r.cost_centre, r.account, r.description))
    return rows


def true_outturn(rows: Iterable[LedgerRow]) -> dict[str, dict[str, int]]:
    """Financial year -> service line -> the year's ledger total in pence (every line present)."""
    line_of = {centre: line for centre, line, _ in COST_CENTRES}
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        year, month = row.period
        label = fy_label(year if month >= 4 else year - 1)
        lines = totals.setdefault(label, dict.fromkeys(SERVICE_LINES, 0))
        lines[line_of[row.cost_centre]] += row.amount
    return totals


def budget_rows(profile: DemoProfile) -> list[tuple[str, str, int]]:
    """(financial year, service line, pence) for every year from the first to the current."""
    current = profile.current_year
    rows: list[tuple[str, str, int]] = []
    for year in range(profile.first_year, current + 1):
        label = fy_label(year)
        index = profile.budget_index_by_year.get(
            label, (1 + profile.default_budget_growth) ** (year - current)
        )
        if year == current:
            index = 1.0
        for line in SERVICE_LINES:
            if line in profile.budget:
                pounds = round(profile.budget[line] * index / 1000) * 1000
                rows.append((label, line, pounds * 100))
    return rows
