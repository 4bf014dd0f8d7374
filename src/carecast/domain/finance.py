"""Commitments, the ledger, budgets, posts, allowances and management actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period


@dataclass(frozen=True, slots=True)
class Commitment:
    """A placement cost the finance system expects to pay: weekly cost from start to end."""

    child_id: str
    category: ServiceLine
    provider: str
    start: date
    end: date | None
    weekly_cost: Decimal
    cost_centre: str
    contribution_pct: Decimal = Decimal(0)

    @property
    def net_weekly_cost(self) -> Decimal:
        """The council's share after health and education contributions."""
        return self.weekly_cost * (100 - self.contribution_pct) / 100

    def is_open_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """An amount posted in a period to a cost centre: spend positive, income negative."""

    period: Period
    cost_centre: str
    account: str
    amount: Decimal
    description: str | None = None


@dataclass(frozen=True, slots=True)
class CostCentre:
    code: str
    service_line: ServiceLine
    s251_line: str | None = None


@dataclass(frozen=True, slots=True)
class BudgetLine:
    financial_year: str
    service_line: ServiceLine
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Post:
    """One post of the staffing establishment as it is filled now."""

    post_id: str
    team: str
    role: str
    fte: Decimal
    status: str
    annual_cost: Decimal
    start: date | None = None
    end: date | None = None
    caseload: int | None = None


@dataclass(frozen=True, slots=True)
class Allowance:
    """A special guardianship, child arrangements, adoption or other allowance case."""

    case_id: str
    allowance_type: str
    start: date
    end: date | None
    weekly_amount: Decimal


@dataclass(frozen=True, slots=True)
class Action:
    """A saving already in the budget, a proposed action, or a risk (never netted off silently)."""

    action_id: str
    kind: str
    title: str
    service_line: ServiceLine
    owner: str
    financial_year: str
    value: Decimal
    confidence: str
    status: str
    due_date: date | None = None
    notes: str | None = None
