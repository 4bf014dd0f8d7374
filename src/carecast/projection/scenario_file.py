"""Scenario files: the management actions a multi-year projection is asked to show, read from a small
YAML or TOML file into a frozen, typed `Scenario` (applying them is the projection engine's job).

A file names the scenario and lists its levers, each a `kind` with its own keys:

    name: neighbours-rate
    levers:
      - kind: cla_rate
        target: statistical_neighbours
        over_months: 24

Every problem of a file is reported at once, each located by line and field path
(`levers[1].share`), and refused with `InvalidScenario`.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    model_validator,
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


def load_scenario(path: Path) -> Scenario:
    """The scenario in `path` (.yaml, .yml or .toml), or InvalidScenario with every problem."""
    _refuse_format(path.name)
    try:
        with path.open("rb") as file:
            content = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise InvalidScenario(
            [
                Issue(
                    path.name,
                    None,
                    None,
                    "unreadable",
                    f"the file cannot be read: {error.strerror}",
                )
            ]
        ) from error
    _refuse_size(len(content), path.name)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = content[: error.start].count(b"\n") + 1
        raise InvalidScenario(
            [
                Issue(
                    path.name, row, None, "encoding", "the file is not UTF-8 text; save it as UTF-8"
                )
            ]
        ) from error
    return parse_scenario(text, path.name)


def parse_scenario(text: str, source: str) -> Scenario:
    """The scenario written in `text`, in the format `source`'s suffix names (.yaml, .yml, .toml)."""
    fmt = _refuse_format(source)
    _refuse_size(len(text.encode("utf-8", "surrogatepass")), source)
    data, lines, issues = _read_toml(text, source) if fmt == "toml" else _read_yaml(text, source)
    issues += _check(data, lines, source)
    if issues:
        raise InvalidScenario(issues)
    return Scenario(
        name=data["name"],
        description=data.get("description"),
        levers=tuple(_LEVER.validate_python(item) for item in data["levers"]),
        lines=lines,
    )


def _refuse_format(source: str) -> str:
    suffix = PurePath(source).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidScenario(
            [
                Issue(
                    source,
                    None,
                    None,
                    "unsupported-format",
                    f"a scenario file is YAML (.yaml, .yml) or TOML (.toml); "
                    f"'{suffix or 'no suffix'}' is neither — rename the file or convert it",
                )
            ]
        )
    return FORMATS[suffix]


def _refuse_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        raise InvalidScenario(
            [
                Issue(
                    source,
                    None,
                    None,
                    "too-large",
                    f"the file is over {MAX_BYTES // 1024} KiB; "
                    "a scenario is a name and a few levers",
                )
            ]
        )


def _read_yaml(text: str, source: str) -> tuple[Any, dict[str, int], list[Issue]]:
    loader = yaml.SafeLoader(text)  # safe: no tag can build an object or run code
    try:
        node = loader.get_single_node()
        if node is None:  # an empty file, or only comments
            return None, {}, []
        lines, issues = _yaml_lines(node, source)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        row = mark.line + 1 if mark else None
        what = error.problem or error.context or "the file is not YAML"
        raise InvalidScenario(
            [Issue(source, row, None, "syntax", f"not valid YAML: {what}; fix the file there")]
        ) from error
    except RecursionError as error:
        message = "not valid YAML for a scenario: lists or mappings nest too deeply"
        raise InvalidScenario([Issue(source, None, None, "syntax", message)]) from error
    except yaml.YAMLError as error:
        raise InvalidScenario(
            [Issue(source, None, None, "syntax", f"not valid YAML: {error}")]
        ) from error
    finally:
        loader.dispose()
    return data, lines, issues


def _yaml_lines(root: yaml.Node, source: str) -> tuple[dict[str, int], list[Issue]]:
    """Field path → line of each key and list item, and the keys given twice (PyYAML keeps the
    last silently). Refuses anchors and aliases: nothing in a scenario needs them, and a few
    nested aliases can make a small file expand beyond any memory."""
    lines: dict[str, int] = {}
    issues: list[Issue] = []
    seen: set[int] = set()

    def walk(node: yaml.Node, path: str) -> None:
        if id(node) in seen:  # only an alias reaches a node twice
            message = "anchors and aliases (& and *) are not accepted here; write each value out"
            raise InvalidScenario([Issue(source, _line(lines, path), path, "alias", message)])
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                child = f"{path}.{name}" if path else name
                row = key.start_mark.line + 1
                if child in lines:
                    message = f"'{name}' is given twice (first on line {lines[child]}); keep one"
                    issues.append(Issue(source, row, child, "duplicate-key", message))
                lines.setdefault(child, row)
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = f"{path}[{index}]"
                lines[child] = item.start_mark.line + 1
                walk(item, child)

    walk(root, "")
    return lines, issues


_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_TABLE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]")
_TOML_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def _read_toml(text: str, source: str) -> tuple[Any, dict[str, int], list[Issue]]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        at = _TOML_AT.search(str(error))
        what = _TOML_AT.sub("", str(error)).strip()
        raise InvalidScenario(
            [
                Issue(
                    source,
                    int(at.group(1)) if at else None,
                    None,
                    "syntax",
                    f"not valid TOML: {what}; fix the file there",
                )
            ]
        ) from error
    return data, _toml_lines(text), []


def _toml_lines(text: str) -> dict[str, int]:
    """Field path → line, by reading the text: tomllib keeps no positions. Each `[[levers]]` header
    opens the next lever; `key =` lines belong to the table above them. Lines inside multi-line
    strings are skipped."""
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    table = ""
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_string:
            in_string = quotes % 2 == 0
            continue
        header = _TOML_TABLE.match(line)
        if header:
            name = header.group(2)
            lines.setdefault(name, number)
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                table = f"{name}[{counts[name]}]"
                lines.setdefault(table, number)
            else:
                table = name
            continue
        key = _TOML_KEY.match(line)
        if key:
            name = key.group(1).strip("\"'")
            lines.setdefault(f"{table}.{name}" if table else name, number)
        in_string = quotes % 2 == 1
    return lines


def _line(lines: Mapping[str, int], path: str) -> int | None:
    """The line of `path`, or of the nearest enclosing field that has one (a missing key has none)."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _check(data: Any, lines: Mapping[str, int], source: str) -> list[Issue]:
    def issue(path: str, rule: str, message: str) -> Issue:
        return Issue(source, _line(lines, path), path or None, rule, message)

    if not isinstance(data, dict):
        return [
            issue(
                "",
                "not-a-scenario",
                "the file holds no mapping of keys; a scenario starts with name: and levers:",
            )
        ]
    issues = [
        issue(
            str(key), "unknown-key", f"unknown key '{key}'; a scenario takes {', '.join(_TOP_KEYS)}"
        )
        for key in data
        if key not in _TOP_KEYS
    ]
    if "name" not in data:
        issues.append(
            issue("name", "missing-field", "the scenario needs a name:, like neighbours-rate")
        )
    for key, adapter in (("name", _NAME), ("description", _DESCRIPTION)):
        if key in data:
            try:
                adapter.validate_python(data[key])
            except ValidationError as error:
                issues += [issue(key, e["type"], e["msg"]) for e in error.errors()]
    levers = data.get("levers")
    if levers is None:
        issues.append(
            issue(
                "levers",
                "missing-field" if "levers" not in data else "no-levers",
                f"the scenario needs levers:, a list of at least one lever ({_KIND_NAMES})",
            )
        )
        return issues
    if not isinstance(levers, list):
        return [
            *issues,
            issue(
                "levers",
                "wrong-type",
                f"levers: must be a list of levers, each starting with kind:; got {_shown(levers)}",
            ),
        ]
    if not levers:
        issues.append(
            issue(
                "levers",
                "no-levers",
                f"the scenario has no levers; add at least one ({_KIND_NAMES})",
            )
        )
    valid: list[tuple[int, Lever]] = []
    for index, item in enumerate(levers):
        path = f"levers[{index}]"
        if not isinstance(item, dict):
            issues.append(
                issue(
                    path,
                    "wrong-type",
                    f"each lever is a mapping of keys starting with kind:; got {_shown(item)}",
                )
            )
            continue
        try:
            valid.append((index, _LEVER.validate_python(item)))
        except ValidationError as error:
            issues += [issue(*_located(e, path, item)) for e in error.errors()]
    issues += [
        issue(f"levers[{i}].{field}", rule, message)
        for i, field, rule, message in _conflicts(valid)
    ]
    return issues


def _located(error: Any, path: str, item: dict[str, Any]) -> tuple[str, str, str]:
    """(field path, rule, message) for one pydantic error on the lever at `path`."""
    kind = item.get("kind")
    if error["type"] == "union_tag_not_found":
        return f"{path}.kind", "missing-field", f"a lever needs kind:, one of {_KIND_NAMES}"
    if error["type"] == "union_tag_invalid":
        return (
            f"{path}.kind",
            "unknown-kind",
            f"unknown lever kind {_shown(kind)}; the kinds are {_KIND_NAMES}",
        )
    loc = error["loc"][1:]  # the first is the lever's kind, which pydantic adds
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
    name = str(loc[-1]) if loc else ""
    takes = ", ".join(LEVER_KINDS[str(kind)].model_fields)
    if error["type"] in ("extra_forbidden", "invalid_key"):  # invalid: a key that is not text
        return (
            f"{path}.{name}",
            "unknown-key",
            f"unknown key '{name}'; a lever of kind {kind} takes {takes}",
        )
    if error["type"] == "missing":
        return (
            f"{path}{field}",
            "missing-field",
            f"a lever of kind {kind} needs {name}: (it takes {takes})",
        )
    if error["type"].startswith(("impossible-", "bad-", "wrong-", "unknown-", "same-", "too-")):
        return f"{path}{field}", error["type"], error["msg"]
    return f"{path}{field}", "wrong-type", f"{error['msg']}; got {_shown(error.get('input'))}"


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
