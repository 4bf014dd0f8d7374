"""A `carecast import` killed at any moment leaves the store as it was, or fully imported.

The command runs in a subprocess on a ledger big enough that storing it takes a good fraction of
a second, and is SIGKILLed ten times at different moments: twice while it is still reading and
validating, eight times once its write transaction has begun (seen from outside: SQLite's
rollback journal exists, or the PostgreSQL session holds a transaction id), at a random point of
the write. After each kill the store must be exactly as before or exactly as after a complete
import, never in between.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from carecast.config import Settings
from carecast.services import list_imports, undo_import
from carecast.store.schema import import_batches, ledger_entries, metadata

ROWS = 60_000
KILLS_WHILE_READING = 2
KILLS_WHILE_STORING = 8
STORING = "Storing"


def write_ledger(folder: Path) -> list[Path]:
    """A valid ledger of ROWS postings to 50 mapped cost centres, and its cost-centre map."""
    folder.mkdir()
    n = pl.int_range(0, ROWS, eager=True)
    pl.DataFrame(
        {
            "PERIOD": "2018-0" + (n % 6 + 1).cast(pl.String),
            "COST_CENTRE": "CC" + (n % 50).cast(pl.String),
            "ACCOUNT": (5000 + n % 7).cast(pl.String),
            "AMOUNT": ((n % 100_000) / 100).round(2).cast(pl.String),
            "DESCRIPTION": "posting, number " + n.cast(pl.String),
        }
    ).write_csv(folder / "gl_actuals.csv")
    centres = pl.DataFrame({"COST_CENTRE": [f"CC{i}" for i in range(50)]})
    centres.with_columns(pl.lit("other_costs").alias("SERVICE_LINE")).write_csv(
        folder / "cost_centres.csv"
    )
    return [folder / "gl_actuals.csv", folder / "cost_centres.csv"]


def fingerprint(database_url: str) -> dict[str, Any]:
    """Row counts of every table, the batches' provenance and the ledger's total, without ids."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            counts = {
                t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                for t in metadata.sorted_tables
            }
            batches = sorted(
                connection.execute(
                    sa.select(
                        import_batches.c.dataset,
                        import_batches.c.file_name,
                        import_batches.c.sha256,
                        import_batches.c.row_count,
                    )
                ).all()
            )
            total = connection.execute(
                sa.select(sa.func.sum(ledger_entries.c.amount_pence))
            ).scalar()
    finally:
        engine.dispose()
    return {"counts": counts, "batches": batches, "total": total}


def start_import(files: list[Path], database_url: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARECAST_")}
    env["CARECAST_DATABASE_URL"] = database_url
    return subprocess.Popen(
        [sys.executable, "-m", "carecast", "import", *map(str, files), "--as-of", "2018-09-30"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_storing(process: subprocess.Popen[str]) -> float:
    """Read the import's output until it says it is storing; the time that took."""
    started = time.perf_counter()
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(STORING):
            return time.perf_counter() - started
    assert process.stderr is not None
    raise AssertionError(f"the import never reached the storing step: {process.stderr.read()}")


def reset(settings: Settings, before: dict[str, Any]) -> None:
    """Undo a completed import so the next kill starts from the same store."""
    _council, batches = list_imports(settings)
    for batch in batches:
        undo_import(settings, batch.batch_id)
    assert fingerprint(settings.database_url) == before


@contextmanager
def write_probe(database_url: str) -> Iterator[Callable[[], bool]]:
    """A check that the import's write transaction has begun and not yet ended.

    SQLite: its rollback journal exists from the first write until commit or rollback.
    PostgreSQL: the import's session holds a transaction id from its first write on.
    """
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        journal = Path(url.database + "-journal")
        yield journal.exists
        return
    engine = sa.create_engine(database_url)
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
    )
    try:
        with engine.connect() as connection:

            def writing() -> bool:
                found = connection.execute(query).scalar()
                connection.rollback()  # each look is its own snapshot of the activity view
                return bool(found)

            yield writing
    finally:
        engine.dispose()


def wait_for_write(process: subprocess.Popen[str], writing: Callable[[], bool]) -> float:
    """Wait until the import is writing; the time from its "Storing" line to then."""
    wait_for_storing(process)
    started = time.perf_counter()
    while not writing():
        assert process.poll() is None, "the import ended before it was seen writing"
        time.sleep(0.002)
    return time.perf_counter() - started


def finish(process: subprocess.Popen[str]) -> int:
    code = process.wait(timeout=120)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    return code


def test_a_killed_import_leaves_the_store_unchanged_or_complete(
    settings: Settings, tmp_path: Path
) -> None:
    files = write_ledger(tmp_path / "extract")
    url = settings.database_url
    before = fingerprint(url)
    rng = random.Random(20181)
    with write_probe(url) as writing:
        # Calibration: a complete import, and how long its write lasts.
        process = start_import(files, url, tmp_path)
        reading = wait_for_storing(process)
        while not writing() and process.poll() is None:
            time.sleep(0.002)
        started = time.perf_counter()
        assert finish(process) == 0
        window = time.perf_counter() - started
        complete = fingerprint(url)
        assert complete["counts"]["ledger_entries"] == ROWS
        reset(settings, before)

        outcomes: list[tuple[str, str]] = []
        for attempt in range(KILLS_WHILE_READING + KILLS_WHILE_STORING):
            process = start_import(files, url, tmp_path)
            if attempt < KILLS_WHILE_READING:
                time.sleep(reading * rng.uniform(0.3, 0.9))
                phase = "reading"
            else:
                wait_for_write(process, writing)
                time.sleep(window * rng.uniform(0.0, 0.6))
                phase = "writing"
            process.send_signal(signal.SIGKILL)
            finish(process)
            after = fingerprint(url)
            assert after in (before, complete), f"kill {attempt} ({phase}) left a partial import"
            outcomes.append((phase, "unchanged" if after == before else "complete"))
            if after == complete:
                reset(settings, before)
    mid_write = outcomes.count(("writing", "unchanged"))
    assert mid_write >= KILLS_WHILE_STORING // 2, f"too few kills inside the write: {outcomes}"
    # After all that, the same files import completely, once.
    assert finish(start_import(files, url, tmp_path)) == 0
    assert fingerprint(url) == complete
