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

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

import yaml
from pydantic import (
    ValidationError,
)

from carecast.errors import Issue
from carecast.projection.scenario_fields import (
    FORMATS,
    MAX_BYTES,
    InvalidScenario,
    _line,
    _shown,
)
from carecast.projection.scenario_levers import (
    _DESCRIPTION,
    _KIND_NAMES,
    _LEVER,
    _NAME,
    _TOP_KEYS,
    LEVER_KINDS,
    AgencyShare,
    CapResidential,
    Caseload,
    ClaRate,
    EntryRate,
    IfaToInHouse,
    Lever,
    Scenario,
    StepDownResidential,
    TimeInCare,
    UnitCost,
    _conflicts,
    check_within,
    describe,
)

# Everything about scenario files is read from here: the fields and levers live in their own
# modules only to keep each small.
__all__ = [
    "FORMATS",
    "LEVER_KINDS",
    "MAX_BYTES",
    "AgencyShare",
    "CapResidential",
    "Caseload",
    "ClaRate",
    "EntryRate",
    "IfaToInHouse",
    "InvalidScenario",
    "Lever",
    "Scenario",
    "StepDownResidential",
    "TimeInCare",
    "UnitCost",
    "check_within",
    "describe",
    "load_scenario",
    "parse_scenario",
]


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
