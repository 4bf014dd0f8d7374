"""Scenario files' fields: the checks and types each lever's keys are validated with, and the
refusal every problem of a scenario file is raised as."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    PlainSerializer,
    PlainValidator,
)
from pydantic_core import PydanticCustomError

from carecast.domain.codes import PLACEMENT_LINES, ServiceLine
from carecast.domain.periods import Period
from carecast.errors import InvalidInput, Issue, Severity

MAX_BYTES = 64 * 1024  # a scenario is a dozen lines; anything near this size is not one
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}
_LINE_NAMES = ", ".join(PLACEMENT_LINES)


class InvalidScenario(InvalidInput):
    """A scenario file broke one or more rules; nothing was projected."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues)
        errors = sum(1 for i in issues if i.severity is Severity.ERROR)
        self.message = f"{errors} problem(s) found in the scenario; nothing was projected."
        self.args = (self.message,)


def _refusal(rule: str, message: str) -> PydanticCustomError:
    # The message goes in through the context: a quoted value holding braces must not be formatted.
    return PydanticCustomError(rule, "{message}", {"message": message})


def _shown(value: object) -> str:
    if isinstance(value, str):
        text = f"the text '{value}'"
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, dict):
        text = "a mapping"
    elif isinstance(value, list):
        text = "a list"
    else:
        text = str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _month(value: object) -> Period:
    if isinstance(value, Period):
        return value
    if isinstance(value, date) and not isinstance(value, datetime) and value.day == 1:
        return Period.containing(
            value
        )  # YAML and TOML read 2018-04-01 as a date: the month is plain
    if isinstance(value, str):
        try:
            period = Period.parse(value)
        except ValueError:
            pass
        else:
            if 1990 <= period.year <= 2100:
                return period
    raise _refusal(
        "bad-month", f"{_shown(value)} is not a month; write it as YYYY-MM, like 2018-04"
    )


def _number(
    rule: str, form: str, inside: Callable[[float], bool], *, whole: bool = False
) -> Callable[[object], float]:
    def check(value: object) -> Any:
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise _refusal("wrong-type", f"this must be {form}; got {_shown(value)}")
        if not inside(value):  # written so that NaN is outside every range
            raise _refusal(rule, f"{value} is impossible here: it must be {form}")
        return value if whole else float(value)

    return check


def _cla_target(value: object) -> str | float:
    if value in ("statistical_neighbours", "england"):
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1000:
        return float(value)
    raise _refusal(
        "impossible-target",
        f"{_shown(value)} is not a target rate: write statistical_neighbours, england, "
        "or a rate per 10,000 children greater than 0 and at most 1000, like 65",
    )


def _placement_line(value: object) -> ServiceLine:
    if isinstance(value, str) and value in PLACEMENT_LINES:
        return ServiceLine(value)
    raise _refusal(
        "unknown-service-line",
        f"{_shown(value)} is not a placement service line; use one of {_LINE_NAMES}",
    )


def _destination(value: object) -> ServiceLine:
    line = _placement_line(value)
    if line is ServiceLine.PLACEMENTS_RESIDENTIAL:
        raise _refusal(
            "same-category",
            "children cannot move from residential care to residential care; "
            "name another placement line, like placements_ifa",
        )
    return line


def _name(value: object) -> str:
    if not isinstance(value, str):
        raise _refusal(
            "wrong-type", f"the name must be text; got {_shown(value)} (put it in quotes)"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]([A-Za-z0-9 _-]{0,58}[A-Za-z0-9_-])?", value):
        raise _refusal(
            "bad-name",
            f"{_shown(value)} is not a scenario name: use 1–60 letters, digits, '-', '_' or "
            "spaces, not starting or ending with a space, like neighbours-rate",
        )
    return value


def _description(value: object) -> str:
    if not isinstance(value, str):
        raise _refusal("wrong-type", f"the description must be text; got {_shown(value)}")
    if len(value) > 500:
        raise _refusal("too-long", f"the description has {len(value)} characters; keep it to 500")
    return value


Month = Annotated[Period, PlainValidator(_month), PlainSerializer(str, return_type=str)]
Share = Annotated[
    float,
    PlainValidator(
        _number(
            "impossible-share", "a fraction above 0 and at most 1, like 0.2", lambda v: 0 < v <= 1
        )
    ),
]
Change = Annotated[
    float,
    PlainValidator(
        _number(
            "impossible-change",
            "a fraction from -0.9 to 2 other than 0, like -0.1 for a tenth less",
            lambda v: -0.9 <= v <= 2 and v != 0,
        )
    ),
]
RampMonths = Annotated[
    int,
    PlainValidator(
        _number(
            "impossible-ramp",
            "a whole number of months from 1 to 120",
            lambda v: 1 <= v <= 120,
            whole=True,
        )
    ),
]
Children = Annotated[
    int,
    PlainValidator(
        _number(
            "impossible-count",
            "a whole number of children, 0 or more",
            lambda v: v >= 0,
            whole=True,
        )
    ),
]
ChildrenPerWorker = Annotated[
    float,
    PlainValidator(
        _number(
            "impossible-caseload",
            "a number of children from 1 to 100, like 15",
            lambda v: 1 <= v <= 100,
        )
    ),
]
AgencyTarget = Annotated[
    float,
    PlainValidator(
        _number(
            "impossible-target",
            "a fraction from 0 up to (not including) 1, like 0.11",
            lambda v: 0 <= v < 1,
        )
    ),
]
ClaTarget = Annotated[
    Literal["statistical_neighbours", "england"] | float, PlainValidator(_cla_target)
]
# Written out as their values: pydantic's enum serializer does not know a plainly validated enum.
PlacementLine = Annotated[
    ServiceLine, PlainValidator(_placement_line), PlainSerializer(str, return_type=str)
]
Destination = Annotated[
    ServiceLine, PlainValidator(_destination), PlainSerializer(str, return_type=str)
]
Name = Annotated[str, PlainValidator(_name)]
Description = Annotated[str, PlainValidator(_description)]


def _line(lines: Mapping[str, int], path: str) -> int | None:
    """The line of `path`, or of the nearest enclosing field that has one (a missing key has none)."""
    while path:
        if path in lines:
            return int(lines[path])
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None
