"""The children's simulation: arrivals, placements, moves and exits, day by day.

Arrivals each month are Poisson; their mean is the exits already planned for that month plus the
target path's growth plus a share of the gap between the stock and the path (so the number looked
after follows the profile's growth with realistic noise). Placement choices weigh each category's
age-specific propensity by how far the current mix is from the profile's target mix; step-ups and
step-downs happen at moves. Warm-up years run before the first financial year so that the opening
stock has realistic ages and histories.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from carecast.demo.children import age_on, build_episodes, child_id, final_rec, new_child
from carecast.demo.codes import (
    CATEGORIES,
    CHOSEN_CATEGORIES,
    PLACEMENT_COST_CENTRE,
    REASON_PLACE_CHANGE,
    RESIDENTIAL_SCHOOL_COST_CENTRE,
)
from carecast.demo.dates import (
    add_months,
    fy_label,
    fy_month_index,
    fy_of,
    month_last_day,
    months_between,
    parse_financial_year,
)
from carecast.demo.profile import DemoProfile, age_band
from carecast.demo.providers import Providers
from carecast.demo.records import Child, Episode, Placement
from carecast.demo.sampling import PriceIndex, Sampler

_EXIT, _TERMINAL, _MOVE, _ENTRY = 0, 1, 2, 3  # same-day order: leave first, arrive last
_ANY_TOKEN = -1


@dataclass
class ChildWorld:
    children: list[Child]
    placements: list[Placement]
    episodes: list[list[Episode]]  # by child index
    prices: PriceIndex
    horizon: date


def price_index(profile: DemoProfile) -> PriceIndex:
    return PriceIndex(
        profile.price_uplift_by_year,
        profile.default_price_uplift,
        parse_financial_year(profile.price_base_year),
        profile.uplift_month,
    )


def simulate_children(profile: DemoProfile, horizon: date) -> ChildWorld:
    """Simulate from the warm-up start to `horizon` (inclusive)."""
    simulation = _Simulation(profile, horizon)
    simulation.run()
    episodes = [build_episodes(child, horizon) for child in simulation.children]
    return ChildWorld(
        simulation.children, simulation.placements, episodes, simulation.prices, horizon
    )


class _Simulation:
    def __init__(self, profile: DemoProfile, horizon: date) -> None:
        self.profile = profile
        self.horizon = horizon
        self.sampler = Sampler(profile.seed, 1)
        self.providers = Providers(Sampler(profile.seed, 2))
        self.prices = price_index(profile)
        self.children: list[Child] = []
        self.placements: list[Placement] = []
        self.active: Counter[str] = Counter()
        self.in_care = 0
        self.heap: list[tuple[int, int, int, int, int]] = []
        self.seq = 0
        self.exits_by_month: Counter[tuple[int, int]] = Counter()
        self.id_offset = self.sampler.integer(0, 899_999)
        self._levels: dict[int, float] = {}

    # --- the target path -------------------------------------------------------------------
    def _growth(self, year: int) -> float:
        return self.profile.growth_by_year.get(fy_label(year), self.profile.default_growth)

    def _level(self, year: int) -> float:
        """Target number looked after on 1 April of `year`."""
        first = self.profile.first_year
        if year <= first:
            return float(self.profile.start_children)
        if year not in self._levels:
            self._levels[year] = self._level(year - 1) * (1 + self._growth(year - 1))
        return self._levels[year]

    def target(self, year: int, month: int) -> float:
        """Target number looked after on the 1st of the month."""
        fy = year if month >= 4 else year - 1
        if fy < self.profile.first_year:
            return float(self.profile.start_children)
        return self._level(fy) * float((1 + self._growth(fy)) ** (fy_month_index(month) / 12))

    # --- the event loop --------------------------------------------------------------------
    def push(self, day: date, kind: int, child: int, token: int) -> None:
        if day <= self.horizon:
            self.seq += 1
            heapq.heappush(self.heap, (day.toordinal(), kind, self.seq, child, token))

    def run(self) -> None:
        profile = self.profile
        seasons = profile.arrival_seasonality
        mean_season = sum(seasons) / len(seasons)
        first = (profile.first_year - profile.burn_in_years, 4)
        for year, month in months_between(first, (self.horizon.year, self.horizon.month)):
            stock_target = self.target(year, month)
            growth = self.target(*add_months(year, month, 1)) - stock_target
            wanted = (
                self.exits_by_month[(year, month)]
                + growth
                + profile.stock_correction * (stock_target - self.in_care)
            )
            lam = max(wanted, 0.0) * seasons[fy_month_index(month)] / mean_season
            last = min(month_last_day(year, month), self.horizon)
            for _ in range(self.sampler.poisson(lam)):
                day = date(year, month, 1) + timedelta(days=self.sampler.integer(0, last.day - 1))
                self.push(day, _ENTRY, -1, 0)
            self._process_until(last)

    def _process_until(self, last: date) -> None:
        limit = last.toordinal()
        while self.heap and self.heap[0][0] <= limit:
            ordinal, kind, _, index, token = heapq.heappop(self.heap)
            day = date.fromordinal(ordinal)
            if kind == _ENTRY:
                self._enter(day)
                continue
            child = self.children[index]
            if not child.in_care:
                continue
            if kind == _EXIT:
                self._leave(child, day)
            elif kind == _TERMINAL and child.terminal is not None:
                self._place(child, child.terminal[1], day, "CARPL")
            elif kind == _MOVE and (token in (_ANY_TOKEN, child.token)):
                current = child.placements[-1].category
                if current not in ("parents", "adoption"):
                    reason = self.sampler.choice(REASON_PLACE_CHANGE)
                    self._place(child, self._choose(child, day), day, reason)

    def _enter(self, day: date) -> None:
        index = len(self.children)
        ident = child_id(index, self.id_offset)
        child = new_child(self.sampler, self.profile, index, ident, day)
        self.children.append(child)
        child.in_care = True
        self.in_care += 1
        self.exits_by_month[(child.exit.year, child.exit.month)] += 1
        self.push(child.exit, _EXIT, index, 0)
        if child.terminal is not None:
            self.push(child.terminal[0], _TERMINAL, index, 0)
        if child.move_at_16 is not None:
            self.push(child.move_at_16, _MOVE, index, _ANY_TOKEN)
        self._place(child, self._choose(child, day), day, "")

    def _leave(self, child: Child, day: date) -> None:
        last = child.placements[-1]
        last.end = day
        self.active[last.category] -= 1
        self.in_care -= 1
        child.in_care = False
        child.rec = final_rec(self.sampler, child, last.category)

    # --- placements ------------------------------------------------------------------------
    def _mix(self, day: date) -> dict[str, float]:
        mix = dict(self.profile.placement_mix)
        mix.update(self.profile.placement_mix_by_year.get(fy_label(fy_of(day)), {}))
        return mix

    def _choose(self, child: Child, day: date) -> str:
        profile = self.profile
        age = age_on(child.dob, day)
        band = age_band(age)
        mix = self._mix(day)
        stock = max(self.in_care, 1)
        weighted: list[tuple[str, float]] = []
        for category in CHOSEN_CATEGORIES:
            base = profile.age_propensity.get(category, (0.0,) * 5)[band]
            if (category == "secure" and age < 12) or (
                category == "parent_child" and band > 0 and child.sex != 2
            ):
                base = 0.0
            if base <= 0:
                continue
            share = self.active[category] / stock
            steer = (mix.get(category, 0.0) / max(share, 0.002)) ** profile.mix_feedback
            weighted.append((category, base * min(max(steer, 0.02), 50.0)))
        return self.sampler.choice(weighted) if weighted else "in_house"

    def _place(self, child: Child, category: str, day: date, reason: str) -> None:
        sampler = self.sampler
        if child.placements:
            previous = child.placements[-1]
            previous.end = day
            previous.end_reason = reason
            self.active[previous.category] -= 1
        spec = CATEGORIES[category]
        place = sampler.choice(spec.places)
        code = sampler.choice(spec.providers)
        provider = self.providers.pick(sampler, category, code)
        placement = Placement(
            index=len(self.placements),
            child=child.index,
            category=category,
            place=place,
            provider_code=code,
            provider=provider.name,
            urn=provider.urn if spec.has_urn else "",
            pl_post=child.home_post if category == "parents" else provider.postcode,
            start=day,
        )
        if spec.service_line is not None:
            cost = self.profile.categories[category]
            epoch = self.prices.epoch(day)
            mean = cost.weekly_cost * self.prices.level(epoch)
            placement.base_rate = round(sampler.lognormal_mean(mean, cost.sigma) * 100)
            placement.start_epoch = epoch
            if sampler.chance(cost.contribution_share):
                low, high = cost.contribution_pct
                placement.contribution_pct = sampler.integer(round(low), round(high))
            placement.cost_centre = (
                RESIDENTIAL_SCHOOL_COST_CENTRE if place == "S1" else PLACEMENT_COST_CENTRE[category]
            )
        if category == "parent_child" and child.sex == 2 and age_on(child.dob, day) >= 12:
            child.mc_dob = child.mc_dob or day - timedelta(days=sampler.integer(0, 60))
        self.placements.append(placement)
        child.placements.append(placement)
        self.active[category] += 1
        child.token += 1
        if category in ("parents", "adoption"):
            return
        gap = sampler.exponential(365.0 / max(self.profile.categories[category].move_rate, 1e-6))
        move = day + timedelta(days=max(1, round(gap)))
        limit = child.terminal[0] if child.terminal is not None else child.exit
        if move < limit:
            self.push(move, _MOVE, child.index, child.token)
