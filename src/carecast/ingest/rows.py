"""A row of a table with typed accessors that record located issues instead of raising."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from decimal import Decimal
from typing import TypeVar

from carecast.errors import Issue
from carecast.ingest.fields import FieldProblem, parse_date, parse_money

T = TypeVar("T")


class RowReader:
    """Reads cells of one row by canonical column name; problems go to `issues` with their location.

    `columns` maps a canonical (upper-case) column name to (position, name as the file spells it).
    """

    def __init__(
        self,
        source: str,
        number: int,
        cells: tuple[str, ...],
        columns: dict[str, tuple[int, str]],
        issues: list[Issue],
    ) -> None:
        self.source = source
        self.number = number
        self._cells = cells
        self._columns = columns
        self._issues = issues
        self.failed = False

    def spelled(self, column: str) -> str:
        return self._columns[column][1] if column in self._columns else column

    def raw(self, column: str) -> str:
        located = self._columns.get(column)
        return self._cells[located[0]] if located else ""

    def problem(self, column: str | None, rule: str, message: str) -> None:
        self.failed = True
        spelled = self.spelled(column) if column else None
        self._issues.append(Issue(self.source, self.number, spelled, rule, message))

    def value(self, column: str, parse: Callable[[str], T], *, required: bool = True) -> T | None:
        text = self.raw(column)
        if not text:
            if required:
                self.problem(column, "missing-value", f"{column} is empty; every row needs one")
            return None
        try:
            return parse(text)
        except FieldProblem as exc:
            self.problem(column, exc.rule, exc.message)
            return None

    def text(self, column: str, *, required: bool = True) -> str | None:
        return self.value(column, str, required=required)

    def date(self, column: str, *, required: bool = True) -> date | None:
        return self.value(column, parse_date, required=required)

    def money(self, column: str, *, required: bool = True) -> Decimal | None:
        return self.value(column, parse_money, required=required)

    def code(
        self, column: str, allowed: Collection[str], *, required: bool = True, lower: bool = False
    ) -> str | None:
        text = self.raw(column)
        if not text:
            if required:
                self.problem(column, "missing-value", f"{column} is empty; every row needs one")
            return None
        value = text.lower() if lower else text.upper()
        if value not in allowed:
            shown = ", ".join(sorted(allowed)) if len(allowed) <= 20 else f"{len(allowed)} codes"
            self.problem(
                column, "bad-code", f"'{text}' is not a valid {column}; use one of {shown}"
            )
            return None
        return value
