"""The range of values a numeric column may hold, and the located refusal of a cell outside it.

Limits are set by two things: what the store can keep (money as 64-bit integer pence, counts in
32-bit integers) and what a council could plausibly hold. A cell beyond them is a mistake in the
export (a misplaced paste, digits run together), never a figure to forecast from, and typing it
would otherwise overflow: polars' integer arithmetic wraps silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from carecast.ingest.columns import ColumnSpec, Kind

RULE = "out-of-range"


@dataclass(frozen=True)
class Limit:
    """The lowest and highest value a column may hold, both allowed, in the file's unit (pounds
    for money, not pence)."""

    low: float
    high: float


# Money: under a billion pounds either way. No English council spends that on children's social
# care in a year (the largest spend a few hundred million), so a single ledger line, budget, cost
# or action beyond it is a typing error; and at 10^11 pence a row, ninety million rows can be
# summed in 64-bit pence (9.2 × 10^18) without overflowing.
MONEY = Limit(-999_999_999.99, 999_999_999.99)
# Counts (caseloads, adopters, SDQ scores): never negative, and under a million — England has
# about 83,000 looked-after children in all; the store keeps them in 32-bit integers.
WHOLE = Limit(0, 1_000_000)
# Other numbers (a post's FTE): finite and small. Rules judge what is sensible (FTE above 1.5 is
# a warning); this only keeps an unreadable run of digits (or infinity) out of the store.
NUMBER = Limit(-1_000_000, 1_000_000)
BY_KIND = {Kind.MONEY: MONEY, Kind.WHOLE: WHOLE, Kind.NUMBER: NUMBER}

_POUNDS_TEXT = r"[£,\s\-]"  # what columns._money strips before reading the digits


def _shown(value: float, kind: Kind) -> str:
    if kind is Kind.MONEY:
        return f"£{value:,.2f}" if value >= 0 else f"-£{-value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def magnitude(spec: ColumnSpec, value: pl.Expr) -> pl.Expr:
    """The cell as a float in the file's unit, for comparing with a limit.

    Money is read again from its text: its typed pence may already have wrapped around 2^63.
    """
    if spec.kind is not Kind.MONEY:
        return value.cast(pl.Float64)
    text = pl.col(spec.name)
    pounds = text.str.replace_all(_POUNDS_TEXT, "").cast(pl.Float64, strict=False)
    return pl.when(text.str.contains("-", literal=True)).then(-pounds).otherwise(pounds)


# A money cell shorter than this holds at most 16 digits: under 10^16 pounds, its pence (under
# 10^18) cannot have wrapped around 2^63, so its typed value can be compared as it is.
WRAP_SAFE_BYTES = 17


def suspect(spec: ColumnSpec, value: pl.Expr, limit: Limit) -> pl.Expr:
    """Cells that may be out of range, found with integer comparisons only (no parsing): those
    `out_of_range` then checks. Reading money text again costs as much as typing it, and almost
    no cell needs it."""
    if spec.kind is not Kind.MONEY:
        return value.is_not_null() & ~value.is_between(limit.low, limit.high)
    low, high = round(limit.low * 100), round(limit.high * 100)
    long = pl.col(spec.name).str.len_bytes() >= WRAP_SAFE_BYTES
    return value.is_not_null() & (~value.is_between(low, high) | long)


def out_of_range(spec: ColumnSpec, value: pl.Expr, limit: Limit) -> tuple[pl.Expr, pl.Expr]:
    """(the cell is outside the limit, the message saying which end and why) for a typed column.

    `value` is the column's typed value; cells that did not type are not flagged here.
    """
    number = magnitude(spec, value)
    high, low = number > limit.high, number < limit.low
    flag = value.is_not_null() & (high | low)
    if spec.kind is Kind.MONEY:
        beyond = (
            f"is beyond the {_shown(limit.high, spec.kind)} carecast accepts either way for "
            f"{spec.name}: no council spends a billion pounds a year on children's social care; "
            "check the cell"
        )
        message = pl.format(f"'{{}}' {beyond}", pl.col(spec.name))
    else:
        above = f"is beyond the {_shown(limit.high, spec.kind)} carecast accepts for {spec.name}"
        below = f"is below the {_shown(limit.low, spec.kind)} carecast accepts for {spec.name}"
        message = (
            pl.when(high)
            .then(pl.format(f"'{{}}' {above}; check the cell", pl.col(spec.name)))
            .otherwise(pl.format(f"'{{}}' {below}; check the cell", pl.col(spec.name)))
        )
    return flag, message
