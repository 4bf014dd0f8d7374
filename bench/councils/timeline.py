"""Days, months and financial years as the finance team counts them.

Days are proleptic ordinals (``date.toordinal()``) so that arithmetic on arrays of dates is plain
integer arithmetic; they become text only when a file is written.
"""

from __future__ import annotations

from datetime import date
from functools import cache

WEEKS_PER_YEAR = 365 / 7  # 52.14: placements are priced per week, years have 365 days
OPEN = 10**7  # an end date beyond any horizon: "open-ended" in a finance system


def day(y: int, m: int, d: int) -> int:
    return date(y, m, d).toordinal()


@cache
def iso(d: int) -> str:
    """Finance files write dates as YYYY-MM-DD."""
    return date.fromordinal(d).isoformat()


@cache
def dmy(d: int) -> str:
    """SSDA903 files write dates as DD/MM/YYYY, as DfE does."""
    x = date.fromordinal(d)
    return f"{x.day:02d}/{x.month:02d}/{x.year:04d}"


def to_date(d: int) -> date:
    return date.fromordinal(d)


def fy_of(d: int) -> int:
    """The financial year (by its starting calendar year) a day falls in."""
    x = date.fromordinal(d)
    return x.year if x.month >= 4 else x.year - 1


def fy_label(fy: int) -> str:
    return f"{fy}-{(fy + 1) % 100:02d}"


def fy_start(fy: int) -> int:
    return day(fy, 4, 1)


def fy_end(fy: int) -> int:
    return day(fy + 1, 3, 31)


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def month_start(y: int, m: int) -> int:
    return day(y, m, 1)


def month_end(y: int, m: int) -> int:
    ny, nm = add_months(y, m, 1)
    return day(ny, nm, 1) - 1


def period_label(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def period_of(d: int) -> tuple[int, int]:
    x = date.fromordinal(d)
    return x.year, x.month


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_name(y: int, m: int) -> str:
    return f"{MONTH_NAMES[m - 1]} {y}"


# The simulated world. Care is simulated from long before the first return so that the children
# looked after in April 2014 have realistic ages and histories; money is counted from SIM_START.
SIM_START = day(2014, 4, 1)
LEDGER_FIRST_FY = 2015  # the ledger a council hands over starts in April 2015
SCORED_FY = 2018
HORIZON = day(2019, 9, 30)  # beyond the last step; care still running here is censored
PRE_YEARS = 18  # a child who entered 18 years before SIM_START at birth has just aged out


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    y, m = first
    while (y, m) <= last:
        out.append((y, m))
        y, m = add_months(y, m, 1)
    return out


def birthday(dob: int, years: int) -> int:
    """The day a child born on ``dob`` turns ``years`` (29 February birthdays fall on 1 March)."""
    b = date.fromordinal(dob)
    try:
        return date(b.year + years, b.month, b.day).toordinal()
    except ValueError:
        return date(b.year + years, 3, 1).toordinal()
