"""A store busy with another session: wait a while for its locks, then say so as StoreBusy.

Every engine carecast makes (engine.make_engine) waits up to BUSY_TIMEOUT_SECONDS for a lock —
SQLite's busy timeout, PostgreSQL's lock_timeout — and turns the database's "busy" errors into
StoreBusy at the one place SQLAlchemy reports them (its `handle_error` event), so that no command
shows a driver's traceback, and the transaction is rolled back as for any other error.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from carecast.errors import StoreBusy

# SQLite's result codes (the low byte of an extended code): SQLITE_BUSY, SQLITE_LOCKED.
_SQLITE_BUSY = frozenset({5, 6})
_SQLITE_MESSAGES = ("database is locked", "database table is locked", "database schema is locked")
# PostgreSQL's: lock_not_available (lock_timeout), serialization_failure, deadlock_detected.
_POSTGRES_BUSY = frozenset({"55P03", "40001", "40P01"})
# Two imports of one file on one date race for this key; the loser is told to try again (and
# then finds the file already imported) rather than shown a constraint violation.
_RACED_KEY = "uq_import_batches_file_as_of"
_RACED_SQLITE = "UNIQUE constraint failed: import_batches.council_id, import_batches.sha256"


def is_busy(error: BaseException) -> bool:
    """Is this driver error another session's locks (or a race another import won)?"""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_BUSY:
        return True
    text = str(error)
    if text.startswith(_SQLITE_MESSAGES) or text.startswith(_RACED_SQLITE):
        return True
    state = getattr(error, "sqlstate", None)
    if state in _POSTGRES_BUSY:
        return True
    diagnostics = getattr(error, "diag", None)
    return state == "23505" and getattr(diagnostics, "constraint_name", None) == _RACED_KEY


def _translate(context: sa.engine.ExceptionContext) -> None:
    if context.original_exception is not None and is_busy(context.original_exception):
        raise StoreBusy from context.original_exception


def wait_for_locks(engine: sa.Engine, seconds: float) -> None:
    """Make `engine` wait up to `seconds` for another session's locks, then raise StoreBusy."""
    sa.event.listen(engine, "handle_error", _translate)
    if engine.dialect.name != "postgresql":
        return  # SQLite's busy timeout is a connect argument (engine.make_engine)

    @sa.event.listens_for(engine, "connect")
    def _lock_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {int(seconds * 1000)}")
        cursor.close()
        dbapi_connection.commit()  # a session setting, kept whatever later transactions do
