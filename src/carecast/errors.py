"""Problems as values, and the one exception family carecast raises.

Input problems are `Issue` values with a location (file, row, column) and a stable rule code, gathered
into lists by the ingest layer. Exceptions are for requests that cannot be served; each subclass
formats its own message and carries its own exit code, which only `cli.py` turns into a process exit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in one place of one input file."""

    source: str
    row: int | None
    column: str | None
    rule: str
    message: str
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """`FILE:ROW:COLUMN: RULE: message` as the command-line contract prescribes."""
        row = "" if self.row is None else str(self.row)
        column = self.column or ""
        return f"{self.source}:{row}:{column}: {self.rule}: {self.message}"


class CarecastError(Exception):
    """Base of every error carecast raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        return [self.message]

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other arguments than the message, so the default (the class called
        # with `args`) cannot rebuild them: a refusal raised in a worker process must reach the
        # parent whole, with its located problems.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type[CarecastError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InvalidInput(CarecastError):
    """Input files broke one or more rules; nothing was stored."""

    def __init__(self, issues: list[Issue]) -> None:
        errors = [i for i in issues if i.severity is Severity.ERROR]
        super().__init__(f"{len(errors)} problem(s) found; nothing was imported.")
        self.issues = issues

    def lines(self) -> list[str]:
        return [i.format() for i in self.issues if i.severity is Severity.ERROR] + [self.message]


class UsageError(CarecastError):
    """The command was called in a way that cannot work (exit 2)."""

    exit_code = 2


class NotAvailableYet(UsageError):
    """A contract command whose capability has not been built yet."""

    def __init__(self, command: str, capability: str) -> None:
        super().__init__(
            f"'carecast {command}' is not available yet: {capability} is planned but not built. "
            "Nothing was done."
        )


class StoreNotReady(UsageError):
    """The store has no schema or no council yet."""


class NotFound(CarecastError):
    """The store holds nothing that answers the request (e.g. no ledger data for a period)."""


class CloseNotReady(CarecastError):
    """The data a close stands on cannot carry it (ledger periods missing, a period beyond the
    data); one line per problem, nothing stored (exit 1)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) with the data behind this close; nothing was stored."
        )
        self.problems = problems

    def lines(self) -> list[str]:
        return [*self.problems, self.message]
