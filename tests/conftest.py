"""Shared fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from CARECAST_TEST_POSTGRES_URL (set by `make test`, which starts a throwaway
cluster). Without it the PostgreSQL half fails rather than skips: a green run means both ran.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from carecast.config import Settings
from carecast.services import init_store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
Writer = Callable[[str, str], Path]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'carecast.db'}"
        return
    admin_url = os.environ.get("CARECAST_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.fail(
            "CARECAST_TEST_POSTGRES_URL is not set: run the suite with 'make test', which starts "
            "a throwaway PostgreSQL cluster (scripts/pg-test-cluster.sh)"
        )
    name = f"carecast_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """A store with the schema and one council, on each database."""
    configured = Settings(database_url=database_url)
    init_store(configured, "Test Borough", "999")
    return configured


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """write(name, text) puts a file in a fresh folder and returns its path."""
    folder = tmp_path / "inputs"
    folder.mkdir(exist_ok=True)

    def _write(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
