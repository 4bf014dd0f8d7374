"""Saving parsed files as import batches, all in the caller's transaction; listing and undoing them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import sqlalchemy as sa

from carecast.domain.provenance import Council, ImportBatch
from carecast.errors import Issue, Severity
from carecast.ingest.loader import ParsedFile
from carecast.store.bulk import insert_frame
from carecast.store.schema import RECORD_TABLES, import_batches, import_issues


@dataclass(frozen=True)
class ImportOutcome:
    stored: tuple[ImportBatch, ...]
    unchanged: tuple[str, ...]  # files already imported with the same content and as-of date
    withheld: tuple[str, ...] = ()  # files with no rows that would have emptied what is known
    run_id: str = ""  # the run its batches belong to (known_rows.py tells batches apart by it)


@dataclass(frozen=True)
class Scheme:
    """How an import run writes child identifiers: as given, or as pseudonyms of one key."""

    pseudonymised: bool = False
    key_id: str | None = None


_NEW_BATCH = import_batches.insert()


def imported_among(
    connection: sa.Connection, council: Council, sha256s: Sequence[str], as_of: date
) -> set[str]:
    """Which of `sha256s` the council already imported as of `as_of`: one query for
    many files (a query a file cost more than checking a small monthly file)."""
    if not sha256s:
        return set()
    query = sa.select(import_batches.c.sha256).where(
        import_batches.c.council_id == council.council_id,
        import_batches.c.sha256.in_(sorted(set(sha256s))),
        import_batches.c.as_of == as_of,
    )
    return {sha256 for (sha256,) in connection.execute(query)}


def schemes_in_use(
    connection: sa.Connection, council: Council, datasets: Sequence[str]
) -> set[Scheme]:
    """The identifier schemes of the council's batches of `datasets`."""
    query = (
        sa.select(import_batches.c.pseudonymised, import_batches.c.key_id)
        .where(
            import_batches.c.council_id == council.council_id,
            import_batches.c.dataset.in_(list(datasets)),
        )
        .distinct()
    )
    return {Scheme(bool(p), k) for p, k in connection.execute(query)}


def _issue_rows(batch_id: int, issues: Sequence[Issue], own_file: str) -> list[dict[str, object]]:
    return [
        {
            "batch_id": batch_id,
            "row": i.row,
            "column_name": i.column,
            "rule": i.rule,
            "message": i.message,
            "severity": i.severity.value,
            "source": None if i.source == own_file else i.source,
        }
        for i in issues
    ]


def save_files(
    connection: sa.Connection,
    council: Council,
    files: list[ParsedFile],
    as_of: date,
    *,
    run_warnings: Sequence[Issue] = (),
    scheme: Scheme = Scheme(),
) -> ImportOutcome:
    """Store each file as a batch with its records and warnings; identical re-imports are skipped.

    `run_warnings` (from rules across files) are kept with the batch of the file they point at,
    or with the run's first batch when that file was unchanged. The caller owns the transaction:
    any failure here leaves the store as it was.
    """
    run_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    stored: list[ImportBatch] = []
    unchanged: list[str] = []
    seen: set[str] = set()
    batch_of: dict[str, int] = {}
    # Asked of the store before any batch is written: a file whose content this run writes first
    # is caught by `seen`, as before.
    imported = imported_among(connection, council, [p.sha256 for p in files], as_of)
    for parsed in files:
        if parsed.sha256 in seen or parsed.sha256 in imported:
            unchanged.append(parsed.source)
            continue
        seen.add(parsed.sha256)
        # The values as parameters of the one statement (compiled once, then cached), not a new
        # statement a file.
        batch_key = connection.execute(
            _NEW_BATCH,
            {
                "council_id": council.council_id,
                "run_id": run_id,
                "dataset": parsed.dataset.name,
                "file_name": parsed.source,
                "sha256": parsed.sha256,
                "row_count": parsed.row_count,
                "as_of": as_of,
                "imported_at": now,
                "pseudonymised": scheme.pseudonymised,
                "key_id": scheme.key_id,
            },
        ).inserted_primary_key
        assert batch_key is not None
        batch_id = int(batch_key[0])
        batch_of.setdefault(parsed.source, batch_id)
        table = RECORD_TABLES.get(parsed.dataset.name)
        if table is not None and parsed.frame.height:
            insert_frame(connection, table, parsed, batch_id)
        warnings = [i for i in parsed.issues if i.severity is Severity.WARNING]
        if warnings:
            connection.execute(
                import_issues.insert(), _issue_rows(batch_id, warnings, parsed.source)
            )
        stored.append(
            ImportBatch(
                batch_id,
                parsed.dataset.name,
                parsed.source,
                parsed.sha256,
                parsed.row_count,
                as_of,
                now,
                len(warnings),
            )
        )
    if run_warnings and stored:
        _attach(connection, stored, batch_of, run_warnings)
    return ImportOutcome(tuple(stored), tuple(unchanged), run_id=run_id)


def _attach(
    connection: sa.Connection,
    stored: list[ImportBatch],
    batch_of: dict[str, int],
    warnings: Sequence[Issue],
) -> None:
    """Keep each warning with the (first) batch of the file it points at, else the run's first."""
    position = {b.batch_id: n for n, b in enumerate(stored)}
    targets: dict[int, list[Issue]] = {}
    for warning in warnings:
        targets.setdefault(batch_of.get(warning.source, stored[0].batch_id), []).append(warning)
    for batch_id, found in targets.items():
        batch = stored[position[batch_id]]
        connection.execute(import_issues.insert(), _issue_rows(batch_id, found, batch.file_name))
        stored[position[batch_id]] = replace(batch, warnings=batch.warnings + len(found))


def _batch_query(council: Council) -> sa.Select[tuple[object, ...]]:
    warnings = (
        sa.select(sa.func.count())
        .where(import_issues.c.batch_id == import_batches.c.id)
        .scalar_subquery()
    )
    return (
        sa.select(import_batches, warnings.label("warnings"))
        .where(import_batches.c.council_id == council.council_id)
        .order_by(import_batches.c.as_of, import_batches.c.id)
    )


def _batch(r: sa.RowMapping) -> ImportBatch:
    return ImportBatch(
        r["id"],
        r["dataset"],
        r["file_name"],
        r["sha256"],
        r["row_count"],
        r["as_of"],
        r["imported_at"],
        r["warnings"],
    )


def list_batches(connection: sa.Connection, council: Council) -> list[ImportBatch]:
    return [_batch(r) for r in connection.execute(_batch_query(council)).mappings()]


def find_batch(connection: sa.Connection, council: Council, batch_id: int) -> ImportBatch | None:
    query = _batch_query(council).where(import_batches.c.id == batch_id)
    row = connection.execute(query).mappings().first()
    return None if row is None else _batch(row)


def delete_batch(connection: sa.Connection, council: Council, batch_id: int) -> ImportBatch | None:
    """Remove one batch, its rows and its issues; None when the council has no such batch.

    Rows go table by table rather than trusting ON DELETE CASCADE alone, so that a connection
    without SQLite's foreign-key pragma still leaves nothing behind.
    """
    batch = find_batch(connection, council, batch_id)
    if batch is None:
        return None
    for table in (*RECORD_TABLES.values(), import_issues):
        connection.execute(table.delete().where(table.c.batch_id == batch_id))
    connection.execute(import_batches.delete().where(import_batches.c.id == batch_id))
    return batch


def batch_warnings(
    connection: sa.Connection, council: Council, batch_id: int | None = None
) -> list[tuple[ImportBatch, Issue]]:
    """The stored warnings of one batch (or of every batch), each located at its file."""
    batches = {b.batch_id: b for b in list_batches(connection, council)}
    query = (
        sa.select(import_issues)
        .join(import_batches, import_batches.c.id == import_issues.c.batch_id)
        .where(import_batches.c.council_id == council.council_id)
        .order_by(import_batches.c.as_of, import_issues.c.batch_id, import_issues.c.id)
    )
    if batch_id is not None:
        query = query.where(import_issues.c.batch_id == batch_id)
    return [
        (
            batches[r["batch_id"]],
            Issue(
                r["source"] or batches[r["batch_id"]].file_name,
                r["row"],
                r["column_name"],
                r["rule"],
                r["message"],
                Severity(r["severity"]),
            ),
        )
        for r in connection.execute(query).mappings()
    ]
