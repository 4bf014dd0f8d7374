"""A snapshot as plain numbers, shared by the JSON output, the terminal table and the HTML summary."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from carecast.domain.provenance import ForecastSnapshot


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def forecast_json(snapshot: ForecastSnapshot) -> dict[str, Any]:
    """The `forecast --json` object of formats.md. p10/p90 are null until intervals exist ([3])."""
    forecast = snapshot.forecast
    return {
        "council": snapshot.council.name,
        "period": forecast.period.label,
        "financial_year": forecast.period.financial_year.label,
        "budget": float(forecast.budget),
        "forecast_outturn": float(forecast.forecast_outturn),
        "variance": float(forecast.variance),
        "p10": None,
        "p90": None,
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
