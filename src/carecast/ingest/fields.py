"""Typed cells: each parser returns a value or raises FieldProblem with a rule and a fix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from carecast.domain.periods import FinancialYear, Period

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONEY = re.compile(r"^(-)?£?(-)?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class FieldProblem(Exception):
    rule: str
    message: str


def parse_date(text: str) -> date:
    """`YYYY-MM-DD` or `DD/MM/YYYY`."""
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK.match(text)
        if not match:
            raise FieldProblem(
                "bad-date", f"'{text}' is not a date; write YYYY-MM-DD or DD/MM/YYYY"
            )
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise FieldProblem("bad-date", f"'{text}' is not a real calendar date") from None


def parse_money(text: str) -> Decimal:
    """Pounds with up to two decimals; a leading `£` and thousands commas are accepted."""
    compact = text.replace(" ", "")
    match = _MONEY.match(compact)
    if not match or (match.group(1) and match.group(2)):
        raise FieldProblem(
            "bad-number", f"'{text}' is not an amount in pounds; write it like 1234.56 or £1,234.56"
        )
    sign = "-" if (match.group(1) or match.group(2)) else ""
    return Decimal(sign + match.group(3).replace(",", "") + (match.group(5) or ""))


def parse_number(text: str) -> Decimal:
    if not _NUMBER.match(text):
        raise FieldProblem("bad-number", f"'{text}' is not a number")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise FieldProblem("bad-number", f"'{text}' is not a number") from None


def parse_whole_number(text: str) -> int:
    value = parse_number(text)
    if value != value.to_integral_value():
        raise FieldProblem("bad-number", f"'{text}' is not a whole number")
    return int(value)


def parse_percentage(text: str) -> Decimal:
    value = parse_number(text.rstrip("%").strip())
    if not Decimal(0) <= value <= Decimal(100):
        raise FieldProblem("bad-number", f"'{text}' is not a percentage between 0 and 100")
    return value


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise FieldProblem("bad-period", str(exc)) from None


def parse_financial_year(text: str) -> FinancialYear:
    try:
        return FinancialYear.parse(text)
    except ValueError as exc:
        raise FieldProblem("bad-financial-year", str(exc)) from None
