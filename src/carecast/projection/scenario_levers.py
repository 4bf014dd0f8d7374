"""Scenario levers: one frozen pydantic model per kind, the `Scenario` that holds them, and the
sentence each is described by in reports."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)

from carecast.domain.codes import ServiceLine
from carecast.domain.periods import Period
from carecast.errors import Issue
from carecast.projection.scenario_fields import (
    AgencyTarget,
    Change,
    Children,
    ChildrenPerWorker,
    ClaTarget,
    Description,
    Destination,
    Month,
    Name,
    PlacementLine,
    RampMonths,
    Share,
    _line,
)


class _Lever(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClaRate(_Lever):
    """The rate of children looked after per 10,000 children moves to a target."""

    kind: Literal["cla_rate"] = "cla_rate"
    target: ClaTarget
    start: Month | None = None  # None: the projection's first month
    over_months: RampMonths = 12


class IfaToInHouse(_Lever):
    """A share of independent fostering agency placements moves to in-house fostering."""

    kind: Literal["ifa_to_in_house"] = "ifa_to_in_house"
    share: Share
    start: Month | None = None
    over_months: RampMonths = 12


class StepDownResidential(_Lever):
    """A share of residential placements steps down to another placement line."""

    kind: Literal["step_down_residential"] = "step_down_residential"
    share: Share
    to: Destination = ServiceLine.PLACEMENTS_IFA
    start: Month | None = None
    over_months: RampMonths = 12


class CapResidential(_Lever):
    """At most `children` in residential care; those above move to `to`."""

    kind: Literal["cap_residential"] = "cap_residential"
    children: Children
    to: Destination = ServiceLine.PLACEMENTS_IFA
    start: Month | None = None
    over_months: RampMonths = 12


class AgencyShare(_Lever):
    """The agency share of all filled staff FTE (the case study's 31.7%) reaches `target` by `by`."""

    kind: Literal["agency_share"] = "agency_share"
    target: AgencyTarget
    by: Month
    start: Month | None = None


class EntryRate(_Lever):
    """Children entering care change by a fraction (edge-of-care work)."""

    kind: Literal["entry_rate"] = "entry_rate"
    change: Change
    start: Month | None = None
    over_months: RampMonths = 12


class TimeInCare(_Lever):
    """The time children stay in care changes by a fraction."""

    kind: Literal["time_in_care"] = "time_in_care"
    change: Change
    start: Month | None = None


class UnitCost(_Lever):
    """The weekly price of a placement line's placements changes by a fraction."""

    kind: Literal["unit_cost"] = "unit_cost"
    service_line: PlacementLine
    change: Change
    start: Month | None = None


class Caseload(_Lever):
    """A target number of children per case-holding social worker."""

    kind: Literal["caseload"] = "caseload"
    children_per_worker: ChildrenPerWorker
    start: Month | None = None


Lever = Annotated[
    ClaRate
    | IfaToInHouse
    | StepDownResidential
    | CapResidential
    | AgencyShare
    | EntryRate
    | TimeInCare
    | UnitCost
    | Caseload,
    Field(discriminator="kind"),
]
LEVER_KINDS: dict[str, type[_Lever]] = {
    model.model_fields["kind"].default: model
    for model in (
        ClaRate,
        IfaToInHouse,
        StepDownResidential,
        CapResidential,
        AgencyShare,
        EntryRate,
        TimeInCare,
        UnitCost,
        Caseload,
    )
}
_KIND_NAMES = ", ".join(LEVER_KINDS)
_LEVER: TypeAdapter[Lever] = TypeAdapter(Lever)
_NAME: TypeAdapter[str] = TypeAdapter(Name)
_DESCRIPTION: TypeAdapter[str] = TypeAdapter(Description)
_TOP_KEYS = ("name", "description", "levers")


def _conflicts(levers: Sequence[tuple[int, Lever]]) -> list[tuple[int, str, str, str]]:
    """(index, field, rule, message) for levers that cannot stand together: two acting on the same
    thing (their result would depend on their order), step-downs taking more than all of residential
    care, an agency share starting after the month it must be reached by."""
    found: list[tuple[int, str, str, str]] = []
    first: dict[tuple[str, ...], int] = {}
    stepped_down = 0.0
    for index, lever in levers:
        key: tuple[str, ...] = (lever.kind,)
        field = "kind"
        if isinstance(lever, UnitCost):
            key, field = (lever.kind, lever.service_line), "service_line"
        elif isinstance(lever, StepDownResidential):
            key, field = (lever.kind, lever.to), "to"
        if key in first:
            found.append(
                (
                    index,
                    field,
                    "duplicate-lever",
                    f"a second {' '.join(key)} lever (the first is levers[{first[key]}]): the result "
                    "would depend on their order; combine them into one lever",
                )
            )
        first.setdefault(key, index)
        if isinstance(lever, StepDownResidential):
            stepped_down += lever.share
            if stepped_down > 1 + 1e-9:
                found.append(
                    (
                        index,
                        "share",
                        "impossible-share",
                        f"the step-downs from residential care take {_percent(stepped_down)} of its "
                        "placements, more than all of them; lower the shares so they add up to at most 1",
                    )
                )
        if isinstance(lever, AgencyShare) and lever.start is not None and lever.start > lever.by:
            found.append(
                (
                    index,
                    "start",
                    "start-after-by",
                    f"the change starts in {lever.start} but must be reached by {lever.by}; "
                    "start it on or before the `by` month",
                )
            )
    return found


class Scenario(BaseModel):
    """A named set of levers, with the line in its file of each field path (`levers[0].start` → 4).

    Two scenarios with the same name, description and levers are equal wherever they were written.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    description: Description | None = None
    levers: tuple[Lever, ...]
    lines: Mapping[str, int] = Field(default_factory=dict, exclude=True, repr=False)

    @model_validator(mode="after")
    def _stand_together(self) -> Scenario:
        if not self.levers:
            raise ValueError("a scenario needs at least one lever")
        for index, field, _rule, message in _conflicts(list(enumerate(self.levers))):
            raise ValueError(f"levers[{index}].{field}: {message}")
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self._content() == other._content()

    def __hash__(self) -> int:
        return hash(self._content())

    def _content(self) -> tuple[str, str | None, tuple[Lever, ...]]:
        return (self.name, self.description, self.levers)


def check_within(scenario: Scenario, first: Period, last: Period, source: str) -> list[Issue]:
    """An issue for each `start` or `by` month outside the projection's months `first`..`last`."""
    if first > last:
        raise ValueError(f"the projection's first month {first} is after its last {last}")
    issues = []
    for index, lever in enumerate(scenario.levers):
        for field in ("start", "by"):
            month = getattr(lever, field, None)
            if month is None or first <= month <= last:
                continue
            path = f"levers[{index}].{field}"
            fix = f"{first} or later" if month < first else f"{last} or earlier"
            issues.append(
                Issue(
                    source,
                    _line(scenario.lines, path),
                    path,
                    "outside-horizon",
                    f"{month} is outside the projection, which runs from {first} to {last}; "
                    f"move it to {fix}, or project over a horizon that holds it",
                )
            )
    return sorted(issues, key=lambda issue: issue.row or 0)


def _percent(fraction: float) -> str:
    return f"{f'{abs(fraction) * 100:.2f}'.rstrip('0').rstrip('.')}%"


def _month_name(month: Period | None) -> str:
    if month is None:
        return "the projection's first month"
    return f"{calendar.month_name[month.month]} {month.year}"


def _heading(line: ServiceLine) -> str:
    return ServiceLine(line).heading.lower()


def describe(lever: Lever) -> str:
    """One plain English sentence for a report, e.g. "Move 20% of placements with independent
    fostering agencies to in-house fostering over 24 months from April 2018."."""
    start = _month_name(lever.start)
    ramp = (
        f"over {lever.over_months} months from {start}"
        if hasattr(lever, "over_months")
        else f"from {start}"
    )
    match lever:
        case ClaRate(target=float() as rate):
            sentence = f"Move the rate of children looked after to {rate:g} per 10,000 children"
        case ClaRate(target=target):
            average = "statistical neighbours'" if target == "statistical_neighbours" else "England"
            sentence = f"Move the rate of children looked after to the {average} average"
        case IfaToInHouse():
            sentence = (
                f"Move {_percent(lever.share)} of placements with "
                f"{_heading(ServiceLine.PLACEMENTS_IFA)} to {_heading(ServiceLine.PLACEMENTS_IN_HOUSE)}"
            )
        case StepDownResidential():
            sentence = (
                f"Step down {_percent(lever.share)} of placements in "
                f"{_heading(ServiceLine.PLACEMENTS_RESIDENTIAL)} to {_heading(lever.to)}"
            )
        case CapResidential():
            sentence = (
                f"Hold {_heading(ServiceLine.PLACEMENTS_RESIDENTIAL)} to at most {lever.children} "
                f"children, moving those above to {_heading(lever.to)},"
            )
        case AgencyShare():
            begun = "" if lever.start is None else f", starting in {_month_name(lever.start)}"
            return (
                f"Bring agency staff to {_percent(lever.target)} of filled staff FTE by "
                f"{_month_name(lever.by)}{begun}."
            )
        case EntryRate():
            way = "Reduce" if lever.change < 0 else "Increase"
            sentence = f"{way} the number of children entering care by {_percent(lever.change)}"
        case TimeInCare():
            way = "Shorten" if lever.change < 0 else "Lengthen"
            sentence = f"{way} the time children stay in care by {_percent(lever.change)}"
        case UnitCost():
            way = "Lower" if lever.change < 0 else "Raise"
            sentence = (
                f"{way} the weekly price of placements in {_heading(lever.service_line)} "
                f"by {_percent(lever.change)}"
            )
        case Caseload():
            sentence = (
                f"Work to a caseload of {lever.children_per_worker:g} children per "
                "case-holding social worker"
            )
    return f"{sentence} {ramp}."
