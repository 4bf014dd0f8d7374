"""Domain records ↔ table rows (money in pence at this boundary and nowhere else)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from carecast.domain.activity import Child, Episode
from carecast.domain.codes import ServiceLine
from carecast.domain.finance import (
    Action,
    Allowance,
    BudgetLine,
    Commitment,
    CostCentre,
    LedgerEntry,
    Post,
)
from carecast.domain.money import from_pence
from carecast.domain.periods import Period

Row = Mapping[str, Any]


def child(r: Row) -> Child:
    return Child(r["child_id"], r["sex"], r["dob"], r["ethnic"], r["upn"])


def episode(r: Row) -> Episode:
    return Episode(
        r["child_id"],
        r["decom"],
        r["rne"],
        r["ls"],
        r["cin"],
        r["place"],
        r["place_provider"],
        r["dec"],
        r["rec"],
        r["reason_place_change"],
        r["home_post"],
        r["pl_post"],
        r["urn"],
    )


def commitment(r: Row) -> Commitment:
    return Commitment(
        r["child_id"],
        ServiceLine(r["category"]),
        r["provider"],
        r["start_date"],
        r["end_date"],
        from_pence(r["weekly_cost_pence"]),
        r["cost_centre"],
        Decimal(r["contribution_pct"]),
    )


def ledger_entry(r: Row) -> LedgerEntry:
    return LedgerEntry(
        Period.parse(r["period"]),
        r["cost_centre"],
        r["account"],
        from_pence(r["amount_pence"]),
        r["description"],
    )


def cost_centre(r: Row) -> CostCentre:
    return CostCentre(r["code"], ServiceLine(r["service_line"]), r["s251_line"])


def budget_line(r: Row) -> BudgetLine:
    return BudgetLine(
        r["financial_year"], ServiceLine(r["service_line"]), from_pence(r["amount_pence"])
    )


def post(r: Row) -> Post:
    return Post(
        r["post_id"],
        r["team"],
        r["role"],
        Decimal(r["fte"]),
        r["status"],
        from_pence(r["annual_cost_pence"]),
        r["start_date"],
        r["end_date"],
        r["caseload"],
    )


def allowance(r: Row) -> Allowance:
    return Allowance(
        r["case_id"],
        r["allowance_type"],
        r["start_date"],
        r["end_date"],
        from_pence(r["weekly_amount_pence"]),
    )


def action(r: Row) -> Action:
    return Action(
        r["action_id"],
        r["kind"],
        r["title"],
        ServiceLine(r["service_line"]),
        r["owner"],
        r["financial_year"],
        from_pence(r["value_pence"]),
        r["confidence"],
        r["status"],
        r["due_date"],
        r["notes"],
    )
