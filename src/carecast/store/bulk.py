"""Bulk insertion of a typed frame into a record table, inside the caller's transaction.

SQLAlchemy's executemany turns every row into a dict and back; for a million episodes that is most
of an import's time. Here the frame goes to the driver as directly as it can: `COPY … FROM STDIN`
in CSV on PostgreSQL (psycopg), the driver's own executemany over plain tuples on SQLite, and the
portable SQLAlchemy path on anything else. Values are written exactly as SQLAlchemy would write
them (dates as ISO text on SQLite), so reading back through SQLAlchemy sees no difference.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import polars as pl
import sqlalchemy as sa

from carecast.errors import Issue, StoreBusy
from carecast.ingest.columns import ROW
from carecast.ingest.datasets import BY_NAME, Dataset
from carecast.ingest.loader import ParsedFile
from carecast.store.busy import is_busy
from carecast.store.schema import RECORD_TABLES

CHUNK_ROWS = 100_000  # bounds the memory a chunk of Python tuples or CSV text takes


def store_sources(table: sa.Table, parsed: ParsedFile) -> dict[str, str]:
    """Store column → the parsed frame's column written to it (the first that maps to it)."""
    source: dict[str, str] = {}
    for column in parsed.frame.columns:
        if (store := parsed.dataset.store_column(column)) in table.c:
            source.setdefault(store, column)
    return source


def store_frame(
    table: sa.Table, parsed: ParsedFile, batch_id: int, *, dates_as_text: bool = False
) -> pl.DataFrame:
    """The parsed frame with the table's column names, in table order (without `id`).

    `dates_as_text`: dates as ISO text, as SQLAlchemy writes them to SQLite. One eager select
    of the frame: a lazy query of the same select, and another for the dates, cost twice as much
    on a small monthly file (planning them, not the rows, was the cost).
    """
    source = store_sources(table, parsed)
    types = parsed.frame.schema

    def written(name: str) -> pl.Expr:
        if name == "batch_id":
            return pl.lit(batch_id, pl.Int64).alias(name)
        if name not in source:
            return pl.lit(None).alias(name)
        value = pl.col(source[name])
        if dates_as_text and types[source[name]] == pl.Date:
            value = value.dt.to_string("%Y-%m-%d")
        return value.alias(name)

    return parsed.frame.select(written(c.name) for c in table.c if c.name != "id")


def _sqlite(dbapi: Any, table: sa.Table, frame: pl.DataFrame) -> None:
    names = ", ".join(f'"{name}"' for name in frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    cursor = dbapi.cursor()
    try:
        for start in range(0, frame.height, CHUNK_ROWS):
            # Each column to Python values in one call, zipped into the rows' tuples: a quarter
            # cheaper than rows() (itself a twentieth cheaper than iterating); the same tuples.
            chunk = frame.slice(start, CHUNK_ROWS)
            values = (column.to_list() for column in chunk.iter_columns())
            cursor.executemany(sql, zip(*values, strict=True))
    finally:
        cursor.close()


def _postgresql(dbapi: Any, table: sa.Table, frame: pl.DataFrame) -> None:
    names = ", ".join(f'"{name}"' for name in frame.columns)
    # CSV: an unquoted empty field is NULL and polars quotes an empty string, so both survive.
    sql = f'COPY "{table.name}" ({names}) FROM STDIN WITH (FORMAT csv)'
    with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
        for start in range(0, frame.height, CHUNK_ROWS):
            chunk = frame.slice(start, CHUNK_ROWS)
            copy.write(chunk.write_csv(include_header=False, date_format="%Y-%m-%d"))


def insert_frame(
    connection: sa.Connection, table: sa.Table, parsed: ParsedFile, batch_id: int
) -> None:
    """Insert a typed frame's rows into `table`, mapping canonical columns to store columns."""
    dialect = connection.dialect.name
    # On SQLite the dates are written as text in the same query (a query costs about as much
    # as the rows of a small monthly file).
    frame = store_frame(table, parsed, batch_id, dates_as_text=dialect == "sqlite")
    if not frame.height:
        return
    dbapi = connection.connection.dbapi_connection
    direct = None
    if dialect == "sqlite":
        direct = _sqlite
    elif dialect == "postgresql" and connection.dialect.driver == "psycopg":
        direct = _postgresql
    if direct is not None:
        # The driver's own calls bypass SQLAlchemy's error handling, and so its busy check.
        try:
            direct(dbapi, table, frame)
        except Exception as error:
            if is_busy(error):
                raise StoreBusy from error
            raise
    else:
        for start in range(0, frame.height, CHUNK_ROWS):
            connection.execute(table.insert(), frame.slice(start, CHUNK_ROWS).to_dicts())


def _limits(column: sa.Column[Any], name: str) -> list[tuple[pl.Expr, str, str]]:
    """What a store column cannot hold: (failing condition, rule, message) on frame column `name`.

    SQLite enforces none of these and PostgreSQL all of them, so they are checked here, the same
    for both, before anything is written.
    """
    value = pl.col(name)
    checks: list[tuple[pl.Expr, str, str]] = []
    if not column.nullable:
        message = f"{name} is empty; carecast keeps it for every row, so give one"
        checks.append((value.is_null(), "missing-value", message))
    kind = column.type
    if isinstance(kind, sa.String) and kind.length:
        message = f"{name} is longer than the {kind.length} characters carecast keeps"
        checks.append((value.cast(pl.String).str.len_chars() > kind.length, "too-long", message))
    elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float) and kind.precision:
        bound = 10 ** (kind.precision - (kind.scale or 0))
        rounds_up = bound - 0.5 * 10 ** -(kind.scale or 0)  # 999.9996 is stored as 1000.000
        message = f"{name} must be below {bound:,} in size"
        checks.append((value.abs() >= rounds_up, "out-of-range", message))
    elif isinstance(kind, sa.Integer) and not isinstance(kind, sa.BigInteger):
        checks.append((value.abs() >= 2**31, "out-of-range", f"{name} is far too large"))
    return checks


Limit = tuple[str, pl.Expr, str, str]  # column, failing condition, rule, message


@lru_cache(maxsize=256)
def _known_checks(dataset: str, columns: tuple[str, ...]) -> list[Limit]:
    """A registered dataset's checks, built once for each shape of file rather than for each."""
    return _checks(BY_NAME[dataset], columns)


def _checks(dataset: Dataset, columns: tuple[str, ...]) -> list[Limit]:
    """The limits of the dataset's stored columns that the file has."""
    table = RECORD_TABLES[dataset.name]
    return [
        (column, condition.fill_null(value=False), rule, message)
        for column in columns
        if (name := dataset.store_column(column)) in table.c and name != "batch_id"
        for condition, rule, message in _limits(table.c[name], column)
    ]


def unstorable(parsed: ParsedFile) -> list[Issue]:
    """Cells the store cannot keep — empty where it needs a value, too long, too large — as
    located errors, found before any write.

    An input's own rules may let through what the store refuses (SSDA903's CIN may be empty; an
    invalid SEX code is only a warning yet longer than the column); without this the import would
    fail with a database error rather than the rows to fix.
    """
    if RECORD_TABLES.get(parsed.dataset.name) is None or not parsed.frame.height:
        return []
    columns = tuple(parsed.frame.columns)
    known = BY_NAME.get(parsed.dataset.name) is parsed.dataset
    limits = (
        _known_checks(parsed.dataset.name, columns) if known else _checks(parsed.dataset, columns)
    )
    checks = [
        (parsed.spelled.get(column, column), condition, rule, message)
        for column, condition, rule, message in limits
    ]
    # One pass over the frame says which checks any row fails (almost always none), rather than
    # a pass a check; only those are then located row by row.
    failing = (
        parsed.frame.select(
            condition.any().alias(str(n)) for n, (_, condition, _, _) in enumerate(checks)
        ).row(0)
        if checks
        else ()
    )
    issues: list[Issue] = []
    for (spelled, condition, rule, message), fails in zip(checks, failing, strict=True):
        if fails:
            rows = parsed.frame.filter(condition).get_column(ROW)
            issues += [Issue(parsed.source, row, spelled, rule, message) for row in rows]
    return issues
