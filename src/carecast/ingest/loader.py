"""Files and folders → parsed, validated records per file, with every problem located."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carecast.errors import Issue, Severity
from carecast.ingest.datasets import Dataset, recognise
from carecast.ingest.reading import RawTable, read_csv_file
from carecast.ingest.rows import RowReader

READABLE_SUFFIXES = frozenset({".csv", ".txt"})


@dataclass(frozen=True)
class ParsedFile:
    """One input file, recognised and converted; `records` is empty when it has errors."""

    source: str
    sha256: str
    dataset: Dataset
    row_count: int
    records: tuple[Any, ...]
    issues: tuple[Issue, ...]

    @property
    def has_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[Issue]]:
    """Files as given, and the readable files inside folders (recursively, in name order)."""
    files: list[Path] = []
    issues: list[Issue] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in READABLE_SUFFIXES)
            if not found:
                issues.append(
                    Issue(str(path), None, None, "no-files", "the folder holds no CSV files")
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            issues.append(Issue(str(path), None, None, "not-found", "no such file or folder"))
    return files, issues


def parse_table(table: RawTable) -> tuple[Dataset | None, tuple[Any, ...], list[Issue]]:
    """Recognise the table and build its records; every problem is an Issue with its location."""
    columns: dict[str, tuple[int, str]] = {}
    for position, name in enumerate(table.header):
        columns.setdefault(name.strip().upper(), (position, name))
    recognition = recognise(set(columns))
    dataset = recognition.dataset
    if dataset is None:
        return (
            None,
            (),
            [
                Issue(
                    table.source,
                    1,
                    None,
                    "unknown-table",
                    "the columns match no input carecast knows (see formats.md); check the header row",
                )
            ],
        )
    if recognition.missing:
        return (
            dataset,
            (),
            [
                Issue(
                    table.source,
                    1,
                    column,
                    "missing-column",
                    f"this looks like a {dataset.title} file but has no {column} column; add it",
                )
                for column in recognition.missing
            ],
        )
    if dataset.build is None:
        note = Issue(
            table.source,
            None,
            None,
            "not-used",
            f"recognised as {dataset.title}; carecast does not use this table yet, so it is not stored",
            Severity.WARNING,
        )
        return dataset, (), [note]
    issues: list[Issue] = []
    records = []
    for number, cells in table.rows:
        row = RowReader(table.source, number, cells, columns, issues)
        record = dataset.build(row)
        if record is not None and not row.failed:
            records.append(record)
    return dataset, tuple(records), issues


def parse_file(path: Path) -> tuple[ParsedFile | None, list[Issue]]:
    if path.suffix.lower() not in READABLE_SUFFIXES:
        return None, [
            Issue(
                str(path),
                None,
                None,
                "unsupported-format",
                f"carecast reads CSV files; save this {path.suffix or 'file'} as CSV UTF-8 "
                "(XLSX and SSDA903 XML arrive with the ingestion work, issue [2])",
            )
        ]
    table, issues = read_csv_file(path)
    if table is None:
        return None, issues
    dataset, records, more = parse_table(table)
    issues += more
    if dataset is None:
        return None, issues
    errors = any(i.severity is Severity.ERROR for i in issues)
    parsed = ParsedFile(
        source=table.source,
        sha256=table.sha256,
        dataset=dataset,
        row_count=len(table.rows),
        records=() if errors else records,
        issues=tuple(issues),
    )
    return parsed, issues
