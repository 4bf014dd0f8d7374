"""Finance feeds (formats.md) → Commitment, LedgerEntry, CostCentre, BudgetLine, Post, Allowance, Action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carecast.domain.codes import (
    ACTION_KINDS,
    ACTION_STATUSES,
    ALLOWANCE_LINES,
    POST_STATUSES,
    ServiceLine,
)
from carecast.domain.finance import (
    Action,
    Allowance,
    BudgetLine,
    Commitment,
    CostCentre,
    LedgerEntry,
    Post,
)
from carecast.ingest.fields import (
    parse_financial_year,
    parse_number,
    parse_percentage,
    parse_period,
    parse_whole_number,
)
from carecast.ingest.rows import RowReader

SERVICE_LINES = frozenset(line.value for line in ServiceLine)
PLACEMENT_TYPES = frozenset(line.value for line in ServiceLine if line.is_placement)
CONFIDENCE_WORDS = frozenset({"high", "medium", "low"})
# A weekly placement price above this is almost certainly a typing slip (annual for weekly, extra 0).
ABSURD_WEEKLY_COST = Decimal(50_000)


def _dates_in_order(row: RowReader, start: date | None, end: date | None) -> bool:
    """END_DATE on or after START_DATE (a located error otherwise)."""
    if start is not None and end is not None and end < start:
        row.problem("END_DATE", "end-before-start", f"END_DATE {end} is before START_DATE {start}")
        return False
    return True


def build_commitment(row: RowReader) -> Commitment | None:
    child_id = row.text("CHILD")
    category = row.code("PLACEMENT_TYPE", PLACEMENT_TYPES, lower=True)
    provider = row.text("PROVIDER")
    start, end = row.date("START_DATE"), row.date("END_DATE", required=False)
    weekly = row.money("WEEKLY_COST")
    contribution = row.value("CONTRIBUTION_PCT", parse_percentage, required=False)
    cost_centre = row.text("COST_CENTRE")
    ordered = _dates_in_order(row, start, end)
    if weekly is not None and not Decimal(0) <= weekly <= ABSURD_WEEKLY_COST:
        row.problem(
            "WEEKLY_COST",
            "weekly-cost-range",
            f"£{weekly:,} a week is outside £0–£{ABSURD_WEEKLY_COST:,}; check it is a weekly figure",
        )
    if (
        row.failed
        or not ordered
        or child_id is None
        or category is None
        or provider is None
        or start is None
        or weekly is None
        or cost_centre is None
    ):
        return None
    return Commitment(
        child_id=child_id,
        category=ServiceLine(category),
        provider=provider,
        start=start,
        end=end,
        weekly_cost=weekly,
        cost_centre=cost_centre,
        contribution_pct=contribution or Decimal(0),
    )


def build_ledger_entry(row: RowReader) -> LedgerEntry | None:
    period = row.value("PERIOD", parse_period)
    cost_centre = row.text("COST_CENTRE")
    account = row.text("ACCOUNT")
    amount = row.money("AMOUNT")
    if row.failed or period is None or cost_centre is None or account is None or amount is None:
        return None
    return LedgerEntry(
        period, cost_centre, account, amount, row.text("DESCRIPTION", required=False)
    )


def build_cost_centre(row: RowReader) -> CostCentre | None:
    code = row.text("COST_CENTRE")
    line = row.code("SERVICE_LINE", SERVICE_LINES, lower=True)
    if row.failed or code is None or line is None:
        return None
    return CostCentre(code, ServiceLine(line), row.text("S251_LINE", required=False))


def build_budget_line(row: RowReader) -> BudgetLine | None:
    year = row.value("FINANCIAL_YEAR", parse_financial_year)
    line = row.code("SERVICE_LINE", SERVICE_LINES, lower=True)
    amount = row.money("BUDGET")
    if row.failed or year is None or line is None or amount is None:
        return None
    return BudgetLine(year.label, ServiceLine(line), amount)


def build_post(row: RowReader) -> Post | None:
    post_id = row.text("POST_ID")
    team, role = row.text("TEAM"), row.text("ROLE")
    fte = row.value("FTE", parse_number)
    status = row.code("STATUS", POST_STATUSES, lower=True)
    cost = row.money("ANNUAL_COST")
    start, end = row.date("START_DATE", required=False), row.date("END_DATE", required=False)
    caseload = row.value("CASELOAD", parse_whole_number, required=False)
    _dates_in_order(row, start, end)
    if (
        row.failed
        or post_id is None
        or team is None
        or role is None
        or fte is None
        or status is None
        or cost is None
    ):
        return None
    return Post(post_id, team, role, fte, status, cost, start, end, caseload)


def build_allowance(row: RowReader) -> Allowance | None:
    case_id = row.text("CASE_ID")
    kind = row.code("ALLOWANCE_TYPE", ALLOWANCE_LINES, lower=True)
    start, end = row.date("START_DATE"), row.date("END_DATE", required=False)
    weekly = row.money("WEEKLY_AMOUNT")
    ordered = _dates_in_order(row, start, end)
    if (
        row.failed
        or not ordered
        or case_id is None
        or kind is None
        or start is None
        or weekly is None
    ):
        return None
    return Allowance(case_id, kind, start, end, weekly)


def _confidence(text: str) -> str:
    lowered = text.lower()
    if lowered in CONFIDENCE_WORDS:
        return lowered
    return f"{parse_percentage(text)}%"


def build_action(row: RowReader) -> Action | None:
    action_id, title, owner = row.text("ACTION_ID"), row.text("TITLE"), row.text("OWNER")
    kind = row.code("KIND", ACTION_KINDS, lower=True)
    line = row.code("SERVICE_LINE", SERVICE_LINES, lower=True)
    year = row.value("FINANCIAL_YEAR", parse_financial_year)
    value = row.money("VALUE")
    confidence = row.value("CONFIDENCE", _confidence)
    status = row.code("STATUS", ACTION_STATUSES, lower=True)
    due = row.date("DUE_DATE", required=False)
    if (
        row.failed
        or action_id is None
        or title is None
        or owner is None
        or kind is None
        or line is None
        or year is None
        or value is None
        or confidence is None
        or status is None
    ):
        return None
    return Action(
        action_id,
        kind,
        title,
        ServiceLine(line),
        owner,
        year.label,
        value,
        confidence,
        status,
        due,
        row.text("NOTES", required=False),
    )
