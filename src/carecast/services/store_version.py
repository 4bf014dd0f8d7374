"""The store's data version: a value that changes whenever anything is committed to the store,
read in microseconds, so that a long-running process (the web application) may keep what it
read or rendered from the store — a page, a session — for as long as the version stays the same,
and never longer.

- SQLite: `PRAGMA data_version` on a connection of our own that never writes; SQLite changes it
  whenever another connection, in this process or any other, commits to the file.
- PostgreSQL: the current snapshot (`pg_current_snapshot()`): its upper bound moves when a
  transaction that writes begins, and its list of transactions in progress changes when one ends.
  It is the whole server's, so a write to another database also changes it: a needless miss,
  never a stale answer.

Read the version *before* the data it keys. A change committed in between is then in the data
but kept under the older version, which the next request no longer finds; the other order could
keep old data under the new version for as long as nothing else changes.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Hashable
from typing import Any

import sqlalchemy as sa

VERSION_QUERIES = {
    "sqlite": "PRAGMA data_version",
    "postgresql": "SELECT pg_current_snapshot()::text",
}
# Each watcher connection counts on its own (SQLite's data_version starts afresh with each
# connection): a version names its connection too, so a reconnection never repeats one.
_connections = itertools.count(1)


class StoreVersion:
    """The data version of the store an engine opens, read on a connection of its own
    (autocommit, outside the engine's pool) under a lock: a read is one small query."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._query = VERSION_QUERIES.get(engine.dialect.name)
        if engine.dialect.name == "sqlite" and not _sqlite_file(engine.url):
            self._query = None  # a database in memory is each connection's own: nothing to watch
        self._lock = threading.Lock()
        self._connection: Any = None
        self._number = 0

    def read(self) -> Hashable | None:
        """The version now; None where it cannot be known (nothing may then be kept by it)."""
        if self._query is None:
            return None
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = self._connect()
                    self._number = next(_connections)
                cursor = self._connection.cursor()
                try:
                    cursor.execute(self._query)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
            except self._engine.dialect.dbapi.ProgrammingError:  # type: ignore[union-attr]
                # A server without the function (PostgreSQL before 13): never asked again, and
                # nothing is ever kept by version.
                self._query = None
                self._close()
                return None
            except self._engine.dialect.dbapi.Error:  # type: ignore[union-attr]
                # A lost connection (a restarted server): nothing is kept on this request, and
                # the next one connects afresh under a new number.
                self._close()
                return None
            return (self._number, row[0])

    def _connect(self) -> Any:
        dialect = self._engine.dialect
        args, given = dialect.create_connect_args(self._engine.url)
        options = dict(given)
        if dialect.name == "sqlite":
            options.update(check_same_thread=False, isolation_level=None)
        connection = dialect.connect(*args, **options)
        if dialect.name == "postgresql":
            connection.autocommit = True  # each read sees what is committed now
        return connection

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(self._engine.dialect.dbapi.Error):  # type: ignore[union-attr]
                self._connection.close()  # unless already gone
            self._connection = None


def _sqlite_file(url: sa.URL) -> bool:
    return url.database not in (None, "", ":memory:") and url.query.get("mode") != "memory"
