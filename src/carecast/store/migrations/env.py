"""Alembic environment: runs on the connection carecast hands it (see store/engine.py)."""

from __future__ import annotations

from alembic import context

from carecast.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("carecast runs migrations through carecast.store.engine.migrate(engine)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
