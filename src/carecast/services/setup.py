"""Creating and opening the store."""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from pydantic import PrivateAttr

from carecast.config import Settings
from carecast.domain.provenance import Council
from carecast.services.memo import Memo
from carecast.services.store_version import StoreVersion
from carecast.store.councils import create_council, find_council
from carecast.store.engine import check_ready, make_engine, migrate


def init_store(
    settings: Settings, name: str, la_code: str, *, pseudonymise: bool = False
) -> Council:
    """Create or upgrade the store's schema and add the council (pseudonymising if asked)."""
    return init_councils(settings, [(name, la_code)], pseudonymise=pseudonymise)[0]


def init_councils(
    settings: Settings, named: Sequence[tuple[str, str]], *, pseudonymise: bool = False
) -> list[Council]:
    """`init_store` for several councils (name, DfE code) at once: the schema is checked once and
    the councils added in one transaction — a national set's 150 added one by one spent about
    6 s before any of its imports could start."""
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with engine.begin() as connection:
            return [
                create_council(connection, name, la_code, pseudonymise=pseudonymise)
                for name, la_code in named
            ]
    finally:
        engine.dispose()


# How long a long-running process trusts that the store's schema is still the one it expects:
# asking costs a query per transaction, and an upgrade under a running server is rare; within
# this time of one, pages may still be served before the server starts refusing them.
READY_RECHECK_SECONDS = 5.0
# Results kept per open store: a line's placements is a few hundred rows, so a few megabytes.
MEMO_SIZE = 64
# Sessions and API tokens looked up, kept apart from the results (so many users signing in never
# push a result out): a user, a token and a date each.
SESSIONS_KEPT = 512


class OpenStore(Settings):
    """Settings bound to one pooled engine for the life of a long-running process (the web
    application): made by `open_store`, ended by `close_store`. A service given them uses that
    engine, its pool of connections and its cache of compiled statements, where the command line
    makes an engine per command. Settings copied with another database_url leave it unused."""

    _url: str = PrivateAttr(default="")
    _engine: sa.Engine | None = PrivateAttr(default=None)
    _checked_at: float | None = PrivateAttr(default=None)
    _memo: Memo = PrivateAttr(default_factory=lambda: Memo(MEMO_SIZE))
    _version: StoreVersion | None = PrivateAttr(default=None)
    _sessions: Memo = PrivateAttr(default_factory=lambda: Memo(SESSIONS_KEPT))

    def engine(self) -> sa.Engine | None:
        """The bound engine, while open and still for these settings' store."""
        return self._engine if self._url == self.database_url else None

    def memo(self) -> Memo:
        """What this process keeps of results computed from unchanged data (services/memo.py)."""
        return self._memo

    def check_ready(self, engine: sa.Engine) -> None:
        """Refuse a store that is not ready (store.engine.check_ready), asking it again only
        after READY_RECHECK_SECONDS: the schema changes only when `carecast init` upgrades it."""
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < READY_RECHECK_SECONDS:
            return
        check_ready(engine)
        self._checked_at = now


def open_store(settings: Settings) -> OpenStore:
    """`settings` bound to an engine of their own (a new one per call: no process-wide engine),
    shared by threads, pooled and, on a SQLite file, in WAL mode (store.engine.make_engine)."""
    opened = OpenStore.model_construct(settings.model_fields_set, **dict(settings))
    opened._engine = make_engine(settings.database_url, shared=True)
    opened._url = settings.database_url
    opened._version = StoreVersion(opened._engine)
    return opened


def memo_of(settings: Settings) -> Memo | None:
    """The memo of an open store; None for settings that open an engine per transaction."""
    opened = isinstance(settings, OpenStore) and settings.engine() is not None
    return settings.memo() if isinstance(settings, OpenStore) and opened else None


def data_version(settings: Settings) -> Hashable | None:
    """The open store's data version (services/store_version.py): what a process keeps by it
    is kept only while nothing has been committed to the store. None for settings that open an
    engine per transaction, or a store whose version cannot be read: keep nothing by it then."""
    if not isinstance(settings, OpenStore) or settings.engine() is None:
        return None
    return None if settings._version is None else settings._version.read()


def sessions_memo_of(settings: Settings) -> Memo | None:
    """Where an open store keeps the sessions and tokens it has looked up, by data version."""
    opened = isinstance(settings, OpenStore) and settings.engine() is not None
    return settings._sessions if isinstance(settings, OpenStore) and opened else None


def close_store(settings: OpenStore) -> None:
    """Close the pool's connections; the settings go back to an engine per transaction."""
    if settings._version is not None:
        settings._version.close()
    settings._version = None
    if settings._engine is not None:
        settings._engine.dispose()
    settings._engine = None


@contextmanager
def _ready_engine(settings: Settings) -> Iterator[sa.Engine]:
    """The settings' bound engine, else one made for this transaction alone (and disposed)."""
    bound = settings.engine() if isinstance(settings, OpenStore) else None
    if isinstance(settings, OpenStore) and bound is not None:
        settings.check_ready(bound)
        yield bound
        return
    engine = make_engine(settings.database_url)
    try:
        check_ready(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def council_transaction(settings: Settings) -> Iterator[tuple[sa.Connection, Council]]:
    """A transaction on a ready store and its council; committed on success, else rolled back."""
    with _ready_engine(settings) as engine, engine.begin() as connection:
        yield connection, find_council(connection, settings.council)


@contextmanager
def store_transaction(settings: Settings) -> Iterator[sa.Connection]:
    """A transaction on a ready store, council or not; committed on success, else rolled back."""
    with _ready_engine(settings) as engine, engine.begin() as connection:
        yield connection
