"""The savings programme, management actions and risks of a period's financial year, read and
edited one action at a time (the web application's register; `carecast import` loads them whole).

An edit is stored as the actions importer stores a file: a one-row batch of the `actions`
dataset, checked by the same column types and rules (a bad date or an unknown status is refused
with the column it is in), keyed by ACTION_ID so that it replaces the earlier row and keeps it in
the history. The batch is known on the period's close date (`close_date`): the next forecast of
that period carries the edit, and a snapshot already stored keeps what it stood on. Each edit is
written to the audit log, with the action before and after, in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from carecast.config import Settings
from carecast.domain.codes import ACTION_KINDS, ACTION_STATUSES, ServiceLine
from carecast.domain.finance import Action
from carecast.domain.periods import Period
from carecast.domain.provenance import Council
from carecast.errors import Issue, Severity
from carecast.ingest.loader import parse_table
from carecast.ingest.reading import table_from_rows
from carecast.reports.sections.actions import Weights, likelihood, rag, weights_of
from carecast.services.forecasting import close_date
from carecast.services.setup import council_transaction
from carecast.store import records
from carecast.store.accounts import append_audit
from carecast.store.bulk import unstorable
from carecast.store.imports import save_files
from carecast.store.snapshots import latest_snapshot_id, load_snapshot
from carecast.store.state import load_actions

# The form's fields, in the actions file's column order (formats.md); the financial year is the
# period's and is not edited.
FIELDS = (
    "action_id",
    "kind",
    "title",
    "service_line",
    "owner",
    "value",
    "confidence",
    "status",
    "due_date",
    "notes",
)
EDITED = tuple(field for field in FIELDS if field != "action_id")  # an action keeps its id
KINDS = ACTION_KINDS
STATUSES = ACTION_STATUSES
LINES = tuple(ServiceLine)
# Where a problem the importer finds in a column is shown on the form.
FIELD_OF_COLUMN = {field.upper(): field for field in FIELDS}


@dataclass(frozen=True)
class Register:
    """The actions of `period`'s financial year as the next forecast of `period` will read them."""

    council: Council
    period: Period
    snapshot_id: int
    known_on: date
    actions: tuple[Action, ...]
    forecast_actions: tuple[Action, ...]  # as the period's latest snapshot stored them
    weights: Weights  # confidence words as probabilities, as the report weighs them

    def rag(self, action: Action) -> str:
        return rag(action, self.weights)

    def weighted(self, action: Action) -> Decimal:
        return action.value * likelihood(action.confidence, self.weights)

    @property
    def year(self) -> str:
        return self.period.financial_year.label

    def find(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.action_id == action_id), None)

    def changed_since_forecast(self, action: Action) -> bool:
        return action not in self.forecast_actions


@dataclass(frozen=True)
class Saved:
    """An edit's outcome: the action as stored, or the problems by form field (nothing stored)."""

    action: Action | None
    problems: dict[str, list[str]]


def form_of(action: Action) -> dict[str, str]:
    """The action as the form shows it (and as the audit log keeps it)."""
    return {
        "action_id": action.action_id,
        "kind": action.kind,
        "title": action.title,
        "service_line": action.service_line.value,
        "owner": action.owner,
        "value": f"{action.value:.2f}",
        "confidence": action.confidence,
        "status": action.status,
        "due_date": "" if action.due_date is None else action.due_date.isoformat(),
        "notes": action.notes or "",
    }


def _year_actions(actions: tuple[Action, ...], year: str) -> tuple[Action, ...]:
    order = {kind: n for n, kind in enumerate(KINDS)}
    chosen = (a for a in actions if a.financial_year == year)
    return tuple(sorted(chosen, key=lambda a: (order.get(a.kind, len(order)), a.action_id)))


def _register(connection: Any, council: Council, period: Period | None) -> Register:
    snapshot = load_snapshot(connection, council, latest_snapshot_id(connection, council, period))
    chosen = snapshot.forecast.period
    known_on = close_date(chosen)
    year = chosen.financial_year.label
    actions = load_actions(connection, council, known_on)
    return Register(
        council,
        chosen,
        snapshot.snapshot_id,
        known_on,
        _year_actions(actions, year),
        _year_actions(snapshot.forecast.actions, year),
        weights_of(snapshot.forecast),
    )


def action_register(settings: Settings, period: Period | None = None) -> Register:
    """The register of `period` (default: the latest period with a forecast)."""
    with council_transaction(settings) as (connection, council):
        return _register(connection, council, period)


def _problems(issues: list[Issue]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for issue in issues:
        field = FIELD_OF_COLUMN.get(issue.column or "", "")
        found.setdefault(field, []).append(issue.message)
    return found


def _cleaned(values: Mapping[str, str]) -> dict[str, str]:
    """The form's text, each value on one line: a CSV cell holds no line break."""
    return {field: " ".join(values.get(field, "").split()) for field in FIELDS}


def save_action(
    settings: Settings,
    period: Period,
    values: Mapping[str, str],
    *,
    new: bool,
    actor: tuple[str, str],
) -> Saved:
    """Add (`new`) or change one action of `period`'s year, as `actor` (who, from where).

    The values are checked as the actions importer checks a file; a new action may not take an
    id already in use, and a change must name an action of the year."""
    cleaned = _cleaned(values)
    action_id = cleaned["action_id"]
    with council_transaction(settings) as (connection, council):
        register = _register(connection, council, period)
        before = register.find(action_id) if action_id else None
        if new and before is not None:
            return Saved(None, {"action_id": [f"{action_id} is already in the register"]})
        if not new and before is None:
            return Saved(
                None,
                {"": [f"there is no action {action_id[:64]} in {register.year} to change"]},
            )
        header = [field.upper() for field in FIELDS[:5]] + ["FINANCIAL_YEAR"]
        header += [field.upper() for field in FIELDS[5:]]
        row = [cleaned[field] for field in FIELDS[:5]] + [register.year]
        row += [cleaned[field] for field in FIELDS[5:]]
        who, where = actor
        now = datetime.now(UTC)
        source = f"web edit of {action_id[:64] or 'a new action'} by {who}"
        # Each edit is a batch of its own, even one that restores an earlier text: the hash
        # names the edit, not only its content.
        digest = hashlib.sha256(f"{now.isoformat()}\n{who}\n{row}".encode()).hexdigest()
        parsed, issues = parse_table(table_from_rows(source, digest, header, [row]))
        if parsed is not None and not parsed.has_errors:
            issues += unstorable(parsed)  # too long for its column: PostgreSQL would refuse it
        if parsed is None or any(i.severity is Severity.ERROR for i in issues):
            return Saved(None, _problems(issues))
        save_files(connection, council, [parsed], register.known_on)
        stored = parsed.frame.row(0, named=True)
        after = records.action(
            {column.lower(): value for column, value in stored.items()}
            | {"value_pence": stored["VALUE"]}
        )
        append_audit(
            connection,
            at=now,
            actor=who,
            source=where,
            action="action_added" if new else "action_changed",
            subject=f"{register.year} {action_id}",
            before=None if before is None else form_of(before),
            after={**form_of(after), "known_on": register.known_on.isoformat()},
        )
    return Saved(after, {})
