"""Sentences written from the numbers: deterministic, never invented.

Every function takes figures that a section also shows in one of its tables and renders them the
same way each time, so each number in the prose can be traced to a table cell. Counts that
disclosure control withheld arrive as None and are left out of the sentence rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from carecast.domain.periods import Period

MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1_000)
# Below this share of the budget a variance is reported as "in line with the budget".
ON_BUDGET_SHARE = Decimal("0.005")


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def money(amount: Decimal) -> str:
    """£12.9m from £100,000 up, £45k from £1,000, else whole pounds; always without a sign."""
    size = abs(amount)
    if size >= MILLION / 10:
        return f"£{_round(size / MILLION, '0.1')}m"
    if size >= THOUSAND:
        return f"£{_round(size / THOUSAND, '1')}k"
    return f"£{_round(size, '1')}"


def percent(share: Decimal) -> str:
    """A fraction as a percentage with one decimal place: 0.3172 → 31.7%."""
    return f"{_round(share * 100, '0.1')}%"


def number(value: Decimal) -> str:
    """A measure with one decimal place (FTE, caseload, rate per 10,000)."""
    return f"{_round(value, '0.1'):,}"


def count(value: int) -> str:
    return f"{value:,}"


def day_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def month_text(period: Period) -> str:
    return f"{period.first_day:%B %Y}"


def period_text(period: Period) -> str:
    return f"period {period.number} ({month_text(period)})"


def join(items: Sequence[str]) -> str:
    """a; a and b; a, b and c."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def variance_phrase(variance: Decimal, budget: Decimal) -> str:
    """ "an overspend of £10.4m", "an underspend of £0.3m" or "in line with the budget"."""
    if abs(variance) < abs(budget) * ON_BUDGET_SHARE or abs(variance) < Decimal("0.5"):
        return f"in line with the budget (a difference of {money(variance)})"
    kind = "an overspend" if variance > 0 else "an underspend"
    return f"{kind} of {money(variance)}"


def headline(
    period: Period,
    budget: Decimal,
    forecast: Decimal,
    variance_share: Decimal | None,
) -> str:
    variance = forecast - budget
    share = f" ({percent(abs(variance_share))} of the budget)" if variance_share else ""
    return (
        f"At the end of {period_text(period)} the forecast outturn for "
        f"{period.financial_year} is {money(forecast)} against a budget of {money(budget)}: "
        f"{variance_phrase(variance, budget)}{share}."
    )


def interval_sentence(p10: Decimal, p90: Decimal, budget: Decimal) -> str:
    first = (
        f"The outturn is expected to fall between {money(p10)} and {money(p90)} "
        "(an 80% interval: one year in ten below the first, one in ten above the second)"
    )
    if p10 > budget:
        return f"{first}; even the low end is above the budget of {money(budget)}."
    if p90 < budget:
        return f"{first}; even the high end is below the budget of {money(budget)}."
    return f"{first}; the range includes the budget, so the year could end either side of it."


@dataclass(frozen=True, slots=True)
class Driver:
    """One contribution to a movement, as a table row shows it: a label and a signed amount."""

    label: str
    amount: Decimal


def movement_sentence(
    since: Period, previous: Decimal, current: Decimal, drivers: Sequence[Driver]
) -> str:
    """ "The forecast overspend rose by £0.6m since July 2018 (period 4), mainly from …".

    `previous` and `current` are the two variances (forecast less budget); each driver's amount is
    its part of the change, positive when it adds to spend.
    """
    change = current - previous
    when = f"since {month_text(since)} (period {since.number})"
    if abs(change) < Decimal("0.5"):
        return f"The forecast variance is unchanged {when}."
    if previous > 0 and current > 0:
        opening = f"The forecast overspend {'rose' if change > 0 else 'fell'} by {money(change)}"
    elif previous < 0 and current < 0:
        verb = "narrowed" if change > 0 else "grew"
        opening = f"The forecast underspend {verb} by {money(change)}"
    else:
        opening = (
            f"The forecast moved from {variance_phrase(previous, Decimal(0))} to "
            f"{variance_phrase(current, Decimal(0))}"
        )
    same_way = sorted(
        (d for d in drivers if d.amount and (d.amount > 0) == (change > 0)),
        key=lambda d: (-abs(d.amount), d.label),
    )
    main: list[Driver] = []
    for driver in same_way[:3]:
        main.append(driver)
        if abs(sum((d.amount for d in main), Decimal(0))) >= abs(change) / 2:
            break
    covered = abs(sum((d.amount for d in main), Decimal(0)))
    if not main:
        return f"{opening} {when}."
    gross = sum((abs(d.amount) for d in drivers), Decimal(0))
    if gross > 2 * abs(change):
        # Large movements that cancel out: "mainly from" the biggest would mislead.
        ups = largest([(d.label, d.amount) for d in drivers], positive=True, limit=2)
        downs = largest([(d.label, d.amount) for d in drivers], positive=False, limit=2)
        added = join([f"{label} ({money(amount)})" for label, amount in ups])
        reduced = join([f"{label} ({money(amount)})" for label, amount in downs])
        return f"{opening} {when}: {added} added to it, while {reduced} reduced it."
    if covered < abs(change) / 2:
        listed = join([f"{d.label} ({money(d.amount)})" for d in same_way[:3]])
        return f"{opening} {when}, spread across several lines; the largest are {listed}."
    listed = join([f"{d.label} ({money(d.amount)})" for d in main])
    return f"{opening} {when}, mainly from {listed}."


def largest(
    items: Sequence[tuple[str, Decimal]], *, positive: bool, limit: int = 3
) -> list[tuple[str, Decimal]]:
    """The largest positive (or negative) amounts, biggest first, ties by label."""
    chosen = [(label, amount) for label, amount in items if (amount > 0) == positive and amount]
    return sorted(chosen, key=lambda item: (-abs(item[1]), item[0]))[:limit]


def variance_drivers_sentence(lines: Sequence[tuple[str, Decimal]]) -> str:
    """Which service lines carry the variance, largest first."""
    over = largest(lines, positive=True)
    under = largest(lines, positive=False, limit=2)
    parts = []
    if over:
        parts.append(
            "The largest overspends are " + join([f"{label} ({money(v)})" for label, v in over])
        )
    if under:
        noun = "underspend is" if len(under) == 1 else "underspends are"
        parts.append(f"the largest {noun} " + join([f"{label} ({money(v)})" for label, v in under]))
    if not parts:
        return "No service line is forecast to differ from its budget."
    return "; ".join(parts) + "."


def trend_sentence(series: Sequence[tuple[date, int]], now: tuple[date, int] | None) -> str:
    """The latest 31 March against the year before, the range of the series, and the count now."""
    if not series:
        return ""
    last_day, last_count = series[-1]
    text = f"On {day_text(last_day)}, {count(last_count)} children were looked after"
    if len(series) > 1:
        text += f", against {count(series[-2][1])} a year earlier"
    if len(series) > 2:
        low = min(series, key=lambda item: (item[1], item[0]))
        high = max(series, key=lambda item: (item[1], item[0]))
        text += (
            f"; since {day_text(series[0][0])} the number has ranged from {count(low[1])} "
            f"({low[0].year}) to {count(high[1])} ({high[0].year})"
        )
    text += "."
    if now is not None and now[0] != last_day:
        text += f" On {day_text(now[0])} it was {count(now[1])}."
    return text


def pounds(amount: Decimal) -> str:
    """Whole pounds with thousands separators: weekly prices, unit costs."""
    return f"£{_round(abs(amount), '1'):,}"


PENCE_IN_TEXT = re.compile(r"£(\d[\d,]*\.\d+)(?![\dmkbn])")  # not £0.8m or £12.5k


def pounds_in(text: str) -> str:
    """Text written elsewhere (the forecast engine's notes) with its amounts in pence shown in whole
    pounds, as the rest of a committee paper shows them: "£15,355.93 a week" → "£15,356 a week"."""
    return PENCE_IN_TEXT.sub(lambda found: pounds(Decimal(found[1].replace(",", ""))), text)
