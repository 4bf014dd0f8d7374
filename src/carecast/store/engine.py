"""Engines and migrations: built by factories, never at import time."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from carecast.errors import StoreNotReady, UsageError
from carecast.store.busy import wait_for_locks

MIGRATIONS = Path(__file__).parent / "migrations"


# How long a command waits for another session's locks before saying the store is busy: an
# import of a council's monthly extract holds the write lock for a few seconds, a large SSDA903
# history for under a minute; someone at the terminal should not wait longer than that.
BUSY_TIMEOUT_SECONDS = 60.0


def make_engine(url: str, *, shared: bool = False) -> sa.Engine:
    """An engine for a SQLite file or a PostgreSQL URL, with foreign keys enforced on SQLite,
    that waits BUSY_TIMEOUT_SECONDS for a lock and then raises StoreBusy (store/busy.py).

    `shared`: the engine of a long-running server, used by many threads at once for its whole
    life; a SQLite file is then put in WAL mode, so that pages being read never wait for a
    writer (an import, a sign-in) nor a writer for them."""
    try:
        parsed = sa.make_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        waits: dict[str, Any] = {"timeout": BUSY_TIMEOUT_SECONDS} if sqlite else {}
        if sqlite and shared:
            waits["check_same_thread"] = (
                False  # the pool hands a connection to one thread at a time
            )
        engine = sa.create_engine(parsed, connect_args=waits)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise UsageError(
            f"'{url}' is not a database URL carecast can use: {exc}. Use sqlite:///carecast.db "
            "or postgresql+psycopg://user@host/dbname"
        ) from None
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if shared and _is_file(parsed):
                # Kept in the file once set: later connections find it already on.
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    wait_for_locks(engine, BUSY_TIMEOUT_SECONDS)
    return engine


def _is_file(url: sa.URL) -> bool:
    """A SQLite database in a file (WAL needs one), not one in memory."""
    return url.database not in (None, "", ":memory:") and url.query.get("mode") != "memory"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: sa.Engine) -> None:
    """Bring the store's schema to the newest revision (creating it when empty)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


@cache
def head_revision() -> str | None:
    """The newest migration this carecast ships (read once: the web checks it on every request)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def check_ready(engine: sa.Engine) -> None:
    """Refuse to work on a store whose schema is missing or older than this carecast."""
    head = head_revision()
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.OperationalError as exc:
        raise StoreNotReady(f"cannot open the store: {exc.orig}") from None
    if current is None:
        raise StoreNotReady(
            "the store has not been set up; run 'carecast init --council NAME --la-code CODE' first"
        )
    if current != head:
        raise StoreNotReady(
            f"the store's schema is at revision {current}, this carecast needs {head}; "
            f"upgrade it with {_init_again(engine)} (its data is kept)"
        )


def _init_again(engine: sa.Engine) -> str:
    """The `carecast init` that upgrades this store: the council it already holds, as it is."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT name, la_code, pseudonymise FROM councils ORDER BY id")
            ).all()
    except sa.exc.SQLAlchemyError:
        rows = []
    if len(rows) != 1:
        return "'carecast init --council NAME --la-code CODE' (the council it holds)"
    name, code, pseudonymise = rows[0]
    flag = " --pseudonymise --key-file FILE" if pseudonymise else ""
    quoted = '"' + str(name).replace('"', '\\"') + '"'
    return f"'carecast init --council {quoted} --la-code {code}{flag}'"
