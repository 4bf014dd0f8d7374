"""A forecast snapshot (`forecast --json`, `/api/snapshots/{id}`) and the list of snapshots
(`snapshots --json`, `/api/snapshots`): the objects of formats.md, plus the snapshot's
assumptions, actions and readiness flags."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from carecast.domain.provenance import Council, ForecastSnapshot, SnapshotSummary
from carecast.forecast.actions import summarise_actions, variance_drivers
from carecast.forecast.assumptions import ActionAssumptions


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class LineFigures(BaseModel):
    service_line: str
    budget: float
    actual_to_date: float
    committed: float
    demand_allowance: float
    forecast_outturn: float
    p10: float | None
    p90: float | None
    children: int | None
    average_weekly_cost: float | None


class ActionItem(BaseModel):
    action_id: str
    kind: str
    title: str
    service_line: str
    owner: str
    value: float
    confidence: str
    probability: float | None
    expected: float
    status: str
    due_date: str | None


class VarianceDriver(BaseModel):
    service_line: str
    driver: str
    amount: float
    actions: list[str]


class Actions(BaseModel):
    """Risks, actions and savings beside the forecast (never netted into it), and each line's
    variance split into undelivered savings, savings at risk and activity."""

    risks_expected: float
    actions_expected: float
    forecast_after_actions_and_risks: float
    savings: dict[str, float]
    items: list[ActionItem]
    variance_drivers: list[VarianceDriver]


class ReadinessFlag(BaseModel):
    code: str
    severity: str
    message: str


class ForecastDocument(BaseModel):
    """p10/p90 bound the 80% interval from the simulated paths (null when the forecast ran
    none); `readiness` lists the flags raised on the data the forecast stood on."""

    council: str
    period: str
    financial_year: str
    budget: float
    forecast_outturn: float
    variance: float
    p10: float | None
    p90: float | None
    lines: list[LineFigures]
    snapshot_id: int | None
    knowledge_date: str
    notes: list[str]
    assumptions: dict[str, Any]
    actions: Actions
    readiness: list[ReadinessFlag]


class Withdrawal(BaseModel):
    reason: str
    withdrawn_at: str


class SnapshotEntry(BaseModel):
    """A stored snapshot in a list."""

    snapshot_id: int
    period: str
    financial_year: str
    knowledge_date: str
    created_at: str
    method: str
    budget: float
    forecast_outturn: float
    variance: float
    flags: int
    withdrawn: bool
    withdrawal: Withdrawal | None


class SnapshotList(BaseModel):
    council: str
    snapshots: list[SnapshotEntry]


def forecast_document(snapshot: ForecastSnapshot) -> ForecastDocument:
    forecast = snapshot.forecast
    return ForecastDocument(
        council=snapshot.council.name,
        period=forecast.period.label,
        financial_year=forecast.period.financial_year.label,
        budget=float(forecast.budget),
        forecast_outturn=float(forecast.forecast_outturn),
        variance=float(forecast.variance),
        p10=number(forecast.p10),
        p90=number(forecast.p90),
        lines=[
            LineFigures(
                service_line=line.service_line.value,
                budget=float(line.budget),
                actual_to_date=float(line.actual_to_date),
                committed=float(line.committed),
                demand_allowance=float(line.demand_allowance),
                forecast_outturn=float(line.forecast_outturn),
                p10=number(line.p10),
                p90=number(line.p90),
                children=line.children,
                average_weekly_cost=number(line.average_weekly_cost),
            )
            for line in forecast.lines
        ],
        snapshot_id=snapshot.snapshot_id,
        knowledge_date=forecast.knowledge_date.isoformat(),
        notes=list(forecast.notes),
        assumptions=dict(forecast.assumptions),
        actions=actions_document(snapshot),
        readiness=[
            ReadinessFlag(code=f.code, severity=f.severity.value, message=f.message)
            for f in snapshot.readiness
        ],
    )


def forecast_json(snapshot: ForecastSnapshot) -> dict[str, Any]:
    return forecast_document(snapshot).model_dump(mode="json")


def actions_document(snapshot: ForecastSnapshot) -> Actions:
    forecast = snapshot.forecast
    used = forecast.assumptions.get("used", {}).get("actions", {})
    table = used.get("confidence") or ActionAssumptions().confidence
    summary = summarise_actions(forecast.actions, forecast.period.financial_year.label, table)
    return Actions(
        risks_expected=float(summary.risks),
        actions_expected=float(summary.actions),
        forecast_after_actions_and_risks=float(summary.after_actions(forecast)),
        savings={
            status: float(summary.savings(status))
            for status in ("delivered", "at_risk", "in_progress", "proposed", "undelivered")
        },
        items=[
            ActionItem(
                action_id=v.action.action_id,
                kind=v.kind,
                title=v.action.title,
                service_line=v.action.service_line.value,
                owner=v.action.owner,
                value=float(v.action.value),
                confidence=v.action.confidence,
                probability=number(v.probability),
                expected=float(v.expected),
                status=v.action.status,
                due_date=None if v.action.due_date is None else v.action.due_date.isoformat(),
            )
            for v in summary.views
        ],
        variance_drivers=[
            VarianceDriver(
                service_line=d.service_line.value,
                driver=d.driver,
                amount=float(d.amount),
                actions=list(d.actions),
            )
            for d in variance_drivers(forecast, summary)
        ],
    )


def actions_json(snapshot: ForecastSnapshot) -> dict[str, Any]:
    return actions_document(snapshot).model_dump(mode="json")


def snapshot_entry(summary: SnapshotSummary) -> SnapshotEntry:
    withdrawal = summary.withdrawal
    return SnapshotEntry(
        snapshot_id=summary.snapshot_id,
        period=summary.period.label,
        financial_year=summary.period.financial_year.label,
        knowledge_date=summary.knowledge_date.isoformat(),
        created_at=summary.created_at.isoformat(),
        method=summary.method,
        budget=float(summary.budget),
        forecast_outturn=float(summary.forecast_outturn),
        variance=float(summary.forecast_outturn - summary.budget),
        flags=summary.flags,
        withdrawn=withdrawal is not None,
        withdrawal=None
        if withdrawal is None
        else Withdrawal(reason=withdrawal.reason, withdrawn_at=withdrawal.withdrawn_at.isoformat()),
    )


def summary_json(summary: SnapshotSummary) -> dict[str, Any]:
    return snapshot_entry(summary).model_dump(mode="json")


def snapshot_list(council: Council, found: Iterable[SnapshotSummary]) -> SnapshotList:
    return SnapshotList(council=council.name, snapshots=[snapshot_entry(s) for s in found])
