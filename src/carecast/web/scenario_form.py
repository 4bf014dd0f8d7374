"""The scenario builder's form: one fieldset per lever of `projection.scenario_levers`, read into
a `Scenario` by the same pydantic models a scenario file is read by, every problem placed beside
the field it concerns (never a traceback).

A field is named `KIND.KEY` (`ifa_to_in_house.share`), and its element's id is `KIND-KEY`; a
lever is used when its `use.KIND` box is ticked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from carecast.domain.codes import PLACEMENT_LINES
from carecast.errors import Issue
from carecast.projection.scenario_file import Scenario

FRACTION = "a fraction: 0.2 is 20%"
MONTH = "YYYY-MM, like 2019-04; empty: the projection's first month"
RAMP = "whole months, 1 to 120"
CHANGE = "a fraction, −0.9 to 2: −0.1 is a tenth less"
DESTINATIONS = tuple(
    (line.value, line.heading) for line in PLACEMENT_LINES if line != "placements_residential"
)
RATE = "rate"  # the cla_rate target choice that reads the number field


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str = ""
    kind: str = "number"  # number, month or select
    choices: tuple[tuple[str, str], ...] = ()
    step: str = "any"
    default: str = ""


@dataclass(frozen=True)
class LeverForm:
    kind: str
    title: str
    fields: tuple[Field, ...]

    def field_id(self, key: str) -> str:
        return f"{self.kind}-{key}"


def _start(hint: str = MONTH) -> Field:
    return Field("start", "Starting in", hint, "month")


def _ramp() -> Field:
    return Field("over_months", "Over how many months", RAMP, step="1", default="12")


LEVERS: tuple[LeverForm, ...] = (
    LeverForm(
        "cla_rate",
        "Rate of children looked after moves to a target",
        (
            Field(
                "target",
                "Target",
                kind="select",
                choices=(
                    ("statistical_neighbours", "Statistical neighbours' average"),
                    ("england", "England's average"),
                    (RATE, "A rate I give"),
                ),
            ),
            Field("target_rate", "Rate per 10,000 children", "used when the target is a rate"),
            _start(),
            _ramp(),
        ),
    ),
    LeverForm(
        "ifa_to_in_house",
        "Agency fostering (IFA) placements move to in-house fostering",
        (Field("share", "Share of IFA placements", FRACTION), _start(), _ramp()),
    ),
    LeverForm(
        "cap_residential",
        "Residential care held to at most a number of children",
        (
            Field("children", "Children at most", "a whole number, 0 or more", step="1"),
            Field("to", "Those above move to", kind="select", choices=DESTINATIONS),
            _start(),
            _ramp(),
        ),
    ),
    LeverForm(
        "step_down_residential",
        "Residential placements step down",
        (
            Field("share", "Share of residential placements", FRACTION),
            Field("to", "Stepping down to", kind="select", choices=DESTINATIONS),
            _start(),
            _ramp(),
        ),
    ),
    LeverForm(
        "agency_share",
        "Agency staff share of filled staff FTE reaches a target",
        (
            Field("target", "Target share", "a fraction from 0 up to 1: 0.11 is 11%"),
            Field("by", "Reached by", "YYYY-MM, like 2020-03", "month"),
            _start(),
        ),
    ),
    LeverForm(
        "entry_rate",
        "Children entering care change",
        (Field("change", "Change", CHANGE), _start(), _ramp()),
    ),
    LeverForm(
        "time_in_care",
        "Time children stay in care changes",
        (Field("change", "Change", CHANGE), _start()),
    ),
    LeverForm(
        "unit_cost",
        "Weekly price of a placement line changes",
        (
            Field(
                "service_line",
                "Placement line",
                kind="select",
                choices=tuple((line.value, line.heading) for line in PLACEMENT_LINES),
            ),
            Field("change", "Change", CHANGE),
            _start(),
        ),
    ),
    LeverForm(
        "caseload",
        "Caseload of case-holding social workers",
        (Field("children_per_worker", "Children per worker", "1 to 100, like 15"), _start()),
    ),
)
BY_KIND = {lever.kind: lever for lever in LEVERS}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_WHOLE = re.compile(r"[+-]?\d+")
_AT = re.compile(r"^(?:Value error, )?levers\[(\d+)\]\.(\w+): (.*)$", re.DOTALL)


@dataclass
class Reading:
    """What the form said: the scenario it makes, or the problems keeping it from one (field id
    → messages; "" for the form as a whole)."""

    values: dict[str, str]
    scenario: Scenario | None = None
    problems: dict[str, list[str]] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()  # the levers used, in the scenario's order

    def add(self, field_id: str, message: str) -> None:
        self.problems.setdefault(field_id, []).append(message)


def _typed(text: str) -> Any:
    """A number typed into the form as the number it is; anything else as typed, so that the
    lever's own check says what is wrong with it ("must be a fraction…; got the text 'x'")."""
    # The minus sign a finance officer may paste, not only the hyphen.
    cleaned = text.strip().replace("−", "-")
    if _WHOLE.fullmatch(cleaned):
        return int(cleaned)
    if _NUMBER.fullmatch(cleaned):
        return float(cleaned)
    return text.strip()


def _lever_item(lever: LeverForm, values: Mapping[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": lever.kind}
    for spec in lever.fields:
        text = values.get(f"{lever.kind}.{spec.key}", "").strip()
        if not text or spec.key == "target_rate":
            continue
        item[spec.key] = text if spec.kind in ("month", "select") else _typed(text)
    if lever.kind == "cla_rate" and item.get("target") == RATE:
        rate = values.get("cla_rate.target_rate", "").strip()
        if rate:
            item["target"] = _typed(rate)
        else:
            del item["target"]  # missing: the problem is placed beside the rate's field
    return item


def _place(reading: Reading, kinds: Sequence[str], loc: tuple[Any, ...], message: str) -> None:
    """Put one pydantic problem beside its field."""
    if loc[:1] in (("name",), ("description",)):
        reading.add(str(loc[0]), message)
        return
    if len(loc) >= 4 and loc[0] == "levers" and isinstance(loc[1], int):
        lever = BY_KIND[kinds[loc[1]]]
        key = str(loc[3])
        if (
            lever.kind == "cla_rate"
            and key == "target"
            and reading.values.get("cla_rate.target") == (RATE)
        ):
            key = "target_rate"
        reading.add(lever.field_id(key), message)
        return
    at = _AT.match(message)
    if at and int(at.group(1)) < len(kinds):
        lever = BY_KIND[kinds[int(at.group(1))]]
        keys = {spec.key for spec in lever.fields}
        key = at.group(2) if at.group(2) in keys else lever.fields[0].key
        reading.add(lever.field_id(key), at.group(3))
        return
    reading.add("", message.removeprefix("Value error, "))


def read_form(values: Mapping[str, str]) -> Reading:
    """The scenario the form describes, or every problem with it."""
    reading = Reading(dict(values))
    kinds = tuple(lever.kind for lever in LEVERS if values.get(f"use.{lever.kind}") == "on")
    reading.kinds = kinds
    if not kinds:
        reading.add("levers", "choose at least one lever, and fill in its fields")
    items = [_lever_item(BY_KIND[kind], values) for kind in kinds]
    data: dict[str, Any] = {"name": values.get("name", "").strip(), "levers": items}
    description = values.get("description", "").strip()
    if description:
        data["description"] = description
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        for problem in error.errors():
            message = (
                "this is needed: fill it in"
                if problem["type"] == "missing"
                else str(problem["msg"])
            )
            _place(reading, kinds, tuple(problem["loc"]), message)
        return reading
    if not reading.problems:
        reading.scenario = scenario
    return reading


def place_issues(issues: Sequence[Issue], kinds: Sequence[str]) -> list[tuple[str, str, str]]:
    """(field id, field label, message) for each issue a run raised about the levers (a month
    outside the projection): the form is shown again with the run, so each links to its field."""
    placed = []
    for issue in issues:
        found = re.match(r"levers\[(\d+)\]\.(\w+)", issue.column or "")
        if found and int(found.group(1)) < len(kinds):
            lever = BY_KIND[kinds[int(found.group(1))]]
            spec = next((s for s in lever.fields if s.key == found.group(2)), lever.fields[0])
            placed.append((lever.field_id(spec.key), f"{lever.title}: {spec.label}", issue.message))
        else:
            placed.append(("", "The scenario", issue.message))
    return placed
