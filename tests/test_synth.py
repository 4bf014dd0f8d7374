"""`carecast synth`: councils that differ, written in formats.md files, importable into one store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carecast.cli import run
from carecast.config import Settings
from carecast.errors import UsageError
from carecast.services.setup import init_councils
from carecast.store.councils import list_councils
from carecast.store.engine import make_engine


def test_synthetic_councils_differ_and_import_into_one_store_each_under_its_code(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nation"
    url = ["--database-url", database_url]
    args = ["synth", "--councils", "2", "--years", "2", "--out", str(out), "--import", *url]
    assert run(args) == 0
    listed = json.loads((out / "councils.json").read_text(encoding="utf-8"))
    assert [c["la_code"] for c in listed] == ["9001", "9002"]
    assert listed[0]["start_children"] != listed[1]["start_children"]
    assert (out / "9001" / "ssda903").is_dir()
    assert "rows imported for 2 councils" in capsys.readouterr().out

    # each council's own data, chosen by its code
    assert run(["--council", "9002", "snapshots", *url]) == 0
    assert "Synthetic council 9002" in capsys.readouterr().out
    assert run(["region", "--years", "1", "--json", *url]) == 0
    region = json.loads(capsys.readouterr().out)
    assert [c["la_code"] for c in region["councils"]] == ["9001", "9002"]
    assert region["region"]["children_looked_after"] == pytest.approx(
        sum(c["children_looked_after"] for c in region["councils"])
    )

    # the same seed writes the same files
    again = tmp_path / "again"
    assert run(["synth", "--councils", "1", "--years", "2", "--out", str(again)]) == 0
    first = (out / "9001" / "ssda903").rglob("*.csv")
    for path in sorted(first):
        twin = again / path.relative_to(out)
        assert twin.read_bytes() == path.read_bytes()


def test_councils_imported_side_by_side_store_what_one_after_another_stores(
    tmp_path: Path,
) -> None:
    from carecast.config import Settings
    from carecast.services import list_imports
    from carecast.services.synth import import_synthesised, synthesise

    made = synthesise(tmp_path / "nation", councils=3, years=2)
    stored = {}
    for workers in (1, 2):
        settings = Settings(database_url=f"sqlite:///{tmp_path / f'store-{workers}.db'}")
        rows = import_synthesised(settings, tmp_path / "nation", made, workers=workers)
        stored[workers] = (
            rows,
            {
                council.la_code: sorted(
                    (b.dataset, b.file_name, b.row_count, b.as_of)
                    for b in list_imports(settings.model_copy(update={"council": council.la_code}))[
                        1
                    ]
                )
                for council in made
            },
        )
    assert stored[1] == stored[2]
    assert stored[1][0] > 0


def test_one_year_is_refused_with_what_to_give(tmp_path: Path) -> None:
    """It reached the simulator and failed there with a traceback."""
    assert run(["synth", "--councils", "1", "--years", "1", "--out", str(tmp_path / "n")]) == 2


def test_a_regions_councils_are_added_together_or_not_at_all(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    added = init_councils(settings, [("North", "9101"), ("South", "9102")])
    assert [(c.name, c.la_code) for c in added] == [("North", "9101"), ("South", "9102")]
    # again as they are: nothing changes (the schema is only brought up to date)
    again = init_councils(settings, [("North", "9101"), ("South", "9102")])
    assert again == added
    # a code already held under another name refuses the lot, naming it
    with pytest.raises(UsageError, match="already holds council 9102"):
        init_councils(settings, [("East", "9103"), ("Elsewhere", "9102")])
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert [c.la_code for c in list_councils(connection)] == ["9101", "9102"]
    finally:
        engine.dispose()
