"""Queries the committee report needs beyond single snapshots: the forecasts of a year, and the
validation warnings behind a forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from carecast.domain.periods import FinancialYear
from carecast.domain.provenance import Council
from carecast.store.schema import forecast_snapshots, import_batches, import_issues
from carecast.store.snapshots import not_withdrawn


def year_snapshot_ids(
    connection: sa.Connection, council: Council, year: FinancialYear, before: str | None = None
) -> list[int]:
    """The newest snapshot of each period of `year` (only periods before `before`, YYYY-MM, when
    given), in period order: the forecast the council last made for each close (withdrawn
    snapshots left out)."""
    query = (
        sa.select(forecast_snapshots.c.period, sa.func.max(forecast_snapshots.c.id))
        .where(
            forecast_snapshots.c.council_id == council.council_id,
            forecast_snapshots.c.financial_year == year.label,
            not_withdrawn(),
        )
        .group_by(forecast_snapshots.c.period)
        .order_by(forecast_snapshots.c.period)
    )
    if before is not None:
        query = query.where(forecast_snapshots.c.period < before)
    return [int(snapshot_id) for _, snapshot_id in connection.execute(query)]


@dataclass(frozen=True, slots=True)
class WarningCount:
    rule: str
    count: int
    datasets: tuple[str, ...]
    first_file: str
    first_row: int | None
    first_column: str | None
    first_message: str


def warning_counts(
    connection: sa.Connection, council: Council, known_on: date
) -> list[WarningCount]:
    """Validation warnings of the imports known on `known_on`, rule by rule."""
    query = (
        sa.select(
            import_issues.c.rule,
            import_issues.c.row,
            import_issues.c.column_name,
            import_issues.c.message,
            import_batches.c.dataset,
            import_batches.c.file_name,
        )
        .join(import_batches, import_batches.c.id == import_issues.c.batch_id)
        .where(
            import_batches.c.council_id == council.council_id,
            import_batches.c.as_of <= known_on,
            import_issues.c.severity == "warning",
        )
        .order_by(import_issues.c.rule, import_issues.c.id)
    )
    found: dict[str, list[Any]] = {}
    for row in connection.execute(query):
        found.setdefault(row.rule, []).append(row)
    return [
        WarningCount(
            rule,
            len(rows),
            tuple(sorted({r.dataset for r in rows})),
            rows[0].file_name,
            rows[0].row,
            rows[0].column_name,
            rows[0].message,
        )
        for rule, rows in found.items()
    ]
