"""Text written into spreadsheets and CSV files stays text: never a formula, never a link.

A cell carecast writes may quote what an input held (a file name, a provider, a value in a problem
message). Excel and LibreOffice run a cell beginning with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula — OWASP's "CSV injection" — so every CSV and workbook writer goes
through here:
- CSV: such a cell is written with a leading apostrophe, OWASP's advice, so that it opens as text;
- XLSX: every string is written as a string (xlsxwriter otherwise turns `=…` into a formula and
  `http://…` or `external:…` into a link), and such a cell carries Excel's quote prefix, so that it
  stays text even when someone edits it. Its value is unchanged.
Numbers written as text (`-1234.56`) are not formulas and are left alone: input files carecast
writes must read back as they were.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?")
# xlsxwriter's own conversions of a string: off, so a string is only ever a string.
SAFE_WORKBOOK = {"strings_to_formulas": False, "strings_to_urls": False}
QUOTED = {"quote_prefix": True}

Value = TypeVar("Value")


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_START) and not (
        any(c.isdigit() for c in text) and _NUMBER.fullmatch(text) is not None
    )


def csv_cell(value: Value) -> Value | str:
    """A value for a CSV file: text a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def csv_row(values: Any) -> list[Any]:
    return [csv_cell(value) for value in values]


def workbook(path: Path, options: dict[str, Any] | None = None) -> Any:
    """An xlsxwriter workbook that writes strings as strings (never formulas or links)."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {**(options or {}), **SAFE_WORKBOOK})


def write_cell(
    sheet: Any, row: int, column: int, value: Any, *, cell_format: Any, quoted: Any
) -> None:
    """Write one value; formula-like text with `quoted` (its format plus Excel's quote prefix)."""
    if isinstance(value, str) and formula_like(value):
        sheet.write_string(row, column, value, quoted)
    else:
        sheet.write(row, column, value, cell_format)
