"""The staffing establishment, month by month.

Statuses change on the 1st of a month and hold for the whole month, so a month-end snapshot of the
establishment says exactly what the month cost: each filled post's annual cost × days in the month
÷ days in the financial year. Permanent leavers give a month's notice (their END_DATE shows a month
ahead); agency assignments end at a week's notice. Vacancies are filled as agency or permanent so
that the agency share drifts back towards the profile's target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from carecast.demo.dates import (
    add_months,
    fy_label,
    month_first_day,
    month_last_day,
    months_between,
    parse_financial_year,
)
from carecast.demo.profile import StaffingProfile
from carecast.demo.records import PostState
from carecast.demo.sampling import PriceIndex, Sampler
from carecast.demo.specs import RoleSpec, TeamSpec

PAID = frozenset({"permanent", "agency", "secondee"})


@dataclass
class _Post:
    post_id: str
    team: TeamSpec
    role: RoleSpec
    fte: float
    cost_factor: float
    premium_factor: float
    status: str = "vacant"
    start: date | None = None
    contract_end: date | None = None  # secondments end on a known date
    leave_on: date | None = None  # last day of the current holder, once notice is given


class _Establishment:
    def __init__(self, spec: StaffingProfile, sampler: Sampler, pay: PriceIndex) -> None:
        self.spec = spec
        self.sampler = sampler
        self.pay = pay
        self.posts: list[_Post] = []
        self.roles = {role.name: role for role in spec.roles}
        self.next_id = 1

    def target_fte(self, year: int) -> float:
        return self.spec.establishment_fte_by_year.get(
            fy_label(year), self.spec.default_establishment_fte
        )

    def agency_target(self, year: int) -> float:
        return self.spec.agency_share_by_year.get(fy_label(year), self.spec.agency_share)

    def _new_post(self, team: TeamSpec) -> _Post:
        sampler = self.sampler
        role = self.roles[sampler.choice(team.roles)]
        fte = 1.0
        if sampler.chance(self.spec.part_time_share):
            fte = sampler.choice(((0.5, 1.0), (0.6, 1.0), (0.8, 2.0)))
        post = _Post(
            f"P{self.next_id:04d}",
            team,
            role,
            fte,
            sampler.lognormal_median(1.0, self.spec.cost_spread),
            sampler.lognormal_median(1.0, 0.25),
        )
        self.next_id += 1
        self.posts.append(post)
        return post

    def resize(self, year: int) -> None:
        """Add vacant posts (or drop vacant ones) to reach the year's establishment."""
        target = self.target_fte(year)
        by_team = {team.name: 0.0 for team in self.spec.teams}
        for post in self.posts:
            by_team[post.team.name] += post.fte
        while sum(by_team.values()) < target - 0.25:
            team = max(self.spec.teams, key=lambda t: t.share * target - by_team[t.name])
            post = self._new_post(team)
            by_team[team.name] += post.fte
        for post in sorted(self.posts, key=lambda p: p.post_id, reverse=True):
            if sum(by_team.values()) <= target + 0.25:
                break
            if post.status == "vacant":
                self.posts.remove(post)
                by_team[post.team.name] -= post.fte

    def agency_share(self) -> float:
        filled = [p for p in self.posts if p.status in PAID]
        if not filled:
            return 0.0
        return sum(p.fte for p in filled if p.status == "agency") / sum(p.fte for p in filled)

    def fill(self, post: _Post, day: date, year: int) -> None:
        target = self.agency_target(year)
        steer = self.spec.agency_steering * (target - self.agency_share())
        chance = min(max(target + steer, 0.02), 0.95)
        agency = post.role.can_be_agency and self.sampler.chance(chance)
        post.status = "agency" if agency else "permanent"
        post.start = day
        post.leave_on = None
        post.contract_end = None

    def annual_cost(self, post: _Post, epoch: int) -> int:
        base = post.role.annual_cost * post.fte * post.cost_factor * self.pay.level(epoch)
        if post.status == "agency":
            base *= 1 + post.role.agency_premium * post.premium_factor
        return round(base * 100)

    def month(self, year: int, month: int, fy: int) -> None:
        """Apply the changes that take effect on the 1st of this month."""
        spec, sampler = self.spec, self.sampler
        first = month_first_day(year, month)
        eve = first - timedelta(days=1)
        for post in self.posts:
            if post.leave_on == eve or (post.contract_end is not None and post.contract_end == eve):
                replaced = post.status == "agency" and sampler.chance(spec.agency_replaced_share)
                post.status, post.start = ("agency", first) if replaced else ("vacant", None)
                post.leave_on = post.contract_end = None
        for post in self.posts:
            if post.status == "vacant":
                if sampler.chance(spec.vacancy_fill_rate / 12):
                    self.fill(post, first, fy)
            elif (
                post.status == "agency"
                and post.leave_on is None
                and sampler.chance(spec.agency_conversion / 12)
            ):
                post.status, post.start = "permanent", first
        last = month_last_day(year, month)
        for post in self.posts:
            if post.leave_on is not None or post.status not in ("permanent", "agency"):
                continue
            if post.status == "permanent" and sampler.chance(spec.permanent_turnover / 12):
                post.leave_on = month_last_day(*add_months(year, month, 1))
            elif post.status == "agency" and sampler.chance(spec.agency_turnover / 12):
                post.leave_on = last

    def snapshot(self, year: int, month: int) -> list[PostState]:
        spec = self.spec
        as_of = month_last_day(year, month)
        epoch = self.pay.epoch(as_of)
        states: list[PostState] = []
        for post in self.posts:
            end: date | None = post.contract_end
            if post.leave_on is not None:
                notice = (
                    spec.notice_days_agency
                    if post.status == "agency"
                    else spec.notice_days_permanent
                )
                if (post.leave_on - as_of).days <= notice:
                    end = post.leave_on
            caseload: int | None = None
            if post.status in PAID and post.role.caseload:
                caseload = self.sampler.poisson(post.role.caseload * post.fte)
            states.append(
                PostState(
                    post.post_id,
                    post.team.name,
                    post.team.cost_centre,
                    post.role.name,
                    post.fte,
                    post.status,
                    self.annual_cost(post, epoch),
                    post.start,
                    end,
                    caseload,
                )
            )
        return states

    def seed_statuses(self, day: date, year: int) -> None:
        """Opening statuses for the first month, with holders who started in earlier years."""
        sampler = self.sampler
        for post in self.posts:
            roll = sampler.uniform()
            if roll < 0.05:
                continue
            if roll < 0.05 + self.spec.secondee_share:
                post.status = "secondee"
                post.start = month_first_day(
                    *add_months(day.year, day.month, -sampler.integer(0, 9))
                )
                post.contract_end = month_last_day(
                    *add_months(day.year, day.month, sampler.integer(3, 15))
                )
                continue
            self.fill(post, day, year)
            back = sampler.integer(0, 24 if post.status == "agency" else 120)
            post.start = month_first_day(*add_months(day.year, day.month, -back))


def simulate_staffing(
    spec: StaffingProfile, seed: int, first_year: int, last: tuple[int, int]
) -> dict[tuple[int, int], list[PostState]]:
    """Month-end establishment snapshots from April of `first_year` to `last` (year, month)."""
    pay = PriceIndex(
        spec.pay_award_by_year,
        spec.default_pay_award,
        parse_financial_year(spec.price_base_year),
        4,
    )
    establishment = _Establishment(spec, Sampler(seed, 3), pay)
    snapshots: dict[tuple[int, int], list[PostState]] = {}
    for year, month in months_between((first_year, 4), last):
        fy = year if month >= 4 else year - 1
        if month == 4:
            establishment.resize(fy)  # new posts start vacant and are filled as vacancies
            if year == first_year:
                establishment.seed_statuses(month_first_day(year, month), fy)
        establishment.month(year, month, fy)
        snapshots[(year, month)] = establishment.snapshot(year, month)
    return snapshots
