"""Commentary on report sections, kept with the forecast snapshot it was written for.

Rows are only ever added; the newest row for a section wins. A report on a later snapshot of the
same period carries the commentary forward (and says which snapshot it was written for), so that
re-running the forecast does not lose the finance officer's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from carecast.domain.provenance import Council
from carecast.errors import NotFound
from carecast.store.schema import forecast_snapshots, report_commentary


@dataclass(frozen=True, slots=True)
class StoredCommentary:
    section: str
    text: str
    snapshot_id: int
    written_at: datetime


def add_commentary(
    connection: sa.Connection, council: Council, snapshot_id: int, section: str, text: str
) -> StoredCommentary:
    owner = connection.execute(
        sa.select(forecast_snapshots.c.council_id).where(forecast_snapshots.c.id == snapshot_id)
    ).scalar()
    if owner != council.council_id:
        raise NotFound(f"there is no forecast snapshot {snapshot_id} for {council.name}")
    written_at = datetime.now(UTC)
    connection.execute(
        report_commentary.insert().values(
            snapshot_id=snapshot_id, section=section, text=text, written_at=written_at
        )
    )
    return StoredCommentary(section, text, snapshot_id, written_at)


def commentary_for(
    connection: sa.Connection, council: Council, snapshot_id: int
) -> dict[str, StoredCommentary]:
    """The newest commentary per section written for this snapshot or an earlier snapshot of the
    same council and period."""
    period = (
        sa.select(forecast_snapshots.c.period)
        .where(forecast_snapshots.c.id == snapshot_id)
        .scalar_subquery()
    )
    query = (
        sa.select(report_commentary)
        .join(forecast_snapshots, forecast_snapshots.c.id == report_commentary.c.snapshot_id)
        .where(
            forecast_snapshots.c.council_id == council.council_id,
            forecast_snapshots.c.period == period,
            forecast_snapshots.c.id <= snapshot_id,
        )
        .order_by(report_commentary.c.written_at, report_commentary.c.id)
    )
    latest: dict[str, StoredCommentary] = {}
    for row in connection.execute(query).mappings():
        latest[row["section"]] = StoredCommentary(
            row["section"], row["text"], row["snapshot_id"], row["written_at"]
        )
    return latest
