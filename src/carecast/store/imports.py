"""Saving parsed files as import batches, all in the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import polars as pl
import sqlalchemy as sa

from carecast.domain.provenance import Council, ImportBatch
from carecast.errors import Severity
from carecast.ingest.loader import ParsedFile
from carecast.store.schema import RECORD_TABLES, import_batches, import_issues

INSERT_CHUNK = 5_000


@dataclass(frozen=True)
class ImportOutcome:
    stored: tuple[ImportBatch, ...]
    unchanged: tuple[str, ...]  # files already imported with the same content and as-of date


def already_imported(connection: sa.Connection, council: Council, sha256: str, as_of: date) -> bool:
    query = sa.select(import_batches.c.id).where(
        import_batches.c.council_id == council.council_id,
        import_batches.c.sha256 == sha256,
        import_batches.c.as_of == as_of,
    )
    return connection.execute(query).first() is not None


def save_files(
    connection: sa.Connection, council: Council, files: list[ParsedFile], as_of: date
) -> ImportOutcome:
    """Store each file as a batch with its records and warnings; identical re-imports are skipped.

    The caller owns the transaction: any failure here leaves the store as it was.
    """
    run_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    stored: list[ImportBatch] = []
    unchanged: list[str] = []
    seen: set[str] = set()
    for parsed in files:
        if parsed.sha256 in seen or already_imported(connection, council, parsed.sha256, as_of):
            unchanged.append(parsed.source)
            continue
        seen.add(parsed.sha256)
        batch_key = connection.execute(
            import_batches.insert().values(
                council_id=council.council_id,
                run_id=run_id,
                dataset=parsed.dataset.name,
                file_name=parsed.source,
                sha256=parsed.sha256,
                row_count=parsed.row_count,
                as_of=as_of,
                imported_at=now,
            )
        ).inserted_primary_key
        assert batch_key is not None
        batch_id = int(batch_key[0])
        table = RECORD_TABLES.get(parsed.dataset.name)
        if table is not None and parsed.frame.height:
            insert_frame(connection, table, parsed, batch_id)
        warnings = [i for i in parsed.issues if i.severity is Severity.WARNING]
        if warnings:
            connection.execute(
                import_issues.insert(),
                [
                    {
                        "batch_id": batch_id,
                        "row": w.row,
                        "column_name": w.column,
                        "rule": w.rule,
                        "message": w.message,
                        "severity": w.severity.value,
                    }
                    for w in warnings
                ],
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
    return ImportOutcome(tuple(stored), tuple(unchanged))


def insert_frame(
    connection: sa.Connection, table: sa.Table, parsed: ParsedFile, batch_id: int
) -> None:
    """Insert a typed frame's rows into `table`, mapping canonical columns to store columns."""
    dataset = parsed.dataset
    wanted = {
        column: dataset.store_column(column)
        for column in parsed.frame.columns
        if dataset.store_column(column) in table.c
    }
    frame = parsed.frame.select(
        *(pl.col(column).alias(store) for column, store in wanted.items())
    ).with_columns(pl.lit(batch_id).alias("batch_id"))
    for column in table.c:
        if column.name not in frame.columns and column.name != "id":
            frame = frame.with_columns(pl.lit(None).alias(column.name))
    for start in range(0, frame.height, INSERT_CHUNK):
        connection.execute(table.insert(), frame.slice(start, INSERT_CHUNK).to_dicts())


def list_batches(connection: sa.Connection, council: Council) -> list[ImportBatch]:
    warnings = (
        sa.select(sa.func.count())
        .where(import_issues.c.batch_id == import_batches.c.id)
        .scalar_subquery()
    )
    query = (
        sa.select(import_batches, warnings.label("warnings"))
        .where(import_batches.c.council_id == council.council_id)
        .order_by(import_batches.c.as_of, import_batches.c.id)
    )
    return [
        ImportBatch(
            r["id"],
            r["dataset"],
            r["file_name"],
            r["sha256"],
            r["row_count"],
            r["as_of"],
            r["imported_at"],
            r["warnings"],
        )
        for r in connection.execute(query).mappings()
    ]
