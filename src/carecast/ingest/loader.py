"""Files and folders → typed, validated tables per file, with every problem located.

CSV and text files and Excel workbooks hold one table; DfE's SSDA903 XML holds several, one
ParsedFile each. A column-mapping file, when given, is applied to the files it concerns before they
are recognised. `parse_paths` also runs the rules across the tables of the import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from carecast.errors import Issue, Severity
from carecast.ingest import (  # noqa: F401  (importing registers the rules)
    rules_finance,
    rules_ssda903,
    rules_ssda903_links,
)
from carecast.ingest.columns import ROW, Kind
from carecast.ingest.datasets import Dataset, recognise
from carecast.ingest.mapping import ColumnMapping
from carecast.ingest.pooled import split_pooled
from carecast.ingest.reading import RawTable, read_csv_file
from carecast.ingest.rules import RuleContext, run_import_rules, run_rules
from carecast.ingest.ssda903_xml import read_ssda903_xml
from carecast.ingest.typed import column_positions, type_table
from carecast.ingest.xlsx import serial_dates, split_sheet

TEXT_SUFFIXES = frozenset({".csv", ".txt"})
READABLE_SUFFIXES = TEXT_SUFFIXES | {".xlsx", ".xml"}


@dataclass(frozen=True)
class ParsedFile:
    """One input table, recognised and typed. `frame` has canonical columns and `__row`.

    `spelled`: canonical column → the heading as the file spells it (for locating problems).
    """

    source: str
    sha256: str
    dataset: Dataset
    row_count: int
    frame: pl.DataFrame
    issues: tuple[Issue, ...]
    spelled: dict[str, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    @property
    def dataset_name(self) -> str:
        return self.dataset.name


def _readable(path: Path) -> bool:
    # Excel's lock files (~$book.xlsx) and hidden files are not inputs.
    return path.suffix.lower() in READABLE_SUFFIXES and not path.name.startswith(("~$", "."))


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[Issue]]:
    """Files as given, and the readable files inside folders (recursively, in name order).

    `book.xlsx#Sheet name` names a sheet of a workbook.
    """
    files: list[Path] = []
    issues: list[Issue] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _readable(p))
            if not found:
                message = "the folder holds no CSV, XLSX or XML files"
                issues.append(Issue(str(path), None, None, "no-files", message))
            files.extend(found)
        elif path.is_file() or split_sheet(path)[0].is_file():
            files.append(path)
        else:
            issues.append(Issue(str(path), None, None, "not-found", "no such file or folder"))
    return files, issues


def _unknown(table: RawTable) -> Issue:
    return Issue(
        table.source,
        1,
        None,
        "unknown-table",
        "the columns match no input carecast knows (see formats.md); check the header row",
    )


def parse_table(
    table: RawTable, context: RuleContext | None = None, mapping: ColumnMapping | None = None
) -> tuple[ParsedFile | None, list[Issue]]:
    """Recognise a table, type its columns and run its rules."""
    mapped = mapping if mapping is not None and mapping.applies_to(table) else None
    if mapped is not None:
        table = mapped.rename(table)
        clashes = mapped.clashes(table)
        if clashes:
            return None, clashes
    positions = column_positions(table.header)
    recognition = recognise(set(positions))
    dataset = recognition.dataset
    if dataset is None:
        return None, [_unknown(table)]
    if mapped is not None and mapped.dataset not in (None, dataset.name):
        message = f"the mapping file says {mapped.dataset} but the columns are {dataset.title}'s"
        return None, [Issue(table.source, 1, None, "mapping-dataset", message)]
    if recognition.missing:
        return None, [
            Issue(
                table.source,
                1,
                column,
                "missing-column",
                f"this looks like a {dataset.title} file but has no {column} column; add it",
            )
            for column in recognition.missing
        ]
    if mapped is not None:
        table = mapped.translate(table, dataset, positions)
    table, pooled = split_pooled(table, dataset, positions)
    if any(i.severity is Severity.ERROR for i in pooled):
        return None, pooled
    if table.excel:
        dates = [p for c, p in positions.items() if dataset.kind_of(c) is Kind.DATE]
        table = serial_dates(table, dates)
    typed, issues = type_table(table, dataset)
    issues = pooled + issues
    spelled = {name: table.spelling(position) for name, position in positions.items()}
    unread = _unread_cells(issues, spelled)
    issues += run_rules(
        table.source, dataset.name, typed, spelled, context or RuleContext(), unread=unread
    )
    issues.sort(key=lambda i: i.row or 0)  # a file's problems in row order (stable within a row)
    if not dataset.stored:
        issues = [_as_warning(i) for i in issues] + [_not_used(table, dataset)]
    parsed = ParsedFile(
        table.source, table.sha256, dataset, table.frame.height, typed, tuple(issues), spelled
    )
    return parsed, issues


def _unread_cells(issues: list[Issue], spelled: dict[str, str]) -> dict[str, frozenset[int]]:
    """Per canonical column, the rows of the cells typing could not read."""
    canonical = {heading: name for name, heading in spelled.items()}
    rows: dict[str, set[int]] = {}
    for issue in issues:
        if issue.row is not None and issue.column in canonical:
            rows.setdefault(canonical[issue.column], set()).add(issue.row)
    return {name: frozenset(found) for name, found in rows.items()}


def _as_warning(issue: Issue) -> Issue:
    return Issue(issue.source, issue.row, issue.column, issue.rule, issue.message, Severity.WARNING)


def _not_used(table: RawTable, dataset: Dataset) -> Issue:
    what = "reference data" if not dataset.name.startswith("ssda903") else "a table"
    message = (
        f"recognised as {dataset.title}, {what} carecast does not use yet: not stored, "
        "and its problems are warnings"
    )
    return Issue(table.source, None, None, "not-used", message, Severity.WARNING)


def read_tables(
    path: Path, mapping: ColumnMapping | None = None
) -> tuple[list[RawTable], list[Issue]]:
    """The tables of one file, by its suffix (`book.xlsx#Sheet` names a sheet)."""
    from carecast.ingest.xlsx import read_xlsx_file

    book, sheet = split_sheet(path)
    suffix = book.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        table, issues = read_csv_file(book)
        return ([table] if table else []), issues
    if suffix == ".xlsx":
        preferred = mapping.sheet if mapping is not None and sheet is None else None
        if preferred is not None:
            table, issues = read_xlsx_file(book, preferred, str(book), required=False)
        else:
            table, issues = read_xlsx_file(book, sheet)
        return ([table] if table else []), issues
    if suffix == ".xml":
        return read_ssda903_xml(book)
    message = f"carecast reads CSV, XLSX and SSDA903 XML files; save this {suffix or 'file'} as CSV"
    return [], [Issue(str(path), None, None, "unsupported-format", message)]


def parse_path(
    path: Path, context: RuleContext | None = None, mapping: ColumnMapping | None = None
) -> tuple[list[ParsedFile], list[Issue]]:
    """Every table of one file, recognised, typed and checked."""
    tables, issues = read_tables(path, mapping)
    parsed: list[ParsedFile] = []
    for table in tables:
        result, found = parse_table(table, context, mapping)
        issues += found
        if result is not None:
            parsed.append(result)
    return parsed, issues


def parse_file(
    path: Path, context: RuleContext | None = None, mapping: ColumnMapping | None = None
) -> tuple[ParsedFile | None, list[Issue]]:
    """A file holding one table (CSV, text or a workbook sheet); see parse_path for XML."""
    parsed, issues = parse_path(path, context, mapping)
    if len(parsed) > 1:
        raise ValueError(f"{path} holds {len(parsed)} tables: read it with parse_path")
    return (parsed[0] if parsed else None), issues


def parse_paths(
    paths: Sequence[Path], context: RuleContext | None = None, mapping: ColumnMapping | None = None
) -> tuple[list[ParsedFile], list[Issue]]:
    """Files and folders of one import: each table parsed, then the rules across its tables."""
    files, issues = expand_paths(list(paths))
    parsed: list[ParsedFile] = []
    for path in files:
        found, more = parse_path(path, context, mapping)
        parsed += found
        issues += more
    issues += run_import_rules(parsed, context or RuleContext())
    return parsed, issues


__all__ = [
    "ROW",
    "ParsedFile",
    "expand_paths",
    "parse_file",
    "parse_path",
    "parse_paths",
    "parse_table",
    "read_tables",
]
