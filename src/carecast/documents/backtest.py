"""A backtest (`backtest --json`): the object of formats.md, with per-line figures and intervals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from carecast.domain.provenance import Council
from carecast.forecast.backtest import BASELINES, Backtest, Score, interval_coverage


def _number(value: Decimal | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


class ScoreFigures(BaseModel):
    forecast_outturn: float | None
    error_pct: float | None
    p10: float | None
    p90: float | None
    within_interval: bool | None
    baselines: dict[str, float | None]
    baseline_error_pct: dict[str, float | None]


class LineScore(ScoreFigures):
    service_line: str
    actual_outturn: float | None


class PeriodScore(ScoreFigures):
    period: str
    period_number: int
    knowledge_date: str
    lines: list[LineScore]


class LineOutturn(BaseModel):
    service_line: str
    budget: float | None
    actual_outturn: float | None


class Skipped(BaseModel):
    period: str
    reason: str


class BacktestDocument(BaseModel):
    council: str
    financial_year: str
    actual_outturn: float | None
    budget: float | None
    lines: list[LineOutturn]
    periods: list[PeriodScore]
    skipped: list[Skipped]
    # Share of periods P1–P11 whose 80% interval held the outturn; null without intervals.
    interval_coverage: float | None


def _score(score: Score) -> dict[str, Any]:
    return {
        "forecast_outturn": _number(score.forecast),
        "error_pct": _number(score.error_pct(), 3),
        "p10": _number(score.p10),
        "p90": _number(score.p90),
        "within_interval": score.within_interval,
        "baselines": {name: _number(score.baselines[name]) for name in BASELINES},
        "baseline_error_pct": {name: _number(score.error_pct(name), 3) for name in BASELINES},
    }


def backtest_document(council: Council, result: Backtest) -> BacktestDocument:
    held, scored = interval_coverage([result])
    return BacktestDocument(
        council=council.name,
        financial_year=result.financial_year.label,
        actual_outturn=_number(result.actual_outturn),
        budget=_number(result.budget),
        lines=[
            LineOutturn(
                service_line=line.value,
                budget=_number(result.budget_by_line.get(line, Decimal(0))),
                actual_outturn=_number(amount),
            )
            for line, amount in result.actual_by_line.items()
        ],
        periods=[
            PeriodScore(
                period=score.period.label,
                period_number=score.period.number,
                knowledge_date=score.knowledge_date.isoformat(),
                **_score(score.total),
                lines=[
                    LineScore(
                        service_line=line.value, actual_outturn=_number(s.actual), **_score(s)
                    )
                    for line, s in score.lines.items()
                ],
            )
            for score in result.periods
        ],
        skipped=[Skipped(period=p.label, reason=reason) for p, reason in result.skipped],
        interval_coverage=held / scored if scored else None,
    )


def backtest_json(council: Council, result: Backtest) -> dict[str, Any]:
    return backtest_document(council, result).model_dump(mode="json")
