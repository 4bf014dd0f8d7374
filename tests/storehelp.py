"""Test helpers that look inside a store."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from carecast.store.schema import metadata


def dump(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every carecast table, for before/after comparisons."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (tuple(row) for row in connection.execute(sa.select(table))), key=repr
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()
