"""The council's children looked after over the years: entries, the stock before 2014, and when
each event reaches the case system."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .children import Child, LeavingCare, Placement, Simulation
from .codes import ENTRY_AGE, ENTRY_AGE_RANGE, SEASON, pick, upn
from .matrix import CouncilSpec
from .timeline import (
    HORIZON,
    OPEN,
    PRE_YEARS,
    SCORED_FY,
    SIM_START,
    add_months,
    day,
    fy_of,
    fy_start,
    month_end,
    month_start,
    period_of,
)


@dataclass
class CareHistory:
    children: list[Child]
    placements: list[Placement]
    leavers: list[LeavingCare]
    adoption_placements: list[tuple[int, int, str]]  # (child, day placed for adoption, provider)


def simulate_care(spec: CouncilSpec, seed: int) -> CareHistory:
    """Entries come month by month (Poisson, seasonal, with the council's growth). Children who
    entered in the 18 years before 2014 are thinned so that the stock in April 2014 matches the
    council's size, which keeps the stock's ages and durations those the model itself produces."""
    r = random.Random(seed)
    counts = np.random.default_rng(seed)
    growth_to_2018 = math.prod(1 + g for g in spec.history_growth)
    stock_2014 = spec.children_target / growth_to_2018**0.6
    rate_guess = stock_2014 / 1.6  # deliberately generous: thinning only removes children
    early = Simulation(spec, r)
    _enter(early, counts, SIM_START - int(PRE_YEARS * 365.25), SIM_START, lambda _fy: rate_guess)
    in_care = sum(any(e.decom <= SIM_START < e.dec for e in c.episodes) for c in early.children)
    keep = min(1.0, stock_2014 / max(1, in_care))
    sim = Simulation(spec, r)
    left_early: dict[int, list[LeavingCare]] = {}
    for x in early.leavers:
        left_early.setdefault(x.child, []).append(x)
    for index, child in enumerate(early.children):
        if r.random() >= keep:
            continue
        if child.episodes[-1].dec > SIM_START:
            _carry_over(sim, early, index, left_early.get(index, []))
        else:  # gone before 2014, but an SGO or adoption allowance may still be paid
            sim.leavers.extend(
                LeavingCare(-1, x.day, x.rec, x.adulthood) for x in left_early.get(index, [])
            )
    fy_rate = {2014: rate_guess * keep}
    for fy, g in zip((2015, 2016, 2017), spec.history_growth, strict=True):
        fy_rate[fy] = fy_rate[fy - 1] * (1 + g)
    fy_rate[2018] = fy_rate[2017] * (1 + spec.entry_growth)
    fy_rate[2019] = fy_rate[2018]
    _enter(sim, counts, SIM_START, HORIZON, lambda fy: fy_rate[fy])
    for _ in range(spec.residential_surge):  # a run of teenagers needing children's homes
        sim.add_child(
            day(2018, 10, 1) + r.randint(0, 75), int(r.uniform(13, 16.5) * 365.25), surge=True
        )
    order = sorted(range(len(sim.children)), key=lambda i: (sim.children[i].episodes[0].decom, i))
    for n, i in enumerate(order):
        c = sim.children[i]
        c.ident = f"{spec.code}-{n + 1:06d}"
        c.upn = upn(r, spec.la_code, (fy_start(SCORED_FY) - c.dob) / 365.25)
    _record_lags(sim.children, spec, r)
    return CareHistory(sim.children, sim.placements, sim.leavers, sim.adoptions)


def _enter(
    sim: Simulation, counts: np.random.Generator, start: int, end: int, rate: Callable[[int], float]
) -> None:
    y, m = period_of(start)
    while month_start(y, m) < end:
        first, last = month_start(y, m), min(month_end(y, m), end - 1)
        expected = rate(fy_of(first)) * SEASON[m - 1] / 12 * (last - first + 1) / 30.44
        for _ in range(int(counts.poisson(max(expected, 0.0)))):
            lo, hi = ENTRY_AGE_RANGE[pick(sim.r, ENTRY_AGE)]
            sim.add_child(sim.r.randint(first, last), max(0, int(sim.r.uniform(lo, hi) * 365.25)))
        y, m = add_months(y, m, 1)


def _carry_over(sim: Simulation, early: Simulation, index: int, left: list[LeavingCare]) -> None:
    """Moves a child simulated before 2014 into the kept population, with its placements."""
    child = early.children[index]
    new_index = len(sim.children)
    sim.children.append(child)
    remap: dict[int, int] = {}
    for e in child.episodes:
        if e.placement >= 0 and e.placement not in remap:
            p = early.placements[e.placement]
            p.child = new_index
            remap[e.placement] = len(sim.placements)
            sim.placements.append(p)
        e.placement = remap.get(e.placement, -1)
    sim.leavers.extend(LeavingCare(new_index, x.day, x.rec, x.adulthood) for x in left)
    sim.adoptions.extend((new_index, d, pr) for c, d, pr in early.adoptions if c == index)


def _record_lags(children: list[Child], spec: CouncilSpec, r: random.Random) -> None:
    """When each episode reaches the case system: most within days, some weeks late. A change of
    placement is recorded at once for both episodes, and nothing is recorded before an earlier
    event of the same child, so an extract never shows a later episode without an earlier one."""
    f = spec.frictions

    def lag() -> int:
        if r.random() < f.ssda903_late_share:
            return int(r.expovariate(1 / (f.ssda903_late_weeks * 7))) + 7
        return r.randint(0, 3)

    for c in children:
        recorded = -OPEN
        for i, e in enumerate(c.episodes):
            if i == 0 or c.episodes[i - 1].rec != "X1":
                recorded = max(recorded, e.decom + lag())
            e.recorded_start = recorded
            if e.rec:
                recorded = max(recorded, e.dec + lag())
                e.recorded_end = recorded
