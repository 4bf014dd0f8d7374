"""Risks, management actions and the savings programme — shown apart from the activity forecast.

Nothing here changes the activity forecast. A risk adds its value × the chance it happens; an
action takes off its value × the chance it delivers; both are shown beside the forecast, never
netted into it. Savings were taken out of the budget when it was set, so a saving that is not
delivered is spend the budget does not cover: each line's variance is split into its undelivered
savings, the expected shortfall of savings still at risk or in progress, and the rest (activity).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from carecast.domain.codes import ServiceLine
from carecast.domain.finance import Action
from carecast.domain.provenance import Forecast
from carecast.forecast.assumptions import confidence_probability

ZERO = Decimal(0)
PENNY = Decimal("0.01")
CLOSED = frozenset({"closed"})


@dataclass(frozen=True, slots=True)
class ActionView:
    action: Action
    probability: Decimal | None  # None: the confidence could not be read
    expected: Decimal  # value × probability; for a saving, the expected shortfall

    @property
    def kind(self) -> str:
        return self.action.kind


@dataclass(frozen=True)
class ActionsSummary:
    views: tuple[ActionView, ...]

    def of_kind(self, kind: str) -> tuple[ActionView, ...]:
        return tuple(v for v in self.views if v.kind == kind)

    @property
    def risks(self) -> Decimal:
        return sum((v.expected for v in self.of_kind("risk")), ZERO)

    @property
    def actions(self) -> Decimal:
        return sum((v.expected for v in self.of_kind("action")), ZERO)

    def savings(self, status: str) -> Decimal:
        return sum(
            (v.action.value for v in self.of_kind("saving") if v.action.status == status), ZERO
        )

    @property
    def savings_shortfall(self) -> Decimal:
        return sum((v.expected for v in self.of_kind("saving")), ZERO)

    def after_actions(self, forecast: Forecast) -> Decimal:
        """The activity forecast with expected risks added and expected actions taken off."""
        return forecast.forecast_outturn + self.risks - self.actions


def _round(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def summarise_actions(
    actions: Iterable[Action], financial_year: str, confidence: dict[str, float]
) -> ActionsSummary:
    """The year's actions, risks and savings with their probabilities and expected values."""
    views: list[ActionView] = []
    for action in sorted(actions, key=lambda a: (a.kind, a.action_id)):
        if action.financial_year != financial_year:
            continue
        chance = confidence_probability(action.confidence, confidence)
        p = None if chance is None else Decimal(repr(chance))
        if action.status in CLOSED:
            expected = ZERO
        elif action.kind == "saving":
            expected = _saving_shortfall(action, p)
        else:
            delivered = action.status == "delivered"
            expected = action.value if delivered else _round(action.value * (p or ZERO))
        views.append(ActionView(action, p, expected))
    return ActionsSummary(tuple(views))


def _saving_shortfall(action: Action, probability: Decimal | None) -> Decimal:
    """A saving's expected shortfall against the budget it was taken out of."""
    if action.status == "delivered":
        return ZERO
    if action.status == "undelivered":
        return action.value
    return _round(action.value * (1 - (probability if probability is not None else ZERO)))


@dataclass(frozen=True, slots=True)
class VarianceDriver:
    service_line: ServiceLine
    driver: str  # undelivered_savings | savings_at_risk | activity
    amount: Decimal
    actions: tuple[str, ...] = ()


def variance_drivers(forecast: Forecast, summary: ActionsSummary) -> tuple[VarianceDriver, ...]:
    """Each line's variance (forecast − budget) as undelivered savings, the expected shortfall of
    savings not yet delivered, and activity (the rest): they add up to the variance exactly."""
    undelivered: dict[ServiceLine, list[ActionView]] = defaultdict(list)
    at_risk: dict[ServiceLine, list[ActionView]] = defaultdict(list)
    for view in summary.of_kind("saving"):
        if not view.expected:
            continue
        target = undelivered if view.action.status == "undelivered" else at_risk
        target[view.action.service_line].append(view)
    drivers: list[VarianceDriver] = []
    for line in forecast.lines:
        rest = line.variance
        for name, table in (("undelivered_savings", undelivered), ("savings_at_risk", at_risk)):
            views = table.get(line.service_line, [])
            if views:
                amount = sum((v.expected for v in views), ZERO)
                ids = tuple(v.action.action_id for v in views)
                drivers.append(VarianceDriver(line.service_line, name, amount, ids))
                rest -= amount
        drivers.append(VarianceDriver(line.service_line, "activity", rest))
    return tuple(drivers)
