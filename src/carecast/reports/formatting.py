"""How each kind of cell reads in the text formats (HTML, PDF, Word); Excel keeps numbers.

Money reads as committee papers print it: in whole pounds, even where the figure of record is held
to the penny (Kind.PENCE); the Excel workbook keeps the pence, with a number format.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from carecast.reports.model import SUPPRESSED_MARK, Cell, Kind, Suppressed

MINUS = "−"
PATTERNS = {
    Kind.PENCE: ("1", "£{:,}"),
    Kind.POUNDS: ("1", "£{:,}"),
    Kind.PERCENT: ("0.1", "{:,}%"),
    Kind.NUMBER: ("0.1", "{:,}"),
}
NUMERIC = frozenset({Kind.PENCE, Kind.POUNDS, Kind.COUNT, Kind.PERCENT, Kind.NUMBER})


def _signed(text: str, negative: bool) -> str:
    return MINUS + text if negative else text


def format_cell(cell: Cell, kind: Kind) -> str:
    """£1,235 (from £1,234.56 of record or £1,235) / 1,234 / 31.7% / 366.0 / 31 Mar 2019; a
    withheld value is x."""
    if isinstance(cell, Suppressed):
        return SUPPRESSED_MARK
    if cell is None:
        return ""
    if isinstance(cell, date):
        return f"{cell.day} {cell:%b %Y}"
    if isinstance(cell, str):
        return cell
    places, pattern = PATTERNS.get(kind, ("1", "{:,}"))
    value = Decimal(cell) * 100 if kind is Kind.PERCENT else Decimal(cell)
    return _shown(value, places, pattern)


def _shown(value: Decimal, places: str, pattern: str) -> str:
    rounded = value.quantize(Decimal(places), ROUND_HALF_UP)
    return _signed(pattern.format(abs(rounded)), rounded < 0)


def is_numeric(kind: Kind) -> bool:
    return kind in NUMERIC
