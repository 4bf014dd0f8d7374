"""Why the forecast moved (`movements --json`) and how the ledger and the activity reconcile
(`reconcile --json`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from carecast.forecast.movements import Movements
from carecast.forecast.reconcile import Reconciliation


class SnapshotPoint(BaseModel):
    period: str
    forecast: float


class Movement(BaseModel):
    service_line: str
    driver: str
    amount: float
    # the placements, posts or cases behind it (child-level: absent where the reader may not see
    # children)
    items: list[str] | None = None


class MovementsDocument(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: SnapshotPoint = Field(alias="from")
    to: SnapshotPoint
    change: float
    drivers: dict[str, float]
    movements: list[Movement]


def movements_document(result: Movements, *, items: bool = True) -> MovementsDocument:
    return MovementsDocument(
        from_=SnapshotPoint(
            period=result.previous.period.label, forecast=float(result.previous.forecast_outturn)
        ),
        to=SnapshotPoint(
            period=result.current.period.label, forecast=float(result.current.forecast_outturn)
        ),
        change=float(result.change),
        drivers={driver: float(amount) for driver, amount in result.by_driver().items()},
        movements=[
            Movement(
                service_line=m.service_line.value,
                driver=m.driver,
                amount=float(m.amount),
                items=list(m.keys) if items else None,
            )
            for m in result.movements
        ],
    )


def movements_json(result: Movements, *, items: bool = True) -> dict[str, Any]:
    """`items: False` leaves out what is behind each movement (for readers of aggregates)."""
    hidden = None if items else {"movements": {"__all__": {"items"}}}
    return movements_document(result, items=items).model_dump(mode="json", exclude=hidden)


class OverCommitment(BaseModel):
    child: str
    service_line: str
    provider: str
    start: str
    weekly_cost: float
    cost_centre: str
    cost_to_year_end: float


class UnderReported(BaseModel):
    child: str
    service_line: str | None
    place: str | None
    provider: str | None
    start: str
    costed_weekly: float


class LineMismatch(BaseModel):
    child: str
    placement_line: str | None
    commitment_line: str | None


class CostCentre(BaseModel):
    cost_centre: str
    service_line: str | None
    ledger: float
    implied: float
    difference: float
    children: list[str]


class ReconciliationDocument(BaseModel):
    """Child-level throughout: for analysts and above."""

    period: str
    over_commitments: list[OverCommitment]
    under_reported: list[UnderReported]
    line_mismatches: list[LineMismatch]
    cost_centres: list[CostCentre]


def reconciliation_document(result: Reconciliation) -> ReconciliationDocument:
    return ReconciliationDocument(
        period=result.period.label,
        over_commitments=[
            OverCommitment(
                child=o.commitment.child_id,
                service_line=o.commitment.category.value,
                provider=o.commitment.provider,
                start=o.commitment.start.isoformat(),
                weekly_cost=float(o.commitment.net_weekly_cost),
                cost_centre=o.commitment.cost_centre,
                cost_to_year_end=float(o.cost_to_year_end),
            )
            for o in result.over_commitments
        ],
        under_reported=[
            UnderReported(
                child=u.placement.child_id,
                service_line=None if u.placement.category is None else u.placement.category.value,
                place=u.placement.place,
                provider=u.placement.place_provider,
                start=u.placement.start.isoformat(),
                costed_weekly=float(u.priced_weekly),
            )
            for u in result.under_reported
        ],
        line_mismatches=[
            LineMismatch(
                child=m.placement.child_id,
                placement_line=None if m.placement.category is None else m.placement.category.value,
                commitment_line=None if m.commitment is None else m.commitment.category.value,
            )
            for m in result.line_mismatches
        ],
        cost_centres=[
            CostCentre(
                cost_centre=c.cost_centre,
                service_line=None if c.service_line is None else c.service_line.value,
                ledger=float(c.ledger),
                implied=float(c.implied),
                difference=float(c.difference),
                children=list(c.children),
            )
            for c in result.cost_centres
        ],
    )


def reconciliation_json(result: Reconciliation) -> dict[str, Any]:
    return reconciliation_document(result).model_dump(mode="json")
