"""Allowances to year end: current cases, plus expected joiners, minus expected early stops, plus
the cases' cost to date that the ledger has not yet posted.

Each open case runs at its weekly amount to its end date (the planned end, usually the eve of the
18th birthday) or year end — the committed cost. Joiners arrive at the rate of the last 12 months'
new cases at their average amount; cases stop early at the fitted rate (endings so far this year
beyond the planned ones). Spend the cases do not explain (inter-agency adoption fees, one-off
payments) continues at this year's rate so far as an unitemised component.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from carecast.domain.codes import ALLOWANCE_LINES, ServiceLine
from carecast.domain.finance import Allowance
from carecast.domain.money import weekly_cost_for_days
from carecast.domain.periods import days_between
from carecast.forecast.assumptions import AllowanceAssumptions
from carecast.forecast.history import FloatArray
from carecast.forecast.window import Window

# Types whose line is driven by cases; `other` allowances sit in other_support, a profiled line.
TYPES = tuple(
    kind for kind, line in ALLOWANCE_LINES.items() if line is not ServiceLine.OTHER_SUPPORT
)
DRIVEN_LINES = frozenset(ALLOWANCE_LINES[kind] for kind in TYPES)
LAG_DAYS = 61  # two months: the longest lag of a monthly schedule in ledger_timing.py


def allowance_cost(allowance: Allowance, first: date, last: date) -> Decimal:
    start = max(allowance.start, first)
    end = last if allowance.end is None else min(allowance.end, last)
    return weekly_cost_for_days(allowance.weekly_amount, days_between(start, end))


def allowance_costs(
    allowances: Iterable[Allowance], first: date, last: date
) -> dict[ServiceLine, tuple[Decimal, int]]:
    """Cost to year end and the number of cases open at the start of the window, per line."""
    costs: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    cases: dict[ServiceLine, int] = defaultdict(int)
    for allowance in allowances:
        line = ALLOWANCE_LINES[allowance.allowance_type]
        costs[line] += allowance_cost(allowance, first, last)
        if allowance.start < first and (allowance.end is None or allowance.end >= first):
            cases[line] += 1
    return {line: (costs[line], cases[line]) for line in set(costs) | set(cases)}


@dataclass(frozen=True)
class AllowanceFit:
    joiners_per_month: dict[str, float]
    joiner_weekly: dict[str, float]
    early_end_rate: float  # a year
    # how many events each rate rests on: its uncertainty in the paths follows from them
    joiner_events: dict[str, int] = field(default_factory=dict)
    early_end_events: int = 0


def fit_allowances(
    cases: Sequence[Allowance], close: date, a: AllowanceAssumptions
) -> AllowanceFit:
    year_ago = close - timedelta(days=365)
    joiners: dict[str, float] = {}
    weekly: dict[str, float] = {}
    events: dict[str, int] = {}
    for kind in TYPES:
        of_kind = [c for c in cases if c.allowance_type == kind and c.start <= close]
        recent = [c for c in of_kind if c.start > year_ago]
        joiners[kind] = len(recent) / 12
        events[kind] = len(recent)
        pool = recent or [c for c in of_kind if c.end is None or c.end >= close]
        weekly[kind] = float(np.mean([float(c.weekly_amount) for c in pool])) if pool else 0.0
    if a.joiners_per_month is not None:
        joiners.update(a.joiners_per_month)
    if a.joiner_weekly_amount is not None:
        weekly.update({k: float(v) for k, v in a.joiner_weekly_amount.items()})
    rate, ended = _early_end_rate(cases, close)
    if a.early_end_rate is not None:
        rate = a.early_end_rate
    return AllowanceFit(joiners, weekly, rate, events, ended)


def _early_end_rate(cases: Sequence[Allowance], close: date) -> tuple[float, int]:
    """Endings this year so far per case-year, less the rate at which open cases reach their
    planned end: what is left are the stops nobody planned; and how many endings it rests on."""
    year_start = date(close.year if close.month >= 4 else close.year - 1, 4, 1)
    exposure = 0.0
    ended = 0
    for c in cases:
        first, last = max(c.start, year_start), close if c.end is None else min(c.end, close)
        exposure += max(0, (last - first).days + 1) / 365
        ended += c.end is not None and year_start <= c.end < close
    open_cases = [c for c in cases if c.end is None or c.end >= close]
    planned = sum(1 for c in open_cases if c.end is not None and c.end <= close + timedelta(365))
    planned_rate = planned / len(open_cases) if open_cases else 0.0
    if exposure < 5:
        return 0.0, 0
    return float(min(max(ended / exposure - planned_rate, 0.0), 0.5)), ended


@dataclass(frozen=True)
class AllowanceModel:
    case_ids: tuple[str, ...]
    lines: tuple[ServiceLine, ...]  # per case
    committed: FloatArray  # (cases, days)
    expected: FloatArray  # (cases, days): with early stops
    joiners: dict[ServiceLine, FloatArray]  # (days,) expected cost of new cases
    unitemised: dict[ServiceLine, float]  # spend so far the cases do not explain, a day
    fit: AllowanceFit
    elapsed_days: int = 365  # of the year so far, which the unitemised rate is measured over
    # the cases' cost to date that the ledger has not posted yet, which it posts by year end
    unposted: dict[ServiceLine, float] = field(default_factory=dict)


def build_allowances(
    cases: Sequence[Allowance],
    window: Window,
    year_to_date: dict[ServiceLine, Decimal],
    a: AllowanceAssumptions,
) -> AllowanceModel:
    cases = [c for c in cases if c.allowance_type in TYPES]
    close = window.first - timedelta(days=1)
    fit = fit_allowances(cases, close, a)
    days = window.days
    d = np.arange(days, dtype=float)
    live = [c for c in cases if c.start <= close and (c.end is None or c.end > close)]
    committed = np.zeros((len(live), days))
    for i, case in enumerate(live):
        last = days - 1 if case.end is None else min(window.offset(case.end), days - 1)
        committed[i] = float(case.weekly_amount) / 7 * (d <= last)
    stop = fit.early_end_rate / 365
    expected = committed * np.exp(-stop * (d + 1))[None, :]
    joiners: dict[ServiceLine, FloatArray] = {}
    for kind in TYPES:
        line = ALLOWANCE_LINES[kind]
        per_day = fit.joiners_per_month.get(kind, 0.0) * 12 / 365
        # a joiner on day s is paid from s: expected cases on day d = Σ_{s≤d} per_day e^−stop(d−s)
        stock = per_day * (1 - np.exp(-stop * (d + 1))) / stop if stop > 0 else per_day * (d + 1)
        joiners[line] = joiners.get(line, np.zeros(days)) + stock * fit.joiner_weekly[kind] / 7
    year_start = date(close.year if close.month >= 4 else close.year - 1, 4, 1)
    elapsed = (close - year_start).days + 1
    implied: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    for case in cases:
        implied[ALLOWANCE_LINES[case.allowance_type]] += allowance_cost(case, year_start, close)
    # Only spend beyond the cases runs on. A shortfall against them is timing: care paid in
    # arrears or in four-weekly runs, or a year-end accrual reversed in period 1 that leaves the
    # year's first payment run netted to nothing. Either way the care has happened and the
    # ledger posts it by year end (paid, or accrued in period 12), so it is added once, as the
    # placement lines add their care not yet posted. On the independent councils, allowances
    # under a year-end accrual were otherwise forecast a month short (0.3% of the total at P9).
    # Only what a lag can explain counts (at most the cases' cost of the last LAG_DAYS, the
    # longest lag ledger_timing.py considers), and only on a line the ledger posts to at all.
    unitemised: dict[ServiceLine, float] = {}
    unposted: dict[ServiceLine, float] = {}
    lag_start = max(year_start, close - timedelta(days=LAG_DAYS - 1))
    recent: dict[ServiceLine, Decimal] = defaultdict(Decimal)
    for case in cases:
        recent[ALLOWANCE_LINES[case.allowance_type]] += allowance_cost(case, lag_start, close)
    for line in DRIVEN_LINES:
        posted = year_to_date.get(line, Decimal(0))
        extra = float(posted - implied.get(line, Decimal(0)))
        if extra > 0:
            unitemised[line] = extra / elapsed
        elif extra < 0 and days and posted:
            unposted[line] = min(-extra, float(recent[line]))
    return AllowanceModel(
        tuple(c.case_id for c in live),
        tuple(ALLOWANCE_LINES[c.allowance_type] for c in live),
        committed,
        expected,
        joiners,
        unitemised,
        fit,
        elapsed,
        unposted,
    )
