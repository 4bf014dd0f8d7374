"""Engine results → LineBuilds: items, monthly components and the fitted assumptions they used."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Allowance, Commitment, Post
from carecast.domain.periods import Period
from carecast.domain.provenance import ForecastItem
from carecast.forecast.allowances import AllowanceModel
from carecast.forecast.history import LINES
from carecast.forecast.lines import COMMITTED, DEMAND, LineBuild, pence
from carecast.forecast.other_lines import Profiled
from carecast.forecast.placement_lines import (
    PlacementModel,
    live_counts,
    placement_items,
)
from carecast.forecast.placements import commitment_cost, commitment_last_day
from carecast.forecast.staffing import StaffingModel
from carecast.forecast.window import Window


def placement_builds(model: PlacementModel) -> dict[ServiceLine, LineBuild]:
    window = model.window
    expected = model.expected
    counts = live_counts(model)
    builds: dict[ServiceLine, LineBuild] = {}
    items = placement_items(model)
    for i, line in enumerate(LINES):
        build = LineBuild(line, "activity", children=counts.get(line, 0))
        build.items = [item for item in items if item.service_line is line]
        if build.items:
            mean = np.mean([float(item.weekly_cost) for item in build.items])
            build.average_weekly_cost = pence(float(mean))
        build.add_daily(DEMAND, "early_endings", window, expected.stay[i] - expected.committed[i])
        build.add_daily(DEMAND, "moves", window, expected.moves[i])
        build.add_daily(DEMAND, "step_ups_downs", window, expected.steps[i])
        build.add_daily(DEMAND, "arrivals", window, expected.arrivals[i])
        builds[line] = build
    return builds


def _last_day(window: Window, row: np.ndarray) -> date:
    paid = np.flatnonzero(row > 0)
    return window.first + timedelta(days=int(paid[-1])) if len(paid) else window.first


def staffing_build(model: StaffingModel, posts: list[Post], window: Window, days: int) -> LineBuild:
    build = LineBuild(ServiceLine.STAFFING, "posts")
    for i, post in enumerate(posts):
        committed = float(model.committed[i].sum())
        build.items.append(
            ForecastItem(
                kind="post",
                key=post.post_id,
                service_line=ServiceLine.STAFFING,
                weekly_cost=pence(float(post.annual_cost) * 7 / days),
                first_day=window.first,
                last_day=_last_day(window, model.committed[i]),
                committed=pence(committed),
                flag=None if post.status != "vacant" else "vacant",
            )
        )
    build.add_daily(DEMAND, "leavers", window, (model.holder - model.committed).sum(axis=0))
    build.add_daily(DEMAND, "vacancy_fills", window, model.newcomer.sum(axis=0))
    return build


def allowance_builds(
    model: AllowanceModel, cases: list[Allowance], window: Window
) -> dict[ServiceLine, LineBuild]:
    builds: dict[ServiceLine, LineBuild] = {}
    by_id = {c.case_id: c for c in cases}
    for line in {*model.lines, *model.joiners, *model.unitemised, *model.unposted}:
        builds[line] = LineBuild(line, "allowances", children=0)
    for i, (case_id, line) in enumerate(zip(model.case_ids, model.lines, strict=True)):
        case = by_id[case_id]
        build = builds[line]
        build.children = (build.children or 0) + 1
        build.items.append(
            ForecastItem(
                kind="allowance",
                key=case_id,
                service_line=line,
                weekly_cost=case.weekly_amount,
                first_day=window.first,
                last_day=_last_day(window, model.committed[i]),
                committed=pence(float(model.committed[i].sum())),
            )
        )
    for line, build in builds.items():
        rows = [i for i, x in enumerate(model.lines) if x is line]
        if rows:
            stops = (model.expected[rows] - model.committed[rows]).sum(axis=0)
            build.add_daily(DEMAND, "early_stops", window, stops)
        if line in model.joiners:
            build.add_daily(DEMAND, "joiners", window, model.joiners[line])
        if line in model.unitemised:
            build.add_daily(
                DEMAND, "unitemised", window, np.full(window.days, model.unitemised[line])
            )
        if line in model.unposted and window.days:
            # the cases' cost to date not yet posted posts by year end, as placements' does
            first = window.periods[:1]
            build.add_monthly(COMMITTED, "arrears", first, np.array([model.unposted[line]]))
        if build.items:
            mean = np.mean([float(item.weekly_cost) for item in build.items])
            build.average_weekly_cost = pence(float(mean))
    return builds


def profiled_build(line: ServiceLine, profiled: Profiled, periods: list[Period]) -> LineBuild:
    build = LineBuild(line, profiled.method)
    # the profile runs to year end; a shorter horizon takes its first months
    build.add_monthly(COMMITTED, profiled.method, periods, profiled.remaining[: len(periods)])
    return build


def commitment_builds(
    commitments: list[Commitment], window: Window, dobs: dict[str, date]
) -> dict[ServiceLine, LineBuild]:
    """Fallback when there is no SSDA903 history: every open commitment is an item, as finance
    systems forecast (to its end date, the eve of the 18th birthday or year end)."""
    builds: dict[ServiceLine, LineBuild] = {}
    for c in sorted(commitments, key=lambda c: (c.child_id, c.start)):
        if not c.category.is_placement:
            continue
        last = commitment_last_day(c, dobs.get(c.child_id), window.last)
        if last < window.first:
            continue
        build = builds.setdefault(c.category, LineBuild(c.category, "actuals_plus_commitments"))
        build.items.append(
            ForecastItem(
                kind="commitment",
                key=f"{c.child_id}/{c.start.isoformat()}",
                service_line=c.category,
                weekly_cost=pence(float(c.net_weekly_cost)),
                first_day=max(window.first, c.start),
                last_day=last,
                committed=pence(
                    float(commitment_cost(c, window.first, window.last, dobs.get(c.child_id)))
                ),
            )
        )
    return builds
