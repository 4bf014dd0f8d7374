"""Domain records ↔ table rows (money in pence at this boundary and nowhere else)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
from carecast.domain.money import from_pence, to_pence
from carecast.domain.periods import Period

Row = Mapping[str, Any]


def _pence(value: Decimal | None) -> int | None:
    return None if value is None else to_pence(value)


def child_row(c: Child) -> dict[str, Any]:
    return {"child_id": c.child_id, "sex": c.sex, "dob": c.dob, "ethnic": c.ethnic, "upn": c.upn}


def episode_row(e: Episode) -> dict[str, Any]:
    return {
        "child_id": e.child_id,
        "decom": e.decom,
        "rne": e.rne,
        "ls": e.ls,
        "cin": e.cin,
        "place": e.place,
        "place_provider": e.place_provider,
        "dec": e.dec,
        "rec": e.rec,
        "reason_place_change": e.reason_place_change,
        "home_post": e.home_post,
        "pl_post": e.pl_post,
        "urn": e.urn,
    }


def commitment_row(c: Commitment) -> dict[str, Any]:
    return {
        "child_id": c.child_id,
        "category": c.category.value,
        "provider": c.provider,
        "start_date": c.start,
        "end_date": c.end,
        "weekly_cost_pence": to_pence(c.weekly_cost),
        "contribution_pct": c.contribution_pct,
        "cost_centre": c.cost_centre,
    }


def ledger_row(e: LedgerEntry) -> dict[str, Any]:
    return {
        "period": e.period.label,
        "cost_centre": e.cost_centre,
        "account": e.account,
        "amount_pence": to_pence(e.amount),
        "description": e.description,
    }


def cost_centre_row(c: CostCentre) -> dict[str, Any]:
    return {"code": c.code, "service_line": c.service_line.value, "s251_line": c.s251_line}


def budget_row(b: BudgetLine) -> dict[str, Any]:
    return {
        "financial_year": b.financial_year,
        "service_line": b.service_line.value,
        "amount_pence": to_pence(b.amount),
    }


def post_row(p: Post) -> dict[str, Any]:
    return {
        "post_id": p.post_id,
        "team": p.team,
        "role": p.role,
        "fte": p.fte,
        "status": p.status,
        "annual_cost_pence": to_pence(p.annual_cost),
        "start_date": p.start,
        "end_date": p.end,
        "caseload": p.caseload,
    }


def allowance_row(a: Allowance) -> dict[str, Any]:
    return {
        "case_id": a.case_id,
        "allowance_type": a.allowance_type,
        "start_date": a.start,
        "end_date": a.end,
        "weekly_amount_pence": to_pence(a.weekly_amount),
    }


def action_row(a: Action) -> dict[str, Any]:
    return {
        "action_id": a.action_id,
        "kind": a.kind,
        "title": a.title,
        "service_line": a.service_line.value,
        "owner": a.owner,
        "financial_year": a.financial_year,
        "value_pence": to_pence(a.value),
        "confidence": a.confidence,
        "status": a.status,
        "due_date": a.due_date,
        "notes": a.notes,
    }


TO_ROW: dict[str, Callable[[Any], dict[str, Any]]] = {
    "ssda903_header": child_row,
    "ssda903_episodes": episode_row,
    "placement_costs": commitment_row,
    "gl_actuals": ledger_row,
    "cost_centres": cost_centre_row,
    "budget": budget_row,
    "establishment": post_row,
    "allowances": allowance_row,
    "actions": action_row,
}


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
