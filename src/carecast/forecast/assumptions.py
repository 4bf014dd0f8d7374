"""Every assumption of the activity-led forecast, with its default and where it comes from.

A field left as None is fitted from the council's own data when the forecast runs; the snapshot
stores the assumptions *as used* (fitted values filled in), so a finance officer can read exactly
what a forecast assumed, copy it into a file, change a number and run `carecast forecast
--assumptions FILE` again. Files are JSON or YAML with the same keys.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carecast.domain.codes import ServiceLine


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uplift(_Section):
    """A price rise from `date` for placements whose price was set before it (e.g. 1 April)."""

    date: date
    pct: float = Field(ge=-50, le=100)
    service_lines: tuple[ServiceLine, ...] = ()  # empty: every placement line


class LedgerTiming(_Section):
    """When a line's care is posted: `monthly` with lag weights (this month, one and two months
    behind) or `four_weekly` payment runs; the ledger-to-activity ratio; the share of the care
    unpaid on 31 March that period 12 accrues."""

    kind: Literal["monthly", "four_weekly"] = "monthly"
    weights: tuple[float, float, float] = (1.0, 0.0, 0.0)
    run_day: int = Field(0, ge=0, le=27)  # four_weekly: a run day's date ordinal modulo 28
    lag_days: int = Field(0, ge=0, le=120)
    ledger_to_activity: float = Field(1.0, gt=0, le=5)
    ledger_to_activity_sd: float = Field(0.0, ge=0, le=5)
    year_end_accrual_share: float = Field(0.0, ge=0, le=2)
    monthly_noise: float = Field(0.0, ge=0, le=5)


class PlacementAssumptions(_Section):
    history_years: float = Field(3.0, gt=0.25, le=10)  # episode history the rates are fitted on
    price_history_days: int = Field(365, ge=28)  # new placements cost what recent ones cost
    arrival_trend: Literal["damped", "full", "none"] = "damped"
    arrival_seasonality: bool = True
    # Children starting a costed placement from outside costed care, a month, by line (fitted).
    arrivals_per_month: dict[ServiceLine, float] | None = None
    # The same month by month ("2018-10": 2.4), as fitted with trend and season; a line given in
    # arrivals_per_month takes that flat rate instead.
    arrivals_by_month: dict[ServiceLine, dict[str, float]] | None = None
    # Net weekly cost of a new placement, by line (fitted: placements started recently).
    new_placement_weekly_cost: dict[ServiceLine, Decimal] | None = None
    # How fast new placements' prices rise, beyond the uplifts, as a log rate a year, by line
    # (fitted: new placements' log price on their start dates, damped by its uncertainty).
    new_placement_price_trend: dict[ServiceLine, float] | None = None
    early_ending_factor: float = Field(1.0, ge=0, le=5)  # × the fitted ending rates
    # Whether commitments' END_DATEs are rolled on while placements last, so are no planned
    # ends (fitted: the extract of six months before against today's, end_dates.py)
    commitment_end_dates_rolled: bool | None = None
    # Replay this close in up to two earlier complete years and widen the placement lines'
    # interval to at least how far those replays missed (calibration.py)
    check_on_history: bool = True
    moves: bool = True  # children whose placement ends early move on to another placement
    uplifts: tuple[Uplift, ...] = ()
    # How each line's ledger follows its placements (fitted per line: ledger_timing.py).
    ledger_timing: dict[ServiceLine, LedgerTiming] | None = None


class AgencyConversion(_Section):
    """An agency post planned to become permanent from a date (at `annual_cost` when known)."""

    post_id: str
    date: date
    annual_cost: Decimal | None = None


class StaffingAssumptions(_Section):
    # fitted: the vacancies of the earlier extract, filled since or not; else 4 months
    months_to_fill_vacancy: float | None = Field(None, gt=0, le=60)
    leaver_rate_permanent: float | None = Field(None, ge=0, le=3)  # a year (fitted: start dates)
    leaver_rate_agency: float | None = Field(None, ge=0, le=3)
    agency_fill_share: float | None = Field(None, ge=0, le=1)  # vacancies filled by agency
    agency_premium: float | None = Field(None, ge=0, le=2)  # agency cost over permanent
    notice_days: int = Field(30, ge=0, le=365)  # no unannounced leaver before this
    # Whether contract END_DATEs are rolled on rather than ending the post (fitted: posts still
    # filled after their END_DATE)
    end_dates_extended: bool | None = None
    # Yearly drift of the establishment's cost carried on to year end — a pay award or regrading
    # its costs do not show yet; none unless said (the drift the extracts show is reported in the
    # findings, not applied: the fills it comes from are forecast post by post)
    establishment_drift: float | None = Field(None, ge=-1, le=1)
    vacancy_fills: dict[str, date] = Field(default_factory=dict)  # post → known start date
    agency_conversions: tuple[AgencyConversion, ...] = ()


class AllowanceAssumptions(_Section):
    joiners_per_month: dict[str, float] | None = None  # by allowance type (fitted)
    joiner_weekly_amount: dict[str, Decimal] | None = None  # by allowance type (fitted)
    early_end_rate: float | None = Field(None, ge=0, le=2)  # a year (fitted)


class OtherLineAssumptions(_Section):
    method: Literal["profile", "run_rate"] = "profile"
    profile_years: int = Field(3, ge=1, le=10)  # complete earlier years the profile is taken from


class IntervalAssumptions(_Section):
    paths: int = Field(1000, ge=0, le=100_000)
    seed: int = 20180401


class ActionAssumptions(_Section):
    # How likely an action, risk or at-risk saving is to happen, by CONFIDENCE word.
    confidence: dict[str, float] = Field(
        default_factory=lambda: {"high": 0.9, "medium": 0.6, "low": 0.3}
    )


class Assumptions(_Section):
    placements: PlacementAssumptions = PlacementAssumptions()
    staffing: StaffingAssumptions = StaffingAssumptions()
    allowances: AllowanceAssumptions = AllowanceAssumptions()
    other_lines: OtherLineAssumptions = OtherLineAssumptions()
    intervals: IntervalAssumptions = IntervalAssumptions()
    actions: ActionAssumptions = ActionAssumptions()

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class AssumptionsError(ValueError):
    """An assumptions file that cannot be read; `problems` are (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {message}" for where, message in problems))
        self.problems = problems


def parse_assumptions(text: str, suffix: str = ".json") -> Assumptions:
    """Assumptions from the text of a JSON or YAML file; unknown keys are errors, not ignored."""
    try:
        if suffix.lower() in (".yaml", ".yml"):
            data = _yaml(text)
        else:
            data = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise AssumptionsError([("", f"not valid {suffix.lstrip('.').upper()}: {exc}")]) from None
    if not isinstance(data, dict):
        raise AssumptionsError([("", "the file must hold one object of sections")])
    try:
        return Assumptions.model_validate(data)
    except ValidationError as exc:
        raise AssumptionsError(
            [(".".join(str(part) for part in e["loc"]), e["msg"]) for e in exc.errors()]
        ) from None


def _yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


def confidence_probability(confidence: str, table: dict[str, float]) -> float | None:
    """A CONFIDENCE value as a probability: a word from the table or a percentage like '25%'."""
    text = confidence.strip().lower()
    if text in table:
        return table[text]
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        return None
    return max(0.0, min(1.0, value / 100))
