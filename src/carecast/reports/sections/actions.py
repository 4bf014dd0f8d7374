"""The savings programme, management actions and risks: owner, value, confidence and RAG."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from carecast.domain.finance import Action
from carecast.domain.provenance import Forecast
from carecast.reports import narrative
from carecast.reports.context import ReportContext
from carecast.reports.model import Cell, Column, Kind, Omitted, SectionContent, Table
from carecast.reports.sections.base import Built, SectionSpec, count, pounds, text

KEY = "actions"
TITLE = "Savings, management actions and risks"
# How a word confidence is weighted when the forecast states no weights of its own; a percentage
# confidence is used as it stands.
CONFIDENCE_WEIGHTS = {"high": Decimal("0.9"), "medium": Decimal("0.5"), "low": Decimal("0.2")}
Weights = Mapping[str, Decimal]
KIND_NAMES = {"saving": "Saving", "action": "Management action", "risk": "Risk"}
DONE = frozenset({"delivered"})
FAILED = frozenset({"undelivered", "at_risk"})


def weights_of(forecast: Forecast) -> Weights:
    """The confidence weights the forecast used (its assumptions), else carecast's defaults."""
    used = forecast.assumptions.get("used", {})
    stated = used.get("actions", {}).get("confidence") if isinstance(used, Mapping) else None
    if isinstance(stated, Mapping) and set(CONFIDENCE_WEIGHTS) <= set(stated):
        return {word: Decimal(str(stated[word])) for word in CONFIDENCE_WEIGHTS}
    return CONFIDENCE_WEIGHTS


def likelihood(confidence: str, weights: Weights = CONFIDENCE_WEIGHTS) -> Decimal:
    """The confidence as a probability: a word by its weight, or the stated percentage."""
    word = confidence.strip().lower()
    if word in weights:
        return weights[word]
    return Decimal(word.rstrip("%")) / 100


def describe(weights: Weights) -> str:
    return ", ".join(f"{word} {narrative.percent(weights[word])}" for word in CONFIDENCE_WEIGHTS)


def rag(action: Action, weights: Weights = CONFIDENCE_WEIGHTS) -> str:
    """Red, Amber or Green. Savings and actions: delivered is green, undelivered or at risk red,
    otherwise by confidence (75% and over green, 40% and over amber). Risks: by likelihood
    (50% and over red, 25% and over amber); a closed risk is green."""
    chance = likelihood(action.confidence, weights)
    if action.kind == "risk":
        if action.status == "closed":
            return "Green"
        return (
            "Red" if chance >= Decimal("0.5") else "Amber" if chance >= Decimal("0.25") else "Green"
        )
    if action.status in DONE:
        return "Green"
    if action.status in FAILED:
        return "Red"
    return "Green" if chance >= Decimal("0.75") else "Amber" if chance >= Decimal("0.4") else "Red"


def _year_actions(context: ReportContext) -> list[Action]:
    """The year's savings, actions and risks as stored with the snapshot (else as imported)."""
    year = context.period.financial_year.label
    order = {"saving": 0, "action": 1, "risk": 2}
    known = context.forecast.actions or context.state.actions
    return sorted(
        (a for a in known if a.financial_year == year),
        key=lambda a: (order.get(a.kind, 3), a.action_id),
    )


def register_table(actions: list[Action], weights: Weights) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (
            a.action_id,
            KIND_NAMES.get(a.kind, a.kind),
            a.title,
            a.service_line.heading,
            a.owner,
            a.value,
            a.confidence,
            a.value * likelihood(a.confidence, weights),
            a.status.replace("_", " "),
            a.due_date,
            rag(a, weights),
        )
        for a in actions
    ]
    return Table(
        "actions_register",
        "Savings, management actions and risks (£)",
        (
            text("id", "Ref"),
            text("kind", "Kind"),
            text("title", "Title"),
            text("line", "Service line"),
            text("owner", "Owner"),
            pounds("value", "Value"),
            text("confidence", "Confidence"),
            pounds("weighted", "Weighted value"),
            text("status", "Status"),
            Column("due", "Due", Kind.DATE),
            text("rag", "RAG"),
        ),
        tuple(rows),
        notes=(
            "Savings are already taken out of the budget, so an undelivered saving shows in the "
            "forecast as spend. Management actions and risks are not in the forecast. Weighted "
            f"value = value × confidence ({describe(weights)}, or the stated percentage).",
        ),
    )


def summary_table(actions: list[Action], weights: Weights) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for kind, name in KIND_NAMES.items():
        chosen = [a for a in actions if a.kind == kind]
        rows.append(
            (
                name,
                len(chosen),
                sum((a.value for a in chosen), Decimal(0)),
                sum((a.value * likelihood(a.confidence, weights) for a in chosen), Decimal(0)),
                sum((a.value for a in chosen if a.status in DONE), Decimal(0)),
                sum((a.value for a in chosen if rag(a, weights) == "Red"), Decimal(0)),
            )
        )
    return Table(
        "actions_summary",
        "Programme summary (£)",
        (
            text("kind", "Kind"),
            count("number", "Number"),
            pounds("value", "Value"),
            pounds("weighted", "Weighted value"),
            pounds("delivered", "Delivered"),
            pounds("red", "Rated red"),
        ),
        tuple(rows),
    )


def _amount(cell: Cell) -> Decimal:
    assert isinstance(cell, Decimal | int)
    return Decimal(cell)


def _paragraphs(context: ReportContext, summary: Table, actions: list[Action]) -> list[str]:
    savings, measures, risks = ([_amount(cell) for cell in row[1:]] for row in summary.rows)
    out = []
    if savings[0]:
        out.append(
            f"The budget assumes savings of {narrative.money(savings[1])}; "
            f"{narrative.money(savings[3])} are delivered and {narrative.money(savings[4])} "
            "are rated red (undelivered, at risk or of low confidence)."
        )
    if measures[0]:
        out.append(
            f"Proposed management actions are worth {narrative.money(measures[1])} "
            f"({narrative.money(measures[2])} weighted by confidence); they are not yet in the "
            "forecast."
        )
    if risks[0]:
        out.append(
            f"Risks not in the forecast could add {narrative.money(risks[1])} "
            f"({narrative.money(risks[2])} weighted by likelihood)."
        )
    for line in context.forecast.lines:
        if line.variance <= 0:
            continue
        mitigations = [
            a for a in actions if a.kind == "action" and a.service_line is line.service_line
        ]
        heading = line.service_line.heading
        if mitigations:
            listed = narrative.join(
                [
                    f"{a.action_id} {a.title.lower()} ({narrative.money(a.value)})"
                    for a in mitigations
                ]
            )
            out.append(f"{heading} ({narrative.money(line.variance)} over): {listed}.")
        elif line.variance >= Decimal(100_000):
            out.append(
                f"{heading} ({narrative.money(line.variance)} over): no management action is "
                "recorded against it."
            )
    return out


def build(context: ReportContext) -> Built:
    actions = _year_actions(context)
    if not actions:
        return Omitted(
            KEY,
            TITLE,
            f"no savings, actions or risks are recorded for {context.period.financial_year}",
        )
    weights = weights_of(context.forecast)
    summary = summary_table(actions, weights)
    return SectionContent(
        KEY,
        TITLE,
        tuple(_paragraphs(context, summary, actions)),
        (summary, register_table(actions, weights)),
    )


SECTION = SectionSpec(KEY, TITLE, build)
