"""Problems as values, and the one exception family carecast raises.

Input problems are `Issue` values with a location (file, row, column) and a stable rule code, gathered
into lists by the ingest layer. Exceptions are for requests that cannot be served; each subclass
formats its own message and carries its own exit code, which only `cli.py` turns into a process exit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# Characters that would break a message over lines or act on a terminal: C0 and C1 controls
# (escape sequences among them), Unicode line and paragraph separators, zero-width characters and
# bidirectional overrides (which can make text display other than it reads), and the BOM.
_UNPRINTABLE = re.compile(
    r"\r\n|[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_NAMED = {"\r\n": "\\n", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    found = match.group()
    if found in _NAMED:
        return _NAMED[found]
    code = ord(found)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """`text` on one line: line breaks and control characters written as escapes (`\\n`, `\\x1b`).

    A problem quotes what the file holds, and a cell or a parser's message may hold anything; shown
    raw, one problem would spread over many lines or drive the terminal. Idempotent.
    """
    return _UNPRINTABLE.sub(_escape, text)


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

    def fields(self) -> tuple[str, int | None, str, str, str, str]:
        """File, row, column, rule, severity and message as shown: each text on one line."""
        return (
            one_line(self.source),
            self.row,
            one_line(self.column or ""),
            one_line(self.rule),
            self.severity.value,
            one_line(self.message),
        )

    def format(self) -> str:
        """`FILE:ROW:COLUMN: RULE: message` as the command-line contract prescribes, one line."""
        source, row, column, rule, _severity, message = self.fields()
        return f"{source}:{'' if row is None else row}:{column}: {rule}: {message}"


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


class StoreBusy(CarecastError):
    """Another session held the store's locks past the busy timeout; nothing was changed (exit 1:
    nothing is wrong with the command, and it will work once the other session is done)."""

    def __init__(self) -> None:
        super().__init__(
            "the store is busy (another import or close is running); try again in a minute. "
            "Nothing was changed."
        )


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


class SignInRefused(CarecastError):
    """A sign-in was refused (wrong name or password, a locked or disabled account)."""


class NotSignedIn(CarecastError):
    """A page needs a signed-in user and there is none (never signed in, or the session ended)."""


class AccessDenied(CarecastError):
    """The signed-in user's role does not allow the request."""


class RequestRefused(CarecastError):
    """A request that cannot be trusted or served as sent (a form without its CSRF token)."""
