"""Financial years (1 April – 31 March) and monthly periods (P1 = April … P12 = March)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

DAYS_PER_WEEK = Decimal(7)
WEEKS_PER_YEAR = (
    Decimal(365) / DAYS_PER_WEEK
)  # 52.142857…: the finance convention for weekly prices

_FY_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
_PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# Years a council's records can be about: a year outside them is a typing slip (0000-01), and
# date arithmetic near the calendar's ends would fail far from where it was typed.
YEARS = range(1900, 2200)


@dataclass(frozen=True, order=True, slots=True)
class FinancialYear:
    """The year from 1 April `start_year` to 31 March `start_year + 1`, written `2018-19`."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        match = _FY_PATTERN.match(text.strip())
        if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise ValueError(f"'{text}' is not a financial year; write it like 2018-19")
        if int(match.group(1)) not in YEARS:
            raise ValueError(f"'{text}' is outside the years {YEARS[0]}–{YEARS[-1]}")
        return cls(int(match.group(1)))

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def periods(self) -> list[Period]:
        return [Period.of(self, n) for n in range(1, 13)]

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar month, written `YYYY-MM`; `2018-09` is period 6 of 2018-19."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD_PATTERN.match(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"'{text}' is not a period; write it as YYYY-MM, like 2018-09")
        if int(match.group(1)) not in YEARS:
            raise ValueError(f"'{text}' is outside the years {YEARS[0]}–{YEARS[-1]}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @classmethod
    def of(cls, financial_year: FinancialYear, number: int) -> Period:
        """Period `number` (1 = April … 12 = March) of a financial year."""
        if not 1 <= number <= 12:
            raise ValueError(f"period number {number} is outside 1–12")
        month = (number + 2) % 12 + 1
        year = financial_year.start_year if number <= 9 else financial_year.start_year + 1
        return cls(year, month)

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear.containing(self.first_day)

    @property
    def number(self) -> int:
        return (self.month - 4) % 12 + 1

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Period:
        return Period.containing(self.last_day + timedelta(days=1))

    def previous(self) -> Period:
        return Period.containing(self.first_day - timedelta(days=1))

    def __str__(self) -> str:
        return self.label


def days_between(first: date, last: date) -> int:
    """Days from `first` to `last` inclusive; 0 when the range is empty."""
    return max(0, (last - first).days + 1)


def eighteenth_birthday(dob: date) -> date:
    """The day a child turns 18 (29 February birthdays fall on 1 March in non-leap years)."""
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return date(dob.year + 18, 3, 1)
