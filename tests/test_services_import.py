"""Imports are all or nothing, idempotent, and keep their provenance (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carecast.config import Settings
from carecast.errors import InvalidInput, StoreNotReady
from carecast.services import import_paths, list_imports
from tests.conftest import Writer
from tests.storehelp import dump

COST_CENTRES = "COST_CENTRE,SERVICE_LINE\nIFA1,placements_ifa\nSW1,staffing\n"
BUDGET = "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,placements_ifa,40000\n"
COSTS = (
    "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,COST_CENTRE\n"
    "C1,placements_ifa,Agency,2018-05-01,,910,IFA1\n"
)


def test_an_import_records_each_files_provenance(settings: Settings, write: Writer) -> None:
    files = [write("cc.csv", COST_CENTRES), write("budget.csv", BUDGET)]
    outcome, warnings = import_paths(settings, files, date(2018, 9, 30))
    assert warnings == []
    assert [(b.dataset, b.row_count, b.as_of) for b in outcome.stored] == [
        ("cost_centres", 2, date(2018, 9, 30)),
        ("budget", 1, date(2018, 9, 30)),
    ]
    _council, batches = list_imports(settings)
    assert [Path(b.file_name).name for b in batches] == ["cc.csv", "budget.csv"]
    assert all(len(b.sha256) == 64 for b in batches)


def test_a_failed_import_leaves_the_store_exactly_as_it_was(
    settings: Settings, write: Writer
) -> None:
    import_paths(settings, [write("cc.csv", COST_CENTRES)], date(2018, 8, 31))
    before = dump(settings.database_url)
    good = write("costs.csv", COSTS)
    bad = write("budget.csv", "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,placements_ifa,lots\n")
    with pytest.raises(InvalidInput) as failure:
        import_paths(settings, [good, bad], date(2018, 9, 30))
    assert [i.format().split(": ")[0] for i in failure.value.issues] == [f"{bad}:2:BUDGET"]
    assert dump(settings.database_url) == before


def test_reimporting_an_identical_file_changes_nothing(settings: Settings, write: Writer) -> None:
    path = write("costs.csv", COSTS)
    import_paths(settings, [path], date(2018, 9, 30))
    before = dump(settings.database_url)
    outcome, _ = import_paths(settings, [path], date(2018, 9, 30))
    assert outcome.stored == ()
    assert outcome.unchanged == (str(path),)
    assert dump(settings.database_url) == before


def test_a_folder_is_imported_file_by_file(settings: Settings, write: Writer) -> None:
    folder = write("cc.csv", COST_CENTRES).parent
    write("budget.csv", BUDGET)
    outcome, _ = import_paths(settings, [folder], date(2018, 9, 30))
    assert sorted(b.dataset for b in outcome.stored) == ["budget", "cost_centres"]


def test_a_missing_path_is_an_error_and_nothing_is_stored(
    settings: Settings, tmp_path: Path
) -> None:
    before = dump(settings.database_url)
    with pytest.raises(InvalidInput) as failure:
        import_paths(settings, [tmp_path / "nowhere.csv"], date(2018, 9, 30))
    assert failure.value.issues[0].rule == "not-found"
    assert dump(settings.database_url) == before


def test_importing_before_init_says_to_run_init(tmp_path: Path, write: Writer) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StoreNotReady, match="carecast init"):
        import_paths(settings, [write("cc.csv", COST_CENTRES)], date(2018, 9, 30))


def test_an_empty_cell_the_store_keeps_in_every_row_is_a_located_error(
    settings: Settings, write: Writer
) -> None:
    """SSDA903 may leave CIN empty as far as its own rules go, but the store keeps one per row."""
    header = write("header.csv", "CHILD,SEX,DOB,ETHNIC\nC1,1,2008-01-01,WBRI\n")
    episodes = write(
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\nC1,2018-05-01,S,C2,,U4,PR4,,\n",
    )
    before = dump(settings.database_url)
    with pytest.raises(InvalidInput) as failure:
        import_paths(settings, [header, episodes], date(2018, 9, 30))
    errors = [i for i in failure.value.issues if i.severity.value == "error"]
    assert [(Path(i.source).name, i.row, i.column, i.rule) for i in errors] == [
        ("episodes.csv", 2, "CIN", "missing-value")
    ]
    assert dump(settings.database_url) == before


@pytest.mark.parametrize(
    ("name", "text", "located"),
    [
        (
            "header.csv",
            "CHILD,SEX,DOB,ETHNIC,UPN\nC1,1,2008-01-01,WBRI," + "A" * 70 + "\n",
            (2, "UPN", "too-long"),
        ),
        (
            "posts.csv",
            "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST\nP1,T,SW,5000,agency,73000\n",
            (2, "FTE", "out-of-range"),
        ),
    ],
)
def test_values_the_store_cannot_hold_are_located_errors_on_every_database(
    settings: Settings, write: Writer, name: str, text: str, located: tuple[int, str, str]
) -> None:
    """SQLite would keep them and PostgreSQL refuse them: both refuse them, row by row, first."""
    before = dump(settings.database_url)
    with pytest.raises(InvalidInput) as failure:
        import_paths(settings, [write(name, text)], date(2018, 9, 30))
    errors = [i for i in failure.value.issues if i.severity.value == "error"]
    assert [(i.row, i.column, i.rule) for i in errors] == [located]
    assert dump(settings.database_url) == before
