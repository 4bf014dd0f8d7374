"""Forecast snapshots: written once, read many times, never updated (a trigger refuses updates)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from carecast.domain.codes import ServiceLine
from carecast.domain.money import from_pence, to_pence
from carecast.domain.periods import Period
from carecast.domain.provenance import Council, Forecast, ForecastLine, ForecastSnapshot
from carecast.errors import NotFound
from carecast.store.schema import forecast_lines, forecast_snapshots


def _optional_pence(value: Decimal | None) -> int | None:
    return None if value is None else to_pence(value)


def save_snapshot(
    connection: sa.Connection, council: Council, forecast: Forecast, method: str
) -> int:
    """Store a forecast as a new snapshot (amounts rounded to the penny); returns its id."""
    key = connection.execute(
        forecast_snapshots.insert().values(
            council_id=council.council_id,
            period=forecast.period.label,
            financial_year=forecast.period.financial_year.label,
            knowledge_date=forecast.knowledge_date,
            created_at=datetime.now(UTC),
            method=method,
            notes=list(forecast.notes),
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
    return snapshot_id


def load_snapshot(
    connection: sa.Connection, council: Council, snapshot_id: int
) -> ForecastSnapshot:
    head = (
        connection.execute(
            sa.select(forecast_snapshots).where(
                forecast_snapshots.c.id == snapshot_id,
                forecast_snapshots.c.council_id == council.council_id,
            )
        )
        .mappings()
        .first()
    )
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
    forecast = Forecast(
        Period.parse(head["period"]), head["knowledge_date"], lines, tuple(head["notes"])
    )
    return ForecastSnapshot(head["id"], council, head["created_at"], forecast)


def latest_snapshot_id(
    connection: sa.Connection, council: Council, period: Period | None = None
) -> int:
    query = sa.select(sa.func.max(forecast_snapshots.c.id)).where(
        forecast_snapshots.c.council_id == council.council_id
    )
    if period is not None:
        query = query.where(forecast_snapshots.c.period == period.label)
    snapshot_id = connection.execute(query).scalar()
    if snapshot_id is None:
        wanted = f"period {period}" if period else "any period"
        raise NotFound(f"no forecast has been stored for {wanted}; run 'carecast forecast' first")
    return int(snapshot_id)
