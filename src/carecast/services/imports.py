"""Importing files: validate everything first, then store every file or none.

An import reads and checks every file without touching the store, pseudonymises child identifiers
when the council asks for it, checks the files against each other and against what the store knew
on the as-of date, and only then writes every batch in one transaction. Any error stores nothing;
a process killed part-way leaves the transaction uncommitted, so the store is as it was.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.provenance import Council, ImportBatch
from carecast.errors import InvalidInput, Issue, NotFound, Severity, UsageError
from carecast.ingest.loader import ParsedFile, expand_paths, parse_path
from carecast.ingest.mapping import load_mapping
from carecast.ingest.rules import RuleContext, run_import_rules
from carecast.ingest.rules_cross_file import ImportedFile, cross_file_issues
from carecast.services.empty_inputs import review_empty
from carecast.services.progress import Progress, quiet
from carecast.services.pseudonymise import (
    IDENTIFIED_DATASETS,
    PseudonymKey,
    Redactor,
    load_key,
    pseudonymise_files,
)
from carecast.services.setup import council_transaction
from carecast.store.accounts import append_audit
from carecast.store.bulk import unstorable
from carecast.store.councils import pseudonymises
from carecast.store.imports import (
    ImportOutcome,
    Scheme,
    batch_warnings,
    delete_batch,
    find_batch,
    list_batches,
    save_files,
    schemes_in_use,
)
from carecast.store.known_rows import StoredRows, remember
from carecast.store.state_frames import known_frames


@dataclass(frozen=True)
class Parsed:
    """An import's files read and checked: each file's issues, and those across its tables."""

    files: list[ParsedFile]
    issues: list[Issue]  # every issue, including `across`
    across: list[Issue]  # rules across the tables of the import (kept with the run when warnings)
    read: list[str] = field(default_factory=list)  # every file read, tables or none


def _parse(
    paths: list[Path], progress: Progress, as_of: date | None, mapping: Path | None
) -> Parsed:
    column_mapping = load_mapping(mapping) if mapping is not None else None
    found, issues = expand_paths(paths)
    files: list[ParsedFile] = []
    context = RuleContext(as_of=as_of)
    for done, path in enumerate(found, start=1):
        tables, more = parse_path(path, context, column_mapping)
        files += tables
        issues += more
        progress(f"Validating {path.name}", done, len(found))
    across = run_import_rules(files, context)
    return Parsed(
        files, issues + _unstorable(files, issues) + across, across, [str(p) for p in found]
    )


def _unstorable(files: Sequence[ParsedFile], issues: Sequence[Issue]) -> list[Issue]:
    """Cells the store cannot keep, unless the cell already has an error."""
    reported = {(i.source, i.row, i.column) for i in issues if i.severity is Severity.ERROR}
    return [
        issue
        for parsed in files
        for issue in unstorable(parsed)
        if (issue.source, issue.row, issue.column) not in reported
    ]


def parse_inputs(
    paths: list[Path],
    progress: Progress = quiet,
    as_of: date | None = None,
    mapping: Path | None = None,
) -> tuple[list[ParsedFile], list[Issue]]:
    """Read and validate every file, and the rules across them; nothing touches the store."""
    parsed = _parse(paths, progress, as_of, mapping)
    return parsed.files, parsed.issues


def _pseudonymised(parsed: Parsed, key: PseudonymKey) -> Parsed:
    files, values = pseudonymise_files(parsed.files, key)
    redacted = Redactor(values)
    return Parsed(
        files,
        [redacted(i) for i in parsed.issues],
        [redacted(i) for i in parsed.across],
        parsed.read,
    )


def _has_errors(issues: Sequence[Issue]) -> bool:
    return any(i.severity is Severity.ERROR for i in issues)


def _imported(parsed: Sequence[ParsedFile]) -> list[ImportedFile]:
    return [ImportedFile(p.source, p.dataset.name, p.frame, p.spelled) for p in parsed]


def _check_scheme(scheme: Scheme, in_use: set[Scheme]) -> None:
    """Refuse an import that would mix raw identifiers, or two keys' pseudonyms, in one store."""
    others = in_use - {scheme}
    if not others:
        return
    if scheme.pseudonymised and any(not s.pseudonymised for s in others):
        raise UsageError(
            "earlier imports stored child identifiers as given; pseudonymising now would leave "
            "each child under two identifiers. Import without --pseudonymise, or start a new "
            "store with 'carecast init --pseudonymise'; nothing was imported"
        )
    if not scheme.pseudonymised:
        raise UsageError(
            "earlier imports pseudonymised child identifiers; add --pseudonymise and the same "
            "--key-file so this import matches them; nothing was imported"
        )
    raise UsageError(
        "this key file is not the one earlier imports were pseudonymised with, so the same "
        "child would get a different pseudonym; use the council's original key file; "
        "nothing was imported"
    )


@dataclass(frozen=True)
class Checked:
    """An import checked against the files and the store, before anything is written."""

    files: list[ParsedFile]  # the files to store: those withheld for having no rows left out
    issues: list[Issue]  # every problem found, errors and warnings
    run_warnings: list[Issue]  # warnings across files, kept with the run's batches
    withheld: tuple[str, ...]
    scheme: Scheme

    @property
    def has_errors(self) -> bool:
        return _has_errors(self.issues)


def _relabelled(parsed: Parsed, folder: Path) -> Parsed:
    """Sources named from inside `folder` (`a.csv`, `sub/b.xlsx#Sheet`), not by its whole path."""
    prefix = str(folder) + os.sep

    def shown(source: str) -> str:
        if source == str(folder):
            return folder.name
        return source.removeprefix(prefix)

    def issue(i: Issue) -> Issue:
        return replace(i, source=shown(i.source))

    files = [
        replace(p, source=shown(p.source), issues=tuple(issue(i) for i in p.issues))
        for p in parsed.files
    ]
    return Parsed(
        files,
        [issue(i) for i in parsed.issues],
        [issue(i) for i in parsed.across],
        [shown(s) for s in parsed.read],
    )


def _read(  # noqa: PLR0917 (an import's options, passed through)
    settings: Settings,
    paths: list[Path],
    as_of: date,
    progress: Progress,
    pseudonymise: bool,
    mapping: Path | None,
    named_from: Path | None,
) -> tuple[Parsed, Scheme]:
    """Every file read and checked on its own and across its tables, pseudonymised when the
    council asks for it; nothing touches the store."""
    with council_transaction(settings) as (connection, council):
        pseudonymise = pseudonymise or pseudonymises(connection, council)
    key: PseudonymKey | None = None
    if pseudonymise:
        key = load_key(settings.pseudonymisation_key_file)  # refused before any file is read
    parsed = _parse(paths, progress, as_of, mapping)
    if named_from is not None:
        parsed = _relabelled(parsed, named_from)
    if key is not None:
        parsed = _pseudonymised(parsed, key)
    return parsed, Scheme(pseudonymised=key is not None, key_id=key.key_id if key else None)


def _checked(  # noqa: PLR0917 (the files, and what they are checked against)
    connection: sa.Connection,
    council: Council,
    parsed: Parsed,
    scheme: Scheme,
    as_of: date,
    progress: Progress,
    allow_empty: bool,
    stored: StoredRows | None = None,
) -> Checked:
    """The files checked against each other and against what the store knew on `as_of`."""
    if any(p.dataset.name in IDENTIFIED_DATASETS for p in parsed.files):
        _check_scheme(scheme, schemes_in_use(connection, council, sorted(IDENTIFIED_DATASETS)))
    progress("Checking the files against each other and the store", 0, 0)
    # Files withheld for having no rows are left out of the checks against the store too.
    reviewed = review_empty(
        connection, council, parsed.files, parsed.read, as_of, allow_empty=allow_empty
    )
    datasets = {p.dataset.name for p in reviewed.files}
    known = known_frames(connection, council, as_of, datasets, stored)
    across = parsed.across + cross_file_issues(_imported(reviewed.files), known, as_of)
    issues = parsed.issues + across[len(parsed.across) :] + reviewed.warnings
    run_warnings = [i for i in across if i.severity is Severity.WARNING] + reviewed.warnings
    return Checked(reviewed.files, issues, run_warnings, tuple(reviewed.withheld), scheme)


def check_paths(
    settings: Settings,
    paths: list[Path],
    as_of: date,
    progress: Progress = quiet,
    *,
    pseudonymise: bool = False,
    mapping: Path | None = None,
    allow_empty: bool = False,
    named_from: Path | None = None,
) -> Checked:
    """Everything `import_paths` would check, and every problem it would find; nothing stored.

    The store may change before the import is made, so `import_paths` checks again.
    """
    parsed, scheme = _read(settings, paths, as_of, progress, pseudonymise, mapping, named_from)
    with council_transaction(settings) as (connection, council):
        return _checked(connection, council, parsed, scheme, as_of, progress, allow_empty)


def _audit_import(
    connection: sa.Connection, actor: tuple[str, str], as_of: date, outcome: ImportOutcome
) -> None:
    who, where = actor
    stored = [
        {"batch": b.batch_id, "file": b.file_name, "dataset": b.dataset, "rows": b.row_count}
        for b in outcome.stored
    ]
    names = [b.file_name for b in outcome.stored] + list(outcome.unchanged)
    append_audit(
        connection,
        at=datetime.now(UTC),
        actor=who,
        source=where,
        action="import",
        subject=", ".join(names) or "(no file)",
        after={
            "as_of": as_of.isoformat(),
            "stored": stored,
            "unchanged": list(outcome.unchanged),
            "withheld": list(outcome.withheld),
        },
    )


def _written(files: Sequence[ParsedFile], outcome: ImportOutcome) -> list[tuple[int, ParsedFile]]:
    """Each stored batch with the file written for it: save_files stores the files in order,
    leaving out those already imported."""
    left = iter(files)
    pairs = []
    for batch in outcome.stored:
        kept = (batch.file_name, batch.sha256)
        pairs.append((batch.batch_id, next(f for f in left if (f.source, f.sha256) == kept)))
    return pairs


def import_paths(
    settings: Settings,
    paths: list[Path],
    as_of: date,
    progress: Progress = quiet,
    *,
    pseudonymise: bool = False,
    mapping: Path | None = None,
    allow_empty: bool = False,
    named_from: Path | None = None,
    actor: tuple[str, str] | None = None,
    stored: StoredRows | None = None,
) -> tuple[ImportOutcome, list[Issue]]:
    """Import files and folders as known on `as_of`: every file or none of them.

    Identifiers are pseudonymised when asked or when the council's setting says so (the key comes
    from `settings.pseudonymisation_key_file`); `mapping` is a column-mapping file for the
    council's own exports. Raises InvalidInput (nothing stored) when any file has an error,
    listing every problem found, warnings included; returns the warnings otherwise. A file that
    would empty a snapshot (or an SSDA903 return with no episodes) is withheld with a warning
    unless `allow_empty` (services/empty_inputs.py). `named_from`: a folder whose files are
    named from inside it (the web's staged uploads) rather than by their whole path. `actor`
    (who, from where): the import is written to the audit log in the same transaction.
    `stored`: the council's rows kept in memory across many imports of it (store/known_rows.py),
    so each is checked against the store without reading it all again; the same checks.
    """
    parsed, scheme = _read(settings, paths, as_of, progress, pseudonymise, mapping, named_from)
    with council_transaction(settings) as (connection, council):
        checked = _checked(
            connection, council, parsed, scheme, as_of, progress, allow_empty, stored
        )
        if checked.has_errors:
            raise InvalidInput(checked.issues)
        progress(f"Storing {len(checked.files)} file(s) as known on {as_of.isoformat()}", 0, 0)
        outcome = save_files(
            connection,
            council,
            checked.files,
            as_of,
            run_warnings=checked.run_warnings,
            scheme=scheme,
        )
        outcome = replace(outcome, withheld=checked.withheld)
        if actor is not None:
            _audit_import(connection, actor, as_of, outcome)
    if stored is not None:  # committed: the rows written are what the store now holds
        remember(stored, council, outcome.run_id, _written(checked.files, outcome))
    warnings = [i for i in checked.issues if i.severity is Severity.WARNING]
    return outcome, warnings


def list_imports(settings: Settings) -> tuple[Council, list[ImportBatch]]:
    with council_transaction(settings) as (connection, council):
        return council, list_batches(connection, council)


def undo_import(settings: Settings, batch_id: int) -> ImportBatch:
    """Remove one import batch with its rows and warnings, as if it had never been imported."""
    with council_transaction(settings) as (connection, council):
        removed = delete_batch(connection, council, batch_id)
        if removed is None:
            known = ", ".join(str(b.batch_id) for b in list_batches(connection, council)[-5:])
            hint = f" (the latest are {known})" if known else " (nothing has been imported)"
            raise NotFound(
                f"there is no import batch {batch_id} for {council.name}{hint}; "
                "'carecast imports' lists them; nothing was removed"
            )
        return removed


def import_warnings(
    settings: Settings, batch_id: int | None = None
) -> tuple[Council, list[tuple[ImportBatch, Issue]]]:
    """The warnings stored with one batch, or with every batch."""
    with council_transaction(settings) as (connection, council):
        found = batch_warnings(connection, council, batch_id)
        if batch_id is not None and find_batch(connection, council, batch_id) is None:
            raise NotFound(
                f"there is no import batch {batch_id} for {council.name}; "
                "'carecast imports' lists them"
            )
        return council, found
