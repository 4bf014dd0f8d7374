"""Typed columns, parsed a whole column at a time: each kind yields a value and a located problem.

A column of text is turned into its typed value (dates, pence, codes …) with one polars expression,
and every non-empty cell that does not parse becomes a problem naming its row, column and rule. This
is what lets a million-row extract be validated in about the time it takes to read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import polars as pl

ROW = "__row"  # the spreadsheet row (header = 1) or the XML line of each record


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"
    DATE = "date"
    MONEY = "money"  # pounds in the file, integer pence once typed
    NUMBER = "number"
    WHOLE = "whole"
    PERCENT = "percent"
    PERIOD = "period"
    FINANCIAL_YEAR = "financial_year"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an input: its canonical name (formats.md), kind and whether a value is needed."""

    name: str
    kind: Kind = Kind.TEXT
    value_required: bool = True
    codes: frozenset[str] | None = None
    lower: bool = False  # codes compare in lower case (service lines) rather than upper (PLACE)
    default: float | None = None  # value of an empty cell or an absent optional column


@dataclass(frozen=True)
class ColumnCheck:
    """What parsing one column produces: the typed value, and when/why a cell is a problem."""

    value: pl.Expr
    bad: pl.Expr
    rule: str
    message: pl.Expr


# Digits are written [0-9], never \d: polars' regex \d is Unicode, so it matches Arabic-Indic or
# full-width digits, which the casts after it cannot read (a money cell of '3.٥' crashed the import).
_ISO = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"
_UK = r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$"
_MONEY = r"^-?£?-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?$"
# FTE and percentages are stored to 0.001: a figure finer than that is refused, never rounded
_KEPT = r"^-?[0-9]+(\.[0-9]{1,3}0*)?$"
_WHOLE = r"^-?[0-9]+(\.0+)?$"
_PERIOD = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_YEAR = r"^[0-9]{4}-[0-9]{2}$"
# A character that looks like part of a number but is not one of ASCII's: a digit of another
# script, or a space (of any width) or sign inside the figure.
_FOREIGN_DIGIT = r"([\d&&[^0-9]])"
_INNER_SPACE = r"[0-9/\-](\s)[0-9]"


@lru_cache(maxsize=1024)
def cleaned(name: str, *, trim: bool = True) -> pl.Expr:
    """The cell's text with surrounding spaces removed; an empty cell is null.

    `trim=False`: the cells are known to have no surrounding spaces (reading.may_need_trimming).
    """
    text = pl.col(name).str.strip_chars() if trim else pl.col(name)
    return pl.when(text.str.len_bytes() > 0).then(text)


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _date(text: pl.Expr, formats: tuple[str, ...] = DATE_FORMATS) -> ColumnCheck:
    # A failed parse is ~10× slower than a good one, so a column written in one spelling is
    # parsed with that spelling only (typed.py looks first); a mixed column tries both.
    # cache=False: a return has thousands of distinct dates, and the cache of parsed strings
    # costs more than it saves (measured: half the time without it).
    attempts = [text.str.strptime(pl.Date, f, strict=False, cache=False) for f in formats]
    parsed = attempts[0] if len(attempts) == 1 else pl.coalesce(attempts)
    # strptime is lenient where the conventions are not: it skips spaces before a number
    # ('01/ 1/2008', '01/\u00a01/2008') and reads a sign ('+2008-01-01'). Only a cell of the
    # documented shape is a date, and %Y also reads two-digit years ('1/9/18' as the year 18).
    shaped = text.str.contains(_ISO) | text.str.contains(_UK)
    value = pl.when(shaped & (parsed.dt.year() >= 1000)).then(parsed)
    message = (
        pl.when(shaped)
        .then(pl.format("'{}' is not a real calendar date", text))
        .otherwise(_not_ascii(text, "is not a date; write YYYY-MM-DD or DD/MM/YYYY"))
    )
    return ColumnCheck(value, text.is_not_null() & value.is_null(), "bad-date", message)


def _not_ascii(text: pl.Expr, hint: str) -> pl.Expr:
    """`'{cell}' {hint}`, saying first which character stops it being read when that is a digit
    of another script or a space inside the figure (both look right on screen)."""
    digit = text.str.extract(_FOREIGN_DIGIT, 1)
    space = text.str.extract(_INNER_SPACE, 1)
    return (
        pl.when(digit.is_not_null())
        .then(pl.format(f"'{{}}' has '{{}}', not one of the digits 0-9: it {hint}", text, digit))
        .when(space.is_not_null())
        .then(pl.format(f"'{{}}' has a space inside it: it {hint}", text))
        .otherwise(pl.format(f"'{{}}' {hint}", text))
    )


def _money(text: pl.Expr) -> ColumnCheck:
    compact = text.str.replace_all(" ", "")
    ok = compact.str.contains(_MONEY) & ~(compact.str.count_matches("-") > 1)
    digits = compact.str.replace_all(r"[£,\-]", "")
    parts = digits.str.split(".")
    pounds = parts.list.get(0).cast(pl.Int64, strict=False)
    # strict=False: polars casts every row, `ok` or not, and a strict cast raises on any of them
    fraction = parts.list.get(1, null_on_oob=True).fill_null("").str.pad_end(2, "0")
    pence = fraction.cast(pl.Int64, strict=False)
    sign = pl.when(compact.str.contains("-")).then(-1).otherwise(1)
    value = pl.when(ok).then((pounds * 100 + pence) * sign)
    message = _not_ascii(text, "is not an amount in pounds; write it like 1234.56 or £1,234.56")
    return ColumnCheck(value, text.is_not_null() & value.is_null(), "bad-number", message)


def _pattern(
    text: pl.Expr, pattern: str, dtype: pl.DataType, rule: str, hint: str, *, percent: bool = False
) -> ColumnCheck:
    source = text.str.strip_suffix("%").str.strip_chars() if percent else text
    value = pl.when(source.str.contains(pattern)).then(source.cast(dtype, strict=False))
    if percent:
        value = pl.when(value.is_between(0, 100)).then(value)
    return ColumnCheck(value, text.is_not_null() & value.is_null(), rule, _not_ascii(text, hint))


def _financial_year(text: pl.Expr) -> ColumnCheck:
    start = text.str.slice(0, 4).cast(pl.Int64, strict=False)
    end = text.str.slice(5, 2).cast(pl.Int64, strict=False)
    ok = text.str.contains(_YEAR) & ((start + 1) % 100 == end)
    value = pl.when(ok).then(text)
    message = pl.format("'{}' is not a financial year; write it like 2018-19", text)
    return ColumnCheck(value, text.is_not_null() & value.is_null(), "bad-financial-year", message)


def _cased(text: pl.Expr, spec: ColumnSpec, *, upper: bool) -> pl.Expr:
    """A code in the case its list uses (`upper`: the cells are known to be upper case)."""
    if spec.lower:
        return text.str.to_lowercase()
    return text if upper else text.str.to_uppercase()


def _code(text: pl.Expr, spec: ColumnSpec, *, upper: bool) -> ColumnCheck:
    codes = sorted(spec.codes or ())
    value = _cased(text, spec, upper=upper)
    shown = ", ".join(codes) if len(codes) <= 20 else f"the {len(codes)} codes of DOMAIN.md"
    message = pl.format(f"'{{}}' is not a valid {spec.name}; use one of {shown}", text)
    valid = value.is_in(codes)
    return ColumnCheck(pl.when(valid).then(value), text.is_not_null() & ~valid, "bad-code", message)


def _number(text: pl.Expr) -> ColumnCheck:
    hint = "is not a number to at most 3 decimal places (carecast keeps 0.001); write it like 0.667"
    return _pattern(text, _KEPT, pl.Float64(), "bad-number", hint)


def _whole(text: pl.Expr) -> ColumnCheck:
    return _pattern(text, _WHOLE, pl.Int64(), "bad-number", "is not a whole number")


def _percent(text: pl.Expr) -> ColumnCheck:
    hint = (
        "is not a percentage between 0 and 100 to at most 3 decimal places (carecast keeps "
        "0.001); write it like 33.333"
    )
    return _pattern(text, _KEPT, pl.Float64(), "bad-number", hint, percent=True)


def _period(text: pl.Expr) -> ColumnCheck:
    value = pl.when(text.str.contains(_PERIOD)).then(text)
    message = pl.format("'{}' is not a period; write it as YYYY-MM, like 2018-09", text)
    return ColumnCheck(value, text.is_not_null() & value.is_null(), "bad-period", message)


_BY_KIND = {
    Kind.DATE: _date,
    Kind.MONEY: _money,
    Kind.NUMBER: _number,
    Kind.WHOLE: _whole,
    Kind.PERCENT: _percent,
    Kind.PERIOD: _period,
    Kind.FINANCIAL_YEAR: _financial_year,
}


# Expressions are immutable and a column's check is the same for every file that has it: built
# once, not for each of the hundreds of small files of a council's imports (building them took
# about as long as running them).
@lru_cache(maxsize=1024)
def column_check(
    spec: ColumnSpec,
    date_formats: tuple[str, ...] = DATE_FORMATS,
    *,
    clean: bool = False,
    upper: bool = False,
) -> ColumnCheck:
    """How to type and check one column of text (a date column: in the given spellings).

    `clean`: the column already holds trimmed text with empty cells as null (see `cleaned`).
    `upper`: its cells are known to have no lower-case letter (reading.text_facts).
    """
    text = pl.col(spec.name) if clean else cleaned(spec.name)
    if spec.kind is Kind.DATE:
        return _date(text, date_formats)
    if spec.kind in _BY_KIND:
        return _BY_KIND[spec.kind](text)
    if spec.kind is Kind.CODE and spec.codes is not None:
        return _code(text, spec, upper=upper)
    if spec.kind is Kind.CODE:
        # Year-dependent code lists (SSDA903) are checked by rules that know the collection year;
        # typing only normalises the case.
        value = _cased(text, spec, upper=upper)
        return ColumnCheck(value, pl.lit(value=False), "bad-code", pl.lit(""))
    return ColumnCheck(text, pl.lit(value=False), "bad-value", pl.lit(""))
