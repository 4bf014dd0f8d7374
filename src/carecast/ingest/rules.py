"""Consistency rules within one file, run on typed frames; each has a stable code and a fix.

A rule returns the failing rows (`__row` and a `message`); `run_rules` turns them into Issues
located at the rule's column as the file spells it. SSDA903 rules (with DfE's codes where DfE's
validator has the same check) live in rules_ssda903.py and register here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from carecast.errors import Issue, Severity
from carecast.ingest.columns import ROW


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know beyond the file itself: the date the data describes."""

    as_of: date | None = None


Check = Callable[[pl.DataFrame, RuleContext], pl.DataFrame]


@dataclass(frozen=True)
class Rule:
    code: str
    dataset: str
    column: str
    title: str
    fix: str
    check: Check
    tier: str = "consistency"
    severity: Severity = Severity.ERROR
    dfe_code: str | None = None


def failing(frame: pl.DataFrame, condition: pl.Expr, message: pl.Expr) -> pl.DataFrame:
    return frame.filter(condition.fill_null(value=False)).select(
        pl.col(ROW), message.alias("message")
    )


def duplicated(frame: pl.DataFrame, keys: list[str], message: pl.Expr) -> pl.DataFrame:
    """Every row after the first that repeats `keys` (rows with a missing key are left alone)."""
    complete = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    repeated = pl.struct(keys).is_duplicated() & ~pl.struct(keys).is_first_distinct()
    return failing(frame, complete & repeated, message)


RULES: list[Rule] = []


def rule(
    code: str, dataset: str, column: str, title: str, fix: str, **options: object
) -> Callable[[Check], Check]:
    """Register a check as a rule (decorator)."""

    def register(check: Check) -> Check:
        RULES.append(Rule(code, dataset, column, title, fix, check, **options))  # type: ignore[arg-type]
        return check

    return register


def run_rules(
    source: str, dataset: str, typed: pl.DataFrame, spelled: dict[str, str], context: RuleContext
) -> list[Issue]:
    """Issues from every rule of `dataset` whose columns the file has."""
    issues: list[Issue] = []
    for candidate in RULES:
        if candidate.dataset != dataset or candidate.column not in typed.columns:
            continue
        found = candidate.check(typed, context)
        column = spelled.get(candidate.column, candidate.column)
        issues.extend(
            Issue(
                source,
                row,
                column,
                candidate.code,
                f"{message}; {candidate.fix}",
                candidate.severity,
            )
            for row, message in found.select(ROW, "message").iter_rows()
        )
    return issues
