"""SSDA903 collection years and the codes valid in each (specs/ssda903_codes.csv).

A file's collection year is the financial year holding the import's as-of date. Each code has the
first and last collection year it is valid in (an empty last year: still valid); years before the
first known one use the first one's lists and years after the last known one use the last one's.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import polars as pl

YEARS: tuple[str, ...] = tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(2017, 2026))
FIRST_START = 2017  # April 2017 starts YEARS[0]


@dataclass(frozen=True)
class CodeYears:
    code: str
    first: int  # index into YEARS
    last: int

    def valid_in(self, index: int) -> bool:
        return self.first <= index <= self.last

    def describe(self) -> str:
        if self.first == 0 and self.last == len(YEARS) - 1:
            return "valid in every collection year"
        if self.first == 0:
            return f"valid up to {YEARS[self.last]}"
        if self.last == len(YEARS) - 1:
            return f"valid from {YEARS[self.first]}"
        if self.first == self.last:
            return f"valid only in {YEARS[self.first]}"
        return f"valid {YEARS[self.first]} to {YEARS[self.last]}"


def financial_year_of(day: date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def year_index(day: date) -> int:
    """The index into YEARS of the list that applies on `day` (clamped to the known years)."""
    start = day.year if day.month >= 4 else day.year - 1
    return min(max(start - FIRST_START, 0), len(YEARS) - 1)


def year_index_expr(day: pl.Expr) -> pl.Expr:
    """year_index, vectorised over a date column."""
    start = day.dt.year() - (day.dt.month() < 4).cast(pl.Int32)
    return (start - FIRST_START).clip(0, len(YEARS) - 1).cast(pl.Int32)


@cache
def code_table() -> dict[tuple[str, str], dict[str, CodeYears]]:
    """(dataset, column) → code → the years it is valid in."""
    text = resources.files("carecast.ingest").joinpath("specs/ssda903_codes.csv").read_text()
    table: dict[tuple[str, str], dict[str, CodeYears]] = {}
    for row in csv.DictReader(text.splitlines()):
        last = YEARS.index(row["last_year"]) if row["last_year"] else len(YEARS) - 1
        entry = CodeYears(row["code"], YEARS.index(row["first_year"]), last)
        table.setdefault((row["dataset"], row["column"]), {})[row["code"]] = entry
    return table


def codes_in(dataset: str, column: str, index: int | None) -> frozenset[str]:
    """Codes of a column valid in a year (by index), or in any year when `index` is None."""
    entries = code_table()[(dataset, column)].values()
    return frozenset(e.code for e in entries if index is None or e.valid_in(index))


def code_frame(dataset: str, column: str) -> pl.DataFrame:
    """The codes of one column with their first and last year indexes, for joining."""
    entries = code_table()[(dataset, column)].values()
    return pl.DataFrame(
        {
            "__code": [e.code for e in entries],
            "__first": [e.first for e in entries],
            "__last": [e.last for e in entries],
            "__years": [e.describe() for e in entries],
        },
        schema={"__code": pl.String, "__first": pl.Int32, "__last": pl.Int32, "__years": pl.String},
    )
