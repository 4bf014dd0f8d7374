"""The contract every import keeps, checked on one input: a located refusal, or the file's values.

`check_case` imports one mutated input in-process into a scratch store and returns a `Verdict`:

- `refused`: a carecast error whose every problem names the file (and, for a cell, its row and
  column), with the store's digest unchanged — else `unlocated` or `changed`;
- `accepted`: every stored row of every batch equals what the file says, read independently of
  carecast (fuzz_oracle.py: Python's csv module, openpyxl, ElementTree, PyYAML's BaseLoader) —
  else `differs`; the batches are then undone, which must bring the store back to its digest;
- `traceback`: any other exception; `hang`: the case ran past its time limit.
"""

from __future__ import annotations

import hashlib
import re
import signal
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import sqlalchemy as sa

from carecast.config import Settings
from carecast.domain.provenance import ImportBatch
from carecast.errors import CarecastError, InvalidInput, Issue, Severity
from carecast.ingest.datasets import BY_NAME
from carecast.services import import_paths, init_store, undo_import
from carecast.store.imports import ImportOutcome
from carecast.store.schema import metadata
from tests.fixtures_small import FILES
from tests.fuzz_inputs import AS_OF, Case
from tests.fuzz_oracle import Unreadable, expected_tables

RULE_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Rules about one cell: their problems name its row and column.
CELL_RULES = frozenset(
    {
        "bad-date",
        "bad-number",
        "bad-code",
        "bad-period",
        "bad-financial-year",
        "missing-value",
        "too-long",
        "out-of-range",
        "excel-error",
        "nul-byte",
        "stray-bom",
        "open-quote",
    }
)
OUTCOMES = (
    "accepted",
    "refused",
    "unverified",
    "traceback",
    "hang",
    "changed",
    "differs",
    "unlocated",
)


class Unverifiable(Exception):
    """An accepted file the independent readers cannot read: its values cannot be compared."""


class Hang(BaseException):
    """The case ran past its time limit."""


@dataclass(frozen=True)
class Verdict:
    outcome: str  # one of OUTCOMES
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in ("accepted", "refused", "unverified")


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise Hang in the main thread once `seconds` have passed (SIGALRM; POSIX only)."""

    def _expired(_signum: int, _frame: FrameType | None) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ScratchStore:
    """A SQLite store holding the small council's August month, reused for every case."""

    def __init__(self, folder: Path) -> None:
        self.url = f"sqlite:///{folder / 'fuzz.db'}"
        self.settings = Settings(database_url=self.url)
        init_store(self.settings, "Fuzz Borough", "999")
        august = folder / "august"
        august.mkdir()
        for name, text in FILES.items():
            (august / name).write_text(text.replace("2018-09", "2018-08"), encoding="utf-8")
        import_paths(self.settings, [august], date(2018, 8, 31))
        self.engine = sa.create_engine(self.url)
        self.base = self.digest()

    def digest(self) -> str:
        """One hash of every row of every table."""
        hashed = hashlib.sha256()
        with self.engine.connect() as connection:
            for table in metadata.sorted_tables:
                rows = sorted(repr(tuple(r)) for r in connection.execute(sa.select(table)))
                hashed.update(f"{table.name}:{len(rows)}\n".encode())
                for row in rows:
                    hashed.update(row.encode())
        return hashed.hexdigest()

    def stored_rows(self, dataset: str, batch_id: int, columns: list[str]) -> list[tuple[Any, ...]]:
        table = metadata.tables[BY_NAME[dataset].table or ""]
        query = sa.select(*(table.c[c] for c in columns)).where(table.c.batch_id == batch_id)
        with self.engine.connect() as connection:
            return [tuple(r) for r in connection.execute(query)]

    def close(self) -> None:
        self.engine.dispose()


def _located(issue: Issue, case: Case, lines: int) -> str | None:
    """Why a problem is not located well enough, or None."""
    if not any(issue.source.split("#", 1)[0].endswith(n) for n in (case.name, "mapping.yaml")):
        return f"names no input: {issue.format()}"
    if not RULE_CODE.match(issue.rule) or not issue.message.strip():
        return f"no rule or message: {issue.format()}"
    if issue.row is not None and not 1 <= issue.row <= lines:
        return f"row outside the file ({lines} lines): {issue.format()}"
    summary = issue.row is None and "more cells" in issue.message
    if issue.rule in CELL_RULES and not summary and (issue.row is None or not issue.column):
        return f"a cell's problem without row and column: {issue.format()}"
    return None


def _lines(case: Case) -> int:
    if case.name.endswith(".xlsx"):
        return 1_048_576
    # Lines as an editor counts them: LF, CRLF or a CR alone ends one.
    return max(len(d.splitlines()) + 1 for d in (case.data, case.mapping or b""))


def _normal(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):
        return Decimal(repr(value)).normalize()
    return value


def _compare(store: ScratchStore, case: Case, path: Path, batches: list[ImportBatch]) -> str | None:
    """Where the stored rows differ from what the file says, or None."""
    tables = expected_tables(case, path)
    for batch in batches:
        dataset = BY_NAME[batch.dataset]
        if dataset.table is None:
            continue
        expected = tables.get(batch.dataset)
        if expected is None:
            return f"{batch.dataset} stored, but the file read independently holds no such table"
        if isinstance(expected, Unreadable):
            raise Unverifiable(expected.why)
        names, rows = expected
        kept = [i for i, c in enumerate(names) if c in metadata.tables[dataset.table].c]
        columns = [names[i] for i in kept]
        stored = store.stored_rows(batch.dataset, batch.batch_id, columns)
        want = sorted((tuple(_normal(r[i]) for i in kept) for r in rows), key=repr)
        got = sorted((tuple(_normal(v) for v in r) for r in stored), key=repr)
        if want != got:
            extra = [r for r in got if r not in want][:3]
            missing = [r for r in want if r not in got][:3]
            return (
                f"{batch.dataset} ({', '.join(columns)}): stored {len(got)} rows, the file has "
                f"{len(want)}; stored but not in the file {extra}; in the file, not stored {missing}"
            )
    return None


def check_case(store: ScratchStore, case: Case, seconds: float = 60) -> Verdict:
    """Import one input and judge the outcome against the contract."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / case.name
        path.write_bytes(case.data)
        mapping = None
        if case.mapping is not None:
            mapping = Path(work) / "mapping.yaml"
            mapping.write_bytes(case.mapping)
        try:
            with time_limit(seconds):
                return _judge(store, case, path, mapping)
        except Hang:
            return Verdict("hang", f"over {seconds:.0f} s")


def _judge(store: ScratchStore, case: Case, path: Path, mapping: Path | None) -> Verdict:
    try:
        outcome, warnings = import_paths(store.settings, [path], AS_OF, mapping=mapping)
    except InvalidInput as refusal:
        return _refused(store, case, refusal)
    except CarecastError as error:
        return Verdict("unlocated", f"{type(error).__name__}: {error.message}")
    except Exception:
        return Verdict("traceback", traceback.format_exc(limit=-6))
    return _accepted(store, case, path, outcome, warnings)


def _refused(store: ScratchStore, case: Case, refusal: InvalidInput) -> Verdict:
    """Every problem located, at least one error, and the store as it was."""
    lines = _lines(case)
    errors = [i for i in refusal.issues if i.severity is Severity.ERROR]
    if not errors:
        return Verdict("unlocated", "InvalidInput without an error")
    for issue in refusal.issues:
        why = _located(issue, case, lines)
        if why:
            return Verdict("unlocated", why)
    if store.digest() != store.base:
        return Verdict("changed", "; ".join(i.format() for i in errors[:3]))
    return Verdict("refused", errors[0].rule)


def _accepted(
    store: ScratchStore, case: Case, path: Path, outcome: ImportOutcome, warnings: list[Issue]
) -> Verdict:
    """Warnings located and the stored rows the file's; the batches then undone."""
    for warning in warnings:
        why = _located(warning, case, _lines(case))
        if why:
            return Verdict("unlocated", f"warning {why}")
    unverified = ""
    try:
        differs = _compare(store, case, path, list(outcome.stored))
    except Unverifiable as exc:
        differs, unverified = None, str(exc)
    for batch in outcome.stored:
        undo_import(store.settings, batch.batch_id)
    if store.digest() != store.base:
        return Verdict("changed", "undoing the accepted import left the store changed")
    if differs:
        return Verdict("differs", differs)
    if unverified:
        return Verdict("unverified", unverified)
    return Verdict("accepted", ",".join(sorted({b.dataset for b in outcome.stored})))
