"""A council's stored rows kept in memory between its imports (store/known_rows.py) give every
import exactly what reading the store gives: the same state known on each date, so the same
problems and the same rows stored — after imports undone (an id handed out again) and imports
refused (a transaction rolled back) too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from carecast.config import Settings
from carecast.errors import InvalidInput, Issue
from carecast.ingest.rules_cross_file import Known
from carecast.services import import_paths, init_store, list_imports, undo_import
from carecast.services.setup import council_transaction
from carecast.services.synth import import_synthesised, synthesise
from carecast.store.known_rows import WANTED, StoredRows
from carecast.store.schema import metadata
from carecast.store.state_frames import known_frames
from tests.conftest import Writer
from tests.fixtures_small import write_small_council

AS_OF = date(2018, 9, 30)
EVERY_CHECK = {"ssda903_episodes", "placement_costs", "gl_actuals"}  # all four frames needed
HEADER = "CHILD,SEX,DOB,ETHNIC\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"


def rows_of(known: Known) -> dict[str, list[Any]]:
    """Keyed frames in their order (it orders the problems found); a snapshot as a multiset."""
    return {
        "children": known.children.rows(),
        "episodes": known.episodes.rows(),
        "commitments": sorted(known.commitments.rows(), key=repr),
        "cost_centres": known.cost_centres.rows(),
        "imported": sorted(known.imported),
    }


def assert_kept_equals_read(settings: Settings, stored: StoredRows, *days: date) -> None:
    with council_transaction(settings) as (connection, council):
        for day in days:
            read = known_frames(connection, council, day, EVERY_CHECK)
            kept = known_frames(connection, council, day, EVERY_CHECK, stored)
            assert rows_of(kept) == rows_of(read), day


def test_a_synthetic_councils_state_is_the_same_kept_or_read_on_every_date_of_its_imports(
    settings: Settings, tmp_path: Path
) -> None:
    (council,) = synthesise(tmp_path / "nation", councils=1, years=2)
    stored = StoredRows()
    days = [date.fromisoformat(day) for day, _paths in council.steps]
    open_episodes = []
    for n, (day, paths) in enumerate(council.steps):
        as_of = date.fromisoformat(day)
        files = [tmp_path / "nation" / p for p in paths]
        outcome, _warnings = import_paths(settings, files, as_of, allow_empty=True, stored=stored)
        if n > 1:  # the rows written are kept as written, not read back
            written = {b.batch_id for b in outcome.stored if b.dataset in WANTED}
            assert written <= {batch_id for batch_id, _run in stored.batches}
        # on the day imported, on the next import's day (before it arrives) and earlier on
        later = days[min(n + 1, len(days) - 1)]
        assert_kept_equals_read(settings, stored, as_of, later, days[n // 2])
        with council_transaction(settings) as (connection, known_council):
            known = known_frames(connection, known_council, as_of, EVERY_CHECK, stored)
        open_episodes.append(known.episodes.height)
    # a real test: hundreds of children in care on each day, their episodes resolved over years
    assert min(open_episodes[1:]) > 500


def stored_as_imported(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store but when things were made and each import run's uuid."""
    engine = sa.create_engine(url)

    def kept(column: sa.Column[Any]) -> bool:
        return column.name != "run_id" and not isinstance(column.type, sa.DateTime)

    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (
                        tuple(row)
                        for row in connection.execute(sa.select(*(c for c in table.c if kept(c))))
                    ),
                    key=repr,
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_a_synthetic_council_imported_keeping_its_rows_stores_what_reading_the_store_stores(
    tmp_path: Path,
) -> None:
    made = synthesise(tmp_path / "nation", councils=1, years=2)
    stores = {}
    for keep_known in (False, True):
        url = f"sqlite:///{tmp_path / f'store-{keep_known}.db'}"
        rows = import_synthesised(
            Settings(database_url=url), tmp_path / "nation", made, keep_known=keep_known
        )
        stores[keep_known] = (rows, stored_as_imported(url))
    assert stores[True] == stores[False]
    rows, stored = stores[True]
    assert rows > 50_000
    assert len(stored["import_issues"]) > 0  # warnings kept with the batches: the same ones


def import_both_ways(
    settings: Settings, stored: StoredRows, files: list[Path], as_of: date
) -> list[Issue]:
    """Import into council 999 reading the store, and into council 998 keeping its rows in
    `stored`; both find the same problems (raised, or returned as warnings)."""
    found = []
    for code, kept in (("999", None), ("998", stored)):
        try:
            _outcome, issues = import_paths(
                settings.model_copy(update={"council": code}), files, as_of, stored=kept
            )
        except InvalidInput as refused:
            issues = refused.issues
        found.append(issues)
    assert found[0] == found[1]
    return found[0]


@pytest.fixture
def twin(settings: Settings) -> Settings:
    """Council 998 beside the settings' own (999), both empty."""
    init_store(settings, "Twin Borough", "998")
    return settings.model_copy(update={"council": "998"})


def test_the_same_problems_are_found_after_imports_refused_and_undone(
    settings: Settings, twin: Settings, write: Writer, tmp_path: Path
) -> None:
    stored = StoredRows()
    small = write_small_council(tmp_path / "x")
    assert import_both_ways(settings, stored, [small], AS_OF) == []
    # C3 placed in October with no header anywhere (an error: refused, nothing stored) and no
    # commitment among those the store holds (a warning)
    header = write("header.csv", HEADER + "C1,1,2008-01-01,WBRI\n")
    late = write("episodes.csv", EPISODES + "C3,2018-10-01,S,C2,N1,U4,PR4,,\n")
    refused = import_both_ways(settings, stored, [header, late], date(2018, 10, 31))
    assert [(i.rule, i.row) for i in refused] == [
        ("episode-without-header", 2),
        ("placement-without-commitment", 2),
    ]
    assert_kept_equals_read(twin, stored, AS_OF, date(2018, 10, 31))

    # C1 leaves care in October: stored, then undone, then a different October imported; on
    # SQLite the undone batch's id is handed out again to another batch
    left = write("episodes.csv", EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,2018-10-15,E13\n")
    import_both_ways(settings, stored, [left], date(2018, 10, 31))
    assert_kept_equals_read(twin, stored, date(2018, 10, 31))
    undone = {}
    for code in ("999", "998"):
        own = settings.model_copy(update={"council": code})
        _council, batches = list_imports(own)
        undone[code] = undo_import(own, batches[-1].batch_id).batch_id
    assert_kept_equals_read(twin, stored, date(2018, 10, 31))
    # C1 moves on 20 October instead (a new episode, in-house foster care)
    moved = write(
        "episodes.csv",
        EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,2018-10-20,X1\nC1,2018-10-20,S,C2,N1,U4,PR1,,\n",
    )
    assert import_both_ways(settings, stored, [moved], date(2018, 10, 31)) == []
    if twin.database_url.startswith("sqlite"):
        assert list_imports(twin)[1][-1].batch_id == undone["998"]  # the same id, another batch
    assert_kept_equals_read(twin, stored, AS_OF, date(2018, 10, 31), date(2018, 11, 30))
    with council_transaction(twin) as (connection, council):
        known = known_frames(connection, council, date(2018, 10, 31), EVERY_CHECK, stored)
    # open on 31 October: C1's placement since the 20th (the May one ended then; the undone
    # version's end on the 15th is forgotten), and C2's since May 2017
    assert known.episodes.select("CHILD", "DECOM", "DEC").rows() == [
        ("C1", date(2018, 10, 20), None),
        ("C2", date(2017, 5, 1), None),
    ]


def test_rows_kept_for_one_council_are_not_used_for_another(
    settings: Settings, twin: Settings, tmp_path: Path
) -> None:
    stored = StoredRows()
    own = settings.model_copy(update={"council": "999"})
    import_paths(own, [write_small_council(tmp_path / "x")], AS_OF, stored=stored)
    assert_kept_equals_read(own, stored, AS_OF)  # read at the next use: C1's and C2's episodes
    assert stored.rows["ssda903_episodes"].height == 2
    assert_kept_equals_read(twin, stored, AS_OF)
    with council_transaction(twin) as (connection, council):
        known = known_frames(connection, council, AS_OF, EVERY_CHECK, stored)
    assert known.episodes.is_empty()
    assert known.imported == frozenset()


def test_files_already_imported_are_left_out_of_the_rows_kept_as_written(
    settings: Settings, write: Writer, tmp_path: Path
) -> None:
    stored = StoredRows()
    small = write_small_council(tmp_path / "x")
    import_paths(settings, [small], AS_OF, stored=stored)
    assert_kept_equals_read(settings, stored, AS_OF)
    # the council's files again, unchanged (skipped), with C1's episode ended in September
    ended = write("episodes.csv", EPISODES + "C1,2018-05-01,S,C2,N1,U4,PR4,2018-09-15,E13\n")
    outcome, _warnings = import_paths(settings, [small, ended], AS_OF, stored=stored)
    assert [b.file_name for b in outcome.stored] == [str(ended)]
    assert len(outcome.unchanged) == len(list(small.iterdir()))
    assert stored.rows["ssda903_episodes"].height == 3  # C1's two versions and C2's, as written
    assert_kept_equals_read(settings, stored, AS_OF)
    with council_transaction(settings) as (connection, council):
        known = known_frames(connection, council, AS_OF, EVERY_CHECK, stored)
    assert known.episodes.get_column("CHILD").to_list() == ["C2"]  # C1 left care on the 15th
