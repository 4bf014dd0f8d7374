"""Creating and opening the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.provenance import Council
from carecast.store.councils import create_council, find_council
from carecast.store.engine import check_ready, make_engine, migrate


def init_store(
    settings: Settings, name: str, la_code: str, *, pseudonymise: bool = False
) -> Council:
    """Create or upgrade the store's schema and add the council (pseudonymising if asked)."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    with engine.begin() as connection:
        return create_council(connection, name, la_code, pseudonymise=pseudonymise)


@contextmanager
def council_transaction(settings: Settings) -> Iterator[tuple[sa.Connection, Council]]:
    """A transaction on a ready store and its council; committed on success, else rolled back."""
    engine = make_engine(settings.database_url)
    try:
        check_ready(engine)
        with engine.begin() as connection:
            yield connection, find_council(connection)
    finally:
        engine.dispose()


@contextmanager
def store_transaction(settings: Settings) -> Iterator[sa.Connection]:
    """A transaction on a ready store, council or not; committed on success, else rolled back."""
    engine = make_engine(settings.database_url)
    try:
        check_ready(engine)
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()
