"""Column-mapping files: a council's own export loaded as it is, without editing it.

A mapping file (YAML, read by yaml_tree.py; example in examples/mappings/) renames the
council's headings to formats.md columns, translates local values (placement-type names) to
carecast's, and may name the workbook sheet and the date format:

    dataset: placement_costs          # optional: the file must then be recognised as this input
    files: "Service*.xlsx"            # optional: which files it applies to (a name pattern)
    sheet: Service Agreements         # optional: read this sheet when a workbook has one
    date_format: DD-MMM-YYYY          # optional: also %d-%b-%Y; other dates are still accepted
    columns:                          # the file's heading: formats.md column
      Client ID: CHILD
    values:                           # per formats.md column, the local value: carecast's value
      PLACEMENT_TYPE:
        Independent Fostering Agency: placements_ifa

Without `files`, a mapping applies to each file having one of its headings. Headings and local
values match whatever their case and surrounding spaces. Renaming happens before the file is
recognised; values and dates are translated before cells are typed, so what still does not fit is
reported at its row with the file's own heading.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from carecast.errors import InvalidInput, Issue
from carecast.ingest.columns import Kind
from carecast.ingest.datasets import BY_NAME, DATASETS, Dataset
from carecast.ingest.reading import RawTable
from carecast.ingest.reading_limits import MAX_MAPPING_BYTES, too_large
from carecast.ingest.yaml_tree import Tree, parse

KNOWN_KEYS = ("dataset", "files", "sheet", "date_format", "columns", "values")
KNOWN_COLUMNS = frozenset(
    spec.name for dataset in DATASETS for spec in (*dataset.columns, *dataset.optional)
)
# Spreadsheet-style date patterns, longest token first.
_TOKENS = (("YYYY", "%Y"), ("MMMM", "%B"), ("MMM", "%b"), ("DD", "%d"), ("MM", "%m"), ("YY", "%y"))


def _key(text: str) -> str:
    return text.strip().lower()


@dataclass(frozen=True)
class ColumnMapping:
    """A loaded mapping file. Keys of `columns` and of each `values` map are matched lower-cased."""

    source: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    sheet: str | None = None
    date_format: str | None = None  # strftime form
    dataset: str | None = None
    files: str | None = None

    def applies_to(self, table: RawTable) -> bool:
        if self.files is not None:
            name = Path(table.source.split("#", 1)[0]).name
            return fnmatch.fnmatch(name.lower(), self.files.lower())
        if not self.columns:
            return True
        return any(_key(h) in self.columns for h in table.header)

    def rename(self, table: RawTable) -> RawTable:
        """Headings renamed to formats.md columns; the file's own headings kept for messages."""
        header = tuple(self.columns.get(_key(h), h) for h in table.header)
        if header == table.header:
            return table
        return replace(table, header=header, original=table.original or table.header)

    def clashes(self, table: RawTable) -> list[Issue]:
        """Headings the renaming made twice (a mapped heading onto a column the file already
        has, or two headings onto one column): which to read cannot be told, so it is refused
        instead of the first one winning."""
        original = table.original or table.header
        first: dict[str, int] = {}
        issues = []
        for position, heading in enumerate(table.header):
            key = heading.strip().upper()
            if not key:
                continue
            if key not in first:
                first[key] = position
                continue
            a, b = original[first[key]].strip(), original[position].strip()
            issues.append(
                Issue(
                    table.source,
                    1,
                    b,
                    "mapping-clash",
                    f"the mapping file makes two columns {key}: '{a}' (column {first[key] + 1}) "
                    f"and '{b}' (column {position + 1}); carecast cannot tell which to read: map "
                    "only one of them to it",
                )
            )
        return issues

    def translate(self, table: RawTable, dataset: Dataset, positions: dict[str, int]) -> RawTable:
        """Local values replaced by carecast's; dates in `date_format` rewritten as ISO."""
        changes: list[pl.Expr] = []
        for column, mapped in self.values.items():
            if column in positions:
                changes.append(_replace(f"col{positions[column]}", mapped))
        if self.date_format is not None:
            changes.extend(
                _iso_date(f"col{position}", self.date_format)
                for column, position in positions.items()
                if dataset.kind_of(column) is Kind.DATE and column not in self.values
            )
        if not changes:
            return table
        # A mapped value is written as the mapping file spells it: what the file's bytes told of
        # its cells (no spaces to trim, no lower case) no longer holds.
        frame = table.frame.with_columns(changes)
        return replace(table, frame=frame, trimmed=False, upper=False)


def _replace(column: str, mapped: dict[str, str]) -> pl.Expr:
    cell = pl.col(column)
    lowered = cell.str.strip_chars().str.to_lowercase()
    return (
        pl.when(lowered.is_in(list(mapped)))
        .then(lowered.replace(mapped))
        .otherwise(cell)
        .alias(column)
    )


def _iso_date(column: str, date_format: str) -> pl.Expr:
    cell = pl.col(column)
    text = cell.str.strip_chars()
    parsed = text.str.strptime(pl.Date, date_format, strict=False)
    if not any(c.isspace() or c == "+" for c in date_format):
        # strptime skips spaces before a number and reads a sign ('01/ 1/2008' as 1 January):
        # a cell with either, where its format has none, is left for the date check to refuse.
        parsed = pl.when(~text.str.contains(r"[\s+]")).then(parsed)
    return pl.when(parsed.is_not_null()).then(parsed.dt.to_string("%Y-%m-%d")).otherwise(cell)


def strftime_form(pattern: str) -> str:
    """'DD/MM/YYYY' → '%d/%m/%Y'; a pattern already in strftime form is returned as it is."""
    if "%" in pattern:
        return pattern
    result = pattern
    for token, directive in _TOKENS:
        result = result.replace(token, directive)
    return result


def read_mapping(path: Path) -> tuple[ColumnMapping | None, list[Issue]]:
    """The mapping file, or the located problems that stop it being used."""
    source = str(path)
    try:
        if (size := path.stat().st_size) > MAX_MAPPING_BYTES:
            what = f"the mapping file is {size:,} bytes, more than {MAX_MAPPING_BYTES:,}"
            return None, [
                too_large(source, None, None, what, "a mapping names headings and values")
            ]
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"the file is not UTF-8 text (byte {exc.start:,}); save it as UTF-8"
        return None, [Issue(source, None, None, "bad-mapping", message)]
    except OSError as exc:
        return None, [Issue(source, None, None, "bad-mapping", f"cannot read the file: {exc}")]
    tree, where, problems = parse(text)
    issues = [Issue(source, p.line, None, "bad-mapping", p.message) for p in problems]
    issues += _check(tree, where, source)
    if issues:
        return None, issues
    return _build(tree, source), []


def load_mapping(path: Path) -> ColumnMapping:
    """The mapping file; raises InvalidInput with every located problem when it cannot be used."""
    mapping, issues = read_mapping(path)
    if mapping is None:
        raise InvalidInput(issues)
    return mapping


def _check(tree: Tree, where: dict[str, int], source: str) -> list[Issue]:
    problem = problem_at(where, source)
    issues: list[Issue] = []
    for key, value in tree.items():
        if key not in KNOWN_KEYS:
            message = f"'{key}' is not a mapping setting; use {', '.join(KNOWN_KEYS)}"
            issues.append(problem(key, message))
        elif key in ("columns", "values") and not isinstance(value, dict):
            issues.append(problem(key, f"'{key}' holds a block of 'name: value' lines"))
        elif key not in ("columns", "values") and isinstance(value, dict):
            issues.append(problem(key, f"'{key}' takes a single value"))
    return issues + _check_settings(tree, problem)


def problem_at(where: dict[str, int], source: str) -> Callable[[str, str], Issue]:
    def problem(key: str, message: str) -> Issue:
        return Issue(source, where.get(key), None, "bad-mapping", message)

    return problem


def _check_settings(tree: Tree, problem: Callable[[str, str], Issue]) -> list[Issue]:
    """Problems with the values of the settings: dataset, date format, columns and values."""
    issues: list[Issue] = []
    if isinstance(tree.get("dataset"), str) and tree["dataset"] not in BY_NAME:
        issues.append(problem("dataset", f"'{tree['dataset']}' is not an input carecast knows"))
    date_format = tree.get("date_format")
    if isinstance(date_format, str) and not re.search(r"%[dmYyBb]", strftime_form(date_format)):
        issues.append(
            problem("date_format", f"'{date_format}' is not a date format; write e.g. DD/MM/YYYY")
        )
    columns = tree.get("columns")
    if isinstance(columns, dict):
        for heading, target in columns.items():
            key = f"columns.{heading}"
            if isinstance(target, dict) or target.strip().upper() not in KNOWN_COLUMNS:
                issues.append(
                    problem(
                        key, f"'{target}' is not a carecast column (formats.md); check '{heading}'"
                    )
                )
    values = tree.get("values")
    if isinstance(values, dict):
        for column, mapped in values.items():
            if column.strip().upper() not in KNOWN_COLUMNS:
                issues.append(
                    problem(f"values.{column}", f"'{column}' is not a carecast column (formats.md)")
                )
            elif not isinstance(mapped, dict):
                issues.append(
                    problem(
                        f"values.{column}", f"'{column}' holds 'local value: carecast value' lines"
                    )
                )
    return issues


def _build(tree: Tree, source: str) -> ColumnMapping:
    columns = tree.get("columns", {})
    values = tree.get("values", {})
    assert isinstance(columns, dict)
    assert isinstance(values, dict)

    def single(key: str) -> str | None:
        value = tree.get(key)
        return value if isinstance(value, str) else None

    date_format = single("date_format")
    return ColumnMapping(
        source,
        columns={_key(h): str(t).strip().upper() for h, t in columns.items()},
        values={
            c.strip().upper(): {_key(local): str(v).strip() for local, v in m.items()}
            for c, m in values.items()
            if isinstance(m, dict)
        },
        sheet=single("sheet"),
        date_format=None if date_format is None else strftime_form(date_format),
        dataset=single("dataset"),
        files=single("files"),
    )
