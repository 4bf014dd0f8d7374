"""A snapshot as plain numbers, shared by the JSON output, the terminal table and the HTML summary."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from carecast.domain.provenance import ForecastSnapshot, SnapshotSummary
from carecast.forecast.actions import summarise_actions, variance_drivers
from carecast.forecast.assumptions import ActionAssumptions


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def forecast_json(snapshot: ForecastSnapshot) -> dict[str, Any]:
    """The `forecast --json` object of formats.md, plus the snapshot's assumptions and actions.

    p10/p90 bound the 80% interval from the simulated paths (null when the forecast ran none);
    `readiness` lists the flags raised on the data the forecast stood on.
    """
    forecast = snapshot.forecast
    return {
        "council": snapshot.council.name,
        "period": forecast.period.label,
        "financial_year": forecast.period.financial_year.label,
        "budget": float(forecast.budget),
        "forecast_outturn": float(forecast.forecast_outturn),
        "variance": float(forecast.variance),
        "p10": _number(forecast.p10),
        "p90": _number(forecast.p90),
        "lines": [
            {
                "service_line": line.service_line.value,
                "budget": float(line.budget),
                "actual_to_date": float(line.actual_to_date),
                "committed": float(line.committed),
                "demand_allowance": float(line.demand_allowance),
                "forecast_outturn": float(line.forecast_outturn),
                "p10": _number(line.p10),
                "p90": _number(line.p90),
                "children": line.children,
                "average_weekly_cost": _number(line.average_weekly_cost),
            }
            for line in forecast.lines
        ],
        "snapshot_id": snapshot.snapshot_id,
        "knowledge_date": forecast.knowledge_date.isoformat(),
        "notes": list(forecast.notes),
        "assumptions": dict(forecast.assumptions),
        "actions": actions_json(snapshot),
        "readiness": readiness_json(snapshot),
    }


def readiness_json(snapshot: ForecastSnapshot) -> list[dict[str, str]]:
    """The flags raised on the data the forecast stood on (missing ledger periods forecast with
    --allow-incomplete, stale extracts …); empty when nothing was flagged."""
    return [
        {"code": f.code, "severity": f.severity.value, "message": f.message}
        for f in snapshot.readiness
    ]


def actions_json(snapshot: ForecastSnapshot) -> dict[str, Any]:
    """Risks, actions and savings beside the forecast (never netted into it), and each line's
    variance split into undelivered savings, savings at risk and activity."""
    forecast = snapshot.forecast
    used = forecast.assumptions.get("used", {}).get("actions", {})
    table = used.get("confidence") or ActionAssumptions().confidence
    summary = summarise_actions(forecast.actions, forecast.period.financial_year.label, table)
    return {
        "risks_expected": float(summary.risks),
        "actions_expected": float(summary.actions),
        "forecast_after_actions_and_risks": float(summary.after_actions(forecast)),
        "savings": {
            status: float(summary.savings(status))
            for status in ("delivered", "at_risk", "in_progress", "proposed", "undelivered")
        },
        "items": [
            {
                "action_id": v.action.action_id,
                "kind": v.kind,
                "title": v.action.title,
                "service_line": v.action.service_line.value,
                "owner": v.action.owner,
                "value": float(v.action.value),
                "confidence": v.action.confidence,
                "probability": _number(v.probability),
                "expected": float(v.expected),
                "status": v.action.status,
                "due_date": None if v.action.due_date is None else v.action.due_date.isoformat(),
            }
            for v in summary.views
        ],
        "variance_drivers": [
            {
                "service_line": d.service_line.value,
                "driver": d.driver,
                "amount": float(d.amount),
                "actions": list(d.actions),
            }
            for d in variance_drivers(forecast, summary)
        ],
    }


def pounds(value: Decimal, *, signed: bool = False) -> str:
    """£1,234,567 — whole pounds for tables; `signed` shows + for overspends."""
    rounded = value.quantize(Decimal(1))
    text = f"£{abs(rounded):,}"
    if rounded < 0:
        return "−" + text
    return ("+" + text) if signed and rounded > 0 else text


def millions(value: Decimal) -> str:
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value) / 1_000_000:,.1f}m"


def summary_json(summary: SnapshotSummary) -> dict[str, Any]:
    """A stored snapshot in a list (`carecast snapshots --json`, `/api/snapshots`)."""
    withdrawal = summary.withdrawal
    return {
        "snapshot_id": summary.snapshot_id,
        "period": summary.period.label,
        "financial_year": summary.period.financial_year.label,
        "knowledge_date": summary.knowledge_date.isoformat(),
        "created_at": summary.created_at.isoformat(),
        "method": summary.method,
        "budget": float(summary.budget),
        "forecast_outturn": float(summary.forecast_outturn),
        "variance": float(summary.forecast_outturn - summary.budget),
        "flags": summary.flags,
        "withdrawn": withdrawal is not None,
        "withdrawal": None
        if withdrawal is None
        else {"reason": withdrawal.reason, "withdrawn_at": withdrawal.withdrawn_at.isoformat()},
    }
