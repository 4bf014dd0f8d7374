"""Importing files: validate everything first, then store every file or none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from carecast.config import Settings
from carecast.domain.provenance import Council, ImportBatch
from carecast.errors import InvalidInput, Issue, Severity
from carecast.ingest.loader import ParsedFile, expand_paths, parse_file
from carecast.services.progress import Progress, quiet
from carecast.services.setup import council_transaction
from carecast.store.imports import ImportOutcome, list_batches, save_files


def parse_inputs(
    paths: list[Path], progress: Progress = quiet
) -> tuple[list[ParsedFile], list[Issue]]:
    """Read and validate every file; nothing touches the store."""
    files, issues = expand_paths(paths)
    parsed: list[ParsedFile] = []
    for done, path in enumerate(files, start=1):
        result, found = parse_file(path)
        issues.extend(found)
        if result is not None:
            parsed.append(result)
        progress(f"Validating {path.name}", done, len(files))
    return parsed, issues


def import_paths(
    settings: Settings, paths: list[Path], as_of: date, progress: Progress = quiet
) -> tuple[ImportOutcome, list[Issue]]:
    """Import files and folders as known on `as_of`: every file or none of them.

    Raises InvalidInput (nothing stored) when any file has an error; returns warnings otherwise.
    """
    with council_transaction(settings) as (connection, council):
        parsed, issues = parse_inputs(paths, progress)
        if any(i.severity is Severity.ERROR for i in issues):
            raise InvalidInput(issues)
        outcome = save_files(connection, council, parsed, as_of)
    return outcome, [i for i in issues if i.severity is Severity.WARNING]


def list_imports(settings: Settings) -> tuple[Council, list[ImportBatch]]:
    with council_transaction(settings) as (connection, council):
        return council, list_batches(connection, council)
