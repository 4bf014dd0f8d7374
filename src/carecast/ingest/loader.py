"""Files and folders → typed, validated tables per file, with every problem located."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carecast.errors import Issue, Severity
from carecast.ingest import rules_finance  # noqa: F401  (importing registers the rules)
from carecast.ingest.columns import ROW
from carecast.ingest.datasets import Dataset, recognise
from carecast.ingest.reading import RawTable, read_csv_file
from carecast.ingest.rules import RuleContext, run_rules
from carecast.ingest.typed import column_positions, type_table

READABLE_SUFFIXES = frozenset({".csv", ".txt"})


@dataclass(frozen=True)
class ParsedFile:
    """One input file, recognised and typed. `frame` has canonical columns and `__row`."""

    source: str
    sha256: str
    dataset: Dataset
    row_count: int
    frame: pl.DataFrame
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


def parse_table(
    table: RawTable, context: RuleContext | None = None
) -> tuple[ParsedFile | None, list[Issue]]:
    """Recognise a table, type its columns and run its rules."""
    positions = column_positions(table.header)
    recognition = recognise(set(positions))
    dataset = recognition.dataset
    if dataset is None:
        return None, [
            Issue(
                table.source,
                1,
                None,
                "unknown-table",
                "the columns match no input carecast knows (see formats.md); check the header row",
            )
        ]
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
    if not dataset.stored:
        note = Issue(
            table.source,
            None,
            None,
            "not-used",
            f"recognised as {dataset.title}; carecast does not use this table yet, so it is not stored",
            Severity.WARNING,
        )
        empty = pl.DataFrame(schema={ROW: pl.Int64})
        return ParsedFile(
            table.source, table.sha256, dataset, table.frame.height, empty, (note,)
        ), [note]
    typed, issues = type_table(table, dataset)
    spelled = {name: table.header[position] for name, position in positions.items()}
    issues += run_rules(table.source, dataset.name, typed, spelled, context or RuleContext())
    parsed = ParsedFile(
        table.source, table.sha256, dataset, table.frame.height, typed, tuple(issues)
    )
    return parsed, issues


def parse_file(
    path: Path, context: RuleContext | None = None
) -> tuple[ParsedFile | None, list[Issue]]:
    if path.suffix.lower() not in READABLE_SUFFIXES:
        return None, [
            Issue(
                str(path),
                None,
                None,
                "unsupported-format",
                f"carecast reads CSV files; save this {path.suffix or 'file'} as CSV UTF-8",
            )
        ]
    table, issues = read_csv_file(path)
    if table is None:
        return None, issues
    parsed, more = parse_table(table, context)
    return parsed, issues + more
