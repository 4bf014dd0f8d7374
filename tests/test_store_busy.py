"""A busy store is a clear exit-1 message, never a traceback or a half-import (SQLite and PostgreSQL).

Another import, a close, or anyone's long transaction may hold the store's locks. carecast waits a
while (the busy timeout) and then says, with exit status 1, that the store is busy and to try
again; nothing of the import is stored. It used to die with an `OperationalError` traceback after
validating (SQLite's write lock held over 5 s), or exit 2, "wrong usage", when it could not even
read the store.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from carecast.cli import run
from carecast.errors import StoreBusy
from carecast.store import engine as store_engine
from carecast.store.schema import RECORD_TABLES, import_batches
from tests.fixtures_small import FILES, write_small_council
from tests.storehelp import dump

Captured = pytest.CaptureFixture[str]
BUSY = StoreBusy().message


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An initialised store whose commands wait half a second for a lock before giving up."""
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_SECONDS", 0.5)
    assert run(["init", "--council", "T", "--la-code", "9", "--database-url", database_url]) == 0
    return database_url


@contextmanager
def held(url: str, *, readers_too: bool) -> Iterator[None]:
    """Another session holding the store's write lock (`readers_too`: blocking reads as well)
    until the block ends, as a long import, a close or a forgotten SQL session would."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(sa.make_url(url).database or "", isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE" if readers_too else "BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = sa.create_engine(url)
    try:
        with engine.begin() as session:
            if readers_too:
                session.execute(sa.text("LOCK TABLE councils IN ACCESS EXCLUSIVE MODE"))
            else:
                session.execute(sa.text("LOCK TABLE import_batches IN EXCLUSIVE MODE"))
            yield
            session.rollback()
    finally:
        engine.dispose()


@pytest.mark.parametrize("readers_too", [False, True], ids=["write-lock", "all-locks"])
def test_an_import_beside_a_long_transaction_says_the_store_is_busy_and_stores_nothing(
    store: str, tmp_path: Path, capsys: Captured, *, readers_too: bool
) -> None:
    folder = write_small_council(tmp_path / "in")
    args = ["import", str(folder), "--as-of", "2018-09-30", "--database-url", store]
    before = dump(store)
    capsys.readouterr()
    with held(store, readers_too=readers_too):
        assert run(args) == 1
    assert capsys.readouterr().err.splitlines() == [BUSY]
    assert dump(store) == before
    assert run(args) == 0  # and once the lock is gone, the same import goes through


def test_the_busy_message_says_what_to_do() -> None:
    assert BUSY == (
        "the store is busy (another import or close is running); try again in a minute. "
        "Nothing was changed."
    )
    assert StoreBusy.exit_code == 1


def test_concurrent_imports_each_succeed_or_say_busy_and_none_is_half_imported(
    database_url: str, tmp_path: Path
) -> None:
    assert run(["init", "--council", "T", "--la-code", "9", "--database-url", database_url]) == 0
    folder = write_small_council(tmp_path / "in")
    # Three imports of the same files on one date race for the same batches; two more dates
    # race for the store.
    dates = ["2018-09-30", "2018-09-30", "2018-09-30", "2018-10-31", "2018-11-30"]
    command = [sys.executable, "-m", "carecast", "import", str(folder), "--database-url"]
    runs = [
        subprocess.Popen(
            [*command, database_url, "--as-of", as_of],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for as_of in dates
    ]
    outcomes = [(process.wait(timeout=300), process.communicate()) for process in runs]
    for code, (_out, err) in outcomes:
        assert "Traceback" not in err
        assert (code, err.splitlines()) in ((0, []), (1, [BUSY]))
    assert sum(code == 0 for code, _ in outcomes) >= 3  # each date, at least once
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            batches = connection.execute(sa.select(import_batches)).mappings().all()
            stored = {
                batch["id"]: connection.execute(
                    sa.select(sa.func.count()).where(
                        RECORD_TABLES[batch["dataset"]].c.batch_id == batch["id"]
                    )
                ).scalar()
                for batch in batches
            }
    finally:
        engine.dispose()
    # Every date imported exactly once, whole: all its files, each with all its rows.
    by_date: dict[str, list[str]] = {}
    for batch in batches:
        by_date.setdefault(batch["as_of"].isoformat(), []).append(batch["dataset"])
        assert stored[batch["id"]] == batch["row_count"]
    assert sorted(by_date) == sorted(set(dates))
    assert all(len(found) == len(FILES) == len(set(found)) for found in by_date.values())
