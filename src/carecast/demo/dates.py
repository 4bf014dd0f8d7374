"""Calendar helpers for the demo generator: financial years, monthly periods, day counts.

The demo keeps its own small helpers (rather than importing carecast.domain) so that the generator
depends on nothing but the standard library and numpy and can be read on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

_FY = re.compile(r"^(\d{4})-(\d{2})$")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_financial_year(label: str) -> int:
    """'2018-19' -> 2018 (the calendar year in which the financial year starts)."""
    match = _FY.match(label)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"'{label}' is not a financial year like 2018-19")
    return int(match.group(1))


def fy_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def parse_period(label: str) -> tuple[int, int]:
    """'2018-09' -> (2018, 9)."""
    match = _PERIOD.match(label)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"'{label}' is not a period like 2018-09")
    return int(match.group(1)), int(match.group(2))


def period_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def fy_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def fy_first_day(start_year: int) -> date:
    return date(start_year, 4, 1)


def fy_last_day(start_year: int) -> date:
    return date(start_year + 1, 3, 31)


def fy_days(start_year: int) -> int:
    return (fy_last_day(start_year) - fy_first_day(start_year)).days + 1


def month_first_day(year: int, month: int) -> date:
    return date(year, month, 1)


def month_last_day(year: int, month: int) -> date:
    return next_month_first_day(year, month) - timedelta(days=1)


def next_month_first_day(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def months_between(first: tuple[int, int], last: tuple[int, int]) -> Iterator[tuple[int, int]]:
    """Every (year, month) from `first` to `last` inclusive."""
    year, month = first
    while (year, month) <= last:
        yield year, month
        year, month = add_months(year, month, 1)


def fy_month_index(month: int) -> int:
    """April -> 0 … March -> 11."""
    return (month - 4) % 12


def birthday(dob: date, age: int) -> date:
    """The date a child born on `dob` turns `age` (29 February birthdays fall on 1 March)."""
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:
        return date(dob.year + age, 3, 1)


def overlap_days(start: date, end_exclusive: date | None, first: date, last: date) -> int:
    """Days of [start, end_exclusive) that fall within [first, last] (both inclusive)."""
    lo = max(start, first)
    hi = last if end_exclusive is None else min(end_exclusive - timedelta(days=1), last)
    return max(0, (hi - lo).days + 1)


def ssda_date(day: date | None) -> str:
    """DD/MM/YYYY as the SSDA903 tables write dates; empty for None."""
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def iso_date(day: date | None) -> str:
    return "" if day is None else day.isoformat()
