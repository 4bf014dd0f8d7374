"""Money as the tables and the narrative write it: whole pounds, and millions."""

from __future__ import annotations

from decimal import Decimal


def pounds(value: Decimal, *, signed: bool = False) -> str:
    """£1,234,567 — whole pounds for tables; `signed` shows + for overspends."""
    rounded = value.quantize(Decimal(1))
    text = f"£{abs(rounded):,}"
    if rounded < 0:
        return "−" + text
    return ("+" + text) if signed and rounded > 0 else text


def millions(value: Decimal) -> str:
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value) / 1_000_000:,.1f}m"
