"""Mutated inputs end in a clean import or located errors: never a traceback, never a changed store.

Valid extracts (the small council of fixtures_small and one month of a generated demo council) are
broken the ways real files break — columns dropped or renamed, cells corrupted, rows truncated or
ragged, duplicated, encodings changed or garbled — and imported into a store that already holds
an earlier month. Every outcome must be either a successful import or InvalidInput whose errors
name their file, rule and (for a cell) row and column, with the store exactly as before.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecast.config import Settings
from carecast.demo import DemoProfile, generate_demo_files
from carecast.errors import InvalidInput, Issue, Severity
from carecast.services import import_paths, init_store
from tests.fixtures_small import FILES
from tests.storehelp import dump

AS_OF = date(2018, 9, 30)
RULE_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Rules about one cell: their issues must carry the row and the column.
CELL_RULES = frozenset(
    {
        "bad-date",
        "bad-number",
        "bad-code",
        "bad-period",
        "missing-value",
        "too-long",
        "out-of-range",
    }
)
NASTY_CELLS = (
    "",
    " ",
    "31/02/2018",
    "2018-13-45",
    "1/9/18",
    "yesterday",
    "ZZ",
    "12o0",
    "-5",
    "£1,2,3",
    "99999999999999999999999",
    "1e5",
    "N/A",
    "NULL",
    "'",
    '"',
    "=SUM(A1)",
    "\t",
    "x" * 300,
    "Zoë £ ü",
)
Files = dict[str, bytes]


def _small() -> Files:
    return {name: text.encode() for name, text in FILES.items()}


def _demo(folder: Path) -> Files:
    profile = replace(
        DemoProfile(), seed=11, start_children=60, burn_in_years=3, first_financial_year="2016-17"
    )
    manifest = generate_demo_files(folder, profile)
    month = next(step for step in manifest.steps if step.as_of == AS_OF)
    files = {f"{p.stem}.csv": p.read_bytes() for p in month.paths}
    for name in ("cost_centres.csv", "budget.csv"):
        files[name] = (folder / "finance" / name).read_bytes()
    return files


SOURCES: dict[str, Files] = {}


@pytest.fixture(scope="module", autouse=True)
def sources(tmp_path_factory: pytest.TempPathFactory) -> None:
    SOURCES["small"] = _small()
    SOURCES["demo"] = _demo(tmp_path_factory.mktemp("demo"))


# ---- mutations: each takes the hypothesis data object and a file's bytes -------------------


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _textual(data: bytes) -> bool:
    """Readable as CSV with a header of at least one column (what structural mutations need)."""
    try:
        rows = _rows(data)
    except (UnicodeDecodeError, csv.Error):
        return False
    return bool(rows) and bool(rows[0])


Mutation = Callable[[st.DataObject, bytes], bytes]


def drop_column(draw: st.DataObject, data: bytes) -> bytes:
    rows = _rows(data)
    column = draw.draw(st.integers(0, len(rows[0]) - 1), label="drop column")
    return _csv([[c for i, c in enumerate(r) if i != column] for r in rows])


def rename_column(draw: st.DataObject, data: bytes) -> bytes:
    rows = _rows(data)
    column = draw.draw(st.integers(0, len(rows[0]) - 1), label="rename column")
    rows[0][column] = draw.draw(st.text("ABCXYZ_ é", max_size=8), label="new name")
    return _csv(rows)


def corrupt_cell(draw: st.DataObject, data: bytes) -> bytes:
    rows = _rows(data)
    if len(rows) < 2:
        return data
    row = draw.draw(st.integers(1, len(rows) - 1), label="row")
    if not rows[row]:
        return data
    column = draw.draw(st.integers(0, len(rows[row]) - 1), label="column")
    rows[row][column] = draw.draw(st.sampled_from(NASTY_CELLS), label="value")
    return _csv(rows)


def truncate_rows(draw: st.DataObject, data: bytes) -> bytes:
    lines = data.split(b"\n")
    return b"\n".join(lines[: draw.draw(st.integers(0, len(lines)), label="keep lines")])


def truncate_bytes(draw: st.DataObject, data: bytes) -> bytes:
    return data[: draw.draw(st.integers(0, len(data)), label="keep bytes")]


def ragged_row(draw: st.DataObject, data: bytes) -> bytes:
    rows = _rows(data)
    width = len(rows[0])
    cells = draw.draw(st.integers(0, width + 3), label="cells in ragged row")
    position = draw.draw(st.integers(1, len(rows)), label="ragged position")
    rows.insert(position, ["7"] * cells)
    return _csv(rows)


def duplicate_row(draw: st.DataObject, data: bytes) -> bytes:
    rows = _rows(data)
    if len(rows) < 2:
        return data
    row = draw.draw(st.integers(1, len(rows) - 1), label="duplicated row")
    return _csv([*rows[: row + 1], rows[row], *rows[row + 1 :]])


def add_bom(_draw: st.DataObject, data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def crlf(_draw: st.DataObject, data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def to_cp1252(_draw: st.DataObject, data: bytes) -> bytes:
    """Saved by Excel on Windows: a pound sign in Windows-1252 (as a row of its own)."""
    return (data.decode("utf-8") + "£\n").encode("cp1252", errors="replace")


def garbage_bytes(draw: st.DataObject, data: bytes) -> bytes:
    junk = draw.draw(
        st.one_of(st.binary(min_size=1, max_size=6), st.just(b"\x81\x8d\x8f\x90\x9d")),
        label="garbage",
    )
    position = draw.draw(st.integers(0, len(data)), label="garbage position")
    return data[:position] + junk + data[position:]


def empty_file(_draw: st.DataObject, _data: bytes) -> bytes:
    return b""


# Mutations that need a readable CSV; the others work on any bytes.
STRUCTURAL: tuple[Mutation, ...] = (
    drop_column,
    rename_column,
    corrupt_cell,
    corrupt_cell,
    ragged_row,
    duplicate_row,
)
BYTEWISE: tuple[Mutation, ...] = (
    truncate_rows,
    truncate_bytes,
    add_bom,
    crlf,
    to_cp1252,
    garbage_bytes,
    empty_file,
)


def mutate(draw: st.DataObject) -> tuple[str, Files, list[str]]:
    source = draw.draw(st.sampled_from(sorted(SOURCES)), label="extract")
    files = dict(SOURCES[source])
    applied: list[str] = []
    for _ in range(draw.draw(st.integers(1, 3), label="mutations")):
        name = draw.draw(st.sampled_from(sorted(files)), label="file")
        choices = STRUCTURAL + BYTEWISE if _textual(files[name]) else BYTEWISE
        mutation = draw.draw(st.sampled_from(choices), label="mutation")
        if mutation is to_cp1252 and not _decodes(files[name]):
            continue
        files[name] = mutation(draw, files[name])
        applied.append(f"{mutation.__name__}({name})")
    return source, files, applied


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ---- stores ---------------------------------------------------------------------------------


def _prepared(url: str, folder: Path) -> None:
    """A store holding the small council's August month, so imports land on real history."""
    configured = Settings(database_url=url)
    init_store(configured, "Test Borough", "999")
    august = folder / "august"
    august.mkdir()
    for name, data in _small().items():
        (august / name).write_bytes(data.replace(b"2018-09", b"2018-08"))
    import_paths(configured, [august], date(2018, 8, 31))


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    _prepared(f"sqlite:///{folder / 'template.db'}", folder)
    return folder / "template.db"


@pytest.fixture(scope="module")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    import os

    admin_url = os.environ.get("CARECAST_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.fail("CARECAST_TEST_POSTGRES_URL is not set: run the suite with 'make test'")
    name = f"carecast_tpl_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    _prepared(url, tmp_path_factory.mktemp("pg"))
    with admin.connect() as connection:  # a template must have no open sessions
        connection.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
    try:
        yield admin_url, name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---- the property ---------------------------------------------------------------------------


def check_located(issue: Issue, inputs: Path) -> None:
    assert issue.source.startswith(str(inputs)), issue.format()
    assert RULE_CODE.match(issue.rule), issue.format()
    assert issue.message.strip(), issue.format()
    if issue.rule in CELL_RULES:
        assert issue.row is not None, issue.format()
        assert issue.row >= 2, issue.format()
        assert issue.column, issue.format()


def import_mutated(url: str, files: Files, applied: list[str]) -> None:
    with tempfile.TemporaryDirectory() as work:
        inputs = Path(work) / "inputs"
        inputs.mkdir()
        for name, data in files.items():
            (inputs / name).write_bytes(data)
        before = dump(url)
        try:
            outcome, warnings = import_paths(Settings(database_url=url), [inputs], AS_OF)
        except InvalidInput as failure:
            errors = [i for i in failure.issues if i.severity is Severity.ERROR]
            assert errors, applied
            for issue in failure.issues:
                check_located(issue, inputs)
            assert dump(url) == before, applied
            return
        assert all(w.severity is Severity.WARNING for w in warnings)
        for warning in warnings:
            check_located(warning, inputs)
        assert outcome.stored or outcome.unchanged


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(draw=st.data())
def test_mutated_files_import_cleanly_or_fail_located_on_sqlite(
    draw: st.DataObject, sqlite_template: Path
) -> None:
    _source, files, applied = mutate(draw)
    with tempfile.TemporaryDirectory() as work:
        store = Path(work) / "store.db"
        shutil.copyfile(sqlite_template, store)
        import_mutated(f"sqlite:///{store}", files, applied)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(draw=st.data())
def test_mutated_files_import_cleanly_or_fail_located_on_postgresql(
    draw: st.DataObject, postgres_template: tuple[str, str]
) -> None:
    _source, files, applied = mutate(draw)
    admin_url, template = postgres_template
    name = f"carecast_mut_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        import_mutated(url, files, applied)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_unmutated_extracts_import_cleanly(sqlite_template: Path, tmp_path: Path) -> None:
    for source, files in SOURCES.items():
        store = tmp_path / f"{source}.db"
        shutil.copyfile(sqlite_template, store)
        inputs = tmp_path / source
        inputs.mkdir()
        for name, data in files.items():
            (inputs / name).write_bytes(data)
        outcome, _warnings = import_paths(
            Settings(database_url=f"sqlite:///{store}"), [inputs], AS_OF
        )
        assert len(outcome.stored) == len(files), source
