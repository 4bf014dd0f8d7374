"""Forecast snapshots: written once, read many times, never updated (a trigger refuses updates).

A snapshot holds its lines, the total's interval, the assumptions in force, the build-up (items
and monthly components) that movements between snapshots are explained from, and the readiness
flags of the data it stood on. A withdrawn snapshot is kept, with its withdrawal in a row of its
own, and is never again the one a command picks by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Action
from carecast.domain.money import from_pence, to_pence
from carecast.domain.periods import Period
from carecast.domain.provenance import (
    Council,
    Forecast,
    ForecastComponent,
    ForecastItem,
    ForecastLine,
    ForecastSnapshot,
    SnapshotSummary,
    Withdrawal,
)
from carecast.domain.readiness import Gravity, ReadinessFinding
from carecast.errors import NotFound, UsageError
from carecast.store.schema import (
    forecast_components,
    forecast_items,
    forecast_lines,
    forecast_snapshots,
    snapshot_withdrawals,
)


def _optional_pence(value: Decimal | None) -> int | None:
    return None if value is None else to_pence(value)


def _action_json(action: Action) -> dict[str, Any]:
    """An action as it stood when the forecast ran, money in pence."""
    return {
        "action_id": action.action_id,
        "kind": action.kind,
        "title": action.title,
        "service_line": action.service_line.value,
        "owner": action.owner,
        "financial_year": action.financial_year,
        "value_pence": to_pence(action.value),
        "confidence": action.confidence,
        "status": action.status,
        "due_date": None if action.due_date is None else action.due_date.isoformat(),
        "notes": action.notes,
    }


def _action_from(row: dict[str, Any]) -> Action:
    due = row["due_date"]
    return Action(
        action_id=row["action_id"],
        kind=row["kind"],
        title=row["title"],
        service_line=ServiceLine(row["service_line"]),
        owner=row["owner"],
        financial_year=row["financial_year"],
        value=from_pence(row["value_pence"]),
        confidence=row["confidence"],
        status=row["status"],
        due_date=None if due is None else date.fromisoformat(due),
        notes=row["notes"],
    )


def _finding_json(finding: ReadinessFinding) -> dict[str, str]:
    return {"code": finding.code, "severity": finding.severity.value, "message": finding.message}


def _finding_from(row: dict[str, str]) -> ReadinessFinding:
    return ReadinessFinding(row["code"], Gravity(row["severity"]), row["message"])


def save_snapshot(
    connection: sa.Connection,
    council: Council,
    forecast: Forecast,
    method: str,
    readiness: Sequence[ReadinessFinding] = (),
) -> int:
    """Store a forecast as a new snapshot (amounts rounded to the penny) with the readiness flags
    of the data it stood on; returns its id."""
    key = connection.execute(
        forecast_snapshots.insert().values(
            council_id=council.council_id,
            period=forecast.period.label,
            financial_year=forecast.period.financial_year.label,
            knowledge_date=forecast.knowledge_date,
            created_at=datetime.now(UTC),
            method=method,
            notes=list(forecast.notes),
            p10_pence=_optional_pence(forecast.p10),
            p90_pence=_optional_pence(forecast.p90),
            assumptions=dict(forecast.assumptions) or None,
            actions=[_action_json(a) for a in forecast.actions],
            readiness=[_finding_json(f) for f in readiness],
        )
    ).inserted_primary_key
    assert key is not None
    snapshot_id = int(key[0])
    connection.execute(
        forecast_lines.insert(),
        [
            {
                "snapshot_id": snapshot_id,
                "service_line": line.service_line.value,
                "method": line.method,
                "budget_pence": to_pence(line.budget),
                "actual_to_date_pence": to_pence(line.actual_to_date),
                "committed_pence": to_pence(line.committed),
                "demand_allowance_pence": to_pence(line.demand_allowance),
                "forecast_outturn_pence": to_pence(line.actual_to_date)
                + to_pence(line.committed)
                + to_pence(line.demand_allowance),
                "p10_pence": _optional_pence(line.p10),
                "p90_pence": _optional_pence(line.p90),
                "children": line.children,
                "average_weekly_cost_pence": _optional_pence(line.average_weekly_cost),
            }
            for line in forecast.lines
        ],
    )
    _save_build_up(connection, snapshot_id, forecast)
    return snapshot_id


def _save_build_up(connection: sa.Connection, snapshot_id: int, forecast: Forecast) -> None:
    if forecast.items:
        connection.execute(
            forecast_items.insert(),
            [
                {
                    "snapshot_id": snapshot_id,
                    "kind": item.kind,
                    "item_key": item.key,
                    "service_line": item.service_line.value,
                    "weekly_cost_pence": to_pence(item.weekly_cost),
                    "first_day": item.first_day,
                    "last_day": item.last_day,
                    "committed_pence": to_pence(item.committed),
                    "flag": item.flag,
                }
                for item in forecast.items
            ],
        )
    if forecast.components:
        connection.execute(
            forecast_components.insert(),
            [
                {
                    "snapshot_id": snapshot_id,
                    "service_line": c.service_line.value,
                    "part": c.part,
                    "driver": c.driver,
                    "period": c.period.label,
                    "amount_pence": to_pence(c.amount),
                }
                for c in forecast.components
            ],
        )


def _load_build_up(
    connection: sa.Connection, snapshot_id: int
) -> tuple[tuple[ForecastItem, ...], tuple[ForecastComponent, ...]]:
    items = tuple(
        ForecastItem(
            kind=r["kind"],
            key=r["item_key"],
            service_line=ServiceLine(r["service_line"]),
            weekly_cost=from_pence(r["weekly_cost_pence"]),
            first_day=r["first_day"],
            last_day=r["last_day"],
            committed=from_pence(r["committed_pence"]),
            flag=r["flag"],
        )
        for r in connection.execute(
            sa.select(forecast_items)
            .where(forecast_items.c.snapshot_id == snapshot_id)
            .order_by(forecast_items.c.id)
        ).mappings()
    )
    components = tuple(
        ForecastComponent(
            service_line=ServiceLine(r["service_line"]),
            part=r["part"],
            driver=r["driver"],
            period=Period.parse(r["period"]),
            amount=from_pence(r["amount_pence"]),
        )
        for r in connection.execute(
            sa.select(forecast_components)
            .where(forecast_components.c.snapshot_id == snapshot_id)
            .order_by(forecast_components.c.id)
        ).mappings()
    )
    return items, components


def load_snapshot(
    connection: sa.Connection, council: Council, snapshot_id: int, *, build_up: bool = True
) -> ForecastSnapshot:
    """A stored snapshot; without `build_up`, its items and components are left out (a page
    showing only the lines and totals does not read them)."""
    # ids are 32-bit integers (PostgreSQL): a larger one is no snapshot, and would not compare
    mine = (forecast_snapshots.c.id == snapshot_id) & (
        forecast_snapshots.c.council_id == council.council_id
    )
    query = sa.select(forecast_snapshots).where(mine)
    head = connection.execute(query).mappings().first() if 0 < snapshot_id < 2**31 else None
    if head is None:
        raise NotFound(f"there is no forecast snapshot {snapshot_id} for {council.name}")
    rows = connection.execute(
        sa.select(forecast_lines)
        .where(forecast_lines.c.snapshot_id == snapshot_id)
        .order_by(forecast_lines.c.id)
    ).mappings()
    lines = tuple(
        ForecastLine(
            service_line=ServiceLine(r["service_line"]),
            budget=from_pence(r["budget_pence"]),
            actual_to_date=from_pence(r["actual_to_date_pence"]),
            committed=from_pence(r["committed_pence"]),
            demand_allowance=from_pence(r["demand_allowance_pence"]),
            forecast_outturn=from_pence(r["forecast_outturn_pence"]),
            method=r["method"],
            p10=None if r["p10_pence"] is None else from_pence(r["p10_pence"]),
            p90=None if r["p90_pence"] is None else from_pence(r["p90_pence"]),
            children=r["children"],
            average_weekly_cost=(
                None
                if r["average_weekly_cost_pence"] is None
                else from_pence(r["average_weekly_cost_pence"])
            ),
        )
        for r in rows
    )
    items, components = _load_build_up(connection, snapshot_id) if build_up else ((), ())
    forecast = Forecast(
        Period.parse(head["period"]),
        head["knowledge_date"],
        lines,
        tuple(head["notes"]),
        p10=None if head["p10_pence"] is None else from_pence(head["p10_pence"]),
        p90=None if head["p90_pence"] is None else from_pence(head["p90_pence"]),
        items=items,
        components=components,
        assumptions=head["assumptions"] or {},
        actions=tuple(_action_from(a) for a in head["actions"] or ()),
    )
    withdrawn = (
        connection.execute(
            sa.select(snapshot_withdrawals).where(snapshot_withdrawals.c.snapshot_id == snapshot_id)
        )
        .mappings()
        .first()
    )
    return ForecastSnapshot(
        head["id"],
        council,
        head["created_at"],
        forecast,
        readiness=tuple(_finding_from(f) for f in head["readiness"] or ()),
        withdrawal=None
        if withdrawn is None
        else Withdrawal(withdrawn["reason"], withdrawn["withdrawn_at"]),
    )


def not_withdrawn() -> sa.ColumnElement[bool]:
    """Snapshots that have not been withdrawn: the only ones a command picks by default."""
    return forecast_snapshots.c.id.not_in(sa.select(snapshot_withdrawals.c.snapshot_id))


def latest_snapshot_id(
    connection: sa.Connection, council: Council, period: Period | None = None
) -> int:
    """The newest snapshot (of `period`, when given) that has not been withdrawn."""
    query = sa.select(sa.func.max(forecast_snapshots.c.id)).where(
        forecast_snapshots.c.council_id == council.council_id
    )
    if period is not None:
        query = query.where(forecast_snapshots.c.period == period.label)
    snapshot_id = connection.execute(query.where(not_withdrawn())).scalar()
    if snapshot_id is None:
        wanted = f"period {period}" if period else "any period"
        if connection.execute(query).scalar() is not None:
            raise NotFound(
                f"every forecast stored for {wanted} has been withdrawn ('carecast snapshots' "
                "lists them); run 'carecast forecast' for a new one"
            )
        raise NotFound(f"no forecast has been stored for {wanted}; run 'carecast forecast' first")
    return int(snapshot_id)


def previous_snapshot_id(
    connection: sa.Connection, council: Council, period: Period, before: int | None = None
) -> int | None:
    """The latest snapshot of an earlier period of the same financial year or, with `before`,
    the latest snapshot of `period` itself made before snapshot `before` (withdrawn ones left out)."""
    year = period.financial_year
    query = sa.select(sa.func.max(forecast_snapshots.c.id)).where(
        forecast_snapshots.c.council_id == council.council_id,
        forecast_snapshots.c.financial_year == year.label,
        not_withdrawn(),
    )
    if before is None:
        query = query.where(forecast_snapshots.c.period < period.label)
    else:
        query = query.where(
            forecast_snapshots.c.period == period.label, forecast_snapshots.c.id < before
        )
    value = connection.execute(query).scalar()
    return None if value is None else int(value)


def list_snapshots(connection: sa.Connection, council: Council) -> list[SnapshotSummary]:
    """Every snapshot of the council, oldest first, withdrawn ones included."""
    totals = (
        sa.select(
            forecast_lines.c.snapshot_id,
            sa.func.sum(forecast_lines.c.budget_pence).label("budget"),
            sa.func.sum(forecast_lines.c.forecast_outturn_pence).label("outturn"),
        )
        .group_by(forecast_lines.c.snapshot_id)
        .subquery()
    )
    # not the assumptions: large JSON that a page listing the snapshots would decode each time
    c = forecast_snapshots.c
    shown = (c.id, c.period, c.knowledge_date, c.created_at, c.method, c.readiness)
    query = (
        sa.select(
            *shown,
            totals.c.budget,
            totals.c.outturn,
            snapshot_withdrawals.c.reason,
            snapshot_withdrawals.c.withdrawn_at,
        )
        .outerjoin(totals, totals.c.snapshot_id == forecast_snapshots.c.id)
        .outerjoin(
            snapshot_withdrawals, snapshot_withdrawals.c.snapshot_id == forecast_snapshots.c.id
        )
        .where(forecast_snapshots.c.council_id == council.council_id)
        .order_by(forecast_snapshots.c.id)
    )
    return [
        SnapshotSummary(
            snapshot_id=r["id"],
            period=Period.parse(r["period"]),
            knowledge_date=r["knowledge_date"],
            created_at=r["created_at"],
            method=r["method"],
            budget=from_pence(int(r["budget"] or 0)),
            forecast_outturn=from_pence(int(r["outturn"] or 0)),
            flags=len(r["readiness"] or ()),
            withdrawal=None
            if r["withdrawn_at"] is None
            else Withdrawal(r["reason"], r["withdrawn_at"]),
        )
        for r in connection.execute(query).mappings()
    ]


def withdraw_snapshot(
    connection: sa.Connection, council: Council, snapshot_id: int, reason: str
) -> ForecastSnapshot:
    """Mark a snapshot withdrawn (it is kept); refuses an unknown or already withdrawn one."""
    snapshot = load_snapshot(connection, council, snapshot_id)
    if snapshot.withdrawal is not None:
        withdrawn_at = snapshot.withdrawal.withdrawn_at
        raise UsageError(
            f"snapshot {snapshot_id} ({snapshot.forecast.period}) was already withdrawn on "
            f"{withdrawn_at.day} {withdrawn_at:%B %Y} ({snapshot.withdrawal.reason}); a "
            "withdrawal is permanent, so nothing was changed"
        )
    connection.execute(
        snapshot_withdrawals.insert().values(
            snapshot_id=snapshot_id, reason=reason, withdrawn_at=datetime.now(UTC)
        )
    )
    return load_snapshot(connection, council, snapshot_id)
