"""A workbook's number cells as the text Excel shows, from the digits the sheet's XML holds.

calamine renders a number cell through a float, with noise: 999999999.99 arrives as
"999999999.99000001" and -0 as "-0", so a POST_ID, DESCRIPTION or CHILD column stored what the
file never said. The sheet's XML holds the value as written (`<v>999999999.99</v>`);
workbook_parts.py notes those digits while checking the sheet, and here each becomes the text
Excel shows in a General cell, which is also what a CSV saved from Excel holds: at most 15
significant digits (Excel's precision: a computed 0.30000000000000004 shows as 0.3), no exponent,
no trailing zeros, a whole number without ".0", and zero without a sign (Excel shows -0 as 0).
The digits are read as a Decimal, never a float, so a money or number column parses exactly the
text a text column keeps. Whole numbers from 61 to 15 digits are left as calamine renders them
(exactly as written), and so is a cell calamine rendered as something else than a number: a
date-formatted cell arrives as its date. But a date cell before 1 March 1900 (day 61) is noted
as early: Excel counts a 29 February 1900 that never was, so it shows day 60 as that day, day 0
as 1900-01-00 and a negative day as ####, and neither calamine nor any other reader agrees.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Context, Decimal

import polars as pl

from carecast.ingest.workbook_parts import ErrorCell

EXCEL_DIGITS = 15
_EXCEL = Context(prec=EXCEL_DIGITS, rounding=ROUND_HALF_EVEN)
_WRITTEN = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
# Excel's largest and smallest magnitudes are about 1.8e308 and 2.2e-308: beyond them the value
# is not one a cell can hold, and its digits written out would run to hundreds of characters.
_EXPONENTS = (-330, 308)
# What calamine renders for a number cell: its digits, perhaps signed and with a fraction.
RENDERED_NUMBER = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
RENDERED_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
FIRST_TRUE_DAY = 61  # 1 March 1900, the first day Excel's calendar numbers as every other does


def shown(written: str) -> str | None:
    """The text Excel shows for a number cell holding `written` (None: not a number a cell holds).

    >>> shown("999999999.99"), shown("-0"), shown("1e+20"), shown("0.30000000000000004")
    ('999999999.99', '0', '100000000000000000000', '0.3')
    """
    if not _WRITTEN.match(written):
        return None
    value = Decimal(written)
    if value.is_zero():
        return "0"
    if not _EXPONENTS[0] <= value.adjusted() <= _EXPONENTS[1]:
        return None
    return format(_EXCEL.plus(value).normalize(_EXCEL), "f")


def excel_numbers(
    frame: pl.DataFrame, absolute: list[int], numbers: dict[int, tuple[list[int], list[str]]]
) -> tuple[pl.DataFrame, list[ErrorCell]]:
    """`frame` (calamine's sheet as text, its first row Excel's row 1, its columns at `absolute`
    sheet columns) with each noted number cell's text as Excel shows it; and the date cells
    before 1 March 1900, each with the date calamine rendered."""
    replaced = []
    early: list[ErrorCell] = []
    for position, column in enumerate(absolute):
        if column not in numbers:
            continue
        rows, written = numbers[column]
        name = frame.columns[position]
        texts = [shown(w) for w in written]
        notes = pl.DataFrame(
            {"index": [r - 1 for r in rows], "shown": texts},
            schema={"index": pl.Int64, "shown": pl.String},
        )
        rendered = frame.get_column(name)
        notes = notes.filter(
            pl.col("shown").is_not_null() & pl.col("index").is_between(0, frame.height - 1)
        )
        notes = notes.with_columns(rendered.gather(notes.get_column("index")).alias("rendered"))
        dates = notes.filter(pl.col("rendered").str.contains(RENDERED_DATE).fill_null(value=False))
        for index, value, text in dates.select("index", "shown", "rendered").iter_rows():
            if Decimal(value) < FIRST_TRUE_DAY:
                early.append(ErrorCell(column, index + 1, text))
        notes = notes.filter(
            pl.col("rendered").str.contains(RENDERED_NUMBER).fill_null(value=False)
        )
        if notes.height:
            replaced.append(
                rendered.clone().scatter(notes.get_column("index"), notes.get_column("shown"))
            )
    return (frame.with_columns(replaced) if replaced else frame), early
